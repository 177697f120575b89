"""The stage-10 scorecard (design §8): five criteria, each with value, threshold, verdict, evidence and advice.

A criterion whose data cannot decide it says "not enough data" and why; it is
never guessed.  Thresholds come from :data:`contribfunnel.config.THRESHOLDS`,
overridable through :class:`~contribfunnel.Config`.
"""

from __future__ import annotations

import html
import math
import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from contribfunnel.activity import Activity
from contribfunnel.community import contributions, external_contributors, lookup
from contribfunnel.config import Config
from contribfunnel.friction import first_contributions, pr_timeline
from contribfunnel.governance import REQUIRED_DOCUMENTS, governance
from contribfunnel.graph import autonomy, mentors
from contribfunnel.identities import internal_mask
from contribfunnel.stats import absence_factor, km, wilson

__all__ = ["Check", "Criterion", "Scorecard", "stage10"]

PASS, FAIL, NED = "pass", "fail", "not enough data"
NEEDS_GITHUB = "not enough data: needs GitHub activity (pull requests, reviews, response times)"
NO_PRS = "not enough data: the repository has no pull requests"


def _no_prs(activity: Activity) -> str:
    """Why there are no PR figures: GitHub data without PRs is not git-only data."""
    return NO_PRS if "github" in activity.meta.sources else NEEDS_GITHUB


@dataclass(frozen=True)
class Check:
    """One measurable part of a criterion."""

    name: str
    value: Any
    threshold: str
    verdict: str
    note: str = ""
    informational: bool = False  # shown for context; never decides the criterion

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": _jsonable(self.value), "threshold": self.threshold,
                "verdict": "info" if self.informational else self.verdict, "note": self.note}


@dataclass(frozen=True)
class Criterion:
    """One stage-10 criterion: the verdict is 'fail' if any check fails, 'pass' if all pass, else 'not enough data'."""

    id: str
    title: str
    value: Any
    threshold: str
    checks: tuple[Check, ...]
    advice: str
    evidence: Mapping[str, Any] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        verdicts = {c.verdict for c in self.checks if not c.informational}
        if FAIL in verdicts:
            return FAIL
        if verdicts == {PASS}:
            return PASS
        return NED

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "value": _jsonable(self.value),
            "threshold": self.threshold,
            "verdict": self.verdict,
            "checks": [c.to_dict() for c in self.checks],
            "evidence": _jsonable(dict(self.evidence)),
            "advice": self.advice,
        }


