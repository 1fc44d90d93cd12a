"""Recommendations of the treaty bodies and special procedures, and the cross-references
from UPR recommendations to them: the NGOs asked for the UPR to be followed up together
with the other mechanisms.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from schema.imports.keys import natural_key
from schema.recommendations.search import search_document
from schema.tables.recommendations import Mechanism, Recommendation, RecommendationLink
from server.demo.recommendations import BuiltReview, tag
from server.demo.rows import Rows
from server.demo.texts import Template
from server.demo.texts import template as _t


@dataclass(frozen=True, slots=True)
class OtherRecommendation:
    mechanism: Mechanism
    state: str
    document_symbol: str
    body: str
    paragraph: str
    template: Template


@dataclass(frozen=True, slots=True)
class Reference:
    """A cross-reference from the newest UPR recommendation of the state on one of these
    themes; `target_id` is None for a recommendation not imported into the platform."""

    state: str
    themes: tuple[str, ...]
    mechanism: Mechanism
    document_symbol: str
    paragraph: str
    target_id: uuid.UUID | None = None


_TB, _SP = Mechanism.TREATY_BODY, Mechanism.SPECIAL_PROCEDURE

# fmt: off
OTHER_MECHANISMS = (
    OtherRecommendation(_TB, "KEN", "CEDAW/C/KEN/CO/9",
        "Committee on the Elimination of Discrimination against Women", "25(c)",
        _t(4, "Strengthen the capacity of the police to investigate cases of gender-based "
              "violence against women and ensure that perpetrators are prosecuted and adequately "
              "punished",
           "womens-rights justice", "women-girls law-enforcement-police-prison-officials",
           "5 5.2")),
    OtherRecommendation(_TB, "KEN", "CRPD/C/KEN/CO/1",
        "Committee on the Rights of Persons with Disabilities", "14(a)",
        _t(5, "Review national legislation to remove derogatory language and provisions that "
              "discriminate against persons with disabilities",
           "disabilities", "persons-with-disabilities", "10 10.3")),
    OtherRecommendation(_TB, "NPL", "CRC/C/NPL/CO/6", "Committee on the Rights of the Child",
        "41(a)",
        _t(4, "Strengthen measures to eliminate child marriage, including by enforcing the legal "
              "minimum age of marriage of 20 years for girls and boys",
           "rights-of-the-child womens-rights", "children women-girls", "5 5.3")),
    OtherRecommendation(_TB, "ARM", "CAT/C/ARM/CO/5", "Committee against Torture", "12(c)",
        _t(4, "Ensure that all allegations of torture and ill-treatment are promptly, impartially "
              "and effectively investigated by an independent body",
           "torture-and-other-cid-treatment impunity", "persons-deprived-of-their-liberty",
           "16 16.3")),
    OtherRecommendation(_TB, "MWI", "CCPR/C/MWI/CO/2", "Human Rights Committee", "15",
        _t(4, "Take all measures necessary to prevent attacks against persons with albinism, "
              "including killings and abductions, and ensure that perpetrators are brought to "
              "justice",
           "disabilities impunity", "persons-with-disabilities", "16 16.1")),
    OtherRecommendation(_TB, "MNG", "E/C.12/MNG/CO/5",
        "Committee on Economic, Social and Cultural Rights", "37(a)",
        _t(4, "Adopt effective measures to reduce air pollution in Ulaanbaatar, particularly in "
              "ger districts, and protect the right to health of children and older persons",
           "environment right-to-health", "children older-persons", "3 3.9")),
    OtherRecommendation(_TB, "RWA", "CCPR/C/RWA/CO/4", "Human Rights Committee", "34(a)",
        _t(5, "Revise the law on genocide ideology so that its provisions are precise and do not "
              "unduly restrict freedom of expression",
           "freedom-of-opinion-and-expression", "media", "16 16.10")),
    OtherRecommendation(_SP, "RWA", "A/HRC/26/29/Add.2",
        "Special Rapporteur on the rights to freedom of peaceful assembly and of association",
        "82(b)",
        _t(5, "Amend the law governing national non-governmental organisations to remove "
              "burdensome registration and reporting requirements",
           "civil-society freedom-of-association-and-peaceful-assembly", "civil-society",
           "16 16.7")),
    OtherRecommendation(_SP, "MNG", "A/HRC/40/60/Add.1",
        "Special Rapporteur on the situation of human rights defenders", "104(a)",
        _t(5, "Adopt the draft law on the legal status of human rights defenders, in consultation "
              "with civil society",
           "human-rights-defenders", "human-rights-defenders", "16 16.10")),
)

NOT_IMPORTED = (
    Reference("KEN", ("death-penalty",), _TB, "CCPR/C/KEN/CO/4", "25"),
    Reference("NPL", ("impunity",), _TB, "CCPR/C/NPL/CO/2", "7(a)"),
    Reference("MWI", ("womens-rights",), _TB, "CEDAW/C/MWI/CO/8", "23(b)"),
    Reference("ARM", ("womens-rights",), _TB, "CEDAW/C/ARM/CO/7", "21(a)"),
    Reference("RWA", ("human-rights-defenders",), _TB, "CCPR/C/RWA/CO/4", "40"),
)
# fmt: on


def build_other_mechanisms(rows: Rows, reviews: list[BuiltReview]) -> int:
    """The other mechanisms' recommendations and the links to them; returns how many
    recommendations it made."""
    references = list(NOT_IMPORTED)
    for other in OTHER_MECHANISMS:
        text = other.template.text
        other_id = rows.add(
            Recommendation,
            mechanism=other.mechanism,
            state_code=other.state,
            review_id=None,
            paragraph=other.paragraph,
            document_symbol=other.document_symbol,
            recommending_body=other.body,
            text=text,
            search_tokens=search_document(text),
            natural_key=natural_key(other.mechanism, other.state, other.document_symbol, text=text),
            response=None,
            response_wording=None,
            action_category=other.template.action,
        )
        tag(rows, other_id, other.template)
        references.append(
            Reference(
                other.state,
                other.template.themes,
                other.mechanism,
                other.document_symbol,
                other.paragraph,
                other_id,
            )
        )
    newest_first = [rec for review in reversed(reviews) for rec in review.recommendations]
    linked: set[uuid.UUID] = set()
    for reference in references:
        source = next(
            (
                rec
                for rec in newest_first
                if rec.state == reference.state
                and rec.id not in linked
                and set(reference.themes) & set(rec.template.themes)
            ),
            None,
        )
        if source is not None:
            linked.add(source.id)
            rows.add(
                RecommendationLink,
                recommendation_id=source.id,
                target_id=reference.target_id,
                mechanism=reference.mechanism,
                document_symbol=reference.document_symbol,
                paragraph=reference.paragraph,
            )
    return len(OTHER_MECHANISMS)
