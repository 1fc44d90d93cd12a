"""Account mutations, one concern per module."""
