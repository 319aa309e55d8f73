"""Green/red (optional amber) LEDs, an active buzzer and an optional gate relay via gpiozero.

Hardware truth:
- LEDs and the buzzer are active-high outputs on BCM pins; the buzzer is an *active* buzzer
  (own oscillator), driven on/off by `gpiozero.Buzzer`, so no PWM is needed.
- The relay polarity is per board (`active_high`); it is created at start-up with
  ``initial_value=False`` so the gate stays shut while the kiosk boots, and `close()` drives it
  to "off" before releasing the pin (a released active-low pin floats, which many boards read
  as "on").
- Every verb returns at once: patterns run in gpiozero's background threads, so a scan never
  waits for a beep. A new pattern on a device replaces the one running on it.

The pin factory is passed in (lgpio on a Pi, ``MockFactory`` in demo and tests); this module
never chooses one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gpiozero import LED, Buzzer, DigitalOutputDevice


@dataclass(frozen=True)
class IndicatorPins:
    """BCM pin numbers; -1 means "not fitted"."""

    green: int
    red: int
    amber: int = -1
    buzzer: int = -1
    relay: int = -1
    relay_active_high: bool = True
    relay_pulse_s: float = 1.0


# (on seconds, off seconds, repetitions) per pattern; kept short so a queue of people moves.
LED_PATTERNS = {"accept": (1.2, 0.0, 1), "deny": (2.0, 0.0, 1), "alarm": (0.2, 0.2, 10),
                "attention": (0.4, 0.3, 3)}
BEEP_PATTERNS = {"accept": (0.08, 0.0, 1), "deny": (0.3, 0.15, 2), "alarm": (0.2, 0.2, 10),
                 "attention": (0.05, 0.1, 2)}


class GpioIndicator:
    """Implements the kiosk's Indicator port with gpiozero output devices."""

    def __init__(self, pins: IndicatorPins, pin_factory: Any = None) -> None:
        self.pins = pins
        made: dict[str, Any] = {}
        try:
            made["green"] = LED(pins.green, pin_factory=pin_factory)
            made["red"] = LED(pins.red, pin_factory=pin_factory)
            if pins.amber >= 0:
                made["amber"] = LED(pins.amber, pin_factory=pin_factory)
            if pins.buzzer >= 0:
                made["buzzer"] = Buzzer(pins.buzzer, pin_factory=pin_factory)
            if pins.relay >= 0:
                made["relay"] = DigitalOutputDevice(pins.relay, active_high=pins.relay_active_high,
                                             initial_value=False, pin_factory=pin_factory)
        except Exception:
            for device in made.values():
                device.close()
            raise
        self.devices = made

    # -- the Indicator port ---------------------------------------------------------------

    def accept(self) -> None:
        self._show("green", "accept")

    def deny(self) -> None:
        self._show("red", "deny")

    def alarm(self) -> None:
        self._show("red", "alarm")

    def attention(self) -> None:
        self._show("amber" if "amber" in self.devices else "green", "attention")

    def pulse_relay(self) -> None:
        relay = self.devices.get("relay")
        if relay is not None:
            relay.blink(on_time=self.pins.relay_pulse_s, off_time=0, n=1, background=True)

    def off(self) -> None:
        for name, device in self.devices.items():
            if name != "relay":
                device.off()

    # -- for the on-screen mirror and shutdown ---------------------------------------------

    def state(self) -> dict[str, bool]:
        """Current level of every fitted device (True = on)."""
        return {name: bool(device.value) for name, device in self.devices.items()}

    def settle(self, timeout: float = 5.0) -> None:
        """Wait until every running pattern has finished (tests, bench, orderly shutdown)."""
        for device in self.devices.values():
            thread = getattr(device, "_blink_thread", None)  # gpiozero's pattern thread
            if thread is not None:
                thread.join(timeout)

    def close(self) -> None:
        """Relay to its safe level, patterns stopped, pins released; safe to call twice."""
        if not self.devices:
            return
        relay = self.devices.get("relay")
        if relay is not None:
            relay.off()
        for device in self.devices.values():
            device.off()        # stops a running pattern thread before the pin goes away
            device.close()
        self.devices = {}

    def _show(self, led_name: str, pattern: str) -> None:
        # Every LED off first, the chosen one too: a new decision restarts its pattern with
        # a fresh edge even while the previous one is still lit.
        for name in ("green", "red", "amber"):
            if name in self.devices:
                self.devices[name].off()
        # The first edge is driven here, on the caller's thread, right after the commit: the
        # pattern thread then only times the rest. Waiting for a new thread to be scheduled
        # before the light comes on cost up to 20 ms on a loaded 2-core machine.
        on_s, off_s, times = LED_PATTERNS[pattern]
        led = self.devices[led_name]
        led.on()
        led.blink(on_time=on_s, off_time=off_s, n=times, background=True)
        buzzer = self.devices.get("buzzer")
        if buzzer is not None:
            on_s, off_s, times = BEEP_PATTERNS[pattern]
            buzzer.on()
            buzzer.beep(on_time=on_s, off_time=off_s, n=times, background=True)
