"""Reviews of states at Working Group sessions."""
