"""Reading public recommendation databases: pure parsing, no database."""
