"""One error root for the kiosk; specific errors also inherit the matching built-in."""


class KioskError(Exception):
    """Base of every error the kiosk raises on purpose; its text is shown to people."""


class ConfigError(KioskError, ValueError):
    """The configuration file is missing, unreadable or invalid."""

    def __init__(self, problems: list[str], source: str = "") -> None:
        self.problems = problems
        self.source = source
        head = f"configuration {source} has {len(problems)} problem(s):" if source else (
            f"configuration has {len(problems)} problem(s):")
        super().__init__("\n".join([head, *("  - " + p for p in problems)]))


class StoreError(KioskError):
    """The database cannot be opened or written."""


class NotFound(KioskError, LookupError):
    """A person, badge, asset or location does not exist."""


class InvalidNumber(KioskError, ValueError):
    """An inventory number is malformed or its check character is wrong."""


class ImportProblem(KioskError, ValueError):
    """A CSV file cannot be imported; the message names file, line and column."""
