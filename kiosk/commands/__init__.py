"""Subcommands of `kiosk`, one module per area, and the helpers they share."""

from __future__ import annotations

import argparse
import json
from typing import Any

from kiosk.config import Settings, find_config, load_settings
from kiosk.numbering import Scheme, parse_scheme
from kiosk.store import Identity, Store


def settings_from(args: argparse.Namespace) -> Settings:
    return load_settings(find_config(getattr(args, "config", None)))


def open_store(settings: Settings) -> Store:
    identity = Identity(settings.kiosk.site, settings.kiosk.kiosk_id, settings.mqtt.prefix)
    return Store(settings.kiosk.database_path, identity,
                 busy_timeout_ms=settings.kiosk.busy_timeout_ms)


def scheme_of(settings: Settings) -> Scheme:
    return parse_scheme(settings.numbering.scheme, settings.numbering.check)


def print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2, default=str))
