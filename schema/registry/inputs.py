"""The contact input, checked without ever echoing a submitted value in an error."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import strawberry
from sqlalchemy import select

from schema.context import Context
from schema.errors import BadUserInput
from schema.filters import state_code
from schema.node import uuid_key
from schema.payloads import invalid
from schema.registry.model import ConsentStatus, RiskLevel
from schema.relay import expect_global_id
from schema.tables.followup import Activity
from schema.tables.recommendations import Recommendation
from security.blind_index import normalise_email, normalise_phone
from security.policy import visible

LIMITS = {"full_name": 200, "handle": 200, "address": 500, "notes": 5000, "region": 200}


@strawberry.input(
    description="A contact's details. Identifying fields are encrypted; so are "
    "the region, risk level, consent and links. Country, themes and affected persons stay "
    "plain, for filtering."
)
class ContactInput:
    full_name: str
    risk_level: RiskLevel
    consent: ConsentStatus
    email: str | None = None
    phone: str | None = strawberry.field(
        default=None, description="International (+…) or national to the contact's country."
    )
    handle: str | None = strawberry.field(default=None, description="A messaging handle.")
    address: str | None = strawberry.field(default=None, description="Address or location.")
    notes: str | None = None
    region: str | None = None
    country: str | None = strawberry.field(default=None, description="ISO 3166-1 code.")
    themes: list[str] = strawberry.field(default_factory=list)
    affected_persons: list[str] = strawberry.field(default_factory=list)
    recommendations: list[strawberry.ID] = strawberry.field(default_factory=list)
    activities: list[strawberry.ID] = strawberry.field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CheckedContact:
    text: dict[str, str | None]  # column -> plaintext, for the encrypted columns
    email: str | None  # normalised, for the blind index
    phone: str | None  # E.164
    country: str | None
    themes: list[str]
    affected: list[str]
    links: list[tuple[str, uuid.UUID]]


def _text(field: str, value: str | None, required: bool = False) -> str | None:
    value = value.strip() if value is not None else None
    if not value:
        if required:
            raise invalid(field, "This field is required.")
        return None
    column = {"fullName": "full_name"}.get(field, field)
    if len(value) > LIMITS[column]:
        raise invalid(field, f"At most {LIMITS[column]} characters.")
    return value


async def check_contact(context: Context, given: ContactInput) -> CheckedContact:
    """Every field checked; messages say what is wrong, never what was sent."""
    reference = context.reference
    try:
        country = state_code(reference, given.country) if given.country else None
    except BadUserInput:
        raise invalid("country", "Unknown state code.") from None
    try:
        email = normalise_email(given.email) if given.email and given.email.strip() else None
    except ValueError:
        raise invalid("email", "Not an email address.") from None
    alpha2 = reference.states[country].alpha2 if country else None
    try:
        phone = (
            normalise_phone(given.phone, alpha2) if given.phone and given.phone.strip() else None
        )
    except ValueError:
        raise invalid(
            "phone", "Not a phone number (give it with its + and country code)."
        ) from None
    if any(code not in reference.themes for code in given.themes):
        raise invalid("themes", "Unknown theme code.")
    if any(code not in reference.affected_persons for code in given.affected_persons):
        raise invalid("affectedPersons", "Unknown affected-person code.")
    links = await _links(context, given)
    text = {
        "full_name": _text("fullName", given.full_name, required=True),
        "email": email,
        "phone": phone,
        "handle": _text("handle", given.handle),
        "address": _text("address", given.address),
        "notes": _text("notes", given.notes),
        "region": _text("region", given.region),
        "risk_level": RiskLevel(given.risk_level).value,
        "consent": ConsentStatus(given.consent).value,
    }
    return CheckedContact(
        text=text,
        email=email,
        phone=phone,
        country=country,
        themes=sorted(set(given.themes)),
        affected=sorted(set(given.affected_persons)),
        links=links,
    )


async def _links(context: Context, given: ContactInput) -> list[tuple[str, uuid.UUID]]:
    """Recommendations that exist, and activities the viewer may see; any other id is
    refused like a missing one."""
    try:
        recommendations = {
            uuid_key(expect_global_id(value, "Recommendation")) for value in given.recommendations
        }
        activities = {uuid_key(expect_global_id(value, "Activity")) for value in given.activities}
    except BadUserInput:
        raise invalid("recommendations", "Malformed id.") from None
    if recommendations:
        rows = await context.fetch_all(
            select(Recommendation.id).where(Recommendation.id.in_(recommendations))
        )
        if len(rows) != len(recommendations):
            raise invalid("recommendations", "No such recommendation.")
    if activities:
        table = Activity.__table__.c
        rows = await context.fetch_all(
            select(table.id).where(table.id.in_(activities), visible(table, context.viewer))
        )
        if len(rows) != len(activities):
            raise invalid("activities", "No such activity.")
    return sorted(
        [("recommendation", key) for key in recommendations]
        + [("activity", key) for key in activities]
    )
