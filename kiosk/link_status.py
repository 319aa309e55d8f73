"""What the kiosk tells HQ about its link: the retained status and the local outbox state."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from kiosk import __version__
from kiosk.clock import iso
from kiosk.store import EVENT_SEQ_SCOPE, Store

STATUS_VERSION = 1


def status_topic(prefix: str, site: str, kiosk: str) -> str:
    return f"{prefix}/{site}/{kiosk}/status"


def outbox_status(store: Store) -> dict[str, Any]:
    """Pending count, oldest pending event, last seq and last successful publish."""
    pending, oldest = store.db.execute("SELECT count(*), min(created_at) FROM outbox").fetchone()
    seq_row = store.one("SELECT value FROM counters WHERE scope = ?",
                        [f"{EVENT_SEQ_SCOPE}:{store.identity.kiosk}"])
    last = store.one("SELECT value FROM sync_state WHERE name = 'last_publish_at'")
    age = None
    if oldest:
        then = datetime.fromisoformat(oldest.replace("Z", "+00:00"))
        age = round(max((store.clock.now() - then).total_seconds(), 0.0), 3)
    return {"pending": pending, "oldest_pending_at": oldest, "oldest_pending_age_s": age,
            "last_seq": seq_row["value"] if seq_row else 0,
            "last_publish_at": last["value"] if last else None}


def status_payload(store: Store, state: str, **extra: Any) -> dict[str, Any]:
    ident = store.identity
    body = {"v": STATUS_VERSION, "state": state, "site": ident.site, "kiosk": ident.kiosk,
            "at": iso(store.clock.now()), "software": __version__}
    if state == "online":
        body.update(outbox_status(store))
    body.update(extra)
    return body


def encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
