"""A database-backed scan classifier used until the scanner's `kiosk.classify` is merged in.

Badge readers (role "badge") always give badges; otherwise a scan is a badge when the badge
table knows it and a tool when the asset table (or an alias) knows it. A tool scanner's
unknown code is still a tool scan, so the worker hears "not a tool we know".
"""

from __future__ import annotations

from kiosk import facts
from kiosk.badges import normalize_badge
from kiosk.scans import Classified, Scan
from kiosk.store import Store

MAX_SCAN = 200  # longer input is not a badge or label; refuse it instead of looking it up


def classify_by_lookup(scan: Scan, store: Store, badge_format: str = "decimal") -> Classified:
    text = scan.text.strip()
    if not text:
        return Classified(scan, "unknown", "", problem="The scan was empty. Please scan again.")
    if len(text) > MAX_SCAN or not text.isprintable():
        return Classified(scan, "unknown", text[:MAX_SCAN],
                          problem="That scan is not a badge or a tool label.")
    badge = _badge_key(text, badge_format)
    if scan.role == "badge":
        return Classified(scan, "badge", badge or text)
    if badge and scan.role != "tool" and facts.badge(store, badge) is not None:
        return Classified(scan, "badge", badge)
    asset = facts.asset(store, text)
    if asset is not None:
        return Classified(scan, "asset", asset.number)
    if scan.role == "tool":
        return Classified(scan, "asset", text.upper())
    return Classified(scan, "unknown", text,
                      problem="This code is not a badge or a tool we know.")


def _badge_key(text: str, badge_format: str) -> str | None:
    try:
        return normalize_badge(text, badge_format)
    except ValueError:
        return None
