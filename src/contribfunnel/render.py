"""Rendering a :class:`~contribfunnel.Report`: HTML through a Jinja2 template with autoescaping (every
string from the repository is escaped wherever it lands), plots embedded as PNG data URIs so the page is one
self-contained file, and Markdown that pastes cleanly into a GitHub issue.
"""

from __future__ import annotations

import base64
import io
import math
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import jinja2
import pandas as pd

from contribfunnel.criteria import _badge, _fmt, _md

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from contribfunnel.report import Report

__all__ = ["figures", "to_html", "to_markdown"]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _printable(v: Any) -> Any:
    """Every value the template prints loses C0 control characters (a git name can carry ESC)."""
    return _CONTROL.sub("", v) if isinstance(v, str) else v


_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("contribfunnel", "templates"),
    autoescape=True,  # every {{ value }} is HTML-escaped; nothing from the data is ever marked safe
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    extensions=["jinja2.ext.do"],
    finalize=_printable,
)


def hours(h: Any) -> str:
    """A waiting time for people: '31 h', '4.2 days', 'not reached' (a KM median the curve never got to)."""
    if h is None or (isinstance(h, float) and math.isnan(h)):
        return "–"
    h = float(h)
    if math.isinf(h):
        return "not reached"
    return f"{h:.0f} h" if h < 72 else f"{h / 24:.1f} days"


def pct(x: Any) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{float(x):.0%}"


def interval(lo: Any, hi: Any, fmt: Callable[[Any], str] = pct) -> str:
    if lo is None or hi is None:
        return ""
    return f"({fmt(lo)} – {fmt(hi)})"


