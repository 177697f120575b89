"""Governance checklist: the documents a contribution mechanism needs, and what they say.

Pure functions over ``activity.repo_files`` (found by the sources in the
working tree or through GitHub's API).
"""

from __future__ import annotations

import re
from fnmatch import fnmatch
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from contribfunnel.activity import Activity

__all__ = ["REQUIRED_DOCUMENTS", "codeowners_coverage", "governance", "listed_owners"]

#: Documents criterion 1 requires (design §8); "owners" is CODEOWNERS or MAINTAINERS/OWNERS.
REQUIRED_DOCUMENTS = ("contributing", "license", "code_of_conduct", "pr_template", "owners")

_TOC = re.compile(
    r"\b(TOC|TSC|technical\s+(oversight|steering|advisory)\s+(committee|council|board)|steering\s+"
    r"(committee|council|group|board)|technical\s+committee|core\s+team|architecture\s+(council|board))\b"
    r"|技术委员会|指导委员会|技术监督委员会|理事会",
    re.IGNORECASE,
)
_SIG = re.compile(
    r"\b(SIGs?|special\s+interest\s+groups?|working\s+groups?|WGs?|sub-?projects?|teams?)\b|兴趣小组|工作组",
    re.IGNORECASE,
)
_LOGIN = re.compile(r"(?<![\w.])@([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))(?![\w/-])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _checks() -> list[tuple[str, str, tuple[str, ...]]]:
    return [
        ("contributing", "CONTRIBUTING guide", ("contributing",)),
        ("license", "LICENSE", ("license",)),
        ("code_of_conduct", "Code of conduct", ("code_of_conduct",)),
        ("pr_template", "Pull request template", ("pr_template",)),
        ("owners", "CODEOWNERS or MAINTAINERS/OWNERS", ("codeowners", "maintainers")),
        ("issue_template", "Issue templates", ("issue_template",)),
        ("security", "Security policy", ("security",)),
        ("governance", "GOVERNANCE document", ("governance",)),
        ("ci", "Continuous integration", ("ci",)),
    ]


def governance(activity: Activity) -> pd.DataFrame:
    """The governance checklist: one row per check with ``present``, ``required`` and a ``detail``.

    Examples
    --------
    >>> import contribfunnel as cf
    >>> g = cf.governance(cf.load_example()).set_index("check")
    >>> bool(g.at["contributing", "present"]), bool(g.at["names_toc", "present"])
    (True, True)
    """
    files = activity.repo_files
    rows = []
    for check, label, kinds in _checks():
        found = files.loc[files.kind.isin(kinds), "path"]
        paths = tuple(sorted(found.astype(str)))
        rows.append(
            {
                "check": check,
                "label": label,
                "required": check in REQUIRED_DOCUMENTS,
                "present": bool(paths),
                "detail": ", ".join(paths[:5]) + (" …" if len(paths) > 5 else "") if paths else "not found",
            }
        )
    texts = files.loc[files.kind.isin(["governance", "maintainers", "codeowners", "contributing"]), "content"].dropna()
    toc = next((m.group(0) for t in texts if (m := _TOC.search(t))), None)
    sig = next((m.group(0) for t in texts if (m := _SIG.search(t))), None)
    rows.append({"check": "names_toc", "label": "Names a TOC or steering body", "required": False,
                 "present": toc is not None, "detail": f"mentions “{toc}”" if toc else "no TOC/steering body named"})
    rows.append({"check": "names_sigs", "label": "Names SIGs, working groups or teams", "required": False,
                 "present": sig is not None, "detail": f"mentions “{sig}”" if sig else "no SIGs or teams named"})
    covered, total = codeowners_coverage(activity)
    rows.append(
        {
            "check": "codeowners_coverage",
            "label": "CODEOWNERS covers top-level paths",
            "required": False,
            "present": total > 0 and covered == total,
            "detail": f"{covered} of {total} top-level paths" if total else "no CODEOWNERS or no tree listing",
        }
    )
    gfi = files.loc[files.kind == "good_first_issue"]
    labels = files.loc[files.kind == "label", "path"].astype(str).str.lower()
    has_label = bool(labels.str.contains("good first issue|good-first-issue|beginner|starter|help wanted").any())
    rows.append(
        {
            "check": "good_first_issues",
            "label": "Open “good first issue” items",
            "required": False,
            "present": len(gfi) > 0,
            "detail": f"{len(gfi)} open" if len(gfi) else ("label exists, none open" if has_label else "none found"),
        }
    )
    return pd.DataFrame(rows, columns=["check", "label", "required", "present", "detail"])


def _codeowners_patterns(text: str) -> list[str]:
    patterns = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("["):
            continue
        parts = line.split()
        if len(parts) >= 2:
            patterns.append(parts[0])
    return patterns


def codeowners_coverage(activity: Activity) -> tuple[int, int]:
    """(covered, total) top-level paths matched by some CODEOWNERS pattern."""
    files = activity.repo_files
    text = "\n".join(files.loc[files.kind == "codeowners", "content"].dropna())
    tops = sorted(set(files.loc[files.kind == "tree", "path"].astype(str)))
    if not text or not tops:
        return 0, len(tops)
    patterns = _codeowners_patterns(text)
    covered = 0
    for top in tops:
        for p in patterns:
            q = p.lstrip("/").rstrip("/")
            if q.endswith("/**"):
                q = q[:-3]
            head = q.split("/", 1)[0]
            if q in ("*", "**", "") or fnmatch(top, head) or (not p.startswith("/") and "/" not in q and fnmatch(top, q)):
                covered += 1
                break
    return covered, len(tops)


def listed_owners(repo_files: pd.DataFrame) -> set[str]:
    """Lower-case logins (``@login``, not ``@org/team``) and e-mails named in CODEOWNERS or MAINTAINERS/OWNERS."""
    out: set[str] = set()
    for text in repo_files.loc[repo_files.kind.isin(["codeowners", "maintainers"]), "content"].dropna():
        out |= {m.lower() for m in _LOGIN.findall(text)}
        out |= {m.lower() for m in _EMAIL.findall(text)}
    return out
