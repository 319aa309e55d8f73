"""The `kiosk` command.

Subcommands live in `kiosk/commands/*.py`; each module has
``register(subparsers)`` that adds its parsers and sets ``func`` to a handler
``handler(args) -> int``. Errors are one clear line and a non-zero exit, never a
traceback: configuration problems exit 2, other kiosk errors exit 1.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sqlite3
import sys

from kiosk import __version__
from kiosk.errors import ConfigError, KioskError

# Each entry is a module in kiosk.commands with a register(subparsers) function.
COMMAND_MODULES = ["basics", "demo", "printing", "data", "ops", "scanner", "run", "hq",
                   "master"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="crib-kiosk: tool crib, gate and "
                                     "returns station")
    parser.add_argument("--version", action="version", version=f"crib-kiosk {__version__}")
    parser.add_argument("--config", help="configuration file (default: $KIOSK_CONFIG, then "
                        "/etc/crib-kiosk/kiosk.toml)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"kiosk.commands.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows up here, not in the interpreter's exit
        return code
    except BrokenPipeError:
        return quiet_broken_pipe()
    except ConfigError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 2
    except KioskError as exc:
        print(f"kiosk: error: {exc}", file=sys.stderr)
        return 1
    except sqlite3.Error as exc:
        print(f"kiosk: error: the database refused the change: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"kiosk: error: {exc.strerror or exc} ({exc.filename or 'no file'})",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def quiet_broken_pipe() -> int:
    """The reader of our output left (`kiosk ... | head`): stop without a message.

    stdout is pointed at /dev/null so the interpreter's final flush cannot fail again
    (the recipe in the Python docs, "Note on SIGPIPE"); 141 is what a shell shows for a
    program ended by SIGPIPE.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 128 + signal.SIGPIPE


if __name__ == "__main__":
    sys.exit(main())
