"""A review's follow-up timeline: the milestones of DOMAIN.md, dated from the review's
own date (never from session arithmetic: sessions move), with a status on a day.

Pure date logic. The "~" of the milestone table made definite:

- NGO submission deadline: 8 months before the review, the early end of "~7-8
  months": a deadline shown late is a deadline missed (OHCHR publishes the real one).
- Pre-session in Geneva: 1 month before the review.
- Review: its day.
- CSO strategy workshop ("shortly after"): 6 weeks after the review.
- Adoption: the recorded adoption date; otherwise the 15th of the Council month
  `calendar.adoption_month` gives (mid-session), with the recorded Council session or
  the one `calendar.hrc_session` computes.
- CSO-government dialogue ("soon after adoption"): 2 months after the adoption.
- Mid-term report: 27 months after the review, the middle of "~2-2.5 years".

Statuses, on `today`:

- Milestones the UN sets (submission deadline, review, adoption): DONE once their day
  has passed, DUE from `DUE_WITHIN` days before it to the day itself, UPCOMING before.
- Milestones partners hold (pre-session, workshop, dialogue, mid-term report) look at
  the activities of that kind attached to the review (not cancelled): DONE when one
  has been held (its last day passed), PLANNED when one is upcoming or under way;
  without any, OVERDUE once the day has passed, else DUE or UPCOMING as above.
"""

from __future__ import annotations

import datetime as dt
import enum
from calendar import monthrange
from dataclasses import dataclass

from schema.reference import calendar

DUE_WITHIN = dt.timedelta(days=60)


class MilestoneKind(enum.StrEnum):
    SUBMISSION_DEADLINE = "SUBMISSION_DEADLINE"
    PRE_SESSION = "PRE_SESSION"
    REVIEW = "REVIEW"
    CSO_STRATEGY_WORKSHOP = "CSO_STRATEGY_WORKSHOP"
    ADOPTION = "ADOPTION"
    CSO_GOVERNMENT_DIALOGUE = "CSO_GOVERNMENT_DIALOGUE"
    MID_TERM_REPORT = "MID_TERM_REPORT"


# Partner milestones share their names with the activity kinds that hold them.
HELD_BY_PARTNERS = frozenset(
    {
        MilestoneKind.PRE_SESSION,
        MilestoneKind.CSO_STRATEGY_WORKSHOP,
        MilestoneKind.CSO_GOVERNMENT_DIALOGUE,
        MilestoneKind.MID_TERM_REPORT,
    }
)


class MilestoneStatus(enum.StrEnum):
    DONE = "DONE"
    PLANNED = "PLANNED"
    DUE = "DUE"
    OVERDUE = "OVERDUE"
    UPCOMING = "UPCOMING"


@dataclass(frozen=True, slots=True)
class Milestone:
    kind: MilestoneKind
    day: dt.date
    approximate: bool  # computed from an offset, not recorded
    hrc_session: int | None = None  # ADOPTION only


def add_months(day: dt.date, count: int) -> dt.date:
    """The same day `count` months later (or earlier), at most the month's last day."""
    index = day.year * 12 + day.month - 1 + count
    year, month = divmod(index, 12)
    last = monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def milestones(
    review_date: dt.date, adoption_date: dt.date | None, hrc_session: int | None
) -> list[Milestone]:
    """Every milestone of one review, in date order."""
    if adoption_date is None:
        year, month = calendar.adoption_month(review_date)
        adoption = Milestone(
            MilestoneKind.ADOPTION,
            dt.date(year, month, 15),
            True,
            hrc_session or calendar.hrc_session(year, month),
        )
    else:
        adoption = Milestone(MilestoneKind.ADOPTION, adoption_date, False, hrc_session)
    kind = MilestoneKind
    return [
        Milestone(kind.SUBMISSION_DEADLINE, add_months(review_date, -8), True),
        Milestone(kind.PRE_SESSION, add_months(review_date, -1), True),
        Milestone(kind.REVIEW, review_date, False),
        Milestone(kind.CSO_STRATEGY_WORKSHOP, review_date + dt.timedelta(weeks=6), True),
        adoption,
        Milestone(kind.CSO_GOVERNMENT_DIALOGUE, add_months(adoption.day, 2), True),
        Milestone(kind.MID_TERM_REPORT, add_months(review_date, 27), True),
    ]


def status(milestone: Milestone, held: bool, planned: bool, today: dt.date) -> MilestoneStatus:
    """`held`: an activity for it has been held; `planned`: one is upcoming or under
    way. Both are ignored for the milestones the UN sets."""
    partners = milestone.kind in HELD_BY_PARTNERS
    if partners and held:
        return MilestoneStatus.DONE
    if partners and planned:
        return MilestoneStatus.PLANNED
    if milestone.day < today:
        return MilestoneStatus.OVERDUE if partners else MilestoneStatus.DONE
    if milestone.day - today <= DUE_WITHIN:
        return MilestoneStatus.DUE
    return MilestoneStatus.UPCOMING
