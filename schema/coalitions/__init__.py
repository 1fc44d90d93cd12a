"""Coalitions: joined by invitation and acceptance, never by being added."""
