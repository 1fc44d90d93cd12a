"""Exports: what an organisation hands to a recipient (or publishes), read as a reader
who sees only what both may see, each one audited."""
