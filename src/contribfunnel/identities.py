"""Identities: one person from many identities, bots, organisations, internal/external and roles.

:func:`resolve_identities` rebuilds the ``people`` table from the raw identities
in an Activity (GitHub logins, commit names and e-mails, trailer credits) under a
:class:`~contribfunnel.config.Config`, and rewrites every person column to the
resolved ids.  Sources call it once; call it again to apply another config.

Rules (design §6):

- **same person**: ``.mailmap`` (applied by git), ``N+login@users.noreply.github.com``
  and ``login@users.noreply.github.com`` map to ``login``, the same e-mail
  (case-insensitive), the config's aliases, and - with ``merge_by_name`` - the
  same full name of at least two words that is not a placeholder.
- **bot**: GitHub typed it Bot, the login ends in ``[bot]``, or it is on the
  shipped list of known automation accounts (``data/known_bots.txt``); config
  can add or remove.  A name merely ending in "bot" is never enough.
- **internal**, in order: config logins, e-mails, e-mail domains (optionally
  dated); membership of the owning organisation where the source knows it;
  GitHub's ``author_association`` OWNER/MEMBER as a last resort.  Everyone else
  is external.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter, defaultdict
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from contribfunnel import schema
from contribfunnel.activity import Activity, combine_tables
from contribfunnel.config import Config, DatedValue
from contribfunnel.governance import listed_owners

__all__ = ["combine", "internal_mask", "is_known_bot", "resolve_identities"]

_NOREPLY = re.compile(r"^(?:\d+\+)?(?P<login>[^@]+)@users\.noreply\.github\.com$", re.IGNORECASE)
_PLACEHOLDER_NAMES = frozenset(
    {"", "root", "unknown", "none", "nobody", "user", "admin", "administrator", "your name", "ubuntu", "anonymous",
     "(no author)", "no author", "localhost", "github", "git", "test", "local user"}
)
_PUBLIC_MAIL = frozenset(
    {"gmail.com", "googlemail.com", "hotmail.com", "outlook.com", "live.com", "msn.com", "yahoo.com", "ymail.com",
     "icloud.com", "me.com", "mac.com", "aol.com", "gmx.de", "gmx.net", "gmx.com", "web.de", "protonmail.com",
     "proton.me", "pm.me", "yandex.ru", "yandex.com", "mail.ru", "qq.com", "foxmail.com", "163.com", "126.com",
     "sina.com", "aliyun.com", "hey.com", "fastmail.com", "zoho.com", "posteo.de", "tutanota.com",
     "users.noreply.github.com", "noreply.github.com", "github.com", "example.com", "example.org", "localhost",
     "localhost.localdomain", "none", "(none)"}
)
_SOURCE_RULE_PREFIXES = ("config", "default", "author_association")


@cache
def _known_bots() -> frozenset[str]:
    text = (resources.files("contribfunnel") / "data" / "known_bots.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def is_known_bot(identity: str) -> bool:
    """True for a login ending in ``[bot]`` or a listed automation account; never for 'ends with bot'.

    >>> [is_known_bot(x) for x in ["dependabot[bot]", "k8s-ci-robot", "talbot", "abbot"]]
    [True, True, False, False]
    """
    key = identity.strip().lower()
    return key.endswith("[bot]") or key in _known_bots()


def _clean(value: object) -> str:
    return "" if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)) else str(value).strip()


#: Addresses that many people share (web committers, placeholders): they never join identities.
_SHARED_EMAILS = frozenset({"noreply@github.com", "noreply@gitee.com", "you@example.com", "none@none",
                            "nobody@nowhere", "user@example.com", "email@example.com"})


def _email_key(email: str) -> str | None:
    """The e-mail as an identity key, or None when it cannot identify one person."""
    e = email.strip().lower()
    if "@" not in e or e in _SHARED_EMAILS or e.endswith(("@localhost", "@localhost.localdomain", "@(none)")):
        return None
    return e


_EMAILISH = re.compile(r"[<(\[]?\s*[\w.+-]+@[\w-]+(?:\.[\w-]+)*\s*[>)\]]?")


def _display(name: str) -> str:
    """A name fit for a report: e-mail addresses removed; an address alone becomes its local part.

    >>> [_display(n) for n in ["Jeff King peff@peff.net", "David (david@x.org)", "995608517@qq.com", "李雷"]]
    ['Jeff King', 'David', '995608517', '李雷']
    """
    cleaned = " ".join(_EMAILISH.sub(" ", name).split()).strip(" ,;:-")
    if cleaned:
        return cleaned
    m = re.match(r"\s*<?([\w.+-]+)@", name)
    return m.group(1) if m else ""


def _noreply_login(email: str) -> str | None:
    m = _NOREPLY.match(email)
    return m.group("login") if m else None


#: Public mail providers, forwarders and dynamic DNS, matched by the label before the suffix
#: (yahoo.co.uk, gmx.at and live.de are all providers): no organisation.
_PROVIDER_LABELS = frozenset(
    {"gmail", "googlemail", "hotmail", "outlook", "live", "msn", "yahoo", "ymail", "rocketmail", "icloud", "me",
     "mac", "aol", "gmx", "web", "protonmail", "proton", "pm", "yandex", "ya", "mail", "inbox", "list", "bk", "rambler",
     "qq", "foxmail", "163", "126", "139", "189", "sina", "sohu", "yeah", "aliyun", "tom", "21cn", "hey", "fastmail",
     "zoho", "posteo", "tutanota", "tuta", "riseup", "free", "orange", "wanadoo", "laposte", "sfr", "t-online",
     "arcor", "freenet", "libero", "virgilio", "tiscali", "btinternet", "comcast", "verizon", "att", "sbcglobal",
     "naver", "daum", "hanmail", "seznam", "wp", "o2", "interia", "onet", "mailbox", "pobox", "iki", "dyndns", "ath",
     "duck", "skiff", "lavabit", "hushmail", "example", "localhost", "noreply", "users", "user", "none"}
)


def _domain(email: str) -> str | None:
    """The organisation domain of an e-mail: its registrable domain, unless it is a public provider."""
    if "@" not in email:
        return None
    d = email.rsplit("@", 1)[1].lower().strip("<>\"'“”‘’ ").strip()
    labels = [x for x in d.split(".") if x]
    if len(labels) < 2 or not all(re.fullmatch(r"[a-z0-9-]+", x) for x in labels):
        return None
    if "noreply" in labels or d.endswith(("github.com", "gitee.com", "gitlab.com")):
        return None
    keep = 3 if (len(labels) > 2 and labels[-2] in {"co", "com", "org", "net", "ac", "edu", "gov", "ne", "or"}
                 and len(labels[-1]) == 2) else 2
    reg = labels[-keep:]
    if reg[0] in _PROVIDER_LABELS or d in _PUBLIC_MAIL:
        return None
    return ".".join(reg)


class _Union:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        parent = self.parent
        parent.setdefault(x, x)
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _pair_node(name: str, email: str, uf: _Union, merge_by_name: bool) -> str:
    """The identity node of a (name, e-mail) pair, linking what the rules say is the same person."""
    ekey = _email_key(email) if email else None
    nkey = name.lower()
    linkable_name = merge_by_name and nkey not in _PLACEHOLDER_NAMES and len(nkey.split()) >= 2
    if ekey is None:
        if email.strip():  # a shared or placeholder address: this name under it, and nothing else
            node = f"p:{nkey}|{email.strip().lower()}"
        else:
            node = "n:" + (nkey if nkey not in _PLACEHOLDER_NAMES else "unknown")
        uf.find(node)
        return node
    node = "e:" + ekey
    uf.find(node)
    login = _noreply_login(ekey)
    if login:
        uf.union(node, "l:" + login.lower())
    if nkey.endswith("[bot]"):  # an app's commits carry its login as the name, under several e-mails
        uf.union(node, "l:" + nkey)
    if linkable_name:
        uf.union(node, "n:" + nkey)
    return node


def resolve_identities(activity: Activity, *, config: Config | None = None) -> Activity:
    """Resolve people under ``config`` and rewrite every person column to the resolved ids.

    Returns a new Activity whose ``people`` table has one row per person and
    whose ``meta.rule`` states the internal/external rule in force.

    Examples
    --------
    >>> import contribfunnel as cf
    >>> act = cf.resolve_identities(cf.load_example(), config=cf.Config())
    >>> bool(act.people.set_index("person").at["dependabot[bot]", "is_bot"])
    True
    """
    config = config or Config()
    uf = _Union()
    old = activity.people
    name_counts: dict[str, Counter[str]] = defaultdict(Counter)
    login_counts: Counter[str] = Counter()
    login_case: dict[str, str] = {}
    emails_of: dict[str, set[str]] = defaultdict(set)
    email_counts: Counter[str] = Counter()

    # 1. Identities the source already resolved (GitHub users, earlier resolutions).
    old_node: dict[str, str] = {}
    for row in old.itertuples(index=False):
        if not row.logins:
            # Rebuilt from the commits and credits below, so that a new config
            # (say, merge_by_name off) can undo an earlier resolution's merges;
            # its attributes still carry over through its first e-mail.
            keys = [k for e in row.emails if (k := _email_key(e))]
            if keys:
                old_node[row.person] = "e:" + keys[0]
            continue
        nodes = [f"l:{lg.lower()}" for lg in row.logins]
        for lg in row.logins:
            login_case.setdefault(lg.lower(), lg)
        nodes += [f"e:{k}" for e in row.emails if (k := _email_key(e))]
        uf.find(nodes[0])
        for n in nodes[1:]:
            uf.union(nodes[0], n)
        for nm in row.names:
            name_counts[nodes[0]][nm] += 1
        for e in row.emails:
            emails_of[nodes[0]].add(e)
        old_node[row.person] = nodes[0]

    # 2. Logins on items and events.
    logins = pd.concat(
        [activity.items.author, activity.items.merged_by, activity.items.closed_by, activity.events.actor]
    ).dropna()
    for lg, n in logins.value_counts().items():
        key = str(lg).lower()
        node = old_node.get(str(lg), "l:" + key)
        uf.find(node)
        login_case.setdefault(key, str(lg))
        login_counts[key] += int(n)

    # 3. (name, e-mail) pairs on commits and credits.
    pairs = pd.concat(
        [
            activity.commits[["author_name", "author_email"]].set_axis(["name", "email"], axis=1),
            activity.commits[["committer_name", "committer_email"]].set_axis(["name", "email"], axis=1),
            activity.credits[["name", "email"]],
        ]
    ).fillna("")
    pair_counts = pairs.value_counts(sort=False)
    pair_node: dict[tuple[str, str], str] = {}
    for (name, email), n in pair_counts.items():
        name, email = _clean(name), _clean(email)
        node = _pair_node(name, email, uf, config.merge_by_name)
        pair_node[(name, email)] = node
        if name:
            name_counts[node][name] += int(n)
        if email:
            emails_of[node].add(email)
            email_counts[email.lower()] += int(n)

    # 4. Configured aliases.
    for canonical, aliases in config.aliases.items():
        anchor = _alias_node(canonical, uf)
        for alias in aliases:
            uf.union(anchor, _alias_node(alias, uf))

    # Components -> people.
    members: dict[str, list[str]] = defaultdict(list)
    for node in list(uf.parent):
        members[uf.find(node)].append(node)
    person_of_root: dict[str, str] = {}
    used: set[str] = set()
    records = []
    # Components with a GitHub login first, so that a login keeps its plain id on a clash.
    for root in sorted(members, key=lambda r: (not any(n.startswith("l:") for n in members[r]), r)):
        nodes = members[root]
        comp_logins = sorted({n[2:] for n in nodes if n.startswith("l:")}, key=lambda k: (-login_counts[k], k))
        names: Counter[str] = Counter()
        emails: set[str] = set()
        for n in nodes:
            names.update(name_counts.get(n, {}))
            emails |= emails_of.get(n, set())
        if comp_logins:
            pid = login_case.get(comp_logins[0], comp_logins[0])
        else:
            ranked = [_display(nm) for nm, _ in sorted(names.items(), key=lambda kv: (-kv[1], kv[0]))]
            pid = next((nm for nm in ranked if nm), "") or _display(
                next((n.split(":", 1)[1].split("|")[0] for n in nodes if n[:2] in ("n:", "p:")), "")) or "unknown"
        base, suffix = pid, 2
        while pid.lower() in used:
            pid, suffix = f"{base} ({suffix})", suffix + 1
        used.add(pid.lower())
        person_of_root[root] = pid
        records.append(
            {
                "person": pid,
                "logins": tuple(login_case.get(lg, lg) for lg in comp_logins),
                "names": tuple(sorted(names, key=lambda s: (-names[s], s))),
                "emails": tuple(sorted(emails)),
            }
        )
    people = pd.DataFrame.from_records(records, columns=["person", "logins", "names", "emails"])

    def node_person(node: str) -> str:
        return person_of_root[uf.find(node)]

    # Rewrite person columns.
    login_map = {lg: node_person(old_node.get(lg, "l:" + lg.lower())) for lg in logins.unique()}
    items = activity.items.copy()
    for col in ("author", "merged_by", "closed_by"):
        items[col] = items[col].map(login_map, na_action="ignore").astype("string")
    events = activity.events.copy()
    events["actor"] = events.actor.map(login_map, na_action="ignore").astype("string")
    pair_person = {k: node_person(v) for k, v in pair_node.items()}
    commits = activity.commits.copy()
    commits["author"] = _map_pairs(commits.author_name, commits.author_email, pair_person)
    commits["committer"] = _map_pairs(commits.committer_name, commits.committer_email, pair_person)
    credits = activity.credits.copy()
    credits["person"] = _map_pairs(credits.name, credits.email, pair_person)
    credits = credits.drop_duplicates(["repo", "sha", "person", "role"]).reset_index(drop=True)
    events = events.drop_duplicates(["repo", "number", "kind", "actor", "at"]).reset_index(drop=True)

    people = _attributes(people, old, old_node, node_person, items, events, commits, credits, activity, config,
                         email_counts)
    meta = dataclasses.replace(activity.meta, rule=config.describe())
    return dataclasses.replace(
        activity, items=items, events=events, commits=commits, credits=credits, people=people, meta=meta
    )


def combine(*activities: Activity, config: Config | None = None) -> Activity:
    """One Activity from several sources of the same project (a git clone and its GitHub activity, say).

    Tables are stacked (a later part wins on a duplicate key), provenance merged,
    and identities resolved again over everything: a commit's
    ``N+login@users.noreply.github.com`` address, a ``.mailmap`` entry or a
    config alias joins a git identity to a GitHub login.

    >>> import contribfunnel as cf
    >>> both = cf.combine(cf.load_example(), cf.load_example())
    >>> len(both.items) == len(cf.load_example().items)
    True
    """
    return resolve_identities(combine_tables(*activities), config=config)


def _alias_node(text: str, uf: _Union) -> str:
    t = text.strip().lower()
    if "@" in t:
        node = "e:" + t
        login = _noreply_login(t)
        if login:
            uf.union(node, "l:" + login.lower())
        return node
    candidates = [n for n in (f"l:{t}", f"n:{t}") if n in uf.parent]
    node = candidates[0] if candidates else f"l:{t}"
    for other in candidates[1:]:
        uf.union(node, other)
    uf.find(node)
    return node


def _map_pairs(names: pd.Series, emails: pd.Series, pair_person: dict[tuple[str, str], str]) -> pd.Series:
    lookup = {f"{n}\x1f{e}": p for (n, e), p in pair_person.items()}
    keys = names.fillna("").astype(str).str.strip() + "\x1f" + emails.fillna("").astype(str).str.strip()
    return keys.map(lookup).astype("string")


def _attributes(
    people: pd.DataFrame,
    old: pd.DataFrame,
    old_node: dict[str, str],
    node_person: object,
    items: pd.DataFrame,
    events: pd.DataFrame,
    commits: pd.DataFrame,
    credits: pd.DataFrame,
    activity: Activity,
    config: Config,
    email_counts: Counter[str],
) -> pd.DataFrame:
    assert callable(node_person)
    old_by_person = {node_person(old_node[row.person]): row for row in old.itertuples(index=False)
                     if row.person in old_node}
    as_of = activity.meta.as_of

    # Bots.
    bot_reason: list[str | None] = []
    for row in people.itertuples(index=False):
        keys = {row.person.lower(), *(x.lower() for x in row.logins), *(x.lower() for x in row.names),
                *(x.lower() for x in row.emails)}
        prior = old_by_person.get(row.person)
        reason: str | None = None
        if prior is not None and _clean(prior.bot_reason) == "github-type":
            reason = "github-type"
        elif any(k.endswith("[bot]") for k in keys) or any(
            (lg := _noreply_login(e)) is not None and lg.endswith("[bot]") for e in row.emails
        ):
            reason = "[bot]-suffix"
        elif keys & _known_bots():
            reason = "known-list"
        elif prior is not None and bool(prior.is_bot):
            reason = _clean(prior.bot_reason) or "source"
        if keys & config.bots_add:
            reason = "config"
        if keys & config.bots_remove:
            reason = None
        bot_reason.append(reason)
    people["is_bot"] = [r is not None for r in bot_reason]
    people["bot_reason"] = pd.array(bot_reason, dtype="string")

    # Organisations.
    orgs: list[str | None] = []
    for row in people.itertuples(index=False):
        domains: Counter[str] = Counter()
        for e in row.emails:  # weighted by how much work each address carries
            if d := _domain(e):
                domains[d] += email_counts.get(e.lower(), 0) or 1
        prior = old_by_person.get(row.person)
        org: str | None = None
        for e in row.emails:
            full = e.rsplit("@", 1)[-1].lower()
            org = config.organizations.get(full) or config.organizations.get(_domain(e) or "")
            if org:
                break
        if org is None and prior is not None and _clean(prior.organization):
            org = _clean(prior.organization)
        if org is None and domains:
            org = sorted(domains.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        orgs.append(None if people.is_bot.iat[len(orgs)] else org)
    people["organization"] = pd.array(orgs, dtype="string")

    # Internal / external.
    assoc = items.dropna(subset=["author"]).loc[
        items.author_association.isin(["OWNER", "MEMBER"]), "author"
    ]
    assoc_people = set(assoc.unique())
    rules, since, until = [], [], []
    for row in people.itertuples(index=False):
        logins = {x.lower() for x in row.logins} | {row.person.lower()}
        emails = {x.lower() for x in row.emails}
        hit, rule = _config_hit(config, logins, emails)
        prior = old_by_person.get(row.person)
        if hit is not None:
            rules.append(f"{rule}: {hit.describe()}")
            since.append(hit.since)
            until.append(hit.until)
        elif (
            config.use_source
            and prior is not None
            and bool(prior.is_internal)
            and not _clean(prior.internal_rule).startswith(_SOURCE_RULE_PREFIXES)
        ):
            rules.append(_clean(prior.internal_rule) or "source")
            since.append(None)
            until.append(None)
        elif config.use_author_association and row.person in assoc_people:
            rules.append("author_association OWNER/MEMBER")
            since.append(None)
            until.append(None)
        else:
            rules.append("default: external")
            since.append(None)
            until.append(None)
    people["internal_rule"] = pd.array(rules, dtype="string")
    people["internal_since_at"] = pd.to_datetime(pd.Series(since, dtype="object"), utc=True)
    people["internal_until_at"] = pd.to_datetime(pd.Series(until, dtype="object"), utc=True)
    people["is_internal"] = internal_mask(people, people.person, pd.Series(as_of, index=people.index))

    # First activity and roles.
    seen = pd.concat(
        [
            items[["author", "created_at"]].set_axis(["person", "at"], axis=1),
            events[["actor", "at"]].set_axis(["person", "at"], axis=1),
            commits[["author", "authored_at"]].set_axis(["person", "at"], axis=1),
            credits[["person", "at"]],
        ]
    ).dropna()
    first = seen.groupby("person").at.min()
    people["first_seen_at"] = first.reindex(people.person.astype(object)).to_numpy()
    people["roles"] = _roles(people, items, events, commits, credits, activity)
    return schema.frame("people", people)


def _config_hit(config: Config, logins: set[str], emails: set[str]) -> tuple[DatedValue | None, str]:
    """The first config rule naming one of these logins or e-mails, and what kind of rule it is."""
    for v in config.internal_logins:
        if v.value in logins:
            return v, "config login"
    for v in config.internal_emails:
        if v.value in emails:
            return v, "config e-mail"
    for v in config.internal_domains:
        if any(e.endswith("@" + v.value) or e.endswith("." + v.value) for e in emails):
            return v, "config e-mail domain"
    return None, ""


def _roles(
    people: pd.DataFrame,
    items: pd.DataFrame,
    events: pd.DataFrame,
    commits: pd.DataFrame,
    credits: pd.DataFrame,
    activity: Activity,
) -> list[tuple[str, ...]]:
    contributors = set(items.loc[items.kind == "pr", "author"].dropna()) | set(
        credits.loc[credits.role.isin(["author", "co-author"]), "person"].dropna()
    )
    prs = items.loc[items.kind == "pr", ["repo", "number", "author"]]
    reviews = events.loc[events.kind == "review", ["repo", "number", "actor"]].merge(prs, on=["repo", "number"])
    reviewers = set(reviews.loc[reviews.actor != reviews.author, "actor"].dropna()) | set(
        credits.loc[credits.role.isin(["reviewed-by", "acked-by"]), "person"].dropna()
    )
    merged_others = items.loc[items.merged_by.notna() & (items.merged_by != items.author), "merged_by"]
    merged_in = credits.loc[credits.role.isin(["merger", "committer"]), ["repo", "sha", "person"]]
    own = credits.loc[credits.role.isin(["author", "co-author"]), ["repo", "sha", "person"]].assign(_own=True)
    merged_in = merged_in.merge(own, on=["repo", "sha", "person"], how="left")
    applied = merged_in.loc[merged_in._own.isna(), "person"]  # not their own commits
    listed = listed_owners(activity.repo_files)
    maintainers = set(merged_others) | set(applied)
    out = []
    for row in people.itertuples(index=False):
        keys = {row.person.lower(), *(x.lower() for x in row.logins), *(x.lower() for x in row.emails)}
        roles = []
        if row.person in contributors:
            roles.append("contributor")
        if row.person in reviewers:
            roles.append("reviewer")
        if row.person in maintainers or keys & listed:
            roles.append("maintainer")
        out.append(tuple(roles))
    return out


def internal_mask(people: pd.DataFrame, persons: pd.Series, at: pd.Series) -> pd.Series:
    """Whether each ``persons[i]`` was internal at time ``at[i]`` under the rule recorded in ``people``.

    Bots and unknown people are not internal.  Vectorised: one index lookup, no per-row Python.
    """
    rule = people.internal_rule.fillna("default")
    matched = (~rule.str.startswith("default")).to_numpy(dtype=bool)
    since = people.internal_since_at.to_numpy(dtype="datetime64[ns]")  # NaT where open
    until = people.internal_until_at.to_numpy(dtype="datetime64[ns]")
    idx = pd.Index(people.person.astype(object)).get_indexer(persons.astype(object))
    known = idx >= 0
    pos = np.where(known, idx, 0)
    t = pd.DatetimeIndex(at).tz_convert("UTC").tz_localize(None).to_numpy(dtype="datetime64[ns]")
    lo, hi = since[pos], until[pos]
    inside = (np.isnat(lo) | (lo <= t)) & (np.isnat(hi) | (t <= hi))
    return pd.Series(known & matched[pos] & inside, index=persons.index)
