"""Accounts: users, sessions, API tokens, invitations, second factors."""