def _jsonable(value: Any) -> Any:
    """Plain JSON values: timestamps as ISO strings, numpy scalars unwrapped, NaN, NaT and ±inf as ``None``."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@dataclass(frozen=True)
class Scorecard:
    """The stage-10 verdict: five criteria, the window, the rule in force and the data's limits.

    Examples
    --------
    >>> import contribfunnel as cf
    >>> card = cf.stage10(cf.load_example())
    >>> [c.id for c in card.criteria]
    ['mechanism', 'zero_guidance', 'autonomy', 'external_contributors', 'co_building']
    >>> card.criteria[3].verdict
    'pass'
    """

    criteria: tuple[Criterion, ...]
    as_of: pd.Timestamp
    window_days: int
    rule: str
    repos: tuple[str, ...]
    notes: tuple[str, ...] = ()

    @property
    def verdict(self) -> str:
        verdicts = {c.verdict for c in self.criteria}
        return FAIL if FAIL in verdicts else PASS if verdicts == {PASS} else NED

    @property
    def passed(self) -> bool:
        return self.verdict == PASS

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [{"id": c.id, "criterion": c.title, "value": c.value, "threshold": c.threshold, "verdict": c.verdict,
              "advice": c.advice} for c in self.criteria]
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "as_of": self.as_of.isoformat(),
            "window_days": self.window_days,
            "rule": self.rule,
            "repos": list(self.repos),
            "notes": list(self.notes),
            "criteria": [c.to_dict() for c in self.criteria],
        }

    def to_markdown(self) -> str:
        """A GitHub-flavoured Markdown table; repository text is escaped for Markdown."""
        lines = [
            f"**Stage 10: {self.verdict}** — {', '.join(map(_md, self.repos))}, "
            f"{self.window_days} days to {self.as_of:%Y-%m-%d}",
            "",
            "| # | Criterion | Value | Threshold | Verdict |",
            "|---|---|---|---|---|",
        ]
        for i, c in enumerate(self.criteria, 1):
            lines.append(f"| {i} | {c.title} | {_md(_fmt(c.value))} | {_md(c.threshold)} | {_badge(c.verdict)} |")
        lines += ["", "**Advice**", ""]
        lines += [f"{i}. {_md(c.advice)}" for i, c in enumerate(self.criteria, 1)]
        lines += ["", f"_Classification rule: {_md(self.rule)}_"]
        lines += [f"_Note: {_md(n)}_" for n in self.notes]
        return "\n".join(lines) + "\n"

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{i}</td><td>{html.escape(c.title)}</td><td>{html.escape(_fmt(c.value))}</td>"
            f"<td>{html.escape(c.threshold)}</td><td class='cf-{c.verdict.replace(' ', '-')}'>"
            f"<b>{html.escape(c.verdict)}</b></td><td>{html.escape(c.advice)}</td></tr>"
            for i, c in enumerate(self.criteria, 1)
        )
        head = html.escape(f"Stage 10: {self.verdict} — {', '.join(self.repos)}, as of {self.as_of:%Y-%m-%d}")
        return (
            f"<div class='contribfunnel-scorecard'><p><b>{head}</b></p><table><thead><tr><th>#</th>"
            "<th>Criterion</th><th>Value</th><th>Threshold</th><th>Verdict</th><th>Advice</th></tr></thead>"
            f"<tbody>{rows}</tbody></table><p><i>{html.escape(self.rule)}</i></p></div>"
        )

    def to_text(self, *, width: int = 100) -> str:
        """A plain-text table for a terminal: readable without colour (verdicts are words), wrapped to ``width``."""
        head = (f"Stage 10: {self.verdict.upper()}  ({', '.join(self.repos)}, {self.window_days} days to "
                f"{self.as_of:%Y-%m-%d})")
        rows = [("#", "Criterion", "Value", "Verdict")] + [
            (str(i), c.title, _fmt(c.value), c.verdict.upper()) for i, c in enumerate(self.criteria, 1)]
        widths = [max(len(r[k]) for r in rows) for k in range(4)]
        table = ["  " + "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows]
        table.insert(1, "  " + "  ".join("-" * w for w in widths))
        out = [head, "", *table]
        for i, c in enumerate(self.criteria, 1):
            out += ["", f"{i}. {c.title}: {c.verdict.upper()}"]
            for ch in c.checks:
                line = f"{'INFO' if ch.informational else ch.verdict.upper():<15}  {ch.name} = {_fmt(ch.value)}"
                line += f", needs {ch.threshold}" if ch.threshold else ""
                line += f" ({ch.note})" if ch.note else ""
                out += textwrap.wrap(line, width=width, initial_indent="   ", subsequent_indent=" " * 20)
            out += textwrap.wrap(f"advice: {c.advice}", width=width, initial_indent="   ", subsequent_indent=" " * 11)
        return "\n".join(out)

    def __str__(self) -> str:
        return self.to_text()


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _md(text: str) -> str:
    """Repository text made inert in GitHub Markdown: HTML escaped, Markdown syntax backslashed, no @-mentions."""
    out = html.escape(re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", str(text)), quote=False)
    for ch in "\\`*_[]|#<>~":
        out = out.replace(ch, "\\" + ch)
    # A zero-width space after "@" keeps a pasted report from notifying everyone it names.
    return out.replace("@", "@\u200b").replace("\r", " ").replace("\n", " ")


def _badge(verdict: str) -> str:
    return {PASS: "✅ pass", FAIL: "❌ fail"}.get(verdict, "⚪ not enough data")


def stage10(activity: Activity, *, config: Config | None = None, as_of: Any = None) -> Scorecard:
    """Judge the activity against stage 10: five criteria with evidence.

    ``config`` supplies thresholds (identities are resolved when the data is
    loaded; use :func:`~contribfunnel.resolve_identities` to apply another rule).
    """
    cfg = config or Config()
    t = cfg.thresholds
    end = activity.end(as_of)
    window = int(t["window_days"])
    has_items = bool((activity.items.kind == "pr").any())
    gov = governance(activity).set_index("check")
    start = end - pd.Timedelta(days=window)
    prs = pr_timeline(activity, as_of=end) if has_items else pd.DataFrame()
    first = (first_contributions(activity, as_of=end, max_guidance_comments=int(t["zero_guidance_max_comments"]))
             if has_items else pd.DataFrame())
    if has_items:
        prs = prs[prs.ready_at > start]
        first = first[first.ready_at > start]
    criteria = (
        _mechanism(activity, gov, has_items, t, prs),
        _zero_guidance(activity, has_items, t, first),
        _autonomy(activity, gov, t, window, end),
        _external(activity, t, window, end),
        _co_building(activity, t, window, end),
    )
    notes = list(activity.meta.notes)
    if not activity.meta.history_complete:
        notes.append("history incomplete: newcomers near the start of the data may be old hands")
    return Scorecard(criteria=criteria, as_of=end, window_days=window, rule=activity.meta.rule,
                     repos=activity.meta.repos, notes=tuple(dict.fromkeys(notes)))


def _examples(rows: pd.DataFrame, col: str, n: int = 5) -> list[dict[str, Any]]:
    top = rows.sort_values(col, ascending=False).head(n)
    return [{"repo": str(r.repo), "number": int(r.number), "title": str(r.title), col: round(float(getattr(r, col)), 1),
             "answered": bool(r.is_responded)} for r in top.itertuples(index=False)]


def _too_few(n: int, t: Mapping[str, float], what: str) -> str:
    return f"not enough data: {n} {what} in the window (need {t['min_newcomer_prs']:g})"


def _mechanism(activity: Activity, gov: pd.DataFrame, has_items: bool, t: Mapping[str, float],
               prs: pd.DataFrame) -> Criterion:
    missing = [str(gov.at[d, "label"]) for d in REQUIRED_DOCUMENTS if not bool(gov.at[d, "present"])]
    present = len(REQUIRED_DOCUMENTS) - len(missing)
    checks = [Check("documents", f"{present}/{len(REQUIRED_DOCUMENTS)}", "all present",
                    PASS if not missing else FAIL, "missing: " + ", ".join(missing) if missing else "")]
    evidence: dict[str, Any] = {"missing_documents": missing}
    ext = prs[prs.is_external] if has_items else prs
    hours, days = t["response_hours"], t["decision_days"]
    if not has_items:
        checks.append(Check("response_48h", None, f"KM P(human response within {hours:g} h) ≥ {t['response_share']}",
                            NED, _no_prs(activity)))
        checks.append(Check("decision_30d", None, f"KM P(decision within {days:g} days) ≥ {t['decision_share']}",
                            NED, _no_prs(activity)))
    elif len(ext) < t["min_newcomer_prs"]:
        note = _too_few(len(ext), t, "external PRs")
        checks.append(Check("response_48h", None, f"≥ {t['response_share']}", NED, note))
        checks.append(Check("decision_30d", None, f"≥ {t['decision_share']}", NED, note))
    else:
        resp = km(ext.response_hours.to_numpy(), ext.is_responded.to_numpy()).at(hours)
        dec = km(ext.decision_hours.to_numpy(), ext.is_decided.to_numpy()).at(days * 24)
        checks.append(Check("response_48h", round(resp[0], 3),
                            f"KM P(human response within {hours:g} h) ≥ {t['response_share']}",
                            PASS if resp[0] >= t["response_share"] else FAIL,
                            f"95% CI {resp[1]:.2f}–{resp[2]:.2f}; {len(ext)} external PRs, "
                            f"{int((~ext.is_responded).sum())} still unanswered (censored)"))
        checks.append(Check("decision_30d", round(dec[0], 3),
                            f"KM P(decision within {days:g} days) ≥ {t['decision_share']}",
                            PASS if dec[0] >= t["decision_share"] else FAIL, f"95% CI {dec[1]:.2f}–{dec[2]:.2f}"))
        evidence["slowest_answered"] = _examples(ext, "response_hours")
    failing = [c.name for c in checks if c.verdict == FAIL]
    if missing:
        advice = f"Add the missing documents: {', '.join(missing)}."
    elif "response_48h" in failing:
        advice = f"Answer external pull requests faster: aim for a human response within {hours:g} hours."
    elif "decision_30d" in failing:
        advice = f"Decide external pull requests sooner: merge or close within {days:g} days."
    elif not has_items:
        advice = "Documents are in place; measure response and decision times with GitHub activity."
    elif len(ext) < t["min_newcomer_prs"]:
        advice = "Documents are in place, but too few external pull requests in the window to judge response times."
    else:
        advice = "Documents are in place and external pull requests are answered and decided promptly."
    return Criterion("mechanism", "Contribution & acceptance mechanism", f"{present}/{len(REQUIRED_DOCUMENTS)} documents",
                     f"all documents; {hours:g} h response and {days:g}-day decision for ≥ 80% of external PRs",
                     tuple(checks), advice, evidence)


def _zero_guidance(activity: Activity, has_items: bool, t: Mapping[str, float], first: pd.DataFrame) -> Criterion:
    thr = (f"newcomers' first PRs: acceptance ≥ {t['first_pr_acceptance']}, zero-guidance ≥ "
           f"{t['zero_guidance_share']}, median first response ≤ {t['median_first_response_hours']:g} h")
    names = ("first_pr_acceptance", "zero_guidance_share", "median_first_response")
    if not has_items or len(first) < t["min_newcomer_prs"]:
        note = _no_prs(activity) if not has_items else _too_few(len(first), t, "newcomers' first PRs")
        checks = tuple(Check(n, None, "", NED, note) for n in names)
        advice = ("Fetch the repository's GitHub activity to judge newcomers' first pull requests."
                  if not has_items and "github" not in activity.meta.sources
                  else "The repository has no pull requests yet: nothing to judge." if not has_items
                  else "Too few newcomers opened a first pull request in the window to judge.")
        return Criterion("zero_guidance", "Zero-guidance contribution", None, thr, checks, advice)
    decided = first[first.is_decided]
    merged = first[first.outcome == "merged"]
    acc = len(merged[merged.is_decided]) / len(decided) if len(decided) else float("nan")
    zg = float(merged.is_zero_guidance.mean()) if len(merged) else float("nan")
    med = km(first.response_hours.to_numpy(), first.is_responded.to_numpy()).median
    acc_ci, zg_ci = wilson(len(merged[merged.is_decided]), len(decided)), wilson(
        int(merged.is_zero_guidance.sum()), len(merged))
    checks = (
        Check(names[0], round(acc, 3), f"≥ {t['first_pr_acceptance']}",
              NED if acc != acc else PASS if acc >= t["first_pr_acceptance"] else FAIL,
              f"{len(merged)} merged of {len(decided)} decided; 95% CI {acc_ci[0]:.2f}–{acc_ci[1]:.2f}"),
        Check(names[1], round(zg, 3), f"≥ {t['zero_guidance_share']}",
              NED if zg != zg else PASS if zg >= t["zero_guidance_share"] else FAIL,
              f"95% CI {zg_ci[0]:.2f}–{zg_ci[1]:.2f}"),
        Check(names[2], round(med[0], 1), f"≤ {t['median_first_response_hours']:g} h",
              PASS if med[0] <= t["median_first_response_hours"] else FAIL,
              f"KM median; 95% CI {med[1]:.0f}–{med[2]:.0f} h; {int((~first.is_responded).sum())} unanswered (censored)"),
    )
    failing = [c.name for c in checks if c.verdict == FAIL]
    if "median_first_response" in failing:
        advice = "Newcomers wait too long for a first answer: triage first-time PRs daily."
    elif "first_pr_acceptance" in failing:
        advice = "Most newcomers' first PRs are not merged: point them at good first issues and say what is wanted."
    elif "zero_guidance_share" in failing:
        advice = "First PRs need many rounds of guidance: improve CONTRIBUTING, templates and automated checks."
    else:
        advice = "Newcomers get first PRs merged without hand-holding."
    evidence = {"first_prs": len(first), "waited_longest": _examples(first, "response_hours"),
                "most_revised": _examples(first, "review_rounds")}
    return Criterion("zero_guidance", "Zero-guidance contribution", round(acc, 3), thr, checks, advice, evidence)


def _review_shares(activity: Activity, window: int, end: pd.Timestamp) -> dict[str, float]:
    """Each person's share of reviews of others' work in the window (the ten busiest)."""
    c = contributions(activity)
    r = c[(c.kind == "review") & (c["at"] <= end) & (c["at"] > end - pd.Timedelta(days=window))].person.value_counts()
    return {str(k): round(float(v) / float(r.sum()), 3) for k, v in r.head(10).items()}


def _autonomy(activity: Activity, gov: pd.DataFrame, t: Mapping[str, float], window: int,
              end: pd.Timestamp) -> Criterion:
    a = autonomy(activity, window="365D" if window == 365 else f"{window}D", as_of=end)
    checks: list[Check] = []
    evidence: dict[str, Any] = {
        "merge_shares": {str(r.person): round(float(r.share), 3) for r in a.merge_shares.head(10).itertuples()},
        "review_shares": _review_shares(activity, window, end),
        "newcomer_responders": {str(r.person): int(r.answered) for r in
                                mentors(activity, window=f"{window}D", as_of=end).table.head(10).itertuples()},
        "newcomers_answered_without_top_responder": None if a.newcomer_answered_without_top != a.newcomer_answered_without_top
        else round(a.newcomer_answered_without_top, 3),
        "top_responder": a.top_responder,
        "review_graph_connected_without_top": a.review_connected_without_top,
        "review_graph_top": a.review_top_node,
        "communities": a.communities,
        "declared_teams": list(a.declared_teams),
    }
    if a.mergers == 0:
        checks.append(Check("mergers", None, f"≥ {t['min_mergers']:g}", NED,
                            "no merges of others' work found in the window"))
    else:
        checks.append(Check("mergers", a.mergers, f"≥ {t['min_mergers']:g}",
                            PASS if a.mergers >= t["min_mergers"] else FAIL))
        checks.append(Check("top_merger_share", round(a.top_merger_share, 3), f"≤ {t['max_top_merger_share']}",
                            PASS if a.top_merger_share <= t["max_top_merger_share"] else FAIL,
                            f"top merger: {a.top_merger}"))
        checks.append(Check("bus_factor_merges_reviews", a.bus_factor_merges_reviews, f"≥ {t['min_bus_factor']:g}",
                            PASS if a.bus_factor_merges_reviews >= t["min_bus_factor"] else FAIL))
    toc, sigs = bool(gov.at["names_toc", "present"]), bool(gov.at["names_sigs", "present"])
    checks.append(Check("governance_body", toc or sigs, "a document names a TOC/steering body or SIGs/teams",
                        PASS if toc or sigs else FAIL, f"{gov.at['names_toc', 'detail']}; {gov.at['names_sigs', 'detail']}"))
    failing = [ch.name for ch in checks if ch.verdict == FAIL]
    if "governance_body" in failing:
        advice = "Write a GOVERNANCE document that names a TOC or steering body and its SIGs or teams."
    elif failing:
        advice = f"Spread merge rights and reviews: {a.top_merger} carries too much of the merging."
    elif a.mergers == 0:
        advice = "No merges of others' work were found; GitHub activity would show who merges."
    else:
        advice = "Merging and reviewing are spread across several people."
    return Criterion("autonomy", "Autonomous development group", a.mergers or None,
                     f"≥ {t['min_mergers']:g} mergers, top share ≤ {t['max_top_merger_share']}, bus factor ≥ "
                     f"{t['min_bus_factor']:g}, TOC/SIGs named", tuple(checks), advice, evidence)


def _external(activity: Activity, t: Mapping[str, float], window: int, end: pd.Timestamp) -> Criterion:
    ext = external_contributors(activity, window=window, as_of=end)
    need = t["external_contributors"]
    # Nobody classified internal (no rule, or a rule that matched nobody): the count includes the core team.
    no_rule = bool(activity.people.internal_rule.fillna("default").str.startswith("default").all())
    if ext.all_time == 0 and len(activity.people) == 0:
        check = Check("external_contributors", None, f"> {need:g}", NED, "no merged contributions found")
    else:
        check = Check("external_contributors", ext.count, f"> {need:g}", PASS if ext.count > need else FAIL,
                      "nobody is classified internal: add [internal] to the config" if no_rule else "")
    info = Check("external_committers", ext.committers, f"≈ {t['external_committers_reference']:g} (reference)",
                 PASS, "for information: the seed's reference project had about 50 external committers",
                 informational=True)
    if check.verdict == PASS:
        advice = f"{ext.count} external contributors in {window} days: keep newcomers coming back."
    elif check.verdict == FAIL:
        advice = f"{ext.count} of more than {need:g} external contributors: lower the barrier for first PRs."
    else:
        advice = "No merged contributions were found."
    if no_rule:
        advice += " Configure who is internal, or the count includes the core team."
    evidence = {"by_quarter": ext.to_dict()["by_quarter"], "all_time": ext.all_time,
                "top": ext.people.head(10).person.astype(str).tolist(), "rule": ext.rule}
    return Criterion("external_contributors", "More than 30 external contributors", ext.count, f"> {need:g}",
                     (check, info), advice, evidence)


def _co_building(activity: Activity, t: Mapping[str, float], window: int, end: pd.Timestamp) -> Criterion:
    c = contributions(activity)
    c = c[c.kind.isin(["merged_pr", "commit"]) & (c["at"] <= end) & (c["at"] > end - pd.Timedelta(days=window))]
    c = c[~internal_mask(activity.people, c.person, c["at"]).to_numpy()]
    orgs = activity.people.set_index("person").organization
    c = c.assign(organization=lookup(c.person, orgs))
    people = c.person.nunique()
    known = c.dropna(subset=["organization"])
    coverage = known.person.nunique() / people if people else 0.0
    if known.empty:
        checks: tuple[Check, ...] = (Check("organizations", None, f"≥ {t['min_organizations']:g}", NED,
                                           "affiliations unknown for every external contributor"),)
        value: Any = None
        advice = "Affiliations are unknown: map e-mail domains to organisations in the config."
        shares: dict[str, float] = {}
    else:
        counts = known.organization.value_counts()
        n_orgs, ef = int(counts.size), absence_factor(counts.to_numpy())
        value = n_orgs
        checks = (
            Check("organizations", n_orgs, f"≥ {t['min_organizations']:g}", PASS if n_orgs >= t["min_organizations"] else FAIL,
                  f"organisation known for {coverage:.0%} of external contributors"),
            Check("elephant_factor", ef, f"≥ {t['min_elephant_factor']:g}", PASS if ef >= t["min_elephant_factor"] else FAIL),
        )
        shares = {str(k): round(float(v) / counts.sum(), 3) for k, v in counts.head(10).items()}
        advice = ("Several organisations co-build the project." if all(ch.verdict == PASS for ch in checks)
                  else "Invite leading users' engineering teams to co-build: too few organisations contribute.")
    return Criterion("co_building", "Co-building organisations", value,
                     f"≥ {t['min_organizations']:g} external organisations, elephant factor ≥ {t['min_elephant_factor']:g}",
                     checks, advice, {"organization_shares": shares, "affiliation_coverage": round(coverage, 3)})
