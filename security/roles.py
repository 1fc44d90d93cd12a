"""Roles of users and scopes of API tokens: what each kind of principal may attempt."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    """A user's role in their organisation, from least to most powerful."""

    VIEWER = "VIEWER"  # reads what the organisation may see
    MEMBER = "MEMBER"  # also records the organisation's follow-up work
    ORG_ADMIN = "ORG_ADMIN"  # also manages the organisation's users, tokens, coalitions
    PLATFORM_ADMIN = "PLATFORM_ADMIN"  # operates the platform: organisations, vetting

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


# Roles that must use a second factor (outside development).
SECOND_FACTOR_ROLES = frozenset({Role.ORG_ADMIN, Role.PLATFORM_ADMIN})


class Scope(enum.StrEnum):
    """What an API token may do. A token never reveals or shares contacts, reads the
    audit, or administers: no scope grants those."""

    RECOMMENDATIONS_READ = "recommendations:read"
    ENGAGEMENTS_WRITE = "engagements:write"
    ASSESSMENTS_WRITE = "assessments:write"
    ACTIVITIES_WRITE = "activities:write"
    CONTACTS_READ = "contacts:read"  # pseudonyms and shared attributes only
