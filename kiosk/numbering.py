"""Inventory numbers: a configurable scheme with a check character.

A scheme such as ``{site}-{category}-{yy}{seq:05}{check}`` is split into
literal text and tokens. The *scope* of a number is everything rendered before
the sequence token; each scope has its own counter in the ``counters`` table,
incremented inside a ``BEGIN IMMEDIATE`` transaction so two processes never
receive the same number.

Check characters come from python-stdnum:

- ``damm``: computed over the digits of the number (letters are not
  protected; use ``mod37-36`` when the scheme has letters that matter).
  Detects every single-digit error and every adjacent transposition.
- ``mod37-36``: ISO/IEC 7064 MOD 37-36 over all letters and digits. Catches
  every single substitution but misses about 0.15 % of adjacent transpositions
  (e.g. KELKW / KEKLW): a property of the hybrid algorithm, see docs/foundation.md.
- ``mod37-2``: ISO/IEC 7064 MOD 37-2 over letters and digits; catches every
  single substitution and every adjacent transposition, but the check
  character can be ``*`` (fine in QR and Code 128, not in Code 39).
- ``none``.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

from stdnum import damm
from stdnum.exceptions import ValidationError
from stdnum.iso7064 import mod_37_2, mod_37_36

if TYPE_CHECKING:
    from kiosk.config import NumberingSection

TOKEN_RE = re.compile(r"\{([a-z]+)(?::(\d+))?\}")
KNOWN_TOKENS = {"site", "kiosk", "category", "location", "department", "yyyy", "yy", "seq",
                "check"}
ALNUM = string.digits + string.ascii_uppercase


class NumberStatus(Enum):
    OK = "ok"
    MALFORMED = "malformed"
    CHECK_WRONG = "check-wrong"


@dataclass(frozen=True)
class Part:
    token: str | None  # None for literal text
    text: str = ""     # literal text
    width: int = 0     # zero-padding of seq


@dataclass(frozen=True)
class Scheme:
    template: str
    check: str
    parts: tuple[Part, ...]

    @property
    def tokens(self) -> list[str]:
        return [p.token for p in self.parts if p.token]

    def render(self, values: dict[str, Any], seq: int) -> str:
        """The full number (with check character) for these token values."""
        body = ""
        for part in self.parts:
            if part.token is None:
                body += part.text
            elif part.token == "seq":
                body += str(seq).zfill(part.width)
            elif part.token != "check":
                body += str(values[part.token]).upper()
        return body + check_character(self.check, body)

    def scope(self, values: dict[str, Any]) -> str:
        """Rendered text before the sequence token: numbers in one scope share a counter."""
        out = ""
        for part in self.parts:
            if part.token == "seq":
                break
            out += part.text if part.token is None else str(values[part.token]).upper()
        return out

    def regex(self) -> re.Pattern[str]:
        pattern = ""
        for part in self.parts:
            if part.token is None:
                pattern += re.escape(part.text)
            elif part.token == "seq":
                pattern += rf"\d{{{max(part.width, 1)},}}"
            elif part.token == "yy":
                pattern += r"\d{2}"
            elif part.token == "yyyy":
                pattern += r"\d{4}"
            elif part.token == "check":
                pattern += {"damm": "[0-9]", "mod37-2": r"[0-9A-Z*]"}.get(self.check, "[0-9A-Z]")
            else:
                # Codes may contain - and _ (location "VAN-3"); lazy so literals still split.
                pattern += "[A-Z0-9][A-Z0-9_-]*?"
        # ASCII: \d must not accept Arabic-Indic or full-width digits from a scanner.
        return re.compile(pattern, re.ASCII)

    def validate(self, text: str) -> NumberStatus:
        """Tell a malformed number from one whose check character is wrong."""
        candidate = text.strip().upper()
        if not self.regex().fullmatch(candidate):
            return NumberStatus.MALFORMED
        if "check" not in self.tokens or self.check == "none":
            return NumberStatus.OK
        return NumberStatus.OK if verify_check(self.check, candidate) else \
            NumberStatus.CHECK_WRONG


def parse_scheme(template: str, check: str = "damm") -> Scheme:
    parts: list[Part] = []
    position = 0
    for match in TOKEN_RE.finditer(template):
        if match.start() > position:
            parts.append(Part(None, template[position:match.start()]))
        token, width = match.group(1), match.group(2)
        if token not in KNOWN_TOKENS:
            raise ValueError(f"unknown token {{{token}}}; known: "
                             f"{', '.join(sorted(KNOWN_TOKENS))}")
        parts.append(Part(token, width=int(width) if width else 0))
        position = match.end()
    if position < len(template):
        parts.append(Part(None, template[position:]))
    if "{" in "".join(p.text for p in parts) or "}" in "".join(p.text for p in parts):
        raise ValueError("unbalanced braces")
    return Scheme(template, check if "{check}" in template else "none", tuple(parts))


def scheme_problems(section: NumberingSection) -> list[str]:
    """Config validation for [numbering]."""
    try:
        scheme = parse_scheme(section.scheme, section.check)
    except ValueError as exc:
        return [f"numbering.scheme: {exc}"]
    problems = []
    if scheme.tokens.count("seq") != 1:
        problems.append("numbering.scheme: needs exactly one {seq} (or {seq:05}) token")
    if section.check != "none" and "check" not in scheme.tokens:
        problems.append(f"numbering.scheme: check = \"{section.check}\" but the scheme has no "
                        "{check} token; add it at the end or set check = \"none\"")
    if "check" in scheme.tokens and scheme.parts[-1].token != "check":
        problems.append("numbering.scheme: {check} must be the last token of the scheme")
    block = section.reserved_block
    if block and (len(block) != 2 or block[0] < 0 or block[0] > block[1]):
        problems.append("numbering.reserved_block: give [first, last] with first <= last")
    if not ({"site", "kiosk"} & set(scheme.tokens)) and not block:
        problems.append("numbering.scheme: two kiosks of one fleet could hand out the same "
                        "number; add {site} or {kiosk} to the scheme, or set "
                        "numbering.reserved_block = [first, last] per kiosk")
    return problems


def _digits(body: str) -> str:
    return "".join(c for c in body if c in string.digits)


def _alnum(body: str) -> str:
    return "".join(c for c in body.upper() if c in ALNUM)


def check_character(method: str, body: str) -> str:
    if method == "damm":
        return damm.calc_check_digit(_digits(body))
    if method == "mod37-36":
        return mod_37_36.calc_check_digit(_alnum(body))
    if method == "mod37-2":
        return mod_37_2.calc_check_digit(_alnum(body))
    return ""


def verify_check(method: str, number: str) -> bool:
    """True when the check character of a full number is right."""
    try:
        if method == "damm":
            damm.validate(_digits(number))
        elif method == "mod37-36":
            mod_37_36.validate(_alnum(number))
        elif method == "mod37-2":
            # The check character is last and may be "*", which _alnum would drop;
            # a "*" anywhere else is not a number of ours.
            if "*" in number[:-1]:
                return False
            mod_37_2.validate(_alnum(number[:-1]) + number[-1:].upper())
    except ValidationError:
        return False
    return True


def token_values(*, site: str, kiosk: str, category: str = "", location: str = "",
                 department: str = "", today: dt.date | None = None) -> dict[str, str]:
    today = today or dt.date.today()
    return {"site": site, "kiosk": kiosk, "category": category, "location": location,
            "department": department, "yyyy": f"{today.year:04d}", "yy": f"{today.year % 100:02d}"}
