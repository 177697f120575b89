"""The errors the library raises on purpose, each carrying the CLI exit code it maps to.

A user's mistake is a :class:`UsageError` (exit 2); data that cannot be analysed
is a :class:`DataError` (exit 1).  The CLI prints ``str(error)`` on one line and
no traceback.  Messages never contain a token.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "ContribfunnelError",
    "DataError",
    "EmptyRepositoryError",
    "NotARepositoryError",
    "SchemaError",
    "UsageError",
]


class ContribfunnelError(Exception):
    """Base class; ``exit_code`` is what the CLI exits with."""

    exit_code = 1


class UsageError(ContribfunnelError, ValueError):
    """The caller asked for something that cannot be done as asked (exit 2)."""

    exit_code = 2


class ConfigError(UsageError):
    """The configuration file or mapping is invalid (exit 2)."""


class DataError(ContribfunnelError):
    """The data cannot be read or analysed (exit 1)."""

    exit_code = 1


class NotARepositoryError(UsageError):
    """The path is not a git repository or saved Activity (exit 2)."""


class EmptyRepositoryError(DataError):
    """The repository has no commits (exit 1)."""


class SchemaError(DataError):
    """A table does not match the schema (exit 1)."""
