"""Reviews and their recommendations, as the Working Group reports publish them.

A fourth-cycle review repeats part of the third cycle's recommendations (states do
repeat what was not implemented, often the same recommending states), and some of
those repeats link back to the earlier recommendation.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass

from schema.imports.keys import natural_key
from schema.recommendations.search import search_document
from schema.reference import calendar
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
from schema.tables.reviews import Review
from server.demo import dataset, texts_civil, texts_social
from server.demo.rows import Rows
from server.demo.texts import Template

BANK = texts_civil.TEMPLATES + texts_social.TEMPLATES

_RESPONSES = (Response.SUPPORTED, Response.NOTED, Response.SUPPORTED_IN_PART)
_WORDING = {
    Response.SUPPORTED: "Supported",
    Response.NOTED: "Noted",
    Response.SUPPORTED_IN_PART: "Supported in part",
}


@dataclass(frozen=True, slots=True)
class Rec:
    """A UPR recommendation of the demo, as the other builders need it."""

    id: uuid.UUID
    state: str
    cycle: int
    review_date: dt.date
    paragraph: str
    text: str
    template: Template
    response: Response
    recommenders: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BuiltReview:
    id: uuid.UUID
    country: dataset.Country
    facts: dataset.ReviewFacts
    adoption_date: dt.date
    report_symbol: str
    recommendations: tuple[Rec, ...]


def tag(rows: Rows, rec_id: uuid.UUID, template: Template) -> None:
    """The themes, affected persons and SDGs of a recommendation."""
    for theme in template.themes:
        rows.link(recommendation_themes, recommendation_id=rec_id, theme_code=theme)
    for person in template.persons:
        rows.link(
            recommendation_affected_persons, recommendation_id=rec_id, affected_person_code=person
        )
    for goal in template.goals:
        rows.link(recommendation_sdg_goals, recommendation_id=rec_id, goal_number=goal)
    for target in template.targets:
        rows.link(recommendation_sdg_targets, recommendation_id=rec_id, target_code=target)


def build_reviews(rows: Rows, rng: random.Random) -> list[BuiltReview]:
    """Both reviews of every demo state, with their recommendations."""
    built: list[BuiltReview] = []
    for country in dataset.COUNTRIES:
        eligible = [t for t in BANK if not t.only or country.code in t.only]
        third_cycle = _pick(rng, eligible, carried=[])
        third = _review(rows, rng, country, country.reviews[0], third_cycle, previous=None)
        carried = rng.sample(third_cycle, k=len(third_cycle) * 2 // 5)
        fourth_cycle = _pick(rng, eligible, carried)
        built += [third, _review(rows, rng, country, country.reviews[1], fourth_cycle, third)]
    return built


def _pick(rng: random.Random, eligible: list[Template], carried: list[Template]) -> list[Template]:
    """22-30 texts in report order: the carried ones, most of the state's own issues, the
    rest drawn from the general bank."""
    chosen = set(carried) | {t for t in eligible if t.only and rng.random() < 0.6}
    general = [t for t in eligible if t not in chosen and not t.only]
    chosen.update(rng.sample(general, k=max(0, rng.randint(22, 30) - len(chosen))))
    return [t for t in eligible if t in chosen]


def _review(
    rows: Rows,
    rng: random.Random,
    country: dataset.Country,
    facts: dataset.ReviewFacts,
    templates: list[Template],
    previous: BuiltReview | None,
) -> BuiltReview:
    year, month = calendar.adoption_month(facts.review_date)
    adoption = _weekday(dt.date(year, month, rng.randint(12, 26)))
    council = calendar.hrc_session(year, month)
    symbol = f"A/HRC/{council}/{facts.report_number}"
    review_id = rows.add(
        Review,
        state_code=country.code,
        session_number=facts.session,
        review_date=facts.review_date,
        adoption_date=adoption,
        hrc_session=council,
        report_symbol=symbol,
    )
    earlier = {rec.text: rec for rec in previous.recommendations} if previous else {}
    recs = []
    for number, template in enumerate(templates, start=1):
        text = template.text.format(
            country=country.name, demonym=country.demonym, nhri=country.nhri
        )
        repeated = earlier.get(text)
        paragraph = f"{facts.paragraph}.{number}"
        response = _response(rng, template)
        rec = Rec(
            id=rows.add(
                Recommendation,
                mechanism=Mechanism.UPR,
                state_code=country.code,
                review_id=review_id,
                paragraph=paragraph,
                document_symbol=None,
                recommending_body=None,
                text=text,
                search_tokens=search_document(text),
                natural_key=natural_key("UPR", country.code, str(facts.session), text=text),
                response=response,
                response_wording=_wording(rng, response, facts.cycle),
                action_category=template.action,
            ),
            state=country.code,
            cycle=facts.cycle,
            review_date=facts.review_date,
            paragraph=paragraph,
            text=text,
            template=template,
            response=response,
            recommenders=_recommenders(rng, template, country.code, repeated),
        )
        recs.append(rec)
        tag(rows, rec.id, template)
        for state in rec.recommenders:
            rows.link(recommending_states, recommendation_id=rec.id, state_code=state)
        if previous and repeated and rng.random() < 0.25:
            rows.add(
                RecommendationLink,
                recommendation_id=rec.id,
                target_id=repeated.id,
                mechanism=Mechanism.UPR,
                document_symbol=previous.report_symbol,
                paragraph=repeated.paragraph,
            )
    return BuiltReview(review_id, country, facts, adoption, symbol, tuple(recs))


def _weekday(day: dt.date) -> dt.date:
    """The day itself, or the Monday after it when it falls on a weekend."""
    if day.weekday() >= 5:
        return day + dt.timedelta(days=7 - day.weekday())
    return day


def _response(rng: random.Random, template: Template) -> Response:
    """Mostly supported; contentious texts are mostly noted, as in the real reports."""
    weights = (15, 75, 10) if template.contentious else (83, 13, 4)
    return rng.choices(_RESPONSES, weights=weights)[0]


def _wording(rng: random.Random, response: Response, cycle: int) -> str:
    """As published: some third-cycle reports still said "Accepted"."""
    if cycle == 3 and response is Response.SUPPORTED and rng.random() < 0.15:
        return "Accepted"
    return _WORDING[response]


def _recommenders(
    rng: random.Random, template: Template, state: str, repeated: Rec | None
) -> tuple[str, ...]:
    """1-4 states; contentious texts come from WEOG and GRULAC states, and a
    repeated recommendation keeps one of the states that made it before."""
    pool = dataset.RECOMMENDERS_WEOG_GRULAC
    if not template.contentious:
        pool = pool + dataset.RECOMMENDERS_OTHERS
    count = rng.choices((1, 2, 3, 4), weights=(50, 30, 15, 5))[0]
    states = rng.sample([code for code in pool if code != state], k=count)
    if repeated and repeated.recommenders[0] not in states:
        states[0] = repeated.recommenders[0]
    return tuple(sorted(states))
