"""Follow-up activities and the money pledged to them."""
