"""Commit-message parsing: trailers that credit people, and PR numbers in merge and squash subjects.

Pure text functions; :mod:`contribfunnel.sources.git` applies them to ``git log`` output.

**What counts as a trailer.**  Following git's own rule (``git interpret-trailers``):

1. The trailer block is the message's last paragraph (after the last blank
   line; CRLF line ends and lines of only white space count as blank);
   a one-paragraph message has none.
2. A line ``Key: value`` with ``Key`` made of letters, digits and hyphens is a
   trailer line; a line starting with white space continues the previous one;
   ``(cherry picked from commit …)`` lines are neutral.
3. The paragraph is a trailer block when all its other lines are trailer lines,
   or when at least 25% are and one of them is ``Signed-off-by``.
4. Only the keys in :data:`CREDIT_KEYS` (case-insensitive) credit people; others
   (``Fixes:``, ``Link:``, ``Change-Id:``, ``Discussion:``) are trailers that credit nobody.
5. A value names one or more people: ``Name <email>``, ``Name``, ``@login``
   or an e-mail, separated by commas, semicolons or " and ".  Values that are
   URLs credit nobody.
"""

from __future__ import annotations

import re

__all__ = ["CREDIT_KEYS", "parse_people", "pr_number", "pr_ref", "trailers"]

#: Trailer key (lower case) -> credit role.  ``Author:`` is PostgreSQL's way to
#: credit the real author when a committer applies someone else's patch.
CREDIT_KEYS: dict[str, str] = {
    "co-authored-by": "co-author",
    "co-author": "co-author",
    "author": "author",
    "reviewed-by": "reviewed-by",
    "tested-by": "tested-by",
    "reported-by": "reported-by",
    "acked-by": "acked-by",
    "helped-by": "helped-by",
    "suggested-by": "suggested-by",
    "signed-off-by": "signed-off-by",
    "mentored-by": "reviewed-by",
    "noticed-by": "reported-by",
    "based-on-patch-by": "co-author",
    "original-patch-by": "co-author",
    "original-author": "co-author",
}

_BLANK_LINE = re.compile(r"\n[ \t]*\n")  # a line with only white space separates paragraphs too
_TRAILER = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]*)[ \t]*:[ \t]*(\S.*)$")
_CHERRY = re.compile(r"^\(cherry picked from commit [0-9a-f]+\)$")
_PERSON = re.compile(r"^\s*(?P<name>[^<>]*?)\s*(?:<(?P<email>[^<>\s]*)>)?\s*$")
_SPLIT = re.compile(r"\s*(?:[,;]|\band\b)\s*(?![^<]*>)")
_BARE_EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$")

_PR_SUBJECT = (
    re.compile(r"^Merge pull request ([#!]\d+) from "),  # GitHub, Gitee
    re.compile(r"\((#\d+)\)\s*$"),  # GitHub squash merge
    re.compile(r"^Merge (#\d+)\b"),  # bors-ng
    re.compile(r"^Auto merge of (#\d+)\b"),  # homu
    re.compile(r"^(!\d+)\s"),  # Gitee squash: "!123 title"
)
_PR_BODY = re.compile(r"See merge request [\w./-]*!(\d+)")  # GitLab


def trailers(message: str) -> list[tuple[str, str]]:
    """The ``(key, value)`` trailers of a commit message, keys as written.

    >>> trailers("Fix it\\n\\nBody text.\\n\\nReviewed-by: Ann <ann@x.org>\\nSigned-off-by: Bo <bo@y.org>")
    [('Reviewed-by', 'Ann <ann@x.org>'), ('Signed-off-by', 'Bo <bo@y.org>')]
    >>> trailers("Fix it\\n\\nNote: this is prose, not a trailer block.\\nSecond line of prose.")
    []
    """
    text = message.replace("\r\n", "\n").replace("\r", "\n").rstrip()
    cut = max((m.end() for m in _BLANK_LINE.finditer(text)), default=-1)
    if cut < 0 or ":" not in text[cut:]:
        return []
    lines = text[cut:].split("\n")
    found: list[tuple[str, str]] = []
    other = 0
    signed = False
    for line in lines:
        if not line.strip():
            continue
        if line[0] in " \t" and found:
            key, value = found[-1]
            found[-1] = (key, value + " " + line.strip())
            continue
        m = _TRAILER.match(line)
        if m:
            found.append((m.group(1), m.group(2).strip()))
            signed = signed or m.group(1).lower() == "signed-off-by"
        elif not _CHERRY.match(line.strip()):
            other += 1
    if not found:
        return []
    if other and not (signed and len(found) * 3 >= other):  # at least 25% trailer lines
        return []
    return found


def parse_people(value: str) -> list[tuple[str, str | None]]:
    """``(name, email)`` pairs named in a trailer value.

    >>> parse_people("Ann Lee <ann@x.org>, Bo, and Chen Wei <chen@y.cn>")
    [('Ann Lee', 'ann@x.org'), ('Bo', None), ('Chen Wei', 'chen@y.cn')]
    >>> parse_people("https://example.org/thread")
    []
    """
    if "://" in value:
        return []
    out: list[tuple[str, str | None]] = []
    for part in _SPLIT.split(value):
        part = part.strip()
        if not part:
            continue
        if _BARE_EMAIL.match(part):
            out.append((part.split("@", 1)[0], part))
            continue
        m = _PERSON.match(part)
        if not m:
            continue
        name, email = m.group("name").strip().strip('"').lstrip("@").strip(), m.group("email") or None
        if name or email:
            out.append((name or (email or "").split("@", 1)[0], email))
    return out


def pr_ref(subject: str, message: str) -> str | None:
    """The PR or merge-request a commit message names, as written: ``#N`` or ``!N``.

    GitHub's numbers (``#``) and Gitee's or GitLab's (``!``) are separate number spaces.

    >>> [pr_ref(s, s) for s in ["Merge pull request #12 from a/b", "Fix (#34)", "!56 修复", "Plain"]]
    ['#12', '#34', '!56', None]
    >>> pr_ref("Merge pull request !57 from 韩梅梅/gitee", "")
    '!57'
    >>> pr_ref("Merge branch 'x' into 'main'", "Merge branch 'x'\\n\\nSee merge request grp/proj!78")
    '!78'
    """
    for pattern in _PR_SUBJECT:
        m = pattern.search(subject)
        if m:
            return m.group(1)
    if "merge request" in message:
        m = _PR_BODY.search(message)
        if m:
            return "!" + m.group(1)
    return None


def pr_number(subject: str, message: str) -> int | None:
    """The number part of :func:`pr_ref`.

    >>> pr_number("Fix (#34)", "Fix (#34)")
    34
    """
    ref = pr_ref(subject, message)
    return int(ref[1:]) if ref else None
