"""fct_conversations against an independent Python computation from the raw tables."""

from __future__ import annotations

import math

import pytest

from reference import conversation_timelines

COMPARED = [
    "first_human_response_seconds",
    "is_bot_involved",
    "is_human_involved",
    "is_handed_off",
    "is_contained",
    "is_escalated",
    "is_marked_resolved",
    "is_resolved",
    "reopen_count",
    "is_reopened",
    "message_count",
    "visitor_message_count",
    "bot_message_count",
    "human_message_count",
]


@pytest.fixture(scope="module")
def marts(warehouse):
    columns = ", ".join(["conversation_id", "started_at", *COMPARED])
    rows = warehouse.df(f"select {columns} from marts.fct_conversations")
    return {r["conversation_id"]: r for r in rows.to_dict("records")}


@pytest.fixture(scope="module")
def expected(warehouse):
    return {
        cid: t for cid, t in conversation_timelines(warehouse.path).items() if not t["is_internal"]
    }


def same(a, b) -> bool:
    a_missing = a is None or (isinstance(a, float) and math.isnan(a))
    b_missing = b is None or (isinstance(b, float) and math.isnan(b))
    if a_missing or b_missing:
        return a_missing and b_missing
    if isinstance(a, float) or isinstance(b, float):
        return abs(float(a) - float(b)) < 1e-6
    return bool(a == b) if isinstance(a, bool) or isinstance(b, bool) else a == b


def test_same_conversations(marts, expected):
    assert set(marts) == set(expected)
    assert len(marts) > 500


@pytest.mark.parametrize("column", COMPARED)
def test_every_conversation_matches(marts, expected, column):
    wrong = [
        (cid, marts[cid][column], expected[cid][column])
        for cid in expected
        if not same(marts[cid][column], expected[cid][column])
    ]
    assert not wrong, f"{len(wrong)} conversations differ on {column}, e.g. {wrong[:5]}"


def test_the_data_has_the_mess_and_the_cases(marts, expected, warehouse):
    """The comparison is only worth something if the data exercises every rule."""
    values = list(expected.values())
    assert sum(v["reopen_count"] > 0 for v in values) >= 5
    assert sum(v["is_handed_off"] for v in values) >= 20
    assert sum(v["is_contained"] for v in values) >= 20
    assert sum(v["first_human_response_seconds"] is not None for v in values) >= 100
    dupes = warehouse.query("select count(*) - count(distinct event_id) from raw.chat_events")[0][0]
    assert dupes > 0, "the generated data should contain duplicate events"
    exported = warehouse.query(
        "select count(*) from marts.fct_conversations where source_system = 'message_export'"
    )[0][0]
    assert exported > 0, "the generated data should contain exported conversations"
