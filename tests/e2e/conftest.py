"""The station's demo world, reused for end-to-end runs."""

from tests.station.conftest import world  # noqa: F401 - a fixture, used by name
