"""Full-text search over recommendation text, with the same answers on both databases.

Python does the language work (folding, stop words, stemming) once, and the databases
only index the resulting words: PostgreSQL's `simple` configuration and SQLite FTS5's
`unicode61` tokenizer each split `search_tokens` back into exactly those words, so
neither database's own linguistics can make the two disagree.

Changing these rules changes what is stored: ship a migration that recomputes
`recommendations.search_tokens` with them.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import snowballstemmer
from sqlalchemy import (
    ColumnElement,
    String,
    any_,
    bindparam,
    column,
    func,
    literal_column,
    select,
    table,
)

from schema.errors import BadUserInput
from schema.tables.recommendations import Recommendation

__all__ = ["MAX_QUERY_LENGTH", "STOP_WORDS", "search_clause", "search_document", "tokens"]

MAX_QUERY_LENGTH = 200

# Only these characters survive folding: both databases keep a run of them separated by
# spaces as one word, whatever its mix of letters and digits (checked in the tests).
_WORD = re.compile(r"[a-z0-9]+")

# PostgreSQL ignores words over 2,047 characters and SQLite does not; nothing this long
# is a word anyone searches for.
_MAX_WORD_LENGTH = 100

_matches = Recommendation.__table__.alias("search_matches")
_recommendations = Recommendation.__table__.c
# SQLite's FTS5 index of `search_tokens` (migration 0004), by the recommendation's rowid.
_fts = table("recommendation_search", column("rowid"))

# Latin letters that Unicode does not decompose into a base letter and an accent.
_UNDECOMPOSED = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d"}
)

# Articles, conjunctions, prepositions, pronouns and forms of "be", "have" and "do",
# written out here rather than taken from a package so that a dependency upgrade cannot
# change the stored words. Negations ("no", "not", "non", "without") and "us" stay.
STOP_WORDS = frozenset(
    """
    a an the and or but nor if then than so as of at by for from in into on onto to with
    within about between through during before after over under upon via per is am are
    was were be been being has have had having do does did doing this that these those it
    its they them their he him his she her we our you your i me my which who whom whose
    what where when
    """.split()  # noqa: SIM905  (a block of words reads better than one per line)
)


def _fold(text: str) -> str:
    """Lower case without accents: "Côte d’Ivoire" and "cote d'ivoire" fold alike."""
    if text.isascii():  # the same result, without a Python loop over every character
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return bare.translate(_UNDECOMPOSED)


def tokens(text: str) -> list[str]:
    """The stemmed words of `text` in order, stop words and one-letter remnants of
    elisions and possessives ("d'Ivoire", "women's") left out."""
    words = [
        word
        for word in _WORD.findall(_fold(text))
        if word not in STOP_WORDS
        and len(word) <= _MAX_WORD_LENGTH
        and not (len(word) == 1 and word.isalpha())
    ]
    return [_stem(word) for word in words]


@functools.lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    """Cached: the pure-Python stemmer is the cost of an import (recommendations share
    most of their words). A stemmer keeps state while it works: one per call."""
    return str(snowballstemmer.stemmer("english").stemWord(word))


def search_document(text: str) -> str:
    """What `recommendations.search_tokens` holds for a recommendation's text."""
    return " ".join(tokens(text))


def search_clause(dialect_name: str, query: str) -> ColumnElement[bool]:
    """Recommendations whose text holds every word of `query`, in any order and form."""
    if len(query) > MAX_QUERY_LENGTH:
        raise BadUserInput(f"`search` takes at most {MAX_QUERY_LENGTH} characters.")
    words = list(dict.fromkeys(tokens(query)))
    if not words:
        raise BadUserInput(
            "`search` needs at least one word of letters or digits other than common words"
            ' such as "the" or "of".'
        )
    if dialect_name == "postgresql":
        # 'simple' is a literal, not a parameter: the expression must be the GIN index's
        # own for the planner to use it, also in a generic plan.
        simple = literal_column("'simple'", String)
        matches = select(_matches.c.id).where(
            func.to_tsvector(simple, _matches.c.search_tokens).bool_op("@@")(
                func.plainto_tsquery(
                    simple, bindparam("search_words", " ".join(words), String, unique=True)
                )
            )
        )
        # The matches first, through the GIN index, as an array the primary key is
        # probed with. As a plain condition, the planner walked the primary key in list
        # order and computed each row's tsvector until the page was full: 900 ms for a
        # word in 1% of 100,000 recommendations, 12 ms this way (bench/README.md).
        return _recommendations.id == any_(func.array(matches.scalar_subquery()))
    if dialect_name == "sqlite":
        # Quoted, a word is never read as an FTS5 operator; side by side, all must match.
        all_words = " ".join(f'"{word}"' for word in words)
        matching = select(_fts.c.rowid).where(
            literal_column(_fts.name).match(
                bindparam("search_words", all_words, String, unique=True)
            )
        )
        return literal_column(f"{Recommendation.__tablename__}.rowid").in_(matching)
    raise NotImplementedError(f"no full-text search on {dialect_name}")
