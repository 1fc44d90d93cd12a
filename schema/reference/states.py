"""States from ISO 3166 (pycountry), with UN membership, regional group and UN name."""

from __future__ import annotations

from dataclasses import dataclass

import pycountry

from schema.tables.reference import RegionalGroup

_GROUPS: dict[RegionalGroup, str] = {
    RegionalGroup.AFRICA: """
        DZA AGO BEN BWA BFA BDI CPV CMR CAF TCD COM COG COD CIV DJI EGY GNQ ERI SWZ ETH
        GAB GMB GHA GIN GNB KEN LSO LBR LBY MDG MWI MLI MRT MUS MAR MOZ NAM NER NGA RWA
        STP SEN SYC SLE SOM ZAF SSD SDN TGO TUN UGA TZA ZMB ZWE""",
    RegionalGroup.ASIA_PACIFIC: """
        AFG BHR BGD BTN BRN KHM CHN CYP PRK FJI IND IDN IRN IRQ JPN JOR KAZ KIR KWT KGZ
        LAO LBN MYS MDV MHL FSM MNG MMR NRU NPL OMN PAK PLW PNG PHL QAT KOR WSM SAU SGP
        SLB LKA SYR TJK THA TLS TON TKM TUV ARE UZB VUT VNM YEM PSE""",
    RegionalGroup.EEG: """
        ALB ARM AZE BLR BIH BGR HRV CZE EST GEO HUN LVA LTU MNE POL MDA ROU RUS SRB SVK
        SVN MKD UKR""",
    RegionalGroup.GRULAC: """
        ATG ARG BHS BRB BLZ BOL BRA CHL COL CRI CUB DMA DOM ECU SLV GRD GTM GUY HTI HND
        JAM MEX NIC PAN PRY PER KNA LCA VCT SUR TTO URY VEN""",
    # The United States attends WEOG as an observer and is counted with it; so do the
    # UPR databases.
    RegionalGroup.WEOG: """
        AND AUS AUT BEL CAN DNK FIN FRA DEU GRC ISL IRL ISR ITA LIE LUX MLT MCO NLD NZL
        NOR PRT SMR ESP SWE CHE TUR GBR USA""",
}

# Non-member observer states: reviewed by no one, but named in UN documents.
OBSERVERS = frozenset({"VAT", "PSE"})

# The UN's own short names where ISO 3166 words them differently.
UN_NAMES = {
    "BOL": "Bolivia (Plurinational State of)",
    "COD": "Democratic Republic of the Congo",
    "FSM": "Micronesia (Federated States of)",
    "GBR": "United Kingdom of Great Britain and Northern Ireland",
    "IRN": "Iran (Islamic Republic of)",
    "KOR": "Republic of Korea",
    "MDA": "Republic of Moldova",
    "PRK": "Democratic People's Republic of Korea",
    "PSE": "State of Palestine",
    "TZA": "United Republic of Tanzania",
    "USA": "United States of America",
    "VAT": "Holy See",
    "VEN": "Venezuela (Bolivarian Republic of)",
}


@dataclass(frozen=True, slots=True)
class StateRecord:
    code: str
    alpha2: str
    numeric: str
    name: str
    official_name: str | None
    un_member: bool
    un_observer: bool
    regional_group: RegionalGroup | None


def regional_groups() -> dict[str, RegionalGroup]:
    return {code: group for group, codes in _GROUPS.items() for code in codes.split()}


def all_states() -> list[StateRecord]:
    """Every ISO 3166-1 country; the 193 UN members and 2 observers marked as such."""
    groups = regional_groups()
    records = []
    for country in pycountry.countries:
        code = country.alpha_3
        if code in groups or code in OBSERVERS:  # UN short names: ISO's, unless UN_NAMES says
            name = UN_NAMES.get(code, country.name)
        else:
            name = getattr(country, "common_name", None) or country.name
        records.append(
            StateRecord(
                code=code,
                alpha2=country.alpha_2,
                numeric=country.numeric,
                name=name,
                official_name=getattr(country, "official_name", None),
                un_member=code in groups and code not in OBSERVERS,
                un_observer=code in OBSERVERS,
                regional_group=groups.get(code),
            )
        )
    return records
