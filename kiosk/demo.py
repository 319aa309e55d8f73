"""Demo data: a small crib with people, badges, qualifications and tools.

Some tools are due for inspection, one is overdue for inspection, one loan is
overdue, so every refusal the kiosk can give can be tried from the keyboard.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from kiosk.clock import iso
from kiosk.config import Settings, parse_settings
from kiosk.numbering import Scheme
from kiosk.pins import hash_pin
from kiosk.records import add_asset, add_badge, add_person
from kiosk.store import Store

DEMO_SITE = "HAM"
DEMO_KIOSK = "crib-1"

CATEGORIES = [
    # code, name, loan days, qualification, inspection interval (days), useful life (years)
    ("DRL", "Drills", 7, None, 365, 5),
    ("TRQ", "Torque wrenches", 3, "torque", 180, 8),
    ("LAP", "Laptops", 14, None, None, 4),
    ("MET", "Meters", 7, "electrical", 365, 10),
]
PEOPLE = [
    # employee no, name, department, badge, attendant
    ("E1001", "Anna Müller", "Maintenance", "0004011234", 1),
    ("E1002", "Jiří Kuče", "Assembly", "0004015678", 0),
    ("E1003", "Ōgaki Hiroshi", "Electrical", "0004019999", 0),
    ("E1004", "Sam Blocked", "Assembly", "0004020000", 0),
]
TOOLS = [
    # category, name, manufacturer, model, serial, inspection offset (days from today)
    ("DRL", "Cordless drill 18V", "Makita", "DDF484", "MK-48401", 200),
    ("DRL", "Hammer drill", "Bosch", "GBH 2-28", "BO-22801", 3),
    ("TRQ", "Torque wrench 20-100 Nm", "Stahlwille", "730/10", "ST-73010", 90),
    ("TRQ", "Torque wrench 60-300 Nm", "Stahlwille", "730/40", "ST-73040", -5),
    ("LAP", "Service laptop", "Lenovo", "T14", "LN-T14-77", None),
    ("MET", "Insulation tester", "Fluke", "1507", "FL-1507-3", 120),
    ("DRL", "Angle grinder 125 mm", "Metabo", "W 9-125", "MB-912-5", 40),
    ("LAP", "Diagnostic tablet", "Panasonic", "FZ-G2", "PA-G2-12", None),
]
DEMO_PIN = "1234"  # Anna Müller's attendant PIN in the demo
# (tool index in TOOLS, holder, days since checkout): one loan overdue, one current.
LOANS = [(6, "E1002", 20), (7, "E1003", 2)]


def demo_settings(data_dir: Path) -> Settings:
    return parse_settings({
        "kiosk": {"site": DEMO_SITE, "kiosk_id": DEMO_KIOSK, "mode": "crib",
                  "data_dir": str(data_dir)},
        "gpio": {"pin_factory": "mock"},
        "printer": {"connection": "dummy"},
        "station": {"location": "CRIB"},
    }, source="built-in demo settings")


def seed(store: Store, scheme: Scheme, today: dt.date | None = None) -> dict[str, list[str]]:
    """Fill an empty database; returns the badges and asset numbers created."""
    today = today or store.clock.now().date()
    with store.transaction() as db:
        db["locations"].insert_all([
            {"code": "CRIB", "name": "Tool crib"}, {"code": "SHELF-A", "name": "Shelf A"},
            {"code": "VAN-3", "name": "Service van 3"}])
        db["categories"].insert_all([
            {"code": c, "name": n, "loan_days": d, "qualification": q,
             "inspection_interval_days": i, "useful_life_years": life}
            for c, n, d, q, i, life in CATEGORIES])
    badges, numbers = [], []
    for employee_no, name, department, badge, attendant in PEOPLE:
        add_person(store, employee_no=employee_no, name=name, department=department,
                   attendant=attendant)
        add_badge(store, employee_no=employee_no, raw=badge)
        badges.append(badge)
    with store.transaction() as db:
        db.execute("UPDATE badges SET blocked = 1 WHERE employee_no = 'E1004'")
        db["qualifications"].insert_all([
            {"employee_no": "E1001", "kind": "torque", "valid_until": str(today.replace(
                year=today.year + 1))},
            {"employee_no": "E1003", "kind": "electrical",
             "valid_until": str(today + dt.timedelta(days=400))},
            {"employee_no": "E1002", "kind": "torque",
             "valid_until": str(today - dt.timedelta(days=10))}])
    for category, name, manufacturer, model, serial, inspect_in in TOOLS:
        due = None if inspect_in is None else str(today + dt.timedelta(days=inspect_in))
        numbers.append(add_asset(store, scheme, name=name, category=category, location="CRIB",
                                 manufacturer=manufacturer, model=model, serial=serial,
                                 next_inspection_due=due))
    _demo_loans(store, numbers)
    return {"badges": badges, "assets": numbers}


def _demo_loans(store: Store, numbers: list[str]) -> None:
    """Loans already running when the demo starts, and the attendant's PIN."""
    now = store.clock.now()
    loan_days = {code: days for code, _, days, *_ in CATEGORIES}
    with store.transaction() as db:
        db.execute("UPDATE people SET pin_hash = ? WHERE employee_no = 'E1001'",
                   [hash_pin(DEMO_PIN)])
        for index, holder, days_ago in LOANS:
            due = iso(now - dt.timedelta(days=days_ago)
                      + dt.timedelta(days=loan_days[TOOLS[index][0]]))
            db.execute("UPDATE assets SET status = 'checked_out', holder = ?, due_at = ?, "
                       "current_location = NULL WHERE number = ?", [holder, due, numbers[index]])
            store.record("loan.checked_out", {"due_at": due, "seeded": True}, actor=holder,
                         asset=numbers[index])
