"""The controlled vocabularies: themes, affected persons and the SDGs."""

from __future__ import annotations

import re
import unicodedata

# The 54 issues of the largest public UPR database, in its own wording.
THEMES = (
    "Asylum-seekers - refugees", "CP rights - general", "Civil society", "Corruption",
    "Counter-terrorism", "Death penalty", "Detention", "Development", "Disabilities",
    "ESC rights - general", "Elections", "Enforced disappearances", "Environment",
    "Extrajudicial executions", "Freedom of association and peaceful assembly",
    "Freedom of movement", "Freedom of opinion and expression",
    "Freedom of religion and belief", "Freedom of the press", "General", "HIV - Aids",
    "Human rights defenders", "Human rights education and training",
    "Human rights violations by state agents", "Impunity", "Indigenous peoples",
    "Internally displaced persons", "International humanitarian law",
    "International instruments", "Justice", "Labour", "Migrants", "Minorities", "NHRI",
    "National plan of action", "Other", "Poverty", "Public security",
    "Racial discrimination", "Right to education", "Right to food", "Right to health",
    "Right to housing", "Right to land", "Right to water", "Rights of the Child",
    "Sexual Orientation and Gender Identity", "Special procedures",
    "Technical assistance and cooperation", "Torture and other CID treatment",
    "Trafficking", "Treaty bodies", "UPR process", "Women's rights",
)  # fmt: skip

# OHCHR's current list of affected persons.
AFFECTED_PERSONS = (
    "children", "children in vulnerable situations", "civil society",
    "educational staff & students", "indigenous peoples", "internally displaced persons",
    "judges, lawyers and prosecutors", "law enforcement / police & prison officials",
    "LGBTI", "media", "medical staff", "migrants", "minorities", "older persons",
    "persons deprived of their liberty", "persons living in poverty",
    "persons living in rural areas", "persons living with HIV/AIDS",
    "persons with disabilities", "public officials", "refugees & asylum seekers",
    "stateless persons", "human rights defenders", "women & girls", "youth",
    "non-citizens",
)  # fmt: skip

SDG_GOALS = (
    "No poverty", "Zero hunger", "Good health and well-being", "Quality education",
    "Gender equality", "Clean water and sanitation", "Affordable and clean energy",
    "Decent work and economic growth", "Industry, innovation and infrastructure",
    "Reduced inequalities", "Sustainable cities and communities",
    "Responsible consumption and production", "Climate action", "Life below water",
    "Life on land", "Peace, justice and strong institutions", "Partnerships for the goals",
)  # fmt: skip

# Per goal: (numbered outcome targets, lettered means-of-implementation targets).
# 169 targets in all; goal 17's are numbered only.
_SDG_TARGET_SHAPE = (
    (5, 2), (5, 3), (9, 4), (7, 3), (6, 3), (6, 2), (3, 2), (10, 2), (5, 3),
    (7, 3), (7, 3), (8, 3), (3, 2), (7, 3), (9, 3), (10, 2), (19, 0),
)  # fmt: skip


def slug(name: str) -> str:
    """A stable code for a vocabulary entry: "Women's rights" -> "womens-rights"."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower().replace("'", "")).strip("-")


def themes() -> dict[str, str]:
    """Theme code -> name."""
    return {slug(name): name for name in THEMES}


def affected_persons() -> dict[str, str]:
    return {slug(name): name for name in AFFECTED_PERSONS}


def sdg_goals() -> dict[int, str]:
    return dict(enumerate(SDG_GOALS, start=1))


def sdg_targets() -> dict[str, int]:
    """Target code ("16.3", "16.a") -> goal number."""
    targets: dict[str, int] = {}
    for goal, (numbered, lettered) in enumerate(_SDG_TARGET_SHAPE, start=1):
        for n in range(1, numbered + 1):
            targets[f"{goal}.{n}"] = goal
        for letter in "abcd"[:lettered]:
            targets[f"{goal}.{letter}"] = goal
    return targets
