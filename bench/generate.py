"""A benchmark database at scale, for the load driver: `bench/out/<scale>.json` says what
is in it and how to sign in.

Recreates the database, migrates and seeds it with the project's own code, writes a
production key file and opens the platform keys as the server does, then generates
(deterministically, from `--seed`) reviews of the 193 UN member states in cycles 1-4,
recommendations drawn from the demo's bank of texts (varied openings and closings, so
full-text search is meaningful), organisations of every kind, coalitions, engagements,
assessments at mixed sharing levels (several per organisation and recommendation over
time, so "latest" matters), activities with organisers, recommendations and pledges,
and contacts encrypted through the registry's own sealing. Rows go in through asyncpg
COPY. Run from the repository root:

    .venv/bin/python -m bench.generate --scale small \
        --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/bench_small

Scales: full (100,000 recommendations, 2,000 organisations, 20,000 contacts, 200,000
assessments, 10,000 activities), small (a tenth), tiny (for the tests), or `--factor`.
Secrets (keys, sessions, nonces) are random; everything else repeats with the seed.
Sessions end after 12 idle hours: `--scale small --refresh` issues new ones and a new
API token into the existing manifest, the data left as it is.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import json
import random
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from rich.console import Console
from rich.table import Table as RichTable
from sqlalchemy import Table, func, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from schema.accounts.service import start_session
from schema.context import AccountRules
from schema.db import Base
from schema.imports.keys import natural_key
from schema.recommendations.search import search_document
from schema.reference import calendar
from schema.reference.states import all_states
from schema.reference.vocabularies import affected_persons, themes
from schema.registry.inputs import CheckedContact
from schema.registry.keys import KeyCache, RegistryKeys, contact_key_aad, contact_key_id
from schema.registry.model import ConsentStatus, RiskLevel
from schema.registry.sealing import ContactFields
from schema.registry.service import sealed_values
from schema.relay import to_global_id
from schema.tables.accounts import ApiToken
from schema.tables.followup import (
    Activity,
    ActivityKind,
    Assessment,
    Engagement,
    EngagementRole,
    FundingPledge,
    ImplementationStatus,
    PledgeStatus,
    activity_organisers,
    activity_recommendations,
)
from schema.tables.organisations import (
    Coalition,
    CoalitionMembership,
    MembershipStatus,
    Organisation,
    OrganisationKind,
    User,
)
from schema.tables.recommendations import (
    Mechanism,
    Recommendation,
    RecommendationLink,
    Response,
    recommendation_affected_persons,
    recommendation_sdg_goals,
    recommendation_sdg_targets,
    recommendation_themes,
    recommending_states,
)
from schema.tables.registry import (
    Contact,
    ContactShare,
    contact_affected_persons,
    contact_themes,
)
from schema.tables.reviews import Review
from security import tokens as secrets
from security.crypto import encrypt, new_data_key
from security.keyring import Keyring, load_keyring, write_keyring
from security.passwords import Passwords
from security.platform import PlatformKeys
from security.roles import Role, Scope
from security.sharing import Visibility
from server.database import create_engine
from server.demo.recommendations import BANK
from server.demo.texts import Template
from server.keys import open_platform_keys
from server.migrate import seed, upgrade
from server.settings import Settings

OUT = Path(__file__).parent / "out"
FULL = {
    "recommendations": 100_000,
    "organisations": 2_000,
    "contacts": 20_000,
    "assessments": 200_000,
    "activities": 10_000,
}
SCALES = {"full": 1.0, "small": 0.1, "tiny": 0.005}
STATE = "KEN"  # the state with many recommendations, and the owner's country
SEARCH = "ombudsperson"  # in about 1% of the texts, and nowhere else
SEARCH_SHARE = 0.01
PASSWORD = "bench password, never used in production"  # noqa: S105
OWNER_CONTACTS = 100  # at least, whatever the scale
TODAY = dt.date(2026, 11, 27)  # assessments and activities end here: repeatable
EPOCH_MS = int(dt.datetime(2026, 1, 1, tzinfo=dt.UTC).timestamp() * 1000)

Row = dict[str, Any]
console = Console(highlight=False)

# Openings and closings around the demo's texts: the same issue worded many ways, as
# the reports do. `{t}` is the text as written, `{l}` with a lower-case first letter.
OPENINGS = (
    "{t}", "{t}", "{t}", "Continue efforts to {l}", "Take the necessary measures to {l}",
    "Redouble its efforts to {l}", "Take concrete steps to {l}",
    "Intensify its efforts to {l}", "Consider taking measures to {l}",
    "Step up efforts to {l}", "Adopt measures to {l}",
)  # fmt: skip
CLOSINGS = (
    "", "", "", ", in line with its international human rights obligations",
    ", with the meaningful participation of civil society",
    ", and allocate adequate human and financial resources to this end",
    ", in particular in rural and remote areas",
    ", in accordance with the recommendations of the treaty bodies",
    ", with a particular focus on women and girls",
    ", and report on progress at its next review",
    ", ensuring a gender-sensitive and child-sensitive approach",
    ", including through public awareness-raising campaigns",
    ", with the technical assistance of OHCHR and the United Nations country team",
    ", and ensure accountability for all violations",
    ", by adopting a time-bound national action plan with measurable indicators",
    ", and guarantee effective remedies for victims",
    ", in consultation with persons with disabilities and their organisations",
    ", and collect disaggregated data to monitor progress",
)  # fmt: skip
RARE = ", in close cooperation with the Ombudsperson"
TEMPLATES = tuple(t for t in BANK if "{demonym}" not in t.text)
WORDING = {
    Response.SUPPORTED: "Supported",
    Response.NOTED: "Noted",
    Response.SUPPORTED_IN_PART: "Supported in part",
    Response.PENDING: None,
}
ORGANISATION_KINDS = {
    OrganisationKind.NATIONAL_NGO: 52,
    OrganisationKind.INTERNATIONAL_NGO: 10,
    OrganisationKind.UN_AGENCY: 6,
    OrganisationKind.NHRI: 5,
    OrganisationKind.GOVERNMENT: 12,
    OrganisationKind.DONOR: 5,
    OrganisationKind.OTHER: 10,
}
NGO_WORDS = (
    "Centre for Human Rights", "Coalition for Justice", "Women's Rights Forum",
    "Legal Aid Network", "Defenders Initiative", "Child Rights Alliance",
    "Institute for Democracy", "Land Rights Watch", "Press Freedom Trust",
    "Disability Rights Movement", "Refugee Support Association", "Youth Action Network",
)  # fmt: skip
UN_AGENCIES = ("UNDP", "UNICEF", "UNHCR", "OHCHR", "UN Women", "UNFPA", "ILO", "UNESCO")
DONOR_WORDS = ("Foundation for Human Dignity", "Development Fund", "Rights Trust", "Embassy")
FIRST_NAMES = (
    "Amina", "Wanjiru", "Otieno", "Achieng", "Kamau", "Fatuma", "Njeri", "Mwangi", "Aisha",
    "Juma", "Grace", "Peter", "Sofia", "Lucia", "Mateo", "Priya", "Ravi", "Mei", "Omar",
    "Leila", "Ibrahim", "Zainab", "Daniel", "Maria",
)  # fmt: skip
LAST_NAMES = (
    "Odhiambo", "Wambui", "Kiptoo", "Mutua", "Hassan", "Njoroge", "Chebet", "Okello",
    "Garcia", "Silva", "Sharma", "Nguyen", "Haddad", "Mensah", "Diallo", "Kowalski",
)  # fmt: skip
REGIONS = ("Nairobi County", "Mombasa County", "Kisumu County", "Turkana County",
           "Rift Valley", "Coast", "Northern region", "Capital district")  # fmt: skip
NOTES = (
    "Works on land rights cases; prefers contact through the coalition focal point.",
    "Journalist covering police conduct; received threats after the last report.",
    "Community paralegal; met at the pre-session workshop.",
    "Lawyer representing detainees; do not call during court hours.",
)
CURRENCIES = ("USD", "EUR", "CHF", "KES", "GBP")
KINDS = {
    ActivityKind.PRE_SESSION: 20,
    ActivityKind.CSO_STRATEGY_WORKSHOP: 30,
    ActivityKind.CSO_GOVERNMENT_DIALOGUE: 20,
    ActivityKind.MID_TERM_REPORT: 15,
    ActivityKind.OTHER: 15,
}
KIND_TITLES = {
    ActivityKind.PRE_SESSION: "Pre-session briefing",
    ActivityKind.CSO_STRATEGY_WORKSHOP: "Civil society strategy workshop",
    ActivityKind.CSO_GOVERNMENT_DIALOGUE: "Dialogue with the government",
    ActivityKind.MID_TERM_REPORT: "Mid-term report",
    ActivityKind.OTHER: "Follow-up meeting",
}
LEVELS = (Visibility.PUBLIC, Visibility.PARTNERS, Visibility.COALITION, Visibility.ORGANISATION)
LEVEL_WEIGHTS = (30, 30, 15, 25)


def counts_for(factor: float) -> dict[str, int]:
    return {name: max(1, round(count * factor)) for name, count in FULL.items()}


class Ids:
    """Deterministic UUIDv7 values in creation order (a millisecond apart from a fixed
    epoch, random bits from the seed), like the ones `schema.db.new_id` makes."""

    def __init__(self, rng: random.Random) -> None:
        self._rng, self._ms = rng, EPOCH_MS

    def __call__(self) -> uuid.UUID:
        self._ms += 1
        bits = self._rng.getrandbits(74)
        value = (self._ms << 80) | (0x7 << 76) | ((bits >> 62) << 64) | (0b10 << 62)
        return uuid.UUID(int=value | (bits & ((1 << 62) - 1)))


def stamps(when: dt.datetime) -> Row:
    return {"created_at": when, "updated_at": when, "version": 1}


def at(day: dt.date, rng: random.Random) -> dt.datetime:
    """A moment of a working day, in UTC."""
    start = dt.datetime(day.year, day.month, day.day, 7, tzinfo=dt.UTC)
    return start + dt.timedelta(seconds=rng.randrange(10 * 3600))


def spread(total: int, weights: Sequence[float]) -> list[int]:
    """`total` split in proportion to `weights`, by largest remainder (sums exactly)."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(share) for share in shares]
    order = sorted(range(len(shares)), key=lambda i: counts[i] - shares[i])
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


