"""The reference data shipped in the code: states, groups, vocabularies."""

from __future__ import annotations

from collections import Counter

from schema.reference import states, vocabularies
from schema.tables.reference import RegionalGroup


def test_193_member_states_in_five_groups_plus_two_observers() -> None:
    records = {record.code: record for record in states.all_states()}
    members = [r for r in records.values() if r.un_member]
    assert len(members) == 193
    assert all(r.regional_group is not None for r in members)
    assert {code for code, r in records.items() if r.un_observer} == {"VAT", "PSE"}
    assert Counter(r.regional_group for r in members) == {
        RegionalGroup.AFRICA: 54,
        RegionalGroup.ASIA_PACIFIC: 54,
        RegionalGroup.EEG: 23,
        RegionalGroup.GRULAC: 33,
        RegionalGroup.WEOG: 29,
    }


def test_states_carry_un_names() -> None:
    records = {record.code: record for record in states.all_states()}
    assert records["BOL"].name == "Bolivia (Plurinational State of)"
    assert records["VEN"].name == "Venezuela (Bolivarian Republic of)"
    assert records["PRK"].name == "Democratic People's Republic of Korea"
    assert records["TUR"].name == "Türkiye"
    assert records["CIV"].name == "Côte d'Ivoire"
    assert records["VAT"].name == "Holy See"
    assert records["VNM"].name == "Viet Nam"
    assert records["LAO"].name == "Lao People's Democratic Republic"
    assert records["TWN"].name == "Taiwan"  # not a UN member: ISO's common name
    assert len({r.name for r in records.values()}) == len(records)


def test_vocabularies_are_complete() -> None:
    assert len(vocabularies.themes()) == 54
    assert len(vocabularies.affected_persons()) == 26
    assert len(vocabularies.sdg_goals()) == 17
    targets = vocabularies.sdg_targets()
    assert len(targets) == 169
    assert {"16.3", "16.10", "16.a", "5.c", "17.19"} <= set(targets)
    assert "17.a" not in targets


def test_codes_are_stable_slugs() -> None:
    assert vocabularies.slug("Women's rights") == "womens-rights"
    assert vocabularies.slug("Torture and other CID treatment") == "torture-and-other-cid-treatment"
    assert vocabularies.slug("HIV - Aids") == "hiv-aids"
    assert "law-enforcement-police-prison-officials" in vocabularies.affected_persons()
