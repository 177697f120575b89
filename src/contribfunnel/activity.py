"""The :class:`Activity`: one repository's (or several repositories') tidy tables plus provenance.

Every analysis function takes an ``Activity`` first and never touches the
network, git or the clock: "now" is ``activity.meta.as_of``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from contribfunnel import schema
from contribfunnel.errors import DataError, NotARepositoryError, UsageError

__all__ = ["Activity", "Meta", "combine_tables", "read_activity"]

_TABLES = ("items", "events", "commits", "credits", "people", "repo_files")
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Meta:
    """Provenance: where the data came from, the window it covers and the rule in force.

    ``as_of`` is fixed when the data is loaded; analyses use it instead of the clock.
    ``history_complete`` is False when the history starts after the repository
    began (a ``since`` window, a shallow clone): then people active before the
    window cannot be told apart from newcomers.  Never holds a token.
    """

    as_of: pd.Timestamp
    repos: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    since: pd.Timestamp | None = None
    until: pd.Timestamp | None = None
    history_complete: bool = True
    rule: str = "no classification rule applied"
    notes: tuple[str, ...] = ()
    versions: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("as_of", "since", "until"):
            value = getattr(self, name)
            if value is not None:
                ts = pd.Timestamp(value)
                ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
                object.__setattr__(self, name, ts)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready provenance."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, pd.Timestamp):
                value = value.isoformat()
            elif isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, Mapping):
                value = dict(value)
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Meta:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise DataError(f"meta.json: unknown key(s) {', '.join(sorted(unknown))}")
        kwargs = dict(data)
        for name in ("repos", "sources", "notes"):
            if name in kwargs:
                kwargs[name] = tuple(kwargs[name])
        return cls(**kwargs)


@dataclass(frozen=True, eq=False)
class Activity:
    """Tidy tables of a repository's activity (see :mod:`contribfunnel.schema`).

    Frozen: derive a changed copy with :func:`dataclasses.replace`, which
    validates again.

    Examples
    --------
    >>> import contribfunnel as cf
    >>> act = cf.load_example()
    >>> sorted(act.items.kind.unique())
    ['issue', 'pr']
    >>> act.meta.as_of
    Timestamp('2026-09-30 00:00:00+0000', tz='UTC')
    """

    items: pd.DataFrame
    events: pd.DataFrame
    commits: pd.DataFrame
    credits: pd.DataFrame
    people: pd.DataFrame
    repo_files: pd.DataFrame
    meta: Meta
    #: Derived tables computed once per Activity (pure functions of it); ``replace`` starts afresh.
    _cache: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def end(self, as_of: Any = None) -> pd.Timestamp:
        """The analysis date: ``as_of`` in UTC when given, else ``meta.as_of`` (never the clock)."""
        from contribfunnel.periods import to_utc

        return self.meta.as_of if as_of is None else to_utc(as_of, name="as_of")

    @property
    def starts_at(self) -> pd.Timestamp | None:
        """The first activity in the data (commits, items or events), or None when there is none."""
        firsts = [s.min() for s in (self.commits.authored_at, self.items.created_at, self.events["at"]) if len(s)]
        firsts = [f for f in firsts if not pd.isna(f)]
        return min(firsts) if firsts else None

    def __post_init__(self) -> None:
        for name in _TABLES:
            schema.validate(name, getattr(self, name))
        if not isinstance(self.meta, Meta):
            raise DataError("meta must be a contribfunnel.Meta")

    @classmethod
    def from_tables(cls, *, meta: Meta, **tables: Any) -> Activity:
        """Build an Activity from records or DataFrames, coercing each to its schema; missing tables are empty."""
        unknown = set(tables) - set(_TABLES)
        if unknown:
            raise UsageError(f"unknown table(s): {', '.join(sorted(unknown))}")
        built = {
            name: schema.frame(name, tables[name]) if name in tables else schema.empty(name) for name in _TABLES
        }
        return cls(meta=meta, **built)

    def __repr__(self) -> str:
        counts = ", ".join(f"{name}={len(getattr(self, name))}" for name in _TABLES)
        repos = ", ".join(self.meta.repos) or "?"
        return f"<Activity {repos} as of {self.meta.as_of:%Y-%m-%d}: {counts}>"

    def to_dir(self, path: str | Path) -> Path:
        """Save as a folder of CSV files plus ``meta.json``, readable by :func:`read_activity`."""
        out = Path(path)
        try:
            out.mkdir(parents=True, exist_ok=True)
            for name in _TABLES:
                _to_csv(getattr(self, name), name, out / f"{name}.csv")
            meta = {"format_version": FORMAT_VERSION, **self.meta.to_dict()}
            (out / "meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {out}: {exc.strerror or exc}") from None
        return out


def _to_csv(df: pd.DataFrame, table: str, path: Path) -> None:
    out = df.copy()
    for col in schema.TABLES[table].columns:
        if col.dtype == "tuple":
            out[col.name] = out[col.name].map(lambda v: json.dumps(list(v), ensure_ascii=False))
        elif col.dtype == "time":
            out[col.name] = out[col.name].map(lambda v: "" if pd.isna(v) else v.isoformat())
    out.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


def _read_csv(path: Path, table: str) -> pd.DataFrame:
    t = schema.TABLES[table]
    dtypes = {c.name: "string" if c.dtype in ("str", "tuple", "time") else c.pandas_dtype for c in t.columns}
    df = pd.read_csv(path, dtype=dtypes, keep_default_na=False, na_values={c.name: [""] for c in t.columns})
    for col in t.columns:
        if col.dtype == "tuple":
            df[col.name] = df[col.name].map(lambda v: () if pd.isna(v) else tuple(json.loads(v)))
        elif col.dtype == "str":
            df[col.name] = df[col.name].astype("string")
    return schema.frame(table, df)


def read_activity(path: str | Path) -> Activity:
    """Read an Activity saved with :meth:`Activity.to_dir`.

    The tables are validated against the schema; ``meta.as_of`` is the one saved.
    """
    folder = Path(path)
    meta_path = folder / "meta.json"
    if not meta_path.is_file():
        raise NotARepositoryError(f"{folder}: not a saved Activity (no meta.json)")
    try:
        raw = json.loads(meta_path.read_text(encoding="utf-8"))
        version = raw.pop("format_version", None)
        if version != FORMAT_VERSION:
            raise DataError(f"{folder}: saved with format version {version}, this library reads {FORMAT_VERSION}")
        meta = Meta.from_dict(raw)
        tables = {name: _read_csv(folder / f"{name}.csv", name) for name in _TABLES}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DataError(f"{folder}: cannot read saved Activity: {exc}") from None
    return Activity(meta=meta, **tables)


def combine_tables(*activities: Activity) -> Activity:
    """Stack several Activities' tables (later ones win on duplicate keys) and merge their provenance.

    Identities are *not* resolved again here: use :func:`contribfunnel.combine`,
    which does.  ``as_of`` is the earliest of the parts (no part may be judged
    on days it has not seen); the history is complete only if some part's is.
    """
    if not activities:
        raise UsageError("combine needs at least one Activity")
    tables = {}
    for name in _TABLES:
        frames = [getattr(a, name) for a in activities if len(getattr(a, name))]
        if not frames:
            tables[name] = schema.empty(name)
            continue
        df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        key = list(schema.TABLES[name].key)
        keyed = df[key].notna().all(axis=1)
        df = pd.concat([df[keyed].drop_duplicates(key, keep="last"), df[~keyed]], ignore_index=True)
        tables[name] = schema.frame(name, df)
    metas = [a.meta for a in activities]
    sinces = [m.since for m in metas if m.since is not None]
    meta = Meta(
        as_of=min(m.as_of for m in metas),
        repos=tuple(dict.fromkeys(r for m in metas for r in m.repos)),
        sources=tuple(dict.fromkeys(x for m in metas for x in m.sources)),
        since=min(sinces) if len(sinces) == len(metas) else None,
        history_complete=any(m.history_complete for m in metas),
        rule=metas[-1].rule,
        notes=tuple(dict.fromkeys(n for m in metas for n in m.notes)),
        versions={k: v for m in metas for k, v in m.versions.items()},
    )
    return Activity(meta=meta, **tables)
