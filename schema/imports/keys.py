"""The natural key of a recommendation, shared by the demo and the importers.

A recommendation is (mechanism, state, session or document, text); the same text
from several rows or sources must give the same key, so the text is normalised
first: entities unescaped, case folded, whitespace collapsed, trailing punctuation
dropped ("Ratify the Convention." and "ratify  the convention" are one).
"""

from __future__ import annotations

import hashlib
import html
import string

_TRAILING = string.punctuation + " \u2026\u201d\u2019"


def normalise_text(text: str) -> str:
    collapsed = " ".join(html.unescape(text).casefold().split())
    return collapsed.rstrip(_TRAILING)


def natural_key(*scope: str, text: str) -> str:
    """SHA-256 (hex) of the scope and the normalised text."""
    return hashlib.sha256("|".join((*scope, normalise_text(text))).encode()).hexdigest()
