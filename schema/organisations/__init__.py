"""The organisation directory (under the policy)."""
