"""What a contact holds, where each part is stored, and who may see which part."""

from __future__ import annotations

import enum

# Identifying fields: only a reveal (grant, purpose, fresh second factor) shows them.
IDENTIFYING = ("full_name", "email", "phone", "handle", "address", "notes")
# Attributes that could single a person out: encrypted too, shown to the owner and,
# when chosen, to an organisation the contact is shared with.
SENSITIVE = ("region", "risk_level", "consent")
# Every encrypted column (each `<name>_ciphertext` in the contacts table).
ENCRYPTED = (*IDENTIFYING, *SENSITIVE, "links")


class RiskLevel(enum.StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"


class ConsentStatus(enum.StrEnum):
    GIVEN = "GIVEN"
    REFUSED = "REFUSED"
    WITHDRAWN = "WITHDRAWN"
    NOT_ASKED = "NOT_ASKED"


class SharedAttribute(enum.StrEnum):
    """What an owner may share: never a name, email, phone, handle, address or notes."""

    COUNTRY = "COUNTRY"
    THEMES = "THEMES"
    AFFECTED_PERSONS = "AFFECTED_PERSONS"
    REGION = "REGION"
    RISK_LEVEL = "RISK_LEVEL"
    CONSENT = "CONSENT"


# The shareable attributes kept as ciphertext: showing one means decrypting.
ENCRYPTED_ATTRIBUTES = frozenset(
    {SharedAttribute.REGION, SharedAttribute.RISK_LEVEL, SharedAttribute.CONSENT}
)


def parse_shared(text: str) -> frozenset[SharedAttribute]:
    return frozenset(SharedAttribute(part) for part in text.split() if part)
