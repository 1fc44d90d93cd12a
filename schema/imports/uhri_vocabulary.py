"""OHCHR's words in a UHRI export, read onto ours: recommending bodies to mechanisms,
OHCHR themes to our 54, affected persons and SDGs to the seeded vocabularies.

A name with no counterpart here is not an error: an OHCHR theme is kept as published
either way, and an unknown affected person or SDG is simply not tagged.
"""

from __future__ import annotations

import re

from schema.reference.vocabularies import AFFECTED_PERSONS, THEMES, sdg_targets, slug
from schema.tables.recommendations import Mechanism

__all__ = ["THEME_MAP", "affected_person", "mechanism", "sdgs", "theme"]


def _key(name: str) -> str:
    """Case, "&"/"and", punctuation and spacing ignored."""
    words = re.sub(r"[^a-z0-9]+", " ", name.casefold().replace("&", " and ")).split()
    return " ".join(words)


# The older UHRI themes carried a code ("D25 Prohibition of torture ..."): not part of
# the name for mapping purposes.
_CODE = re.compile(r"^[A-Z]\d{1,2}\s+")

# OHCHR theme -> one of our 54 (THEMES, by name), where the two mean the same thing.
THEME_MAP = {
    "Acceptance of international norms": "International instruments",
    "Ratification of & accession to international instruments": "International instruments",
    "Civil & political rights - general measures of implementation": "CP rights - general",
    "Economic, social & cultural rights - general measures of implementation": (
        "ESC rights - general"
    ),
    "Scope of international obligations": "International instruments",
    "Cooperation with treaty bodies": "Treaty bodies",
    "Follow-up to treaty bodies": "Treaty bodies",
    "Cooperation with special procedures": "Special procedures",
    "Cooperation with the Universal Periodic Review": "UPR process",
    "Follow-up to the Universal Periodic Review": "UPR process",
    "National Human Rights Institution": "NHRI",
    "National Human Rights Institutions": "NHRI",
    "National Human Rights Action Plans": "National plan of action",
    "Human rights education, trainings & awareness raising": (
        "Human rights education and training"
    ),
    "Human rights education": "Human rights education and training",
    "Technical assistance & capacity-building": "Technical assistance and cooperation",
    "Racial discrimination": "Racial discrimination",
    "Death penalty": "Death penalty",
    "Prohibition of torture and cruel, inhuman or degrading treatment": (
        "Torture and other CID treatment"
    ),
    "Torture and other cruel, inhuman or degrading treatment or punishment": (
        "Torture and other CID treatment"
    ),
    "Torture and other cruel, inhuman or degrading treatment": "Torture and other CID treatment",
    "Conditions of detention": "Detention",
    "Arbitrary arrest and detention": "Detention",
    "Liberty and security - general": "Detention",
    "Enforced disappearances": "Enforced disappearances",
    "Extrajudicial, summary or arbitrary executions": "Extrajudicial executions",
    "Administration of justice & fair trial": "Justice",
    "Impunity": "Impunity",
    "Freedom of opinion and expression": "Freedom of opinion and expression",
    "Freedom of opinion and expression & access to information": (
        "Freedom of opinion and expression"
    ),
    "Freedom of the press": "Freedom of the press",
    "Freedom of thought, conscience and religion": "Freedom of religion and belief",
    "Freedom of association": "Freedom of association and peaceful assembly",
    "Peaceful assembly": "Freedom of association and peaceful assembly",
    "Right to peaceful assembly": "Freedom of association and peaceful assembly",
    "Freedom of movement": "Freedom of movement",
    "Right to participate in public affairs & right to vote": "Elections",
    "Right to participation in public affairs & right to vote": "Elections",
    "Prohibition of slavery, trafficking": "Trafficking",
    "Trafficking in persons": "Trafficking",
    "Right to work": "Labour",
    "Right to just and favourable conditions of work": "Labour",
    "Right to work and to just & favorable conditions of work & labour rights": "Labour",
    "Right to food": "Right to food",
    "Right to adequate housing": "Right to housing",
    "Right to safe drinking water and sanitation": "Right to water",
    "Right to health": "Right to health",
    "Sexual & reproductive health and rights": "Right to health",
    "Right to education": "Right to education",
    "Right to development": "Development",
    "Human rights & the environment": "Environment",
    "Corruption": "Corruption",
    "Human rights & counter-terrorism": "Counter-terrorism",
    "Women's rights": "Women's rights",
    "Discrimination against women": "Women's rights",
    "Rights of the child": "Rights of the Child",
    "Children: protection against exploitation": "Rights of the Child",
    "Children: definition; general principles; protection": "Rights of the Child",
    "Persons with disabilities": "Disabilities",
    "Persons with disabilities: definition, general principles": "Disabilities",
    "Indigenous peoples": "Indigenous peoples",
    "Minorities": "Minorities",
    "Migrants": "Migrants",
    "Refugees & asylum seekers": "Asylum-seekers - refugees",
    "Internally displaced persons": "Internally displaced persons",
    "Human rights defenders": "Human rights defenders",
    "Sexual orientation & gender identity": "Sexual Orientation and Gender Identity",
    "Lesbian, gay, bisexual, transgender and intersex persons": (
        "Sexual Orientation and Gender Identity"
    ),
    "HIV/AIDS": "HIV - Aids",
    "International humanitarian law": "International humanitarian law",
    "Civil society": "Civil society",
    "Poverty": "Poverty",
    "Land & property rights": "Right to land",
}

