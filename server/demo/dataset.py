"""The demo world: the six states of the 2015 follow-up project, their third- and
fourth-cycle reviews, and the organisations and coalitions following them up.

Organisation names are fictional; those shaped like a real institution carry "(demo)"
and every website is on example.org, so nothing here can be mistaken for real data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from schema.tables.organisations import MembershipStatus, OrganisationKind

# The day the demo world stands still: assessments are dated before it, and the
# activities after it are the ones still to be funded.
AS_OF = dt.date(2026, 11, 28)

# The organisation whose presence tells that the demo is already loaded.
MARKER = "Geneva UPR Follow-up Network"


@dataclass(frozen=True, slots=True)
class ReviewFacts:
    cycle: int
    session: int
    review_date: dt.date
    paragraph: int  # the report paragraph listing the recommendations, e.g. 147
    report_number: int  # the Working Group report is A/HRC/<council session>/<number>


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    name: str
    demonym: str
    capital: str
    currency: str  # of national activities
    nhri: str  # as recommendations name it
    reviews: tuple[ReviewFacts, ReviewFacts]


COUNTRIES = (
    Country("ARM", "Armenia", "Armenian", "Yerevan", "USD", "Human Rights Defender", (
        ReviewFacts(3, 35, dt.date(2020, 1, 28), 147, 11),
        ReviewFacts(4, 48, dt.date(2025, 1, 21), 119, 11),
    )),
    Country("KEN", "Kenya", "Kenyan", "Nairobi", "KES",
            "Kenya National Commission on Human Rights", (
        ReviewFacts(3, 35, dt.date(2020, 1, 22), 142, 9),
        ReviewFacts(4, 48, dt.date(2025, 1, 22), 127, 8),
    )),
    Country("MNG", "Mongolia", "Mongolian", "Ulaanbaatar", "MNT",
            "National Human Rights Commission", (
        ReviewFacts(3, 36, dt.date(2020, 11, 3), 114, 8),
        ReviewFacts(4, 50, dt.date(2025, 11, 4), 121, 7),
    )),
    Country("MWI", "Malawi", "Malawian", "Lilongwe", "USD", "Malawi Human Rights Commission", (
        ReviewFacts(3, 36, dt.date(2020, 11, 5), 117, 9),
        ReviewFacts(4, 50, dt.date(2025, 11, 6), 104, 9),
    )),
    Country("RWA", "Rwanda", "Rwandan", "Kigali", "USD", "National Commission for Human Rights", (
        ReviewFacts(3, 37, dt.date(2021, 1, 25), 134, 14),
        ReviewFacts(4, 51, dt.date(2026, 1, 26), 112, 12),
    )),
    Country("NPL", "Nepal", "Nepali", "Kathmandu", "NPR", "National Human Rights Commission", (
        ReviewFacts(3, 37, dt.date(2021, 1, 20), 144, 10),
        ReviewFacts(4, 51, dt.date(2026, 1, 21), 109, 8),
    )),
)  # fmt: skip

# States that make recommendations; contentious texts come from the first group only.
RECOMMENDERS_WEOG_GRULAC: tuple[str, ...] = (
    "AUS", "AUT", "BEL", "CAN", "DNK", "FIN", "FRA", "DEU", "ISL", "IRL", "ITA", "LUX", "MLT",
    "NLD", "NZL", "NOR", "PRT", "ESP", "SWE", "CHE", "GBR", "USA", "ARG", "BRA", "CHL", "COL",
    "CRI", "ECU", "MEX", "PAN", "PRY", "PER", "URY",
)  # fmt: skip
RECOMMENDERS_OTHERS: tuple[str, ...] = (
    "DZA", "AGO", "BWA", "EGY", "ETH", "GHA", "CIV", "MAR", "NAM", "NGA", "SEN", "ZAF", "TGO",
    "TUN", "UGA", "ZMB", "BGD", "CHN", "IND", "IDN", "JPN", "KOR", "MYS", "PAK", "PHL", "QAT",
    "SGP", "LKA", "THA", "VNM", "GEO", "UKR", "POL", "CZE", "EST", "LVA", "LTU", "MNE", "ROU",
    "SRB", "SVN", "CUB",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Org:
    acronym: str
    name: str
    kind: OrganisationKind
    country: str | None
    vetted: bool
    public: bool
    works_on: tuple[str, ...]  # the states whose recommendations it follows up
    focus: tuple[str, ...]  # the themes it takes up first
    engagements: int


_ALL = tuple(country.code for country in COUNTRIES)
_INGO, _NGO, _UN = (
    OrganisationKind.INTERNATIONAL_NGO,
    OrganisationKind.NATIONAL_NGO,
    OrganisationKind.UN_AGENCY,
)

ORGANISATIONS = (
    Org("GUFN", MARKER, _INGO, "CHE", True, True, _ALL,
        ("upr-process", "civil-society", "human-rights-defenders"), 5),
    Org("CPRA", "Centre for Periodic Review Advocacy", _INGO, "CHE", True, True,
        ("ARM", "MNG", "NPL"), ("womens-rights", "rights-of-the-child"), 4),
    Org("YCRA", "Yerevan Centre for Rights and Accountability", _NGO, "ARM", True, False,
        ("ARM",), ("justice", "torture-and-other-cid-treatment", "womens-rights"), 5),
    Org("KHRDF", "Kenya Human Rights Defenders Forum", _NGO, "KEN", True, True, ("KEN",),
        ("human-rights-defenders", "extrajudicial-executions", "impunity"), 6),
    Org("KWRC", "Kisumu Women's Rights Collective", _NGO, "KEN", True, False, ("KEN",),
        ("womens-rights", "rights-of-the-child"), 5),
    Org("MCRW", "Mongolian Citizens' Rights Watch", _NGO, "MNG", True, False, ("MNG",),
        ("environment", "right-to-land", "human-rights-defenders"), 5),
    Org("MCJE", "Malawi Centre for Justice and Equality", _NGO, "MWI", True, False, ("MWI",),
        ("disabilities", "justice", "death-penalty"), 5),
    Org("RRDI", "Rwanda Rights Dialogue Initiative", _NGO, "RWA", False, False, ("RWA",),
        ("freedom-of-opinion-and-expression", "justice"), 4),
    Org("HHRM", "Himalayan Human Rights Monitors", _NGO, "NPL", True, False, ("NPL",),
        ("impunity", "enforced-disappearances", "racial-discrimination"), 5),
    Org("UNCT-MW", "UN Country Team Malawi (demo)", _UN, "MWI", True, True, ("MWI",),
        ("right-to-health", "disabilities", "womens-rights"), 4),
    Org("OHCHR-NP", "OHCHR Field Presence Nepal (demo)", _UN, "NPL", True, True, ("NPL",),
        ("impunity", "justice"), 4),
    Org("HRDO-AM", "Armenian Human Rights Defender's Office (demo)", OrganisationKind.NHRI,
        "ARM", True, True, ("ARM",), ("torture-and-other-cid-treatment", "detention"), 4),
    Org("NHRC-MN", "National Human Rights Commission of Mongolia (demo)", OrganisationKind.NHRI,
        "MNG", True, True, ("MNG",), ("womens-rights", "human-rights-defenders"), 4),
    Org("NMRF-KE", "Kenya National Mechanism for Reporting and Follow-up (demo)",
        OrganisationKind.GOVERNMENT, "KEN", False, True, ("KEN",), ("upr-process",), 2),
    Org("FLDH", "Fondation Léman pour les droits humains", OrganisationKind.DONOR, "CHE", True,
        True, (), (), 0),
    Org("ULC-HR", "Ulaanbaatar Legal Clinic for Human Rights", OrganisationKind.OTHER, "MNG",
        True, False, ("MNG",), ("justice", "detention"), 2),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class CoalitionPlan:
    name: str
    description: str
    creator: str  # acronym
    countries: tuple[str, ...]  # whose recommendations its members share work on
    founded: dt.datetime
    members: tuple[tuple[str, MembershipStatus], ...]  # creator first


_ACTIVE, _INVITED = MembershipStatus.ACTIVE, MembershipStatus.INVITED

COALITIONS = (
    CoalitionPlan(
        "Kenya UPR Stakeholders Coalition",
        "National organisations, the national follow-up mechanism and partners coordinating "
        "the follow-up of Kenya's fourth-cycle recommendations.",
        "KHRDF",
        ("KEN",),
        dt.datetime(2025, 2, 12, 9, 30, tzinfo=dt.UTC),
        (("KHRDF", _ACTIVE), ("KWRC", _ACTIVE), ("GUFN", _ACTIVE), ("NMRF-KE", _ACTIVE),
         ("FLDH", _INVITED)),
    ),
    CoalitionPlan(
        "Asia-Pacific UPR Follow-up Coalition",
        "Civil society, national institutions and UN partners sharing follow-up work on the "
        "recommendations made to Mongolia and Nepal.",
        "GUFN",
        ("MNG", "NPL"),
        dt.datetime(2021, 3, 8, 14, 0, tzinfo=dt.UTC),
        (("GUFN", _ACTIVE), ("HHRM", _ACTIVE), ("MCRW", _ACTIVE), ("NHRC-MN", _ACTIVE),
         ("OHCHR-NP", _ACTIVE), ("CPRA", _ACTIVE)),
    ),
)  # fmt: skip
