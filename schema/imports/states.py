"""State names as UN documents and public databases write them, to ISO alpha-3."""

from __future__ import annotations

import functools
import re
import unicodedata

import pycountry

from schema.reference.states import all_states

# Names the reference data does not carry: older UN names, short and common forms.
ALIASES = {
    "Turkey": "TUR",
    "Turkiye": "TUR",
    "Cote d'Ivoire": "CIV",
    "Ivory Coast": "CIV",
    "Vietnam": "VNM",
    "Laos": "LAO",
    "Russia": "RUS",
    "Syria": "SYR",
    "Iran": "IRN",
    "Bolivia": "BOL",
    "Venezuela": "VEN",
    "Tanzania": "TZA",
    "Moldova": "MDA",
    "United Kingdom": "GBR",
    "UK": "GBR",
    "United States": "USA",
    "USA": "USA",
    "Vatican": "VAT",
    "Palestine": "PSE",
    "North Korea": "PRK",
    "South Korea": "KOR",
    "Korea (Republic of)": "KOR",
    "Korea (Democratic People's Republic of)": "PRK",
    "Democratic Republic of Congo": "COD",
    "DR Congo": "COD",
    "Congo": "COG",
    "Republic of the Congo": "COG",
    "Czech Republic": "CZE",
    "Swaziland": "SWZ",
    "The former Yugoslav Republic of Macedonia": "MKD",
    "Macedonia": "MKD",
    "Cape Verde": "CPV",
    "Micronesia": "FSM",
    "Netherlands (Kingdom of the)": "NLD",
    "Brunei": "BRN",
    "Timor Leste": "TLS",
    "East Timor": "TLS",
    "Burma": "MMR",
    "Gambia (Republic of The)": "GMB",
    "The Gambia": "GMB",
    "Bahamas (The)": "BHS",
    "Saint Vincent and Grenadines": "VCT",
}


def fold(name: str) -> str:
    """Case, accents and punctuation ignored: "Côte d’Ivoire" -> "cotedivoire"."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[^a-z0-9]+", "", bare)


@functools.cache
def _index() -> dict[str, str]:
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            value = getattr(country, attribute, None)
            if value:
                names[fold(value)] = country.alpha_3
    for state in all_states():
        names[fold(state.name)] = state.code
    names.update({fold(alias): code for alias, code in ALIASES.items()})
    return names


@functools.lru_cache(maxsize=4096)
def state_code(name: str) -> str | None:
    """The alpha-3 code of a state named by UN name, ISO name, alias or alpha-3 code
    (cached: an export names the same few hundred states in every row)."""
    cleaned = name.strip()
    if len(cleaned) == 3 and cleaned.isalpha() and cleaned.isupper():
        return cleaned if pycountry.countries.get(alpha_3=cleaned) else None
    return _index().get(fold(cleaned)) if cleaned else None
