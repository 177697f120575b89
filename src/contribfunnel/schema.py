"""Every table's columns, declared once: name, dtype and meaning.

Validation (:func:`validate`), empty tables (:func:`empty`), coercion of raw
records (:func:`frame`) and the column reference in the docs all come from
:data:`TABLES`.  Timestamps are tz-aware UTC and end in ``_at`` (or are called
``at``); predicates start with ``is_``/``has_``; list-like cells hold tuples.

Examples
--------
>>> from contribfunnel.schema import TABLES
>>> [c.name for c in TABLES["credits"].columns]
['repo', 'sha', 'person', 'role', 'name', 'email', 'at']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from contribfunnel.errors import SchemaError

__all__ = ["TABLES", "Column", "Table", "empty", "frame", "validate"]

#: The dtypes a column may declare, and the pandas dtype each one is stored as.
DTYPES: Mapping[str, str] = {
    "str": "string",
    "int": "Int64",
    "bool": "bool",
    "time": "datetime64[ns, UTC]",
    "tuple": "object",
}


@dataclass(frozen=True)
class Column:
    """One column: its name, a dtype from :data:`DTYPES` and what it means."""

    name: str
    dtype: str
    meaning: str

    @property
    def pandas_dtype(self) -> str:
        return DTYPES[self.dtype]


@dataclass(frozen=True)
class Table:
    """A tidy table: one row is ``row``; ``key`` names the columns that identify it."""

    name: str
    row: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _t(name: str, row: str, key: Sequence[str], *cols: tuple[str, str, str]) -> Table:
    return Table(name, row, tuple(key), tuple(Column(*c) for c in cols))


REPO = ("repo", "str", "Repository as owner/name, or the clone's folder name for git-only data.")

TABLES: Mapping[str, Table] = {
    t.name: t
    for t in (
        _t(
            "items",
            "one pull request or issue",
            ("repo", "number"),
            REPO,
            ("number", "int", "PR or issue number within the repository."),
            ("kind", "str", "'pr' or 'issue'."),
            ("author", "str", "Person id of the author (see people); missing for deleted accounts."),
            ("created_at", "time", "When it was opened."),
            ("ready_at", "time", "When it became ready for review: created_at, or when it left draft; missing while still a draft."),
            ("updated_at", "time", "Last update as the source reported it (drives incremental fetches)."),
            ("closed_at", "time", "When it was closed (merged PRs too); missing while open."),
            ("merged_at", "time", "When the PR was merged; missing otherwise."),
            ("merged_by", "str", "Person id who merged it."),
            ("closed_by", "str", "Person id who closed it (for merged PRs, the merger)."),
            ("state", "str", "'open', 'closed' (not merged) or 'merged'."),
            ("is_draft", "bool", "Still a draft when fetched."),
            ("title", "str", "Title: untrusted text, escape before display."),
            ("labels", "tuple", "Label names (untrusted text)."),
            ("author_association", "str", "GitHub's author_association when fetched: current state only, not history."),
        ),
        _t(
            "events",
            "one interaction on an item",
            ("repo", "number", "kind", "actor", "at"),
            REPO,
            ("number", "int", "The item's number."),
            ("kind", "str", "comment, review, review_comment, commit, ready_for_review, converted_to_draft, closed, merged, reopened or labeled."),
            ("actor", "str", "Person id who acted; missing for deleted accounts."),
            ("at", "time", "When it happened."),
            ("review_state", "str", "For reviews: APPROVED, CHANGES_REQUESTED, COMMENTED or DISMISSED."),
        ),
        _t(
            "commits",
            "one commit",
            ("repo", "sha"),
            REPO,
            ("sha", "str", "Full commit id."),
            ("author", "str", "Person id of the author (attribution goes to the author, not the committer)."),
            ("committer", "str", "Person id of the committer."),
            ("author_name", "str", "Author name after .mailmap (untrusted text)."),
            ("author_email", "str", "Author e-mail after .mailmap; never shown in reports."),
            ("authored_at", "time", "Author date."),
            ("committer_name", "str", "Committer name after .mailmap."),
            ("committer_email", "str", "Committer e-mail after .mailmap; never shown in reports."),
            ("committed_at", "time", "Committer date."),
            ("is_merge", "bool", "Has more than one parent."),
            ("pr_number", "int", "PR or merge-request number recovered from the message, if any."),
            ("pr_ref", "str", "That number as written: '#12' (GitHub, bors, homu) or '!12' (Gitee, GitLab): two number spaces."),
            ("subject", "str", "First line of the message (untrusted text)."),
        ),
        _t(
            "credits",
            "one person credited on one commit in one role",
            ("repo", "sha", "person", "role"),
            REPO,
            ("sha", "str", "Commit id."),
            ("person", "str", "Person id (see people)."),
            ("role", "str", "author, committer, co-author, reviewed-by, tested-by, reported-by, acked-by, helped-by, suggested-by or signed-off-by."),
            ("name", "str", "Name as written in the commit or trailer (untrusted text)."),
            ("email", "str", "E-mail as written, if any; never shown in reports."),
            ("at", "time", "Author date of the commit."),
        ),
        _t(
            "people",
            "one resolved human or bot",
            ("person",),
            ("person", "str", "Stable person id: a GitHub login where known, else the commonest name."),
            ("logins", "tuple", "GitHub logins."),
            ("names", "tuple", "Names seen (untrusted text)."),
            ("emails", "tuple", "E-mails seen; never shown in reports."),
            ("is_bot", "bool", "An automation account."),
            ("bot_reason", "str", "Why it is a bot: github-type, [bot]-suffix, known-list or config."),
            ("organization", "str", "Organisation for the elephant factor: configured, or the e-mail domain when it is not a public mail provider."),
            ("is_internal", "bool", "Internal as of meta.as_of under the rule in force."),
            ("internal_rule", "str", "Which rule decided is_internal (e.g. 'config login', 'config e-mail domain', 'default: external')."),
            ("internal_since_at", "time", "Start of the internal period under a dated rule; missing when undated or never internal."),
            ("internal_until_at", "time", "End of the internal period under a dated rule; missing when undated or never internal."),
            ("roles", "tuple", "contributor (authored), reviewer (reviewed another's PR), maintainer (merged another's PR, or listed in CODEOWNERS/MAINTAINERS)."),
            ("first_seen_at", "time", "First activity of any kind in the loaded history."),
        ),
        _t(
            "repo_files",
            "one governance document, label or top-level path found in a repository",
            ("repo", "kind", "path"),
            REPO,
            ("kind", "str", "contributing, code_of_conduct, license, security, pr_template, issue_template, codeowners, maintainers, governance, ci, readme, label, good_first_issue or tree (a top-level path)."),
            ("path", "str", "Path in the repository (or the label name / issue number)."),
            ("size", "int", "Size in bytes, when known."),
            ("content", "str", "Text of CODEOWNERS, MAINTAINERS/OWNERS and GOVERNANCE documents (at most 64 KiB); missing for others."),
        ),
    )
}


def empty(table: str) -> pd.DataFrame:
    """An empty, correctly typed table.

    >>> empty("items").dtypes["created_at"]
    datetime64[ns, UTC]
    """
    t = TABLES[table]
    return pd.DataFrame({c.name: pd.Series([], dtype=c.pandas_dtype) for c in t.columns})


def _coerce(series: pd.Series, col: Column) -> pd.Series:
    if col.dtype == "time":
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            return series.dt.tz_convert("UTC").astype(col.pandas_dtype)
        return pd.to_datetime(series, utc=True, format="ISO8601").astype(col.pandas_dtype)
    if col.dtype == "tuple":
        return series.map(_as_tuple).astype("object")
    if col.dtype == "bool":
        return pd.Series(series.eq(True).to_numpy(dtype=bool), index=series.index)  # missing = False
    return series.astype(col.pandas_dtype)


def _as_tuple(value: Any) -> tuple[Any, ...]:
    if isinstance(value, tuple):
        return value
    if value is None or (isinstance(value, float) and value != value):
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def frame(table: str, data: pd.DataFrame | Mapping[str, Any] | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Build a valid table from records or a DataFrame; missing columns are filled empty.

    Unknown columns are an error, so a typo cannot pass silently.

    >>> frame("events", [{"repo": "o/r", "number": 1, "kind": "comment",
    ...                   "actor": "ann", "at": "2024-01-02T03:04:05Z"}]).at[0, "at"]
    Timestamp('2024-01-02 03:04:05+0000', tz='UTC')
    """
    t = TABLES[table]
    df = data.copy() if isinstance(data, pd.DataFrame) else pd.DataFrame(data if not isinstance(data, Mapping) else dict(data))
    unknown = [c for c in df.columns if c not in t.names]
    if unknown:
        raise SchemaError(f"{table}: unknown column(s) {', '.join(map(str, unknown))}")
    n = len(df)
    out = {}
    for col in t.columns:
        if col.name in df.columns:
            out[col.name] = _coerce(df[col.name].reset_index(drop=True), col)
        elif col.dtype == "tuple":
            out[col.name] = pd.Series([()] * n, dtype="object")
        elif col.dtype == "bool":
            out[col.name] = pd.Series([False] * n, dtype="bool")
        else:
            out[col.name] = pd.Series([None] * n, dtype=col.pandas_dtype)
    return pd.DataFrame(out, columns=t.names)


def validate(table: str, df: pd.DataFrame) -> None:
    """Raise :class:`~contribfunnel.errors.SchemaError` unless ``df`` has exactly the declared columns and dtypes."""
    t = TABLES[table]
    if not isinstance(df, pd.DataFrame):
        raise SchemaError(f"{table}: expected a DataFrame, got {type(df).__name__}")
    if list(df.columns) != t.names:
        missing = [c for c in t.names if c not in df.columns]
        extra = [c for c in df.columns if c not in t.names]
        raise SchemaError(
            f"{table}: columns differ from the schema (missing: {missing or 'none'}; unknown: {extra or 'none'}); "
            f"build it with contribfunnel.schema.frame({table!r}, ...)"
        )
    for col in t.columns:
        got = str(df[col.name].dtype)
        if got != col.pandas_dtype:
            raise SchemaError(f"{table}.{col.name}: dtype {got}, schema says {col.pandas_dtype}")
    key = list(t.key)
    keyed = df[key].dropna()  # a key with a missing part (say, an unresolved person) identifies nothing
    if len(keyed) and keyed.duplicated().any():
        raise SchemaError(f"{table}: duplicate rows for key {tuple(key)}")
