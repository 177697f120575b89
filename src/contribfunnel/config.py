"""The user's configuration: who is internal, bots, aliases, organisations and thresholds.

A TOML file (or the same structure as a dict).  Unknown keys are rejected, so a
typo cannot silently change a verdict.  The rule in force is described by
:meth:`Config.describe` and printed in every output.

Example file::

    [internal]
    logins = ["alice", { login = "bob", until = "2024-06-30" }]
    emails = ["carol@example.org"]
    email_domains = ["acme.com", { domain = "partner.org", since = "2025-01-01" }]
    use_source = true              # GitHub org membership / generator's core team
    use_author_association = true  # OWNER/MEMBER, last resort

    [bots]
    add = ["release-robot"]
    remove = ["talbot"]

    [aliases]
    alice = ["alice-work", "alice@old.example.org", "Alice Smith"]

    [organizations]
    "acme.com" = "Acme"

    [identities]
    merge_by_name = true

    [thresholds]
    external_contributors = 30
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from contribfunnel.errors import ConfigError, UsageError
from contribfunnel.periods import to_utc

__all__ = ["THRESHOLDS", "Config", "DatedValue", "load_config"]

#: Default stage-10 thresholds (design §8).  Every key can be overridden in ``[thresholds]``.
THRESHOLDS: Mapping[str, float] = {
    "window_days": 365,
    "response_hours": 48,
    "response_share": 0.8,
    "decision_days": 30,
    "decision_share": 0.8,
    "first_pr_acceptance": 0.5,
    "zero_guidance_share": 0.5,
    "zero_guidance_max_comments": 2,
    "median_first_response_hours": 48,
    "min_mergers": 3,
    "max_top_merger_share": 0.5,
    "min_bus_factor": 2,
    "external_contributors": 30,
    "external_committers_reference": 50,
    "min_organizations": 3,
    "min_elephant_factor": 2,
    "min_newcomer_prs": 5,
}


@dataclass(frozen=True)
class DatedValue:
    """A login, e-mail or domain, internal from ``since`` to ``until`` (inclusive; None = open)."""

    value: str
    since: pd.Timestamp | None = None
    until: pd.Timestamp | None = None

    def describe(self) -> str:
        if self.since is None and self.until is None:
            return self.value
        lo = f"{self.since:%Y-%m-%d}" if self.since is not None else "…"
        hi = f"{self.until:%Y-%m-%d}" if self.until is not None else "…"
        return f"{self.value} ({lo} to {hi})"


@dataclass(frozen=True)
class Config:
    """Identity and classification settings; ``Config()`` is the default rule."""

    internal_logins: tuple[DatedValue, ...] = ()
    internal_emails: tuple[DatedValue, ...] = ()
    internal_domains: tuple[DatedValue, ...] = ()
    use_source: bool = True
    use_author_association: bool = True
    bots_add: frozenset[str] = frozenset()
    bots_remove: frozenset[str] = frozenset()
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    organizations: Mapping[str, str] = field(default_factory=dict)
    merge_by_name: bool = True
    thresholds: Mapping[str, float] = field(default_factory=lambda: dict(THRESHOLDS))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "config") -> Config:
        """Build from the TOML structure, rejecting unknown keys and wrong types."""
        _keys(data, {"internal", "bots", "aliases", "organizations", "identities", "thresholds"}, source)
        internal = _table(data, "internal", source)
        _keys(internal, {"logins", "emails", "email_domains", "use_source", "use_author_association"}, f"{source} [internal]")
        bots = _table(data, "bots", source)
        _keys(bots, {"add", "remove"}, f"{source} [bots]")
        idents = _table(data, "identities", source)
        _keys(idents, {"merge_by_name"}, f"{source} [identities]")
        thresholds = _table(data, "thresholds", source)
        _keys(thresholds, set(THRESHOLDS), f"{source} [thresholds]")
        merged = dict(THRESHOLDS)
        for key, value in thresholds.items():
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConfigError(f"{source} [thresholds] {key}: expected a number, got {value!r}")
            merged[key] = value
        aliases = {
            str(k): tuple(_strings(v, f"{source} [aliases] {k}")) for k, v in _table(data, "aliases", source).items()
        }
        orgs = {str(k).lower(): _string(v, f"{source} [organizations] {k}") for k, v in _table(data, "organizations", source).items()}
        return cls(
            internal_logins=tuple(_dated(v, "login", f"{source} [internal] logins") for v in _list(internal, "logins", source)),
            internal_emails=tuple(_dated(v, "email", f"{source} [internal] emails") for v in _list(internal, "emails", source)),
            internal_domains=tuple(
                _dated(v, "domain", f"{source} [internal] email_domains") for v in _list(internal, "email_domains", source)
            ),
            use_source=_bool(internal.get("use_source", True), f"{source} [internal] use_source"),
            use_author_association=_bool(
                internal.get("use_author_association", True), f"{source} [internal] use_author_association"
            ),
            bots_add=frozenset(s.lower() for s in _strings(bots.get("add", []), f"{source} [bots] add")),
            bots_remove=frozenset(s.lower() for s in _strings(bots.get("remove", []), f"{source} [bots] remove")),
            aliases=aliases,
            organizations=orgs,
            merge_by_name=_bool(idents.get("merge_by_name", True), f"{source} [identities] merge_by_name"),
            thresholds=merged,
        )

    def with_thresholds(self, **overrides: float) -> Config:
        """A copy with some thresholds changed (unknown names are an error)."""
        _keys(overrides, set(THRESHOLDS), "thresholds")
        return replace(self, thresholds={**self.thresholds, **overrides})

    def describe(self) -> str:
        """The internal/external rule in force, in words."""
        parts = []
        if self.internal_logins:
            parts.append("logins " + ", ".join(v.describe() for v in self.internal_logins))
        if self.internal_emails:
            parts.append(f"{len(self.internal_emails)} listed e-mail address(es)")
        if self.internal_domains:
            parts.append("e-mail domains " + ", ".join(v.describe() for v in self.internal_domains))
        if self.use_source:
            parts.append("members of the owning organisation where the source knows them")
        if self.use_author_association:
            parts.append("GitHub author_association OWNER/MEMBER as a last resort")
        if not parts:
            return "Internal: nobody (no rule configured). Everyone else is external."
        return "Internal, in this order: " + "; ".join(parts) + ". Everyone else is external."


def load_config(path: str | Path | None) -> Config:
    """Read a TOML config file; ``None`` gives the default :class:`Config`."""
    if path is None:
        return Config()
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {p}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config {p}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: not valid TOML: {exc}") from None
    return Config.from_dict(data, source=str(p))


def _keys(data: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})")


def _table(data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: [{key}] must be a table")
    return value


def _list(data: Mapping[str, Any], key: str, where: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise ConfigError(f"{where}: {key} must be a list")
    return value


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: expected a non-empty string, got {value!r}")
    return value.strip()


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list):
        raise ConfigError(f"{where}: expected a list of strings")
    return [_string(v, where) for v in value]


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: expected true or false, got {value!r}")
    return value


def _date(value: Any, where: str) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        return to_utc(str(value), name=where)
    except UsageError as exc:
        raise ConfigError(str(exc)) from None


def _dated(value: Any, key: str, where: str) -> DatedValue:
    if isinstance(value, str):
        return DatedValue(_string(value, where).lower())
    if isinstance(value, Mapping):
        _keys(value, {key, "since", "until"}, where)
        if key not in value:
            raise ConfigError(f"{where}: entry {dict(value)!r} needs {key!r}")
        since, until = _date(value.get("since"), where), _date(value.get("until"), where)
        if until is not None:
            until = until + pd.Timedelta(days=1) - pd.Timedelta(1, "ns") if until == until.normalize() else until
        if since is not None and until is not None and since > until:
            raise ConfigError(f"{where}: since is after until for {value[key]!r}")
        return DatedValue(_string(value[key], where).lower(), since, until)
    raise ConfigError(f"{where}: expected a string or {{ {key} = ..., since = ..., until = ... }}, got {value!r}")
