"""Engagements and assessments: who follows up which recommendation, and what they
found. Partners may disagree, and an organisation reassesses as things move."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Collection

from schema.tables.followup import Assessment, Engagement, EngagementRole, ImplementationStatus
from schema.tables.organisations import OrganisationKind
from schema.tables.recommendations import Response
from security.sharing import Visibility
from server.demo import dataset
from server.demo.network import Network
from server.demo.recommendations import BuiltReview, Rec
from server.demo.rows import Rows

_LEAD, _PARTNER, _MONITOR = EngagementRole.LEAD, EngagementRole.PARTNER, EngagementRole.MONITOR
_ROLES = {
    OrganisationKind.INTERNATIONAL_NGO: (_PARTNER, _MONITOR),
    OrganisationKind.NATIONAL_NGO: (_LEAD, _LEAD, _PARTNER),
    OrganisationKind.UN_AGENCY: (_PARTNER, _MONITOR),
    OrganisationKind.NHRI: (_MONITOR, _PARTNER),
    OrganisationKind.GOVERNMENT: (_LEAD,),
    OrganisationKind.OTHER: (_MONITOR,),
}

_NOTES = (
    "Leads the working group on this recommendation with two district-level partners.",
    "Raised at the pre-session briefing; follow-up letter sent to the line ministry.",
    "Monitoring through our court observation programme.",
    "Joint advocacy with the national coalition; next step is a meeting with the "
    "parliamentary human rights committee.",
    "Supports the national partners with a legal analysis of the draft bill.",
    "Collecting testimonies from affected communities for the mid-term report.",
    "Included in our annual work plan and budget.",
)

_NOT, _PARTIAL, _FULL, _UNKNOWN = (
    ImplementationStatus.NOT_IMPLEMENTED,
    ImplementationStatus.PARTIALLY_IMPLEMENTED,
    ImplementationStatus.FULLY_IMPLEMENTED,
    ImplementationStatus.UNKNOWN,
)
_STATUSES = (_NOT, _PARTIAL, _FULL, _UNKNOWN)

_EVIDENCE = {
    _NOT: (
        "No bill has been tabled since the review; the ministry told the follow-up dialogue "
        "that consultations are still ongoing.",
        "The government's mid-term report is silent on this recommendation and no budget line "
        "has been allocated to it.",
        "Our monitoring in four districts found no change in practice, and the complaints we "
        "filed remain uninvestigated.",
        "The matter was discussed in a parliamentary committee but never put to a vote.",
    ),
    _PARTIAL: (
        "A draft law was approved by the cabinet and is before parliament; implementing "
        "regulations and a budget are still missing.",
        "An action plan was adopted, but only a few of its activities have started and none "
        "in rural districts.",
        "Training was given to police officers and prosecutors; independent oversight of "
        "complaints is not yet in place.",
        "The law was amended, yet partners still document cases in which it is not applied.",
    ),
    _FULL: (
        "The measure was adopted and is in force; our monitoring confirms it is applied in "
        "practice.",
        "Official records and interviews with affected communities confirm implementation; we "
        "will keep watching how it is applied.",
    ),
    _UNKNOWN: (
        "The government has not answered our request for information and no public data are "
        "available yet.",
        "Reports from the districts conflict; we will verify during the next field visit.",
    ),
}


def build_followup(
    rows: Rows, rng: random.Random, network: Network, reviews: list[BuiltReview]
) -> None:
    """Engagements of each organisation on the recommendations it works on, most of them
    with an assessment, some with an earlier one as history."""
    recs = [rec for review in reviews for rec in review.recommendations]
    engaged: dict[uuid.UUID, list[ImplementationStatus]] = {}  # and what partners found
    for org in dataset.ORGANISATIONS:
        candidates = [rec for rec in recs if rec.state in org.works_on]
        for rec in _choose(rng, org, candidates, taken_up=engaged.keys()):
            visibility, coalition_id = _sharing(rng, network, org, rec.state)
            owner = network.ids[org.acronym]
            shared = {
                "owner_organisation_id": owner,
                "visibility": visibility,
                "coalition_id": coalition_id,
            }
            rows.add(
                Engagement,
                recommendation_id=rec.id,
                role=rng.choice(_ROLES[org.kind]),
                note=rng.choice(_NOTES) if rng.random() < 0.4 else None,
                **shared,
            )
            others = engaged.setdefault(rec.id, [])
            if rng.random() < 0.95:
                status = _status(rng, org, rec, others)
                others.append(status)
                _assess(rows, rng, org, rec, status, shared)


def _choose(
    rng: random.Random, org: dataset.Org, recs: list[Rec], taken_up: Collection[uuid.UUID]
) -> list[Rec]:
    """Weighted sampling without replacement (Efraimidis-Spirakis): the organisation's
    own themes first, current-cycle recommendations before older ones, and those other
    partners already work on (partners gather around priorities)."""

    def weight(rec: Rec) -> float:
        focused = 3.0 if set(rec.template.themes) & set(org.focus) else 0.3
        shared = 4.0 if rec.id in taken_up else 1.0
        return focused * shared * (2.0 if rec.cycle == 4 else 1.0)

    return sorted(recs, key=lambda rec: rng.random() ** (1 / weight(rec)), reverse=True)[
        : org.engagements
    ]


def _sharing(
    rng: random.Random, network: Network, org: dataset.Org, state: str
) -> tuple[Visibility, uuid.UUID | None]:
    """Mostly shared with partners, often within a coalition on the state; a government
    shares its work publicly."""
    if org.kind is OrganisationKind.GOVERNMENT:
        return Visibility.PUBLIC, None
    coalition_id = network.coalition_for(org.acronym, state)
    weights = (15, 45, 30, 10) if coalition_id else (20, 65, 0, 15)
    level = rng.choices(tuple(Visibility), weights=weights)[0]
    return level, coalition_id if level is Visibility.COALITION else None


def _status(
    rng: random.Random, org: dataset.Org, rec: Rec, others: list[ImplementationStatus]
) -> ImplementationStatus:
    """Noted recommendations are rarely implemented, governments see progress where
    civil society does not, and a second opinion often differs from the first."""
    if org.kind is OrganisationKind.GOVERNMENT:
        weights = (0, 50, 40, 10)
    elif rec.response is Response.NOTED:
        weights = (70, 15, 0, 15)
    else:
        weights = (30, 45, 12, 13)
    status = rng.choices(_STATUSES, weights=weights)[0]
    if others and status in others and rng.random() < 0.6:
        status = rng.choice([s for s in _STATUSES[:3] if s not in others] or [status])
    return status


def _assess(
    rows: Rows,
    rng: random.Random,
    org: dataset.Org,
    rec: Rec,
    status: ImplementationStatus,
    shared: dict[str, object],
) -> None:
    """The assessment, and sometimes the organisation's earlier one, from before things
    moved (or before it could tell)."""
    start = rec.review_date + dt.timedelta(days=90 if rec.cycle == 4 else 150)
    end = min(rec.review_date + dt.timedelta(days=1700), dataset.AS_OF - dt.timedelta(days=5))
    latest = start + dt.timedelta(days=rng.randint(0, (end - start).days))
    history = [(latest, status)]
    earliest = rec.review_date + dt.timedelta(days=60)
    if status is not _UNKNOWN and (latest - earliest).days > 180 and rng.random() < 0.75:
        before = {_NOT: _UNKNOWN, _PARTIAL: _NOT, _FULL: rng.choice((_NOT, _PARTIAL))}[status]
        days = rng.randint(0, (latest - earliest).days - 120)
        history.insert(0, (earliest + dt.timedelta(days=days), before))
    for assessed_on, assessed_status in history:
        rows.add(
            Assessment,
            recommendation_id=rec.id,
            status=assessed_status,
            evidence=rng.choice(_EVIDENCE[assessed_status]),
            source_url=(
                f"https://example.org/{org.acronym.lower()}/assessments/"
                f"{assessed_on.isoformat()}/{rec.paragraph}"
            ),
            assessed_on=assessed_on,
            **shared,
        )
