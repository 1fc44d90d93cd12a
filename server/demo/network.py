"""The organisations, the coalitions and who accepted to join which."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from schema.tables.organisations import (
    Coalition,
    CoalitionMembership,
    MembershipStatus,
    Organisation,
)
from server.demo import dataset
from server.demo.rows import Rows


@dataclass(frozen=True, slots=True)
class Network:
    ids: dict[str, uuid.UUID]  # organisation acronym -> id
    # (coalition id, the states it works on, its ACTIVE members' acronyms)
    coalitions: tuple[tuple[uuid.UUID, tuple[str, ...], frozenset[str]], ...]

    def coalition_for(self, acronym: str, state: str) -> uuid.UUID | None:
        """A coalition on that state the organisation is an active member of: only
        those may hold its COALITION rows."""
        for coalition_id, states, members in self.coalitions:
            if state in states and acronym in members:
                return coalition_id
        return None


def build_network(rows: Rows) -> Network:
    ids: dict[str, uuid.UUID] = {}
    for org in dataset.ORGANISATIONS:
        ids[org.acronym] = rows.add(
            Organisation,
            name=org.name,
            acronym=org.acronym,
            kind=org.kind,
            country_code=org.country,
            website=f"https://example.org/{org.acronym.lower()}",
            vetted_partner=org.vetted,
            public_profile=org.public,
        )
    coalitions = []
    for plan in dataset.COALITIONS:
        creator = ids[plan.creator]
        coalition_id = rows.add(
            Coalition,
            name=plan.name,
            description=plan.description,
            created_by_organisation_id=creator,
        )
        active = frozenset(
            acronym for acronym, status in plan.members if status is MembershipStatus.ACTIVE
        )
        for position, (acronym, status) in enumerate(plan.members):
            rows.add(
                CoalitionMembership,
                coalition_id=coalition_id,
                organisation_id=ids[acronym],
                status=status,
                invited_by_organisation_id=creator,
                # Members accepted one after the other; an invitation still open has no date.
                joined_at=plan.founded + dt.timedelta(days=9 * position)
                if acronym in active
                else None,
            )
        coalitions.append((coalition_id, plan.countries, active))
    return Network(ids, tuple(coalitions))
