"""The report: scorecard, contributors, newcomers, bus factor and governance, as JSON, Markdown or HTML.

The JSON is documented and stable (``SCHEMA_VERSION``); top-level keys:
``meta``, ``scorecard``, ``contributors``, ``external_contributors``,
``newcomers``, ``bus_factor``, ``governance``.  Reports show names or logins,
never e-mail addresses.  The HTML escapes every string from the repository.
"""

from __future__ import annotations

import dataclasses
import html
import json
from pathlib import Path
from typing import Any

import pandas as pd

from contribfunnel.activity import Activity
from contribfunnel.community import bus_factor, contributors, elephant_factor, external_contributors, newcomers
from contribfunnel.config import Config
from contribfunnel.criteria import Scorecard, _jsonable, _md, stage10
from contribfunnel.errors import UsageError
from contribfunnel.governance import governance
from contribfunnel.identities import resolve_identities
from contribfunnel.periods import as_of_quarter

__all__ = ["Report", "report"]

SCHEMA_VERSION = 1


@dataclasses.dataclass(frozen=True)
class Report:
    """Everything the report shows, computed once; render with ``to_json``, ``to_markdown`` or ``to_html``."""

    data: dict[str, Any]
    scorecard: Scorecard

    def to_dict(self) -> dict[str, Any]:
        return self.data

    def to_json(self) -> str:
        return json.dumps(self.data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"

    def to_markdown(self) -> str:
        d = self.data
        ext = d["external_contributors"]
        lines = [f"# contribfunnel report: {', '.join(_md(r) for r in d['meta']['repos'])}", "",
                 self.scorecard.to_markdown(), "## External contributors", "",
                 f"{ext['count']} in the {ext['window_days']} days to {d['meta']['as_of'][:10]} "
                 f"({ext['all_time']} all time).", "", "| Quarter | Contributors | External | New |", "|---|---|---|---|"]
        for r in d["contributors"][-8:]:
            lines.append(f"| {r['period']} | {r['contributors']} | {r['external']} | {r['new']} |")
        lines += ["", "## Bus factor", ""]
        for unit, bf in d["bus_factor"].items():
            lines.append(f"- {unit}: **{bf['value']}** (of {bf['total']})")
        lines += ["", "## Governance", "", "| Check | Present | Detail |", "|---|---|---|"]
        for g in d["governance"]:
            lines.append(f"| {_md(g['label'])} | {'yes' if g['present'] else 'no'} | {_md(g['detail'])} |")
        lines += ["", "## Methods", "", f"- Classification rule: {_md(d['meta']['rule'])}",
                  f"- Window: {ext['window_days']} days to {d['meta']['as_of'][:10]}; quarters are calendar quarters.",
                  "- Bots are excluded from every people count and never count as a response."]
        lines += [f"- {_md(n)}" for n in d["meta"]["notes"]]
        return "\n".join(lines) + "\n"

    def to_html(self, path: str | Path | None = None) -> str:
        """A self-contained HTML page; written to ``path`` when given."""
        page = _html(self)
        if path is not None:
            try:
                Path(path).write_text(page, encoding="utf-8")
            except OSError as exc:
                raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
        return page

    def _repr_html_(self) -> str:
        return self.scorecard._repr_html_()


def report(activity: Activity, *, quarter: str | None = None, config: Config | None = None) -> Report:
    """Build the report for the trailing window ending at ``as_of`` or at the end of ``quarter``.

    Examples
    --------
    >>> import contribfunnel as cf
    >>> r = cf.report(cf.load_example(), quarter="2026Q2")
    >>> sorted(r.to_dict())
    ['bus_factor', 'contributors', 'external_contributors', 'governance', 'meta', 'newcomers', 'scorecard']
    >>> r.to_dict()["meta"]["as_of"]
    '2026-07-01T00:00:00+00:00'
    """
    if config is not None:
        activity = resolve_identities(activity, config=config)
    cfg = config or Config()
    as_of = as_of_quarter(activity.meta.as_of, quarter, starts_at=activity.starts_at)
    window = int(cfg.thresholds["window_days"])
    card = stage10(activity, config=cfg, as_of=as_of)
    ext = external_contributors(activity, window=window, as_of=as_of)
    by_q = contributors(activity)
    last_q = str(pd.Period((as_of - pd.Timedelta(1, "ns")).tz_convert(None), freq="Q"))
    by_q = by_q[by_q.period <= last_q]
    nc = newcomers(activity)
    nc = nc[nc.first_at < as_of]
    cohorts = (
        nc[nc.kind.isin(["any", "merged_pr", "commit"])]
        .pivot_table(index="cohort", columns="kind", values="person", aggfunc="nunique", fill_value=0)
        .reset_index()
    )
    newcomer_rows = [
        {"cohort": r["cohort"], "participants": int(r.get("any", 0)),
         "first_merged": int(max(r.get("merged_pr", 0), r.get("commit", 0)))}
        for r in cohorts.to_dict("records")
    ]
    meta = activity.meta.to_dict()
    meta["as_of"] = as_of.isoformat()
    meta["quarter"] = quarter
    meta["schema_version"] = SCHEMA_VERSION
    data = {
        "meta": meta,
        "scorecard": [c.to_dict() for c in card.criteria],
        "contributors": [{k: _jsonable(v) for k, v in r.items()} for r in by_q.to_dict("records")],
        "external_contributors": {k: v for k, v in ext.to_dict().items() if k in
                                  ("window_days", "count", "all_time", "by_quarter", "committers")}
        | {"people": [{"person": str(r.person), "contributions": int(r.contributions),
                       "last_at": r.last_at.isoformat()} for r in ext.people.head(50).itertuples(index=False)]},
        "newcomers": newcomer_rows,
        "bus_factor": {
            unit: bus_factor(activity, unit=unit, window=window, as_of=as_of).to_dict()
            for unit in ("merged", "commits", "merged_prs", "reviews", "merges")
        } | {"elephant": elephant_factor(activity, window=window, as_of=as_of).to_dict()},
        "governance": governance(activity).to_dict("records"),
    }
    data["meta"]["verdict"] = card.verdict
    return Report(data=_jsonable(data), scorecard=card)


_CSS = """
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}
.cf-pass{color:#0b6e4f}.cf-fail{color:#b3261e}.cf-not-enough-data{color:#6b6b6b}
"""


def _table(rows: list[dict[str, Any]], cols: list[str]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(r.get(c, '')))}</td>" for c in cols) + "</tr>" for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _html(rep: Report) -> str:
    d = rep.data
    e = html.escape
    ext = d["external_contributors"]
    repos = ", ".join(d["meta"]["repos"])
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">",
        f"<title>contribfunnel: {e(repos)}</title><style>{_CSS}</style></head><body>",
        f"<h1>contribfunnel report: {e(repos)}</h1>",
        "<h2>Stage-10 scorecard</h2>",
        rep.scorecard._repr_html_(),
        "<h2>External contributors</h2>",
        f"<p>{ext['count']} in the {ext['window_days']} days to {e(d['meta']['as_of'][:10])} "
        f"({ext['all_time']} all time).</p>",
        _table(d["contributors"], ["period", "contributors", "internal", "external", "new", "new_external"]),
        "<h3>Most active external contributors in the window</h3>",
        _table(ext["people"][:20], ["person", "contributions", "last_at"]),
        "<h2>Newcomers by cohort</h2>",
        _table(d["newcomers"], ["cohort", "participants", "first_merged"]),
        "<h2>Bus factor</h2>",
        _table([{"unit": k, "value": v["value"], "total": v["total"],
                 "top": ", ".join(str(t[v["over"]]) for t in v["top"][:5])} for k, v in d["bus_factor"].items()],
               ["unit", "value", "total", "top"]),
        "<h2>Governance</h2>",
        _table(d["governance"], ["label", "present", "detail"]),
        "<h2>Methods</h2><ul>",
        f"<li>Classification rule: {e(d['meta']['rule'])}</li>",
        f"<li>Window: {ext['window_days']} days; quarters are calendar quarters; bots never count.</li>",
        *(f"<li>{e(n)}</li>" for n in d["meta"]["notes"]),
        "</ul></body></html>",
    ]
    return "\n".join(parts)
