"""Pure decisions: every refusal has its stable code; the same input gives the same answer."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.policy import (
    REASONS,
    Asset,
    Badge,
    Category,
    Holdings,
    Person,
    Rules,
    badge_denial,
    decide_tool,
    due_date,
    gate_denial,
    return_denial,
)

NOW = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
TODAY = NOW.date()
ANNA = Person("E1", "Anna", "Maintenance")
NOTHING_HELD, DEFAULT_RULES = Holdings(), Rules()
DRILLS = Category("DRL", "Drills", loan_days=7)
TORQUE = Category("TRQ", "Torque", loan_days=3, qualification="torque")


def drill(**changes: object) -> Asset:
    return Asset(**{"number": "HAM-DRL-1", "name": "Drill", "category": "DRL", **changes})


def decide(asset: Asset | None, person: Person = ANNA, category: Category | None = DRILLS,
           quals: dict[str, str] | None = None, holdings: Holdings = NOTHING_HELD,
           rules: Rules = DEFAULT_RULES) -> str:
    verdict = decide_tool(person, asset, category, quals or {}, holdings, rules, NOW)
    return verdict.denial.code if verdict.denial else verdict.action


@pytest.mark.parametrize(("badge", "person", "code"), [
    (None, None, "person-unknown"),
    (Badge("E1", blocked=True), ANNA, "badge-blocked"),
    (Badge("E1", valid_until="2026-12-02"), ANNA, "badge-expired"),
    (Badge("E1"), Person("E1", "Anna", active=False), "person-inactive"),
])
def test_badge_refusals_have_stable_codes(badge, person, code) -> None:
    assert badge_denial(badge, person, TODAY).code == code


def test_a_badge_valid_until_today_still_works() -> None:
    assert badge_denial(Badge("E1", valid_until="2026-12-03"), ANNA, TODAY) is None


@pytest.mark.parametrize(("asset", "code"), [
    (None, "asset-unknown"),
    (drill(status="retired"), "asset-retired"),
    (drill(status="lost"), "asset-lost"),
    (drill(status="maintenance"), "asset-maintenance"),
    (drill(status="awaiting_inspection"), "asset-awaiting-inspection"),
    (drill(status="checked_out", holder="E9"), "asset-out-to-other"),
    (drill(next_inspection_due="2026-12-02"), "inspection-overdue"),
])
def test_asset_refusals_have_stable_codes(asset, code) -> None:
    assert decide(asset) == code


def test_person_refusals() -> None:
    assert decide(drill(category="TRQ"), category=TORQUE) == "qualification-missing"
    assert decide(drill(category="TRQ"), category=TORQUE,
                  quals={"torque": "2026-12-01"}) == "qualification-expired"
    assert decide(drill(category="TRQ"), category=TORQUE, quals={"torque": ""}) == "checkout"
    assert decide(drill(), holdings=Holdings(10)) == "over-item-limit"
    assert decide(drill(), person=Person("E1", "A", item_limit=2),
                  holdings=Holdings(2)) == "over-item-limit"
    assert decide(drill(), holdings=Holdings(1, ("X-1",))) == "overdue-held"
    assert decide(drill(), holdings=Holdings(1, ("X-1",)),
                  rules=Rules(block_when_overdue=False)) == "checkout"


def test_a_tool_out_to_the_same_person_is_returned() -> None:
    assert decide(drill(status="checked_out", holder="E1")) == "return"


def test_due_date_is_the_end_of_the_day_loan_days_later() -> None:
    assert due_date(NOW, DRILLS) == dt.datetime(2026, 12, 10, 23, 59, 59, tzinfo=dt.UTC)
    assert due_date(NOW, TORQUE).date() == dt.date(2026, 12, 6)
    verdict = decide_tool(ANNA, drill(), DRILLS, {}, Holdings(), Rules(), NOW)
    assert verdict.due_at == due_date(NOW, DRILLS)


def test_same_input_same_decision() -> None:
    args = (ANNA, drill(category="TRQ"), TORQUE, {"torque": "2026-11-01"}, Holdings(3, ("A",)),
            Rules(), NOW)
    assert len({decide_tool(*args) for _ in range(20)}) == 1


def test_gate_decisions() -> None:
    out_to_anna = drill(status="checked_out", holder="E1")
    assert gate_denial(ANNA, out_to_anna, DRILLS, "Maintenance", Rules()) is None
    colleague = Person("E2", "Bo", "Maintenance")
    assert gate_denial(colleague, out_to_anna, DRILLS, "Maintenance",
                       Rules()).code == "gate-not-yours"
    assert gate_denial(colleague, out_to_anna, DRILLS, "Maintenance",
                       Rules(gate_allows_department=True)) is None
    assert gate_denial(ANNA, drill(free_to_leave=True), DRILLS, None, Rules()) is None
    assert gate_denial(ANNA, drill(), Category("LAP", free_to_leave=True), None, Rules()) is None
    assert gate_denial(ANNA, drill(), DRILLS, None, Rules()).code == "gate-not-yours"
    assert gate_denial(ANNA, None, None, None, Rules()).code == "asset-unknown"


def test_returns_take_anything_known_but_retired() -> None:
    assert return_denial(drill(status="lost")) is None
    assert return_denial(drill(status="retired")).code == "asset-retired"
    assert return_denial(None).code == "asset-unknown"


def test_every_reason_is_a_plain_sentence() -> None:
    for code, reason in REASONS.items():
        assert reason.endswith("."), code
        assert "_" not in reason, code
