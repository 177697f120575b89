"""The Activity container: schema validation, replace, and the saved-folder round trip."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pandas.testing as pdt
import pytest

import contribfunnel as cf
from contribfunnel import schema
from contribfunnel.errors import DataError, NotARepositoryError, SchemaError


def test_every_column_declared_once_with_meaning() -> None:
    for table in schema.TABLES.values():
        names = table.names
        assert len(names) == len(set(names)), table.name
        for col in table.columns:
            assert col.meaning and col.dtype in schema.DTYPES
            if col.dtype == "time":
                assert col.name == "at" or col.name.endswith("_at"), col.name
            if col.dtype == "bool":
                assert col.name.startswith(("is_", "has_")), col.name


def test_construction_validates() -> None:
    act = cf.load_example()
    with pytest.raises(SchemaError, match="columns differ"):
        dataclasses.replace(act, items=act.items.drop(columns=["title"]))
    with pytest.raises(SchemaError, match="dtype"):
        dataclasses.replace(act, items=act.items.astype({"number": "float64"}))
    with pytest.raises(SchemaError, match="duplicate"):
        dataclasses.replace(act, items=pd.concat([act.items, act.items.head(1)], ignore_index=True))
    with pytest.raises(SchemaError, match="unknown column"):
        schema.frame("items", [{"numbr": 1}])
    smaller = dataclasses.replace(act, items=act.items.head(10).reset_index(drop=True))
    assert len(smaller.items) == 10 and smaller.meta is act.meta


def test_round_trip_is_exact(tmp_path: Path) -> None:
    act = cf.load_example()
    back = cf.read_activity(act.to_dir(tmp_path / "saved"))
    for name in ("items", "events", "commits", "credits", "people", "repo_files"):
        pdt.assert_frame_equal(getattr(back, name), getattr(act, name), check_exact=True)
    assert back.meta == act.meta
    # Integer columns with missing values survive (pr_number, size).
    assert back.commits.pr_number.isna().any() and back.commits.pr_number.notna().any()


def test_read_errors(tmp_path: Path) -> None:
    with pytest.raises(NotARepositoryError, match=r"no meta\.json"):
        cf.read_activity(tmp_path)
    folder = cf.load_example().to_dir(tmp_path / "s")
    meta = json.loads((folder / "meta.json").read_text())
    (folder / "meta.json").write_text(json.dumps({**meta, "format_version": 99}))
    with pytest.raises(DataError, match="format version 99"):
        cf.read_activity(folder)
    (folder / "meta.json").write_text(json.dumps(meta))
    (folder / "items.csv").write_text("garbage\n1\n")
    with pytest.raises(DataError):
        cf.read_activity(folder)


def test_meta_as_of_is_utc_and_serialisable() -> None:
    meta = cf.Meta(as_of="2026-01-01 12:00", repos=("o/r",))
    assert meta.as_of == pd.Timestamp("2026-01-01 12:00", tz="UTC")
    assert cf.Meta.from_dict(json.loads(json.dumps(meta.to_dict()))) == meta
    assert "token" not in json.dumps(meta.to_dict()).lower()
