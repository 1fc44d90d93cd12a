"""Demo contacts: people of every risk level kept by two organisations, a few shared with
partners, and a reveal grant for one member of each. Names are invented; nothing here
is anyone's real data."""

from __future__ import annotations

import datetime as dt
import functools
import os
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from schema.audit import organisation_chain, record
from schema.db import new_id
from schema.registry.inputs import CheckedContact
from schema.registry.keys import KeyCache, RegistryKeys
from schema.registry.model import ConsentStatus, RiskLevel, SharedAttribute
from schema.registry.sealing import ContactFields
from schema.registry.service import replace_tags, sealed_values
from schema.tables.accounts import RevealGrant
from schema.tables.organisations import Organisation, User
from schema.tables.registry import Contact, ContactShare
from security.blind_index import normalise_email
from security.platform import PlatformKeys


@dataclass(frozen=True, slots=True)
class DemoContact:
    keeper: str  # acronym of the owning organisation
    name: str
    email: str | None
    phone: str | None
    country: str
    region: str
    risk: RiskLevel
    consent: ConsentStatus
    themes: tuple[str, ...]
    shared_with: tuple[str, tuple[SharedAttribute, ...]] | None = None


CONTACTS = (
    DemoContact("KHRDF", "Achieng Demo-Otieno", "achieng@example.org", "+254700000101", "KEN",
                "Kisumu", RiskLevel.HIGH, ConsentStatus.GIVEN,
                ("human-rights-defenders", "extrajudicial-executions"),
                ("GUFN", (SharedAttribute.COUNTRY, SharedAttribute.RISK_LEVEL,
                          SharedAttribute.THEMES))),
    DemoContact("KHRDF", "Baraka Demo-Mwangi", "baraka@example.org", "+254700000102", "KEN",
                "Nairobi", RiskLevel.MEDIUM, ConsentStatus.GIVEN, ("freedom-of-the-press",)),
    DemoContact("KHRDF", "Chebet Demo-Kiprop", None, "+254700000103", "KEN", "Eldoret",
                RiskLevel.LOW, ConsentStatus.NOT_ASKED, ("right-to-land",)),
    DemoContact("KHRDF", "Daudi Demo-Hassan", "daudi@example.org", None, "KEN", "Mombasa",
                RiskLevel.HIGH, ConsentStatus.WITHDRAWN, ("impunity", "detention")),
    DemoContact("GUFN", "Enkhjin Demo-Bat", "enkhjin@example.org", "+97680000101", "MNG",
                "Ulaanbaatar", RiskLevel.MEDIUM, ConsentStatus.GIVEN,
                ("environment", "human-rights-defenders"),
                ("CPRA", (SharedAttribute.COUNTRY, SharedAttribute.THEMES))),
    DemoContact("GUFN", "Farida Demo-Banda", "farida@example.org", "+265880000101", "MWI",
                "Lilongwe", RiskLevel.LOW, ConsentStatus.GIVEN, ("disabilities",)),
    DemoContact("GUFN", "Gita Demo-Thapa", None, "+9779800000101", "NPL", "Kathmandu",
                RiskLevel.HIGH, ConsentStatus.GIVEN, ("enforced-disappearances", "impunity"),
                ("OHCHR-NP", (SharedAttribute.COUNTRY, SharedAttribute.RISK_LEVEL))),
    DemoContact("GUFN", "Hovhannes Demo-Sargsyan", "hovhannes@example.org", None, "ARM",
                "Yerevan", RiskLevel.MEDIUM, ConsentStatus.REFUSED, ("justice",)),
)  # fmt: skip

# The demo's reveal-grant holders (they have a second factor, as grant holders must),
# by organisation, each with the admin who granted it.
GRANT_HOLDERS = {
    "member@gufn.example.org": ("GUFN", "admin@gufn.example.org"),
    "member@khrdf.example.org": ("KHRDF", "admin@khrdf.example.org"),
}


async def add_contacts(connection: AsyncConnection, keys: PlatformKeys, now: dt.datetime) -> int:
    organisations = {
        row.acronym: row.id
        for row in await connection.execute(select(Organisation.id, Organisation.acronym))
    }
    rows = await connection.execute(select(User.id, User.email_index))
    users = {row.email_index: row.id for row in rows}
    holders = {}
    for email, (acronym, admin) in GRANT_HOLDERS.items():
        holders[acronym] = users[keys.email_index(email)]
        await connection.execute(
            insert(RevealGrant).values(
                id=new_id(),
                organisation_id=organisations[acronym],
                user_id=holders[acronym],
                granted_by_user_id=users[keys.email_index(admin)],
                created_at=now,
                revoked_at=None,
            )
        )
    registry = RegistryKeys(keys.keyring, KeyCache())
    for person in CONTACTS:
        owner, key = organisations[person.keeper], new_id()
        data_key, wrapped = await registry.new_contact_key(connection, key, owner, now)
        checked = CheckedContact(
            text={
                "full_name": person.name,
                "email": normalise_email(person.email) if person.email else None,
                "phone": person.phone,
                "notes": "Demo contact: an invented person.",
                "region": person.region,
                "risk_level": person.risk.value,
                "consent": person.consent.value,
            },
            email=normalise_email(person.email) if person.email else None,
            phone=person.phone,
            country=person.country,
            themes=sorted(person.themes),
            affected=["human-rights-defenders"],
            links=[],
        )
        await connection.execute(
            insert(Contact).values(
                id=key,
                owner_organisation_id=owner,
                pseudonym_seed=os.urandom(32),
                wrapped_data_key=wrapped,
                created_at=now,
                updated_at=now,
                version=1,
                **sealed_values(keys.keyring.blind_index, key, owner, checked, data_key),
            )
        )
        await replace_tags(connection, key, checked)
        await record(
            connection, organisation_chain(owner), "contact.created", now,
            subject_type="Contact", subject_id=key,
        )  # fmt: skip
        if person.shared_with is not None:
            recipient, attributes = person.shared_with
            purpose = "Demo: joint protection follow-up with a partner."
            fields = ContactFields(data_key, key, owner)
            share = new_id()  # before sealing: the purpose is bound to the share's row
            await connection.execute(
                insert(ContactShare).values(
                    id=share,
                    contact_id=key,
                    recipient_organisation_id=organisations[recipient],
                    shared_attributes=" ".join(sorted(a.value for a in attributes)),
                    purpose_ciphertext=fields.seal_share_purpose(share, purpose),
                    shared_by_user_id=holders[person.keeper],
                    created_at=now,
                    updated_at=now,
                    version=1,
                    revoked_at=None,
                )
            )
            await record(
                connection, organisation_chain(owner), "contact.shared", now,
                actor_user_id=holders[person.keeper], actor_organisation_id=owner,
                subject_type="Contact", subject_id=key,
                details={"recipient": str(organisations[recipient]),
                         "attributes": sorted(a.value for a in attributes)},
                seal=functools.partial(fields.seal_audit, text=purpose),
            )  # fmt: skip
    return len(CONTACTS)
