"""The secure stakeholder registry: encrypted, pseudonymised contacts."""
