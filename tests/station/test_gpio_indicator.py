"""The gpiozero adapter on MockFactory pins: patterns, relay safety, shutdown."""

from __future__ import annotations

import pytest

from drivers.gpio_indicator import GpioIndicator, IndicatorPins
from tests.station.conftest import pin_history

PINS = IndicatorPins(green=17, red=27, amber=5, buzzer=22, relay=23, relay_active_high=False,
                     relay_pulse_s=0.1)


@pytest.fixture
def indicator(mock_factory):
    made = GpioIndicator(PINS, mock_factory)
    yield made
    made.close()


def test_accept_flashes_green_and_beeps_once(indicator, mock_factory):
    indicator.accept()
    assert indicator.state()["green"] is True      # on as soon as the verb returns
    indicator.settle()
    assert pin_history(mock_factory, 17) == [False, True, False]
    assert pin_history(mock_factory, 22) == [False, True, False]
    assert pin_history(mock_factory, 27) == [False]


def test_deny_is_red_with_two_beeps_and_clears_green(indicator, mock_factory):
    indicator.accept()
    indicator.deny()
    indicator.settle()
    assert pin_history(mock_factory, 17)[-1] is False
    assert pin_history(mock_factory, 27) == [False, True, False]
    assert pin_history(mock_factory, 22)[-4:] == [True, False, True, False]


def test_attention_uses_amber_and_alarm_repeats(indicator, mock_factory):
    indicator.attention()
    indicator.settle()
    assert pin_history(mock_factory, 5) == [False] + [True, False] * 3
    indicator.alarm()                          # runs 4 s in the background; check it started
    assert indicator.state()["red"] and indicator.state()["buzzer"]
    indicator.off()
    assert not any(indicator.state().values())


def test_active_low_relay_starts_off_pulses_and_closes_safe(mock_factory):
    indicator = GpioIndicator(PINS, mock_factory)
    relay_pin = mock_factory.pin(23)
    assert relay_pin.state is True and indicator.state()["relay"] is False   # high = off
    indicator.pulse_relay()
    indicator.settle()
    assert pin_history(mock_factory, 23)[-2:] == [False, True]
    indicator.pulse_relay()
    indicator.close()                          # mid-pulse: driven back to off first
    assert relay_pin.state is True
    indicator.close()                          # twice is harmless


def test_without_optional_parts_attention_falls_back_to_green(mock_factory):
    indicator = GpioIndicator(IndicatorPins(green=17, red=27), mock_factory)
    indicator.attention()
    indicator.pulse_relay()                    # no relay fitted: nothing happens
    indicator.settle()
    assert set(indicator.state()) == {"green", "red"}
    assert pin_history(mock_factory, 17).count(True) == 3
    indicator.close()
