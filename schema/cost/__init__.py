"""Query cost: what a document may ask for, and what a viewer may spend per hour."""
