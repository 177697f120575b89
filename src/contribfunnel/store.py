"""The local store: an embedded SQLite file of raw fetched records and per-repository cursors.

Every page is written in one transaction together with the cursor that follows
it, so a fetch killed at any moment loses nothing already committed and a
re-run resumes where it stopped.  Records are kept raw (as fetched, JSON) so
that a later version of the library can re-derive tables without refetching.
The token is never written here.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from contribfunnel.errors import DataError, UsageError

__all__ = ["SCHEMA_VERSION", "Store"]

SCHEMA_VERSION = 1
_MISSING = object()

_DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    repo TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, updated_at TEXT, data TEXT NOT NULL,
    PRIMARY KEY (repo, kind, key));
CREATE TABLE IF NOT EXISTS cursors (
    repo TEXT NOT NULL, stream TEXT NOT NULL, cursor TEXT, complete INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (repo, stream));
"""


class Store:
    """An SQLite store at ``path`` (created if missing).

    >>> import tempfile, pathlib
    >>> s = Store(pathlib.Path(tempfile.mkdtemp()) / "s.sqlite")
    >>> s.save_page("o/r", "pr", [("1", "2026-01-01T00:00:00Z", {"number": 1})], stream="prs", cursor="c1")
    >>> s.cursor("o/r", "prs"), [r["number"] for r in s.records("o/r", "pr")]
    (('c1', False), [1])
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(self._connect()) as db, db:
                db.executescript(_DDL)
                row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
                if row is None:
                    db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
                elif row[0] != str(SCHEMA_VERSION):
                    raise DataError(f"{self.path}: store version {row[0]}, this library reads {SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            raise DataError(f"{self.path}: not a contribfunnel store ({exc})") from None
        except OSError as exc:
            raise UsageError(f"cannot create the store at {self.path}: {exc.strerror or exc}") from None

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        return db

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        try:
            with closing(self._connect()) as db, db:
                yield db
        except sqlite3.DatabaseError as exc:
            raise DataError(f"{self.path}: the store is damaged ({exc})") from None

    def save_page(self, repo: str, kind: str, rows: Iterable[tuple[str, str | None, Mapping[str, Any]]], *,
                  stream: str, cursor: str | None, complete: bool = False, replace: bool = False) -> None:
        """Upsert one page of ``(key, updated_at, record)`` rows and move ``stream``'s cursor, atomically.

        ``replace`` first drops every stored record of ``kind`` for ``repo``, in the same transaction: for
        lists fetched whole each time (files, labels), so what was deleted upstream leaves the store too.
        """
        with self._tx() as db:
            if replace:
                db.execute("DELETE FROM records WHERE repo = ? AND kind = ?", (repo, kind))
            db.executemany(
                "INSERT INTO records VALUES (?, ?, ?, ?, ?) ON CONFLICT (repo, kind, key) DO UPDATE SET "
                "updated_at = excluded.updated_at, data = excluded.data",
                [(repo, kind, key, updated, json.dumps(data, sort_keys=True)) for key, updated, data in rows],
            )
            db.execute("INSERT INTO cursors VALUES (?, ?, ?, ?) ON CONFLICT (repo, stream) DO UPDATE SET "
                       "cursor = excluded.cursor, complete = excluded.complete", (repo, stream, cursor, int(complete)))

    def set_meta(self, key: str, value: Any) -> None:
        with self._tx() as db:
            db.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                       (key, json.dumps(value)))

    def meta(self, key: str, default: Any = None) -> Any:
        with self._tx() as db:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    def set_repo_meta(self, repo: str, key: str, value: Any) -> None:
        """Like :meth:`set_meta`, for state that belongs to one repository of the store."""
        self.set_meta(f"{key}:{repo}", value)

    def repo_meta(self, repo: str, key: str, default: Any = None) -> Any:
        """One repository's ``key``; a store written before keys were per repository holds one repository,
        whose state is then under the bare key."""
        value = self.meta(f"{key}:{repo}", _MISSING)
        if value is _MISSING and self.repos() in ([], [repo]):
            value = self.meta(key, _MISSING)
        return default if value is _MISSING or value is None else value

    def cursor(self, repo: str, stream: str) -> tuple[str | None, bool]:
        """The stored cursor of a stream and whether its last pass reached the end."""
        with self._tx() as db:
            row = db.execute("SELECT cursor, complete FROM cursors WHERE repo = ? AND stream = ?",
                             (repo, stream)).fetchone()
        return (None, False) if row is None else (row[0], bool(row[1]))

    def records(self, repo: str, kind: str) -> list[dict[str, Any]]:
        """Every stored record of ``kind`` for ``repo``, ordered by key."""
        with self._tx() as db:
            rows = db.execute("SELECT data FROM records WHERE repo = ? AND kind = ? ORDER BY key",
                              (repo, kind)).fetchall()
        return [json.loads(r[0]) for r in rows]

    def repos(self) -> list[str]:
        """The repositories the store holds records for."""
        with self._tx() as db:
            return [r[0] for r in db.execute("SELECT DISTINCT repo FROM records ORDER BY 1").fetchall()]

    def dump(self) -> list[tuple[Any, ...]]:
        """Every record and cursor, for comparing two stores."""
        with self._tx() as db:
            recs = db.execute("SELECT repo, kind, key, updated_at, data FROM records ORDER BY 1, 2, 3").fetchall()
            curs = db.execute("SELECT repo, stream, complete FROM cursors ORDER BY 1, 2").fetchall()
        return [*recs, *curs]
