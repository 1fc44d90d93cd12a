"""What a recommendation text of the demo is made of (the bank itself is in
`texts_civil` and `texts_social`).

Each template carries the tags an analyst would give it. `{country}`, `{demonym}` and
`{nhri}` are filled in per state; `only` limits a template to the states the issue
fits (only retentionist states are asked to abolish the death penalty).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Template:
    action: int  # action category 1-5
    text: str
    themes: tuple[str, ...]
    persons: tuple[str, ...]
    goals: tuple[int, ...]
    targets: tuple[str, ...]
    contentious: bool  # states usually only note it
    only: tuple[str, ...]  # the states it is made to; empty: any


def template(
    action: int,
    text: str,
    themes: str,
    persons: str = "",
    sdgs: str = "",
    *,
    noted: bool = False,
    only: str = "",
) -> Template:
    """A template from space-separated tags; SDGs mix goals ("16") and targets ("16.3")."""
    sdg = sdgs.split()
    return Template(
        action=action,
        text=text,
        themes=tuple(themes.split()),
        persons=tuple(persons.split()),
        goals=tuple(int(code) for code in sdg if "." not in code),
        targets=tuple(code for code in sdg if "." in code),
        contentious=noted,
        only=tuple(only.split()),
    )
