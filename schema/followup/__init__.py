"""The partners' follow-up work on recommendations: what every part of it shares."""
