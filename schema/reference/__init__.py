"""Reference data (states, calendar, vocabularies): its source and its seeding."""
