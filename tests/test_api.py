"""The public surface: explicit, sorted, complete, and free of I/O outside sources/."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import contribfunnel as cf


def test_all_is_sorted_and_complete() -> None:
    assert cf.__all__ == sorted(cf.__all__, key=lambda s: (not s.isupper(), s[0].islower(), s))
    public = {n for n in dir(cf) if not n.startswith("_")}
    modules = {n for n in public if inspect.ismodule(getattr(cf, n))}
    assert set(cf.__all__) == public - modules
    for name in cf.__all__:
        assert getattr(cf, name) is not None


def test_every_module_declares_all() -> None:
    for info in pkgutil.walk_packages(cf.__path__, "contribfunnel."):
        if info.name.endswith("__main__"):
            continue
        mod = importlib.import_module(info.name)
        if info.ispkg:
            continue
        assert hasattr(mod, "__all__"), info.name
        for name in mod.__all__:
            assert hasattr(mod, name), f"{info.name}.{name}"


#: Functions whose second and third positional parameters are data, not options.
TWO_PERIODS = {"compare_periods"}  # compare_periods(rows, a, b), as issue 4 specifies


def test_options_are_keyword_only() -> None:
    """The data object comes first; every option after it is keyword-only."""
    for name in sorted(set(cf.__all__) - TWO_PERIODS):
        obj = getattr(cf, name)
        if not inspect.isfunction(obj):
            continue
        params = list(inspect.signature(obj).parameters.values())
        positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        assert len(positional) <= 1, f"{name} takes {len(positional)} positional parameters"


def test_analysis_modules_do_no_io() -> None:
    """Only sources/ may run programs or open connections (ruff enforces the imports; this checks the text)."""
    banned = ("import subprocess", "import socket", "from github", "import github", "urllib.request")
    for info in pkgutil.walk_packages(cf.__path__, "contribfunnel."):
        # sources/ does the I/O; testing/ is the GitHub test double, a server on 127.0.0.1 by design.
        if ".sources" in info.name or ".testing" in info.name or info.ispkg or info.name.endswith("__main__"):
            continue
        src = inspect.getsource(importlib.import_module(info.name))
        for b in banned:
            assert b not in src, f"{info.name} uses {b}"
