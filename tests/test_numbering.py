from __future__ import annotations

import datetime as dt

import pytest

from kiosk.numbering import NumberStatus, check_character, parse_scheme, verify_check
from kiosk.records import add_asset


def test_damm_reference_values():
    # Published examples: Damm check digit of 572 is 4 (H. M. Damm 2004; Wikipedia).
    assert check_character("damm", "572") == "4"
    assert verify_check("damm", "5724")
    assert not verify_check("damm", "5274")


def test_mod37_36_reference_value():
    # ISO/IEC 7064 MOD 37-36 example used by python-stdnum's doctest.
    assert check_character("mod37-36", "A12425GABC1234002") == "M"
    assert verify_check("mod37-36", "A12425GABC1234002M")


def test_render_scope_and_validate():
    scheme = parse_scheme("{site}-{category}-{yy}{seq:05}{check}", "damm")
    values = {"site": "ham", "category": "DRL", "yy": "26"}
    number = scheme.render(values, 42)
    assert number.startswith("HAM-DRL-2600042")
    assert scheme.scope(values) == "HAM-DRL-26"
    assert scheme.validate(number) is NumberStatus.OK
    assert scheme.validate(number[:-1] + str((int(number[-1]) + 1) % 10)) is \
        NumberStatus.CHECK_WRONG
    assert scheme.validate("HAM-DRL-26") is NumberStatus.MALFORMED
    assert scheme.validate("hello") is NumberStatus.MALFORMED


def test_generated_numbers_and_existing_labels(store, scheme):
    with store.transaction() as db:
        db["categories"].insert({"code": "DRL", "name": "Drills"})
    first = add_asset(store, scheme, name="Drill", category="DRL")
    second = add_asset(store, scheme, name="Drill 2", category="DRL")
    assert first.endswith(check_character("damm", first[:-1]))
    assert first[:-1].endswith("00001") and second[:-1].endswith("00002")
    kept = add_asset(store, scheme, name="Old", category="DRL", number="OLD-LABEL-7")
    assert kept == "OLD-LABEL-7"
    history = store.all("SELECT type, asset FROM events ORDER BY seq")
    assert [h["asset"] for h in history] == [first, second, kept]


def test_reserved_block_limits_allocation(store):
    scheme = parse_scheme("{category}{seq:03}{check}", "mod37-36")
    with store.transaction() as db:
        db["categories"].insert({"code": "X", "name": "X"})
    numbers = [add_asset(store, scheme, name=f"n{i}", category="X", reserved_block=[5, 6])
               for i in range(2)]
    assert [n[:-1] for n in numbers] == ["X005", "X006"]
    with pytest.raises(Exception, match="used up"):
        add_asset(store, scheme, name="n3", category="X", reserved_block=[5, 6])


def test_year_token_uses_the_clock(store, clock):
    clock.moment = dt.datetime(2031, 1, 1, tzinfo=dt.UTC)
    scheme = parse_scheme("{site}{yyyy}{seq:04}{check}", "damm")
    with store.transaction() as db:
        db["categories"].insert({"code": "X", "name": "X"})
    assert add_asset(store, scheme, name="a", category="X").startswith("HAM20310001")