def signed(x: Any) -> str:
    """A difference of shares in percentage points: '+8 pp', '−31 pp'."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{float(x) * 100:+.0f} pp".replace("-", "−")


_GAP = {"median_response_hours": "median time to first response", "median_decision_hours": "median time to decision",
        "answered_within": "answered within {h:g} h", "acceptance": "accepted (of decided)",
        "abandonment": "abandoned"}


def gap_label(metric: str, within: float = 48) -> str:
    return _GAP.get(metric, metric.replace("_", " ")).format(h=within)


def pvalue(p: Any) -> str:
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "–"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def value(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.3g}"
    return _fmt(v)


_ENV.filters.update(hours=hours, pct=pct, pvalue=pvalue, value=value)
_ENV.globals.update(interval=interval, hours=hours, pct=pct, signed=signed, gap_label=gap_label)

_STAGE = {"participant": "participant", "opened_pr": "opened a PR", "first_merged": "first PR merged",
          "second_merged": "second merged", "sustained": "sustained", "reviewer": "reviewer", "maintainer": "maintainer"}
_ENV.globals.update(stage_label=lambda s: _STAGE.get(s, s), badge=_badge)


def _png(draw: Callable[[Axes], Any], size: tuple[float, float]) -> str:
    from matplotlib.figure import Figure

    from contribfunnel.plot import style

    with style():
        fig = Figure(figsize=size, layout="constrained")
        draw(fig.subplots())
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110, metadata={"Software": None})
    return base64.b64encode(buf.getvalue()).decode("ascii")


def figures(rep: Report) -> dict[str, str]:
    """Every chart of the report as base64 PNG, keyed by name."""
    from contribfunnel import plot

    f, d = rep.frames, rep.data
    within = float(d["friction"]["within_hours"])
    prs, prs_w = f["prs"], f["prs_window"]
    a, b = d["changes"]["a"], d["changes"]["b"]
    if len(prs):
        q = prs.assign(quarter=prs.ready_at.dt.tz_convert(None).dt.to_period("Q").astype(str))
        q = q[q.quarter.isin([a, b])]
        q = q.assign(quarter=q.quarter.map({b: f"{b} (this quarter)", a: f"{a}"}))
    else:
        q = pd.DataFrame(columns=["response_hours", "is_responded", "quarter"])
    threshold = float(d["external_contributors"]["threshold"])
    out = {
        "funnel": _png(lambda ax: plot.funnel(f["funnel"], ax=ax), (7, 3.2)),
        "cohorts": _png(lambda ax: plot.cohorts(f["funnel"], ax=ax), (7.5, 5)),
        "external": _png(lambda ax: plot.external(f["external"], ax=ax, threshold=threshold), (7.5, 3.2)),
    }
    if d["graph"]["people"]:
        out["graph"] = _png(lambda ax: plot.graph(f["graph"], ax=ax, summary=f["graph_summary"]), (8, 6.5))
    if d["friction"]["groups"]:  # otherwise the sections say what data is missing instead of drawing nothing
        out["survival_groups"] = _png(lambda ax: plot.survival(prs_w, by="is_first_pr", ax=ax, within_hours=within),
                                      (7, 3.4))
        out["survival_quarters"] = _png(lambda ax: plot.survival(q, by="quarter" if len(q) else None, ax=ax,
                                                                 within_hours=within), (7, 3.4))
    if d["first_prs"]["count"]:
        out["outcomes"] = _png(lambda ax: plot.outcomes(f["first_window"], ax=ax), (7.5, 3))
    return out


def to_html(rep: Report, *, fragment: bool = False) -> str:
    """The report as one HTML page (or, with ``fragment=True``, a block for Jupyter)."""
    return _ENV.get_template("report.html.j2").render(r=rep.data, img=figures(rep), fragment=fragment)


def _table(head: list[str], rows: list[list[Any]]) -> list[str]:
    if not rows:
        return ["_None in the window._", ""]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(_md(str(c)) for c in row) + " |" for row in rows]
    return [*out, ""]


def to_markdown(rep: Report) -> str:
    """GitHub-flavoured Markdown: tables, every repository string escaped, no @-mentions, no images."""
    d = rep.data
    m = d["meta"]
    lines = [f"# contribfunnel report: {', '.join(_md(r) for r in m['repos'])}", "",
             f"Quarter **{m['quarter']}**{'' if m['quarter_complete'] else ' (so far)'} compared with "
             f"{m['compare_to']}; window of {m['window_days']} days to {m['as_of'][:10]}.", "",
             rep.scorecard.to_markdown()]

    fun = d["funnel"]
    lines += ["## Newcomer funnel", "",
              f"{fun['newcomers']} newcomers, pooled over {fun['pooled_over']}; each stage within "
              f"{_fmt(fun['horizon_days'])} days of a person's first activity (95% Wilson intervals).", ""]
    lines += _table(["Stage", "Reached", "Share"], [[_STAGE.get(s["stage"], s["stage"]), s["reached"],
                                                     f"{pct(s['share'])} {interval(s['low'], s['high'])}"]
                                                    for s in fun["pooled"]])
    stages = [s["stage"] for s in fun["pooled"]]
    lines += _table(["Cohort", "Size", *[_STAGE.get(s, s) for s in stages[1:]]],
                    [[c["cohort"] + ("" if c["is_complete"] else " *"), c["cohort_size"],
                      *[c["reached"].get(s, 0) for s in stages[1:]]] for c in fun["cohorts"][-8:]])
    if any(not c["is_complete"] for c in fun["cohorts"][-8:]):
        lines += ["\\* horizon not yet passed: the cohort can still move down the funnel.", ""]

    fr = d["friction"]
    lines += ["## Time to first response", ""]
    if fr["groups"]:
        lines += _table(["PRs", "n", "unanswered (censored)", "median wait (95% CI)", f"answered within {fr['within_hours']:g} h",
                         "accepted"],
                        [["newcomers' first PRs" if g["group"] == "newcomer" else "regulars' PRs", g["prs"],
                          g["unanswered"], f"{hours(g['median_response_hours'])} "
                          f"{interval(g['median_response_low'], g['median_response_high'], hours)}",
                          f"{pct(g['answered_within'])} {interval(g['answered_within_low'], g['answered_within_high'])}",
                          f"{pct(g['acceptance'])} {interval(g['acceptance_low'], g['acceptance_high'])}"]
                         for g in fr["groups"]])
        lines += ["The newcomer gap (newcomers minus regulars; medians compared as whole curves by log-rank):", ""]
        lines += _table(["Measure", "Newcomers", "Regulars", "Difference (95% CI)", "Test", "p"],
                        [[gap_label(g["metric"], fr["within_hours"]), (hours if g["metric"].endswith("hours") else pct)(g["newcomer"]),
                          (hours if g["metric"].endswith("hours") else pct)(g["regular"]),
                          hours(g["difference"]) if g["metric"].endswith("hours")
                          else f"{signed(g['difference'])} {interval(g['difference_low'], g['difference_high'], signed)}",
                          g["test"], pvalue(g["p_value"])] for g in fr["gap"]])
    else:
        lines += [f"_{_md(fr['note'])}_", ""]

    fp = d["first_prs"]
    lines += ["## Newcomers' first pull requests", ""]
    if fp["count"]:
        o = fp["outcomes"]
        lines += [f"{fp['count']} in the window: {o['merged']} merged, {o['closed']} closed unmerged, {o['open']} open. "
                  f"Acceptance {pct(fp['acceptance']['value'])} {interval(fp['acceptance']['low'], fp['acceptance']['high'])}, "
                  f"zero-guidance {pct(fp['zero_guidance']['value'])} "
                  f"{interval(fp['zero_guidance']['low'], fp['zero_guidance']['high'])}, abandoned "
                  f"{pct(fp['abandonment']['value'])} {interval(fp['abandonment']['low'], fp['abandonment']['high'])}.", ""]
        lines += ["Waited longest:", ""]
        lines += _table(["PR", "Title", "Labels", "Author", "Waited", "Outcome"],
                        [[f"{w['repo']}#{w['number']}", w["title"], ", ".join(w["labels"]), w["author"],
                          hours(w["response_hours"]) + ("" if w["answered"] else f" ({w['wait']})"), w["outcome"]]
                         for w in fp["waited_longest"]])
    else:
        lines += [f"_{_md(fp['note'])}_", ""]

    ext = d["external_contributors"]
    lines += ["## External contributors", "",
              f"**{ext['count']}** in the {ext['window_days']} days to {m['as_of'][:10]} (stage 10: more than "
              f"{ext['threshold']:g}); {ext['all_time']} all time; {ext['committers']} external committers.", ""]
    lines += _table(["Quarter", "External in the quarter", f"External in the trailing {ext['window_days']} days"],
                    [[q["quarter"], q["external"], q["trailing"]] for q in ext["by_quarter"][-8:]])

    g = d["graph"]
    lines += [f"## Contributor graph ({'reviews' if g['kind'] == 'review' else 'collaboration'})", ""]
    lines += [f"_{_md(g['note'])}._", ""] if g["note"] else []
    lines += [f"{g['people']} people, {g['edges']} relations, {g['communities']} communities; innermost core "
              f"k = {g['core_k']} with {g['core_size']} people.", ""]
    lines += _table(["Person", "Interactions", "Partners", "Core", "External"],
                    [[t["person"], t["strength"], t["degree"], t["core"], value(t["is_external"])]
                     for t in g["top"][:10]])

    mn = d["mentors"]
    lines += ["## Mentor load", "",
              f"{mn['answered']} of {mn['first_prs']} newcomers' first PRs in the window were answered; the busiest "
              f"responder answered {mn['top_answered']} of those ({pct(mn['top_share'])}), everyone else "
              f"{mn['answered_by_others']} (concentration index {value(mn['hhi'])}).", ""]
    lines += _table(["Responder", "First PRs answered", "Share"],
                    [[p["person"], p["answered"], pct(p["share"])] for p in mn["people"][:10]])
    lines += _table(["Bus factor over", "Value", "Of"], [[k, v["value"], v["total"]] for k, v in d["bus_factor"].items()])

    lines += ["## Governance", ""]
    lines += _table(["Check", "Required", "Present", "Detail"],
                    [[x["label"], value(x["required"]), "✅" if x["present"] else "❌", x["detail"]] for x in d["governance"]])

    ch = d["changes"]
    lines += [f"## {ch['b']} compared with {ch['a']}", ""]
    if ch["comparable"]:
        lines += ["p (Holm) is adjusted for testing every row at once." + (f" Note: {_md(ch['note'])}." if ch["note"]
                                                                           else ""), ""]
        rows = [[c["label"], c["a"], c["b"], c["test"], pvalue(c["p_value"]), pvalue(c["p_holm"])] for c in ch["counts"]]
        notes = []
        for section, label in (("prs", "all PRs"), ("first_prs", "newcomers' first PRs")):
            for c in ch[section]:
                fmt = hours if c["metric"].endswith("hours") else pct
                rows.append([f"{c['label']} ({label})" + (" †" if c["note"] else ""), fmt(c["a"]), fmt(c["b"]),
                             c["test"], pvalue(c["p_value"]), pvalue(c["p_holm"])])
                notes += [c["note"]] if c["note"] else []
        lines += _table(["Measure", ch["a"], ch["b"], "Test", "p", "p (Holm)"], rows)
        lines += [f"† {_md(n)}" for n in dict.fromkeys(notes)] + ([""] if notes else [])
    else:
        lines += [f"_{_md(ch['note'])}._", ""]

    me = d["methods"]
    lines += ["## Methods", "",
              f"- Data: {_md(me['data_from'][:10] if me['data_from'] else 'unknown')} to {me['as_of'][:10]} from "
              f"{_md(', '.join(me['sources']))}; history {'complete' if me['history_complete'] else 'incomplete'}.",
              f"- Window: {me['window_days']} days from {me['window_start'][:10]}; quarters are calendar quarters (UTC).",
              f"- Censoring: {_md(me['censoring'])} {me['censored_prs']} of {me['prs_in_window']} PRs in the window "
              "have no answer (censored).",
              f"- A response is the {_md(me['response'])}.",
              f"- Classification rule: {_md(me['rule'])}",
              f"- Bots ({me['bots']}) are excluded from every people count and never count as a response."]
    lines += [f"- Missing: {_md(n)}" for n in me["missing"]]
    lines += ["", f"_contribfunnel {_md(m['versions'].get('contribfunnel', ''))}, report schema {m['schema_version']}_"]
    return "\n".join(lines) + "\n"

