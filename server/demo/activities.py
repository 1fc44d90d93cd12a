"""Follow-up activities on the UPR calendar and the money pledged to them.

Dates follow the review, as in the 2015 project: pre-session about a month before,
strategy workshop shortly after, dialogue with the government soon after adoption,
mid-term report about two and a quarter years on. Some activities are left short of
money: the funding gap is what partners look for.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from schema.tables.followup import (
    Activity,
    ActivityKind,
    FundingPledge,
    PledgeStatus,
    activity_organisers,
    activity_recommendations,
)
from security.sharing import Visibility
from server.demo import dataset
from server.demo.network import Network
from server.demo.recommendations import BuiltReview, Rec
from server.demo.rows import Rows

_PRE, _WORKSHOP, _DIALOGUE, _MID_TERM = (
    ActivityKind.PRE_SESSION,
    ActivityKind.CSO_STRATEGY_WORKSHOP,
    ActivityKind.CSO_GOVERNMENT_DIALOGUE,
    ActivityKind.MID_TERM_REPORT,
)
_PUBLIC, _PARTNERS, _COALITION, _ORGANISATION = (
    Visibility.PUBLIC,
    Visibility.PARTNERS,
    Visibility.COALITION,
    Visibility.ORGANISATION,
)
_RECEIVED, _PLEDGED = PledgeStatus.RECEIVED, PledgeStatus.PLEDGED


@dataclass(frozen=True, slots=True)
class Plan:
    state: str
    cycle: int
    kind: ActivityKind
    organisers: tuple[str, ...]  # acronyms; the first one owns the activity
    budget: int  # in major units of the currency: pre-sessions in CHF, others national
    visibility: Visibility
    pledges: tuple[tuple[str, int, PledgeStatus], ...] = ()  # (pledger, amount, status)
    cancelled: bool = False


# fmt: off
PLANS = (
    Plan("ARM", 3, _MID_TERM, ("YCRA", "HRDO-AM"), 8_000, _PARTNERS,
         (("FLDH", 5_000, _RECEIVED), ("CPRA", 3_000, _RECEIVED))),
    Plan("KEN", 3, _DIALOGUE, ("KHRDF", "KWRC", "NMRF-KE"), 1_200_000, _PUBLIC,
         (("FLDH", 600_000, _RECEIVED), ("GUFN", 400_000, _RECEIVED))),
    Plan("MNG", 3, _WORKSHOP, ("MCRW", "NHRC-MN"), 18_000_000, _PARTNERS,
         (("CPRA", 9_000_000, _RECEIVED),)),
    Plan("MWI", 3, _DIALOGUE, ("MCJE", "UNCT-MW"), 9_500, _PARTNERS, cancelled=True),
    Plan("RWA", 3, _WORKSHOP, ("RRDI", "GUFN"), 6_000, _PARTNERS, (("GUFN", 6_000, _RECEIVED),)),
    Plan("NPL", 3, _MID_TERM, ("HHRM", "OHCHR-NP"), 1_100_000, _PARTNERS,
         (("OHCHR-NP", 600_000, _RECEIVED), ("FLDH", 300_000, _PLEDGED))),
    Plan("ARM", 4, _PRE, ("GUFN", "YCRA"), 15_000, _PUBLIC, (("FLDH", 10_000, _RECEIVED),)),
    Plan("KEN", 4, _PRE, ("GUFN", "KHRDF", "KWRC"), 15_000, _PUBLIC,
         (("FLDH", 10_000, _RECEIVED), ("GUFN", 5_000, _RECEIVED))),
    Plan("MNG", 4, _PRE, ("GUFN", "MCRW"), 14_000, _PUBLIC, (("GUFN", 14_000, _RECEIVED),)),
    Plan("MWI", 4, _PRE, ("GUFN", "MCJE"), 14_000, _PUBLIC, (("FLDH", 7_000, _RECEIVED),)),
    Plan("RWA", 4, _PRE, ("GUFN", "RRDI"), 16_000, _PUBLIC, (("GUFN", 8_000, _RECEIVED),)),
    Plan("NPL", 4, _PRE, ("CPRA", "HHRM"), 16_000, _PUBLIC,
         (("CPRA", 6_000, _RECEIVED), ("FLDH", 10_000, _RECEIVED))),
    Plan("KEN", 4, _WORKSHOP, ("KHRDF", "KWRC", "GUFN"), 1_400_000, _PARTNERS,
         (("FLDH", 800_000, _RECEIVED), ("GUFN", 300_000, _RECEIVED))),
    Plan("MNG", 4, _WORKSHOP, ("MCRW", "CPRA"), 28_000_000, _PARTNERS,
         (("CPRA", 12_000_000, _RECEIVED),)),
    Plan("MWI", 4, _WORKSHOP, ("MCJE", "UNCT-MW"), 8_500, _PARTNERS,
         (("UNCT-MW", 5_000, _RECEIVED),)),
    Plan("NPL", 4, _WORKSHOP, ("HHRM", "OHCHR-NP"), 1_300_000, _COALITION,
         (("OHCHR-NP", 700_000, _RECEIVED), ("GUFN", 300_000, _RECEIVED))),
    Plan("ARM", 4, _DIALOGUE, ("YCRA", "HRDO-AM"), 6_500, _PUBLIC, (("FLDH", 3_000, _RECEIVED),)),
    Plan("KEN", 4, _DIALOGUE, ("KHRDF", "NMRF-KE", "KWRC"), 1_600_000, _COALITION,
         (("GUFN", 500_000, _RECEIVED),)),
    Plan("NPL", 4, _DIALOGUE, ("HHRM", "OHCHR-NP"), 1_500_000, _PARTNERS,
         (("OHCHR-NP", 900_000, _RECEIVED),)),
    Plan("KEN", 4, _MID_TERM, ("KHRDF", "KWRC"), 1_800_000, _PUBLIC,
         (("FLDH", 1_000_000, _PLEDGED),)),
    Plan("MWI", 4, _MID_TERM, ("MCJE",), 9_000, _ORGANISATION),
    Plan("NPL", 4, _MID_TERM, ("HHRM", "OHCHR-NP", "CPRA"), 1_800_000, _PARTNERS,
         (("OHCHR-NP", 500_000, _PLEDGED), ("CPRA", 400_000, _PLEDGED))),
)
# fmt: on

_ORDINAL = {3: "third", 4: "fourth"}
_TITLES = {
    _PRE: "UPR pre-session on {country}",
    _WORKSHOP: "CSO strategy workshop on the {cycle}-cycle UPR recommendations to {country}",
    _DIALOGUE: "CSO-government dialogue on implementing {country}'s {cycle}-cycle UPR outcome",
    _MID_TERM: "Mid-term report and discussion on {country}'s {cycle}-cycle UPR",
}
_DESCRIPTIONS = {
    _PRE: "National civil society briefs Geneva-based diplomats on the priorities for "
    "{country}'s review, a month before it.",
    _WORKSHOP: "Civil society organisations agree on priorities among the recommendations "
    "{country} received, share the work and plan their advocacy for implementation.",
    _DIALOGUE: "Civil society, the government and UN partners discuss the government's plan "
    "for implementing the recommendations adopted by the Human Rights Council.",
    _MID_TERM: "Partners present their mid-term assessment of implementation and discuss it "
    "with the government and the UN country team ahead of the next review.",
}
_CANCELLED = " Cancelled: travel and gathering restrictions during the COVID-19 pandemic."

# Offset from the review (the adoption for dialogues) in days, and length in days.
_TIMING = {
    _PRE: ((-42, -30), 1),
    _WORKSHOP: ((35, 70), 2),
    _DIALOGUE: ((42, 84), 1),
    _MID_TERM: ((800, 900), 2),
}


def build_activities(
    rows: Rows, rng: random.Random, network: Network, reviews: list[BuiltReview]
) -> None:
    by_review = {(r.country.code, r.facts.cycle): r for r in reviews}
    for plan in PLANS:
        review = by_review[plan.state, plan.cycle]
        country = review.country
        owner = plan.organisers[0]
        coalition_id = (
            network.coalition_for(owner, plan.state) if plan.visibility is _COALITION else None
        )
        (earliest, latest), length = _TIMING[plan.kind]
        anchor = review.adoption_date if plan.kind is _DIALOGUE else review.facts.review_date
        starts_on = _working_days(anchor + dt.timedelta(days=rng.randint(earliest, latest)), length)
        geneva = plan.kind is _PRE
        currency = "CHF" if geneva else country.currency
        words = {"country": country.name, "cycle": _ORDINAL[plan.cycle]}
        description = _DESCRIPTIONS[plan.kind].format(**words)
        cancelled_at = None
        if plan.cancelled:
            description += _CANCELLED
            cancelled_at = dt.datetime.combine(
                starts_on - dt.timedelta(days=18), dt.time(10, 15), dt.UTC
            )
        activity_id = rows.add(
            Activity,
            kind=plan.kind,
            title=_TITLES[plan.kind].format(**words),
            description=description,
            review_id=review.id,
            starts_on=starts_on,
            ends_on=starts_on + dt.timedelta(days=length - 1),
            city="Geneva" if geneva else country.capital,
            country_code="CHE" if geneva else country.code,
            budget_minor=plan.budget * 100,
            currency=currency,
            cancelled_at=cancelled_at,
            owner_organisation_id=network.ids[owner],
            visibility=plan.visibility,
            coalition_id=coalition_id,
        )
        for acronym in plan.organisers:
            rows.link(
                activity_organisers, activity_id=activity_id, organisation_id=network.ids[acronym]
            )
        for rec in _on_organisers_themes(rng, plan, review):
            rows.link(activity_recommendations, activity_id=activity_id, recommendation_id=rec.id)
        for pledger, amount, status in plan.pledges:
            # A pledge is never more visible than its activity; a promise not yet kept
            # stays among partners even on a public activity.
            public_promise = plan.visibility is _PUBLIC and status is _PLEDGED
            rows.add(
                FundingPledge,
                activity_id=activity_id,
                amount_minor=amount * 100,
                currency=currency,
                status=status,
                owner_organisation_id=network.ids[pledger],
                visibility=_PARTNERS if public_promise else plan.visibility,
                coalition_id=coalition_id,
            )


def _on_organisers_themes(rng: random.Random, plan: Plan, review: BuiltReview) -> list[Rec]:
    """2-6 of the review's recommendations, on the organisers' themes where possible."""
    focus = {
        theme
        for org in dataset.ORGANISATIONS
        if org.acronym in plan.organisers
        for theme in org.focus
    }
    recs = [rec for rec in review.recommendations if focus & set(rec.template.themes)]
    if len(recs) < 2:
        recs = list(review.recommendations)
    return rng.sample(recs, k=min(len(recs), rng.randint(2, 6)))


def _working_days(day: dt.date, length: int) -> dt.date:
    """The first day from `day` on which an event of `length` days fits in a working week."""
    while day.weekday() + length > 5:
        day += dt.timedelta(days=1)
    return day
