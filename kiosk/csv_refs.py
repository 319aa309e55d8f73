"""Categories and locations named in an import: found in the store, or planned as new.

Snipe-IT names categories and locations in full ("Structural and Misc Steel");
the kiosk keys them by short codes. A new one gets a code made from its name
(initials for categories, words for locations), unique among the stored ones
and the ones planned in the same import, so a second import finds it by name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from anyascii import anyascii

from kiosk.store import Store

TABLES = {"category": "categories", "location": "locations"}
CODE = re.compile(r"[A-Z0-9][A-Z0-9_-]{0,15}", re.ASCII)  # what numbering schemes can carry


@dataclass
class NewRef:
    entity: str      # category | location
    code: str
    name: str
    line: int        # first line that needed it
    listed: bool = False  # a row of the imported file itself (inserted by its own change)


@dataclass
class Refs:
    """Resolves references to codes; remembers what the import would create."""

    store: Store
    created: list[NewRef] = field(default_factory=list)

    def resolve(self, entity: str, value: str, by: str, line: int) -> str:
        """Code for `value` (a code or a name, per `by`), planning a new entry if unknown."""
        found = self.find(entity, value, by)
        if found is None and by == "code":
            found = self.find(entity, value, "name")  # people write names where codes go
        if found is not None:
            return found
        code_like = by == "code" and CODE.fullmatch(value) and not self.code_taken(entity, value)
        code = value if code_like else self.make_code(entity, value)
        self.created.append(NewRef(entity, code, value, line))
        return code

    def find(self, entity: str, value: str, by: str) -> str | None:
        for ref in self.created:
            if ref.entity == entity and (ref.code if by == "code" else ref.name) == value:
                return ref.code
        column = "code" if by == "code" else "name"
        row = self.store.one(f"SELECT code FROM {TABLES[entity]} WHERE {column} = ?", [value])
        return None if row is None else row["code"]

    def code_taken(self, entity: str, code: str) -> bool:
        if any(r.entity == entity and r.code == code for r in self.created):
            return True
        return self.store.one(f"SELECT 1 FROM {TABLES[entity]} WHERE code = ?",
                              [code]) is not None

    def name_of(self, entity: str, code: str) -> str | None:
        row = self.store.one(f"SELECT name FROM {TABLES[entity]} WHERE code = ?", [code])
        return None if row is None else row["name"]

    def make_code(self, entity: str, name: str) -> str:
        words = re.findall(r"[A-Z0-9]+", anyascii(name).upper()) or ["X"]
        if entity == "category":
            base = "".join(w[0] for w in words)[:5] if len(words) > 1 else words[0][:5]
        else:
            base = "-".join(words)[:16].rstrip("-")
        code, counter = base, 1
        while self.code_taken(entity, code):
            counter += 1
            code = f"{base}{counter}"
        return code

    def listed(self, code: str, name: str, line: int) -> None:
        """A location row of the file: later rows may name it as parent."""
        self.created.append(NewRef("location", code, name, line, listed=True))

    def new(self) -> list[NewRef]:
        """Categories and locations the import creates because rows refer to them."""
        return [r for r in self.created if not r.listed]

    def rows(self, entity: str, now: str) -> list[dict[str, Any]]:
        return [{"code": r.code, "name": r.name, "updated_at": now}
                for r in self.new() if r.entity == entity]
