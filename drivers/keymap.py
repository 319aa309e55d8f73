"""KeyDecoder: evdev key events of one device -> scans (pure; no evdev import).

Feed it (type, code, value) with the monotonic time the event was read.
Rules (see docs/scanners.md): emit on press in arrival order; autorepeat is
ignored (but timed, to report a stuck key); Shift/Ctrl/Alt/AltGr/Caps Lock are
this device's own state, never the host's; Ctrl chords are C0 control
characters kept as data; Backspace and Ctrl+H never edit; Alt + keypad
digits is a character (leading 0 = Windows-1252, else code page 437, below 32
the control character itself); unknown keys and stray Alt chords flag the
scan and never raise; SYN_DROPPED discards the partial scan and re-reads the
held keys from the device.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from drivers.framing import DecodedScan, Framing, ScanFramer
from drivers.keycodes import (
    CAPSLOCK,
    CONTROL_KEYS,
    CTRL_KEYS,
    EV_KEY,
    EV_SYN,
    KEY_PRESS,
    KEY_RELEASE,
    KEY_REPEAT,
    KEYPAD_CHARS,
    KEYPAD_DIGITS,
    LEFT_ALT,
    LOCK_KEYS,
    META_KEYS,
    NUMLOCK,
    RIGHT_ALT,
    SHIFT_KEYS,
    SYN_DROPPED,
    SYN_REPORT,
    key_name,
)
from drivers.layouts import DEAD_SPACING, Layout, compose, get_layout, is_dead

MODIFIERS = SHIFT_KEYS | CTRL_KEYS | META_KEYS | {LEFT_ALT, RIGHT_ALT}
CTRL_SYMBOLS = "@[\\]^_"  # Ctrl + these give NUL, ESC, FS, GS, RS, US


@dataclass(frozen=True)
class Diagnostic:
    """Something worth logging that is not a scan: stuck_key, syn_dropped, abandoned."""

    kind: str
    detail: str
    at: float


@dataclass(frozen=True)
class Typed:
    """What one key press produced: text, or a flag with its explanation."""

    text: str = ""
    flag: str | None = None
    note: str = ""


NOTHING = Typed()


class KeyState:
    """Modifier, lock, dead-key and Alt-numpad state of one device."""

    def __init__(self, layout: Layout, profile: Mapping[int, str] | None = None) -> None:
        self.layout = layout
        self.profile = dict(profile or {})
        self.reset()

    def reset(self, held: Iterable[int] = ()) -> None:
        self.down = {code for code in held if code in MODIFIERS}
        self.caps = False
        self.numlock = False  # diagnostics only: keypad keys are characters either way
        self.alt_digits: str | None = "" if self.alt_held() else None
        self.dead: str | None = None

    def alt_held(self) -> bool:
        return LEFT_ALT in self.down or (RIGHT_ALT in self.down and not self.layout.has_altgr)

    def ctrl_held(self) -> bool:
        return bool(self.down & CTRL_KEYS)

    def press(self, code: int) -> Typed:
        if code in MODIFIERS:
            self.down.add(code)
            if self.alt_held() and self.alt_digits is None:
                self.alt_digits = ""
            return NOTHING
        if code == CAPSLOCK:
            self.caps = not self.caps
            return NOTHING
        if code in LOCK_KEYS:
            self.numlock ^= code == NUMLOCK
            return NOTHING
        if code in self.profile:
            return Typed(self.flush_dead() + self.profile[code])
        if self.alt_held():
            return self._alt_press(code)
        if self.ctrl_held():
            return self._ctrl_press(code)
        return self._plain_press(code)

    def release(self, code: int) -> Typed:
        if code not in self.down:
            return NOTHING  # e.g. a key pressed before the grab: ignore its release
        self.down.discard(code)
        if self.alt_held() or self.alt_digits is None:
            return NOTHING
        digits, self.alt_digits = self.alt_digits, None
        return alt_code(digits) if digits else NOTHING

    def flush_dead(self) -> str:
        dead, self.dead = self.dead, None
        return DEAD_SPACING[dead] if dead else ""

    def _alt_press(self, code: int) -> Typed:
        if code in KEYPAD_DIGITS and self.alt_digits is not None:
            self.alt_digits += str(KEYPAD_DIGITS[code])
            return NOTHING
        self.alt_digits = None  # a chord spoils this Alt hold: its digits mean nothing now
        alt = "LEFTALT" if LEFT_ALT in self.down else "RIGHTALT"
        return Typed(flag="stray-alt", note=f"Alt chord ({alt}+{key_name(code)[4:]})")

    def _ctrl_press(self, code: int) -> Typed:
        if code in CONTROL_KEYS:
            return Typed(CONTROL_KEYS[code])
        for level in (0, 1):  # Shift is ignored inside a Ctrl chord (Ctrl+Shift+J = LF)
            char = self.layout.char(code, level)
            if char and char.isascii() and char.isalpha():
                return Typed(chr(ord(char.upper()) - 64))
            if char and char in CTRL_SYMBOLS:
                return Typed(chr(ord(char) - 64))
            if char == " ":
                return Typed("\0")
        return Typed(flag="ctrl-chord", note=f"Ctrl chord (CTRL+{key_name(code)[4:]}) "
                                             "is no control character")

    def _plain_press(self, code: int) -> Typed:
        if code in KEYPAD_CHARS:
            return self._with_dead(KEYPAD_CHARS[code])
        if code in CONTROL_KEYS:
            return Typed(self.flush_dead() + CONTROL_KEYS[code])
        char = self.layout.char(code, self._level(code))
        if char is None:
            if code in self.layout.keys:
                return Typed(flag="no-character", note=f"{key_name(code)} at this shift level "
                                                       f"types nothing on {self.layout.name}")
            return Typed(flag="unknown-key", note=f"contained unknown key {code} "
                                                  f"({key_name(code)})")
        if is_dead(char):
            previous, self.dead = self.flush_dead(), char
            return Typed(previous)
        return self._with_dead(char)

    def _level(self, code: int) -> int:
        shift = bool(self.down & SHIFT_KEYS)
        base = self.layout.char(code, 0) or ""
        if self.caps and base.isalpha() and self.layout.char(code, 1) == base.upper():
            shift = not shift  # Caps Lock affects letters only, and Shift inverts it
        altgr = RIGHT_ALT in self.down and self.layout.has_altgr
        return (2 if altgr else 0) + (1 if shift else 0)

    def _with_dead(self, char: str) -> Typed:
        if not self.dead:
            return Typed(char)
        dead, self.dead = self.dead, None
        composed = compose(dead, char)
        return Typed(composed if composed else DEAD_SPACING[dead] + char)


def alt_code(digits: str) -> Typed:
    """Alt + keypad digits as Windows does it; values below 32 stay control characters."""
    value = int(digits)
    if value > 255:
        return Typed(flag="stray-alt", note=f"Alt code {digits} is out of range")
    if value < 32:
        return Typed(chr(value))
    if digits.startswith("0"):
        try:
            return Typed(bytes([value]).decode("cp1252"))
        except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D: Windows passes them through
            return Typed(chr(value))
    return Typed(bytes([value]).decode("cp437"))


class KeyDecoder:
    """Turns the events of one input node into scans; one instance per node."""

    def __init__(self, layout: str | Layout = "us", profile: Mapping[int, str] | None = None,
                 framing: Framing | None = None,
                 active_keys: Callable[[], Iterable[int]] | None = None) -> None:
        self.layout = get_layout(layout) if isinstance(layout, str) else layout
        self.framing = framing or Framing()
        self.state = KeyState(self.layout, profile)
        self.framer = ScanFramer(self.framing)
        self.active_keys = active_keys
        self.diagnostics: list[Diagnostic] = []
        self.syn_dropped = 0
        self._dropping = False
        self._pressed_at: dict[int, float] = {}
        self._stuck_reported: set[int] = set()

    def feed(self, type_: int, code: int, value: int, now: float) -> list[DecodedScan]:
        """One event; returns the scans it (or an expired timer) completed."""
        done = self.poll(now) if self.framer.pending else []
        if type_ == EV_SYN:
            self._syn(code, now)
        elif type_ == EV_KEY and not self._dropping:
            done.extend(self._key(code, value, now))
        return done

    def feed_all(self, events: Iterable[tuple[int, int, int]], now: float) -> list[DecodedScan]:
        """A batch read at one moment (the reader drains everything pending per wake-up)."""
        done: list[DecodedScan] = []
        for type_, code, value in events:
            done.extend(self.feed(type_, code, value, now))
        return done

    def poll(self, now: float) -> list[DecodedScan]:
        """Apply the idle and abandon timers; call when `deadline()` has passed."""
        framer = self.framer
        deadline = framer.deadline()
        if deadline is None or now < deadline or framer.last_activity is None:
            return []
        gap = now - framer.last_activity
        idle = self.framing.idle_s
        if (idle is not None and gap >= idle) or framer.overflow:
            return framer.finish(framer.last_activity)
        if gap >= self.framing.abandon_s:
            self.discard("abandoned", now)
        return []

    def deadline(self) -> float | None:
        return self.framer.deadline()

    def discard(self, kind: str, now: float) -> None:
        """Drop the partial scan (unplug, SYN_DROPPED, abandon) and say so in diagnostics."""
        if self.framer.pending:
            text = self.framer.discard()
            self.diagnostics.append(Diagnostic(kind, f"partial scan of {len(text)} characters "
                                                     f"dropped: {text[:40]!r}", now))

    def take_diagnostics(self) -> list[Diagnostic]:
        taken, self.diagnostics = self.diagnostics, []
        return taken

    def _syn(self, code: int, now: float) -> None:
        if code == SYN_DROPPED:
            self.syn_dropped += 1
            self._dropping = True
            self.discard("syn_dropped", now)
            self.diagnostics.append(Diagnostic("syn_dropped", "kernel buffer overrun", now))
        elif code == SYN_REPORT and self._dropping:
            self._dropping = False
            held = list(self.active_keys()) if self.active_keys else []
            self.state.reset(held)
            self._pressed_at = {code: now for code in held}

    def _key(self, code: int, value: int, now: float) -> list[DecodedScan]:
        if value == KEY_REPEAT:
            self._check_stuck(code, now)
            return []
        if self.framer.pending:
            self.framer.touch(now)
        if value == KEY_RELEASE:
            self._pressed_at.pop(code, None)
            self._stuck_reported.discard(code)
            return self._typed(self.state.release(code), now)
        if value != KEY_PRESS:
            return []
        self._pressed_at[code] = now
        state = self.state
        if code in self.framing.terminators and not state.ctrl_held() and not state.alt_held():
            done = self.framer.add(state.flush_dead(), now)
            return done + self.framer.finish(now)
        return self._typed(state.press(code), now)

    def _typed(self, typed: Typed, now: float) -> list[DecodedScan]:
        if typed.flag:
            self.framer.flag(typed.flag, typed.note, now)
        return self.framer.add(typed.text, now) if typed.text else []

    def _check_stuck(self, code: int, now: float) -> None:
        since = self._pressed_at.get(code)
        if since is not None and now - since >= self.framing.stuck_s and \
                code not in self._stuck_reported:
            self._stuck_reported.add(code)
            self.diagnostics.append(Diagnostic(
                "stuck_key", f"{key_name(code)} held for {now - since:.1f} s (release lost?)",
                now))