@dataclass
class Data:
    """Rows per table, in insertion order, and what later parts need to know."""

    rows: dict[Table, list[Row]] = field(default_factory=lambda: defaultdict(list))
    # review id -> (state, session, review date, cycle)
    reviews: dict[uuid.UUID, tuple[str, int, dt.date, int]] = field(default_factory=dict)
    recommendations_of_state: dict[str, list[uuid.UUID]] = field(
        default_factory=lambda: defaultdict(list)
    )
    recommendations_of_review: dict[uuid.UUID, list[uuid.UUID]] = field(
        default_factory=lambda: defaultdict(list)
    )
    review_of_recommendation: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)
    organisations: list[Row] = field(default_factory=list)
    coalitions_of: dict[uuid.UUID, list[uuid.UUID]] = field(
        default_factory=lambda: defaultdict(list)
    )
    activities_of: dict[uuid.UUID, list[uuid.UUID]] = field(
        default_factory=lambda: defaultdict(list)
    )
    search_matches: int = 0

    def add(self, table: Any, **values: Any) -> None:
        self.rows[table if isinstance(table, Table) else table.__table__].append(values)


def build_recommendations(  # noqa: PLR0912, PLR0915 (one pass, in report order)
    data: Data, total: int, rng: random.Random, ids: Ids
) -> None:
    """A review of every UN member per cycle, at the session its place in the calendar
    gives it; recommendations spread unevenly over them (more in later cycles, many to
    KEN), from the bank of texts, worded in varied ways, tagged as the template says."""
    members = sorted((s for s in all_states() if s.un_member), key=lambda s: s.code)
    codes = [s.code for s in members]
    names = {s.code: s.name for s in members}
    months = calendar.sessions()
    reviews: list[tuple[uuid.UUID, str, int, dt.date, int]] = []
    for cycle_record in calendar.CYCLES:
        last = min(cycle_record.last_session, max(n for n, d in months.items() if d <= TODAY))
        sessions = list(range(cycle_record.first_session, last + 1))
        for i, code in enumerate(codes):
            session = sessions[i * len(sessions) // len(codes)]
            day = months[session] + dt.timedelta(days=rng.randrange(1, 12))
            review = ids()
            year, month = calendar.adoption_month(day)
            council = calendar.hrc_session(year, month)
            data.add(
                Review,
                id=review,
                state_code=code,
                session_number=session,
                review_date=day,
                adoption_date=dt.date(year, month, rng.randint(12, 26)),
                hrc_session=council,
                report_symbol=f"A/HRC/{council}/{rng.randint(2, 20)}",
                **stamps(at(day, rng)),
            )
            data.reviews[review] = (code, session, day, cycle_record.number)
            reviews.append((review, code, session, day, cycle_record.number))
    cycle_weight = {1: 0.45, 2: 0.9, 3: 1.3, 4: 1.25}
    weights = [
        rng.lognormvariate(0, 0.45) * cycle_weight[cycle] * (3.0 if code == STATE else 1.0)
        for _, code, _, _, cycle in reviews
    ]
    theme_codes, person_codes = list(themes()), list(affected_persons())
    previous: dict[str, list[tuple[uuid.UUID, str]]] = {}
    for (review, code, session, day, cycle), count in zip(
        reviews, spread(total, weights), strict=True
    ):
        eligible = [t for t in TEMPLATES if not t.only or code in t.only]
        others = [c for c in codes if c != code]
        seen: set[str] = set()
        paragraph = rng.randint(90, 160)
        made: list[tuple[uuid.UUID, str]] = []
        for number in range(1, count + 1):
            template, text, key = _text(rng, eligible, names[code], code, session, seen)
            data.search_matches += RARE in text
            rec = ids()
            contentious = template.contentious
            response = rng.choices(
                (Response.SUPPORTED, Response.NOTED, Response.SUPPORTED_IN_PART),
                weights=(15, 75, 10) if contentious else (83, 13, 4),
            )[0]
            if cycle == 4 and day > TODAY - dt.timedelta(days=200) and rng.random() < 0.6:
                response = Response.PENDING
            data.add(
                Recommendation,
                id=rec,
                mechanism=Mechanism.UPR,
                state_code=code,
                review_id=review,
                paragraph=f"{paragraph}.{number}",
                document_symbol=None,
                recommending_body=None,
                text=text,
                search_tokens=search_document(text),
                natural_key=key,
                response=response,
                response_wording=WORDING[response],
                action_category=template.action,
                **stamps(at(day, rng)),
            )
            data.recommendations_of_state[code].append(rec)
            data.recommendations_of_review[review].append(rec)
            data.review_of_recommendation[rec] = review
            made.append((rec, template.text))
            tagged = list(template.themes)[:3] or rng.sample(theme_codes, 1)
            if len(tagged) < 3 and rng.random() < 0.25:
                extra = rng.choice(theme_codes)
                tagged += [extra] if extra not in tagged else []
            for theme in tagged:
                data.add(recommendation_themes, recommendation_id=rec, theme_code=theme)
            persons = list(template.persons)
            if not persons and rng.random() < 0.2:
                persons = [rng.choice(person_codes)]
            for person in persons:
                data.add(
                    recommendation_affected_persons,
                    recommendation_id=rec,
                    affected_person_code=person,
                )
            for goal in template.goals:
                data.add(recommendation_sdg_goals, recommendation_id=rec, goal_number=goal)
            for target in template.targets:
                data.add(recommendation_sdg_targets, recommendation_id=rec, target_code=target)
            count_states = rng.choices((1, 2, 3), weights=(55, 30, 15))[0]
            for state in rng.sample(others, k=count_states):
                data.add(recommending_states, recommendation_id=rec, state_code=state)
            # The same issue raised at the previous review: linked now and then.
            earlier = previous.get(code)
            if earlier and rng.random() < 0.05:
                linked, _ = rng.choice(earlier)
                data.add(
                    RecommendationLink,
                    id=ids(),
                    recommendation_id=rec,
                    target_id=linked,
                    mechanism=Mechanism.UPR,
                    document_symbol=f"A/HRC/{rng.randint(8, 55)}/{rng.randint(2, 20)}",
                    paragraph=f"{rng.randint(90, 160)}.{rng.randint(1, 200)}",
                )
        if made:
            previous[code] = made


def _text(
    rng: random.Random,
    eligible: list[Template],
    country: str,
    code: str,
    session: int,
    seen: set[str],
) -> tuple[Template, str, str]:
    """A text not yet used in this review (its natural key is new)."""
    for attempt in range(50):
        template = rng.choice(eligible)
        base = template.text.format(country=country, nhri="national human rights institution")
        opening = rng.choice(OPENINGS)
        text = opening.format(t=base, l=base[0].lower() + base[1:])
        text += rng.choice(CLOSINGS) if attempt < 40 else f", as recommended in {attempt}"
        if rng.random() < SEARCH_SHARE:
            text += RARE
        text += "."
        key = natural_key(Mechanism.UPR, code, str(session), text=text)
        if key not in seen:
            seen.add(key)
            return template, text, key
    raise RuntimeError("no new text for this review")


def build_organisations(  # noqa: PLR0912 (one branch per kind)
    data: Data, total: int, rng: random.Random, ids: Ids
) -> None:
    """Organisations of every kind (the bench owner first: a vetted national NGO in
    KEN); governments are never vetted; some have public profiles. Coalitions, each with
    active members (the owner in a few) and some invited, declined or departed."""
    states = sorted((s for s in all_states() if s.un_member), key=lambda s: s.code)
    names: set[str] = set()
    kinds, weights = list(ORGANISATION_KINDS), list(ORGANISATION_KINDS.values())
    created = at(dt.date(2025, 6, 2), rng)
    for i in range(max(total, 12)):
        if i == 0:
            kind, state = OrganisationKind.NATIONAL_NGO, STATE
            name, vetted, public = "Bench Owner Human Rights Network", True, True
        else:
            kind = kinds[i % len(kinds)] if i < 12 else rng.choices(kinds, weights)[0]
            state = STATE if rng.random() < 0.06 else rng.choice(states).code
            country = next(s.name for s in states if s.code == state)
            if kind is OrganisationKind.GOVERNMENT:
                name = f"Ministry of Justice of {country}"
            elif kind is OrganisationKind.UN_AGENCY:
                name = f"{rng.choice(UN_AGENCIES)} {country}"
            elif kind is OrganisationKind.NHRI:
                name = f"National Human Rights Commission of {country}"
            elif kind is OrganisationKind.DONOR:
                name = f"{country} {rng.choice(DONOR_WORDS)}"
            else:
                name = f"{country} {rng.choice(NGO_WORDS)}"
            vetted = kind is not OrganisationKind.GOVERNMENT and (
                i % 3 != 2 if i < 12 else rng.random() < 0.45
            )
            public = rng.random() < 0.35
        unique, n = name, 2
        while unique in names:
            unique, n = f"{name} {n}", n + 1
        names.add(unique)
        row = {
            "id": ids(),
            "name": unique,
            "acronym": "".join(w[0] for w in unique.split() if w[0].isupper())[:30] or None,
            "kind": kind,
            "country_code": None if kind is OrganisationKind.INTERNATIONAL_NGO else state,
            "website": f"https://org{i}.example.org" if rng.random() < 0.7 else None,
            "vetted_partner": vetted,
            "public_profile": public,
            **stamps(created + dt.timedelta(minutes=i)),
        }
        row["home"] = state  # where it works; not a column
        data.organisations.append(row)
        data.add(Organisation, **{k: v for k, v in row.items() if k != "home"})
    organisations = data.organisations
    others = [o for o in organisations if o["kind"] is not OrganisationKind.GOVERNMENT]
    for c in range(max(2, len(organisations) // 20)):
        creator = organisations[0] if c < 3 else rng.choice(others)
        coalition = ids()
        data.add(
            Coalition,
            id=coalition,
            name=f"UPR Coalition {c + 1} ({creator['home']})",
            description="Follows up the recommendations of the last review together.",
            created_by_organisation_id=creator["id"],
            **stamps(created + dt.timedelta(days=1, minutes=c)),
        )
        pool = [o for o in organisations if o is not creator]
        members = rng.sample(pool, k=min(len(pool), rng.randint(3, 12)))
        if c < 3 and organisations[0] is not creator:
            members.append(organisations[0])
        for member in [creator, *members]:
            if member is creator or rng.random() < 0.85:
                status = MembershipStatus.ACTIVE
            else:
                status = rng.choice(
                    [MembershipStatus.INVITED, MembershipStatus.DECLINED, MembershipStatus.LEFT]
                )
            joined = created + dt.timedelta(days=rng.randint(2, 90))
            data.add(
                CoalitionMembership,
                id=ids(),
                coalition_id=coalition,
                organisation_id=member["id"],
                status=status,
                invited_by_organisation_id=creator["id"],
                joined_at=joined if status is not MembershipStatus.INVITED else None,
                **stamps(joined),
            )
            if status is MembershipStatus.ACTIVE:
                data.coalitions_of[member["id"]].append(coalition)


def sharing(data: Data, rng: random.Random, owner: uuid.UUID) -> Row:
    """A sharing level (and, for COALITION, one of the owner's active coalitions)."""
    level = rng.choices(LEVELS, LEVEL_WEIGHTS)[0]
    coalitions = data.coalitions_of.get(owner)
    if level is Visibility.COALITION and not coalitions:
        level = Visibility.PARTNERS
    coalition = rng.choice(coalitions) if level is Visibility.COALITION and coalitions else None
    return {"owner_organisation_id": owner, "visibility": level, "coalition_id": coalition}


def build_followup(data: Data, assessments: int, rng: random.Random, ids: Ids) -> None:
    """Assessments by working organisations (the owner among the busiest), 1-4 per
    (organisation, recommendation) over time, mostly of their own country's
    recommendations; engagements on most of those pairs."""
    working = [
        o
        for o in data.organisations
        if o["kind"] is not OrganisationKind.GOVERNMENT
        and (o is data.organisations[0] or rng.random() < 0.4)
    ]
    weights = [40.0 if o is data.organisations[0] else rng.uniform(0.5, 3) for o in working]
    cumulative = list(itertools.accumulate(weights))
    everything = [r for recs in data.recommendations_of_state.values() for r in recs]
    pairs: set[tuple[uuid.UUID, uuid.UUID]] = set()
    made = 0
    statuses = list(ImplementationStatus)
    while made < assessments:
        organisation = rng.choices(working, cum_weights=cumulative)[0]
        home = data.recommendations_of_state.get(organisation["home"])
        rec = rng.choice(home if home and rng.random() < 0.75 else everything)
        if (organisation["id"], rec) in pairs:
            continue
        pairs.add((organisation["id"], rec))
        owner = organisation["id"]
        level = sharing(data, rng, owner)
        _, _, review_date, _ = data.reviews[data.review_of_recommendation[rec]]
        day = review_date + dt.timedelta(days=rng.randint(60, 500))
        if day > TODAY:
            day = TODAY - dt.timedelta(days=rng.randint(0, 30))
        if rng.random() < 0.6:
            data.add(
                Engagement,
                id=ids(),
                recommendation_id=rec,
                role=rng.choices(list(EngagementRole), (20, 50, 30))[0],
                note="Tracked in our follow-up plan." if rng.random() < 0.3 else None,
                **level,
                **stamps(at(day, rng)),
            )
        status = rng.choices(statuses, (50, 25, 5, 20))[0]
        for _ in range(min(rng.choices((1, 2, 3, 4), (25, 30, 25, 20))[0], assessments - made)):
            if rng.random() < 0.2:  # one assessment shared differently from the others
                level = sharing(data, rng, owner)
            data.add(
                Assessment,
                id=ids(),
                recommendation_id=rec,
                status=status,
                evidence="Reported in the mid-term review; see the ministry's statement."
                if rng.random() < 0.5
                else None,
                source_url="https://example.org/evidence" if rng.random() < 0.3 else None,
                assessed_on=day,
                **level,
                **stamps(at(day, rng)),
            )
            made += 1
            day = min(TODAY, day + dt.timedelta(days=rng.randint(60, 400)))
            if status is ImplementationStatus.NOT_IMPLEMENTED and rng.random() < 0.5:
                status = ImplementationStatus.PARTIALLY_IMPLEMENTED
            elif status is ImplementationStatus.PARTIALLY_IMPLEMENTED and rng.random() < 0.3:
                status = ImplementationStatus.FULLY_IMPLEMENTED


def build_activities(data: Data, total: int, rng: random.Random, ids: Ids) -> None:
    """Activities around reviews of the organiser's country, with co-organisers, linked
    recommendations, budgets and pledges (from donors and international NGOs mostly)."""
    organisations = [o for o in data.organisations if o["kind"] is not OrganisationKind.GOVERNMENT]
    funders = [
        o
        for o in organisations
        if o["kind"] in (OrganisationKind.DONOR, OrganisationKind.INTERNATIONAL_NGO)
    ] or organisations
    reviews_of: dict[str, list[uuid.UUID]] = defaultdict(list)
    for key, (code, _, _, _) in data.reviews.items():
        reviews_of[code].append(key)
    theme_names = list(themes().values())
    kinds, kind_weights = list(KINDS), list(KINDS.values())
    for _ in range(total):
        organiser = organisations[0] if rng.random() < 0.05 else rng.choice(organisations)
        owner, home = organiser["id"], organiser["home"]
        review = rng.choice(reviews_of[home][-2:]) if rng.random() < 0.85 else None
        base = data.reviews[review][2] if review else TODAY - dt.timedelta(days=900)
        starts = min(TODAY + dt.timedelta(days=90), base + dt.timedelta(days=rng.randint(-60, 700)))
        kind = rng.choices(kinds, kind_weights)[0]
        activity = ids()
        budget = rng.random() < 0.6
        level = sharing(data, rng, owner)
        data.add(
            Activity,
            id=activity,
            kind=kind,
            title=f"{KIND_TITLES[kind]}: {rng.choice(theme_names)}",
            description="Partners meet to plan the follow-up." if rng.random() < 0.5 else None,
            review_id=review,
            starts_on=starts,
            ends_on=starts + dt.timedelta(days=rng.randint(0, 3)) if rng.random() < 0.6 else None,
            city=rng.choice(("Nairobi", "Kisumu", "Mombasa")) if home == STATE else None,
            country_code=home,
            budget_minor=rng.randrange(100_000, 5_000_000, 100) if budget else None,
            currency=rng.choice(CURRENCIES) if budget else None,
            cancelled_at=at(starts, rng) if rng.random() < 0.05 else None,
            **level,
            **stamps(at(min(starts, TODAY), rng)),
        )
        data.activities_of[owner].append(activity)
        co = rng.sample(organisations, k=rng.choices((0, 1, 2), (50, 35, 15))[0])
        for organisation in dict.fromkeys([owner, *(o["id"] for o in co)]):
            data.add(activity_organisers, activity_id=activity, organisation_id=organisation)
        pool = data.recommendations_of_review.get(review) if review else None
        pool = pool or data.recommendations_of_state.get(home) or []
        for rec in rng.sample(pool, k=min(len(pool), rng.randint(1, 4))):
            data.add(activity_recommendations, activity_id=activity, recommendation_id=rec)
        if rng.random() < 0.3:
            for funder in rng.sample(funders, k=min(len(funders), rng.randint(1, 2))):
                data.add(
                    FundingPledge,
                    id=ids(),
                    activity_id=activity,
                    amount_minor=rng.randrange(50_000, 2_000_000, 100),
                    currency=rng.choice(CURRENCIES),
                    status=rng.choice(list(PledgeStatus)),
                    **sharing(data, rng, funder["id"]),
                    **stamps(at(min(starts, TODAY), rng)),
                )


def contact_holders(data: Data, total: int) -> list[tuple[uuid.UUID, int]]:
    """The owner (a tenth, at least OWNER_CONTACTS) and up to nine vetted NGOs."""
    owner = data.organisations[0]
    others = [
        o
        for o in data.organisations[1:]
        if o["vetted_partner"]
        and o["kind"] in (OrganisationKind.NATIONAL_NGO, OrganisationKind.INTERNATIONAL_NGO)
    ][:9]
    mine = max(OWNER_CONTACTS, total // 10)
    rest = spread(max(0, total - mine), [1.0] * len(others)) if others else []
    return [(owner["id"], mine), *((o["id"], n) for o, n in zip(others, rest, strict=True))]


async def build_contacts(
    data: Data,
    connection: AsyncConnection,
    keyring: Keyring,
    holders: list[tuple[uuid.UUID, int]],
    share: tuple[uuid.UUID, uuid.UUID],
    rng: random.Random,
    ids: Ids,
) -> None:
    """Contacts sealed as createContact seals them: a fresh data key each, wrapped by the
    organisation's key (made through the registry's own key code), every field sealed
    by `sealed_values` with its blind indexes. No audit entries (createContact writes
    one per contact). A tenth of the first holder's contacts are shared (`share`: by
    that user, with that organisation) with a few attributes, one encrypted."""
    sharer, recipient = share
    registry = RegistryKeys(keyring, KeyCache())
    theme_codes, person_codes = list(themes()), list(affected_persons())
    states = [s.code for s in all_states() if s.un_member]
    now = at(dt.date(2026, 6, 1), rng)
    n = 0
    for organisation, count in holders:
        generation, organisation_key = await registry.organisation_key(
            connection, organisation, now
        )
        home = next(o["home"] for o in data.organisations if o["id"] == organisation)
        recs = data.recommendations_of_state.get(home) or []
        activities = data.activities_of.get(organisation, [])
        for _ in range(count):
            n += 1
            contact = ids()
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            country = home if rng.random() < 0.8 else rng.choice(states)
            email = f"{first}.{last}.{n}@example.org".lower()
            phone = f"+2547{rng.randrange(10**7, 10**8)}" if rng.random() < 0.7 else None
            links: list[tuple[str, uuid.UUID]] = []
            if recs and rng.random() < 0.3:
                links += [("recommendation", r) for r in rng.sample(recs, min(len(recs), 2))]
            if activities and rng.random() < 0.1:
                links.append(("activity", rng.choice(activities)))
            checked = CheckedContact(
                text={
                    "full_name": f"{first} {last}",
                    "email": email,
                    "phone": phone,
                    "handle": f"@{first.lower()}{n}" if rng.random() < 0.4 else None,
                    "address": None,
                    "notes": rng.choice(NOTES) if rng.random() < 0.5 else None,
                    "region": rng.choice(REGIONS),
                    "risk_level": rng.choices(list(RiskLevel), (50, 35, 15))[0].value,
                    "consent": rng.choices(list(ConsentStatus), (70, 10, 5, 15))[0].value,
                },
                email=email,
                phone=phone,
                country=country,
                themes=sorted(set(rng.sample(theme_codes, rng.randint(1, 3)))),
                affected=sorted(set(rng.sample(person_codes, rng.randint(0, 2)))),
                links=links,
            )
            data_key = new_data_key()
            wrapped = encrypt(
                organisation_key,
                contact_key_id(generation),
                data_key,
                contact_key_aad(contact, organisation),
            )
            data.add(
                Contact,
                id=contact,
                owner_organisation_id=organisation,
                pseudonym_seed=rng.randbytes(32),
                wrapped_data_key=wrapped,
                erased_at=None,
                **sealed_values(keyring.blind_index, contact, organisation, checked, data_key),
                **stamps(now + dt.timedelta(seconds=n)),
            )
            if organisation == holders[0][0] and rng.random() < 0.1:
                shared = ids()
                data.add(
                    ContactShare,
                    id=shared,
                    contact_id=contact,
                    recipient_organisation_id=recipient,
                    shared_attributes="COUNTRY THEMES RISK_LEVEL",
                    purpose_ciphertext=ContactFields(
                        data_key, contact, organisation
                    ).seal_share_purpose(shared, "Joint protection follow-up"),
                    shared_by_user_id=sharer,
                    revoked_at=None,
                    **stamps(now + dt.timedelta(seconds=n, minutes=5)),
                )
            for theme in checked.themes:
                data.add(contact_themes, contact_id=contact, theme_code=theme)
            for person in checked.affected:
                data.add(contact_affected_persons, contact_id=contact, affected_person_code=person)


def build_users(data: Data, keys: PlatformKeys, rng: random.Random, ids: Ids) -> list[Row]:
    """A member of every organisation (the first is the owner's), one password hash
    (argon2, computed once) for all of them."""
    password_hash = Passwords().hash(PASSWORD)
    users = []
    for i, organisation in enumerate(data.organisations):
        user = ids()
        email = f"bench-user-{i}@example.org"
        row = {
            "id": user,
            "organisation_id": organisation["id"],
            "role": Role.MEMBER,
            "name_ciphertext": keys.seal(
                f"Bench User {i}", "users", "name", user, organisation["id"]
            ),
            "email_ciphertext": keys.seal(email, "users", "email", user, organisation["id"]),
            "email_index": keys.email_index(email),
            "password_hash": password_hash,
            "totp_secret_ciphertext": None,
            "totp_confirmed_at": None,
            "totp_last_step": None,
            "active": True,
            "last_login_at": None,
            **stamps(at(dt.date(2025, 7, 1), rng)),
        }
        data.add(User, **row)
        users.append(row | {"email": email})
    return users


@contextmanager
def timed(label: str, times: dict[str, float]) -> Iterator[None]:
    start = time.perf_counter()
    with console.status(label):
        yield
    times[label] = time.perf_counter() - start
    console.print(f"  {label:<50} {times[label]:7.2f} s")


async def copy(connection: AsyncConnection, table: Table, rows: list[Row]) -> None:
    """COPY the rows into the table on the connection's asyncpg connection (inside the
    connection's transaction)."""
    if not rows:
        return
    columns = list(rows[0])
    records = [tuple(row[c] for c in columns) for row in rows]
    raw = (await connection.get_raw_connection()).driver_connection
    if raw is None:
        raise RuntimeError("no asyncpg connection")
    await raw.copy_records_to_table(table.name, records=records, columns=columns)


async def write(
    engine: AsyncEngine, data: Data, tables: Sequence[Any], times: dict[str, float]
) -> None:
    async with engine.begin() as connection:
        for entity in tables:
            table = entity if isinstance(entity, Table) else entity.__table__
            rows = data.rows.pop(table, [])
            with timed(f"copy {table.name} ({len(rows):,})", times):
                await copy(connection, table, rows)


async def recreate(url: str) -> None:
    """Drop the database if it exists, create it empty."""
    parsed = make_url(url)
    name = parsed.database
    if not name or name in ("postgres", "test", "template0", "template1"):
        raise SystemExit(f"refusing to recreate the database {name!r}")
    admin = parsed.set(drivername="postgresql", database="postgres")
    connection = await asyncpg.connect(admin.render_as_string(hide_password=False))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def generate(  # noqa: PLR0915 (the steps, in order)
    database_url: str, scale: str, factor: float, seed_value: int, out: Path
) -> dict[str, Any]:
    started = time.perf_counter()
    times: dict[str, float] = {}
    wanted = counts_for(factor)
    console.print(f"[bold]bench data[/], scale {scale} (factor {factor:g}): {wanted}")
    keys_file = out / f"{scale}-keys.json"
    with timed("recreate, migrate and seed the database", times):
        await recreate(database_url)
        await asyncio.to_thread(upgrade, database_url)
        settings = Settings(database_url=database_url, keys_file=keys_file)
        engine = create_engine(settings)
        await seed(engine)
    try:
        with timed("write the key file and open the platform keys", times):
            keys_file.unlink(missing_ok=True)
            write_keyring(keys_file, Keyring.generate(demo=False))
            keyring = load_keyring(keys_file)
            platform = await open_platform_keys(engine, keyring)

        def rng(part: str) -> random.Random:
            return random.Random(f"{seed_value}:{part}")

        ids = Ids(rng("ids"))
        data = Data()
        with timed("build reviews and recommendations", times):
            build_recommendations(data, wanted["recommendations"], rng("recommendations"), ids)
        await write(
            engine,
            data,
            [
                Review,
                Recommendation,
                recommendation_themes,
                recommendation_affected_persons,
                recommendation_sdg_goals,
                recommendation_sdg_targets,
                recommending_states,
                RecommendationLink,
            ],
            times,
        )
        with timed("build organisations, coalitions and users", times):
            build_organisations(data, wanted["organisations"], rng("organisations"), ids)
            users = build_users(data, platform, rng("users"), ids)
        await write(engine, data, [Organisation, Coalition, CoalitionMembership, User], times)
        with timed("build engagements and assessments", times):
            build_followup(data, wanted["assessments"], rng("followup"), ids)
        await write(engine, data, [Engagement, Assessment], times)
        with timed("build activities and pledges", times):
            build_activities(data, wanted["activities"], rng("activities"), ids)
        await write(
            engine,
            data,
            [Activity, activity_organisers, activity_recommendations, FundingPledge],
            times,
        )
        holders = contact_holders(data, wanted["contacts"])
        async with engine.begin() as connection:
            with timed(f"build and seal contacts ({sum(n for _, n in holders):,})", times):
                share = (users[0]["id"], data.organisations[1]["id"])
                await build_contacts(
                    data, connection, keyring, holders, share, rng("contacts"), ids
                )
        await write(
            engine, data, [Contact, contact_themes, contact_affected_persons, ContactShare], times
        )
        with timed("sessions and the API token", times):
            chosen = principals(data, users)
            who = {
                name: {"user": str(user["id"]), "organisation": str(user["organisation_id"])}
                for name, user in chosen.items()
            }
            signed_in = await sign_in(engine, who)
        # VACUUM too, as autovacuum would have by the time a real database is this big:
        # index-only scans need the visibility map it sets.
        with timed("VACUUM ANALYZE", times):
            async with engine.connect() as connection:
                await connection.execution_options(isolation_level="AUTOCOMMIT")
                await connection.exec_driver_sql("VACUUM ANALYZE")
        counts = await count_rows(engine)
    finally:
        await engine.dispose()
    owner_recs = data.recommendations_of_state[STATE]
    latest_review = max(
        (r for r, facts in data.reviews.items() if facts[0] == STATE),
        key=lambda r: data.reviews[r][2],
    )
    manifest = {
        "scale": scale,
        "database_url": database_url,
        "keys_file": str(keys_file.resolve()),
        "owner_session": signed_in["owner_session"],
        "api_token": signed_in["api_token"],
        "state": STATE,
        "cycle": data.reviews[latest_review][3],
        "search": SEARCH,
        "recommendation_ids": [to_global_id("Recommendation", r) for r in owner_recs[-50:]],
        "counts": counts,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 1),
        # More than the contract asks for:
        "factor": factor,
        "seed": seed_value,
        "search_matches": data.search_matches,
        "owner_organisation": to_global_id("Organisation", data.organisations[0]["id"]),
        "owner_contacts": holders[0][1],
        "shared_contacts": counts["contact_shares"],
        "sessions": signed_in["sessions"],
        "signed_in_at": signed_in["signed_in_at"],
        "sessions_idle_until": signed_in["sessions_idle_until"],
        "principals": who,
        "password": PASSWORD,
        "emails": {name: user["email"] for name, user in chosen.items()},
        "times": {label: round(seconds, 2) for label, seconds in times.items()},
    }
    return manifest


def principals(data: Data, users: list[Row]) -> dict[str, Row]:
    """The users the load driver signs in as: the owner (a member of the organisation
    holding the contacts) and members of a vetted partner (the one the owner shares
    contacts with), of an unvetted organisation and of a government."""
    pairs = list(zip(users, data.organisations, strict=True))
    return {
        "owner": users[0],
        "partner": users[1],  # a vetted international NGO, shared some contacts
        "unvetted": next(
            u
            for u, o in pairs[1:]
            if not o["vetted_partner"] and o["kind"] is not OrganisationKind.GOVERNMENT
        ),
        "government": next(u for u, o in pairs if o["kind"] is OrganisationKind.GOVERNMENT),
    }


async def sign_in(engine: AsyncEngine, who: dict[str, dict[str, str]]) -> dict[str, Any]:
    """Live sessions (as login starts them, without the password check) for `who`
    (name -> {"user", "organisation"} ids), and an API token of the owner's organisation
    (as createApiToken stores it)."""
    now = dt.datetime.now(dt.UTC)
    rules = AccountRules()
    sessions: dict[str, str] = {}
    token = secrets.new_secret(secrets.API_TOKEN_PREFIX)
    owner = who["owner"]
    async with engine.begin() as connection:
        for name, user in who.items():
            sessions[name], _ = await start_session(
                connection, uuid.UUID(user["user"]), now, rules, second_factor=False
            )
        await connection.execute(
            insert(ApiToken).values(
                id=uuid.uuid4(),
                organisation_id=uuid.UUID(owner["organisation"]),
                name="bench load driver",
                token_digest=secrets.digest(token),
                scopes=f"{Scope.RECOMMENDATIONS_READ} {Scope.ASSESSMENTS_WRITE}",
                created_by_user_id=uuid.UUID(owner["user"]),
                created_at=now,
                expires_at=now + dt.timedelta(days=30),
            )
        )
    idle = now + rules.session_idle
    return {
        "owner_session": sessions["owner"],
        "api_token": token,
        "sessions": sessions,
        "signed_in_at": now.isoformat(timespec="seconds"),
        # Idle sessions end after this (each request moves it on); absolute: 7 days.
        "sessions_idle_until": idle.isoformat(timespec="seconds"),
    }


async def refresh(path: Path) -> dict[str, Any]:
    """New sessions and a new API token on a database generated earlier (sessions end
    after 12 idle hours): the manifest is rewritten, the data left as it is."""
    manifest: dict[str, Any] = json.loads(await asyncio.to_thread(path.read_text))
    engine = create_engine(Settings(database_url=manifest["database_url"]))
    try:
        manifest |= await sign_in(engine, manifest["principals"])
    finally:
        await engine.dispose()
    return manifest


async def count_rows(engine: AsyncEngine) -> dict[str, int]:
    """Rows per table, every table of the schema."""
    async with engine.connect() as connection:
        return {
            table.name: int(await connection.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
        }


def report(manifest: dict[str, Any]) -> None:
    table = RichTable("table", "rows", title=f"bench data, scale {manifest['scale']}")
    for name, count in manifest["counts"].items():
        if count:
            table.add_row(name, f"{count:,}")
    console.print(table)
    console.print(
        f"search {manifest['search']!r} matches {manifest['search_matches']:,} recommendations; "
        f"done in {manifest['seconds']} s"
    )


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--factor", type=float, help="instead of the scale's (1.0 is full)")
    parser.add_argument("--database-url", help="PostgreSQL; recreated: dropped if it exists")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--out", type=Path, default=OUT, help="manifest and key file folder")
    parser.add_argument(
        "--refresh",
        action="store_true",
        help="only new sessions and API token for the scale's existing manifest and database",
    )
    arguments = parser.parse_args(argv)
    path = arguments.out / f"{arguments.scale}.json"
    if arguments.refresh:
        manifest = asyncio.run(refresh(path))
        path.write_text(json.dumps(manifest, indent=2) + "\n")
        console.print(f"new sessions and API token in {path}")
        return manifest
    if not (arguments.database_url or "").startswith("postgresql"):
        parser.error("--database-url must be a PostgreSQL URL (postgresql+asyncpg://...)")
    arguments.out.mkdir(parents=True, exist_ok=True)
    factor = arguments.factor if arguments.factor is not None else SCALES[arguments.scale]
    manifest = asyncio.run(
        generate(arguments.database_url, arguments.scale, factor, arguments.seed, arguments.out)
    )
    path.write_text(json.dumps(manifest, indent=2) + "\n")
    report(manifest)
    console.print(f"manifest: {path}")
    return manifest


if __name__ == "__main__":
    main()
