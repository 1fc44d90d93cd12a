"""Global ids: opaque, reversible, and refused clearly when forged."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schema.errors import BadUserInput
from schema.relay import expect_global_id, from_global_id, to_global_id

type_names = st.from_regex(r"[A-Z][A-Za-z]{0,20}", fullmatch=True)


# Keys never hold NUL: such ids are refused (see below).
@given(type_names, st.text(min_size=1, max_size=60).filter(lambda key: "\x00" not in key))
def test_global_ids_round_trip(type_name: str, key: str) -> None:
    assert from_global_id(to_global_id(type_name, key)) == (type_name, key)


def test_global_ids_are_url_safe_and_unpadded() -> None:
    global_id = to_global_id("Recommendation", "01a22029-e97b-7336-a09a-0f45b72e61d3")
    assert set(global_id) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@pytest.mark.parametrize(
    "forged", ["", "!!!", "bm9jb2xvbg", "OmtleQ", "UmV2aWV3Og", "/w", "U3RhdGU6AA"]
)
def test_forged_ids_are_bad_user_input(forged: str) -> None:
    # "bm9jb2xvbg" has no colon, "OmtleQ" no type, "UmV2aWV3Og" no key, "/w" is not UTF-8,
    # "U3RhdGU6AA" has a NUL key.
    with pytest.raises(BadUserInput, match="Malformed id"):
        from_global_id(forged)


def test_an_id_of_another_type_is_refused() -> None:
    with pytest.raises(BadUserInput, match="Review"):
        expect_global_id(to_global_id("State", "KEN"), "Review")