# Our own names map to themselves, so an export using them needs no entry above.
_THEMES = {_key(name): slug(name) for name in THEMES} | {
    _key(source): slug(ours) for source, ours in THEME_MAP.items()
}
_AFFECTED = {_key(name): slug(name) for name in AFFECTED_PERSONS} | {
    _key("LGBTI persons"): slug("LGBTI"),
    _key("refugees & asylum-seekers"): slug("refugees & asylum seekers"),
    _key("members of minorities"): slug("minorities"),
    _key("women"): slug("women & girls"),
    _key("girls"): slug("women & girls"),
}
_TARGETS = sdg_targets()
_SDG = re.compile(r"^(?:goal|target|sdg)?\s*(\d{1,2})(?:\.(\d{1,2}|[a-d]))?(?![\d.])", re.I)

_TREATY_BODIES = {
    _key(name)
    for name in (
        "Human Rights Committee", "CCPR", "CESCR", "CERD", "CEDAW", "CAT", "CRC", "CMW",
        "CRPD", "CED", "SPT",
    )
}  # fmt: skip
_TREATY_PREFIXES = ("committee ", "subcommittee ")
_SPECIAL_PREFIXES = (
    "special rapporteur",
    "working group",
    "independent expert",
    "special representative",
)


def mechanism(body: str) -> Mechanism | None:
    """The mechanism of a recommending body as UHRI names it; None if unknown."""
    key = _key(body)
    if key in ("upr", "universal periodic review") or key.startswith("universal periodic "):
        return Mechanism.UPR
    if key in _TREATY_BODIES or key.startswith(_TREATY_PREFIXES):
        return Mechanism.TREATY_BODY
    if key.startswith(_SPECIAL_PREFIXES):
        return Mechanism.SPECIAL_PROCEDURE
    return None


def theme(name: str) -> str | None:
    """Our theme code for an OHCHR theme, None when no mapping exists."""
    return _THEMES.get(_key(_CODE.sub("", name)))


def affected_person(name: str) -> str | None:
    return _AFFECTED.get(_key(name))


def sdgs(item: str) -> tuple[int | None, str | None]:
    """(goal, target) of an SDG cell item such as "16 - Peace, justice ..." or
    "16.3 ..."; None for what is not a goal or target of the 2030 Agenda."""
    match = _SDG.match(item.strip())
    if match is None or not 1 <= int(match[1]) <= 17:
        return None, None
    goal = int(match[1])
    if match[2] is None:
        return goal, None
    target = f"{goal}.{match[2].lower()}"
    return (goal, target) if target in _TARGETS else (goal, None)
