"""Reading the audit log: each organisation's admins read its chain."""
