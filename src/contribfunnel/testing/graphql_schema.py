"""The subset of GitHub's GraphQL schema that the test double implements.

:data:`SUBSET` names the object, interface and union types the double serves
and, for each, the fields it resolves (``None``: all fields).  :func:`extract_subset`
cuts exactly those definitions out of GitHub's published SDL, unchanged (same
names, descriptions, field types, arguments, defaults and nullability), adds
every enum, input object and scalar they refer to, and keeps only the
interfaces and union members that are themselves in the subset.  The result is
shipped as ``schema_subset.graphql`` beside this module; regenerate it with::

    python -m contribfunnel.testing.graphql_schema ../shared/github/schema.graphql

:func:`load_schema` builds the shipped subset with graphql-core.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources

import graphql
from graphql import language as ast

__all__ = ["SUBSET", "extract_subset", "load_schema", "subset_sdl"]

_CONNECTION = None  # all fields
_ACTOR = ("avatarUrl", "login", "resourcePath", "url")

#: Types the double serves and the fields of each it resolves (``None``: every field).
SUBSET: Mapping[str, Sequence[str] | None] = {
    "Query": ("id", "node", "rateLimit", "repository"),
    "RateLimit": None,
    "Node": ("id",),
    "Actor": _ACTOR,
    "RepositoryOwner": ("avatarUrl", "id", "login", "resourcePath", "url"),
    "User": ("avatarUrl", "createdAt", "databaseId", "id", "login", "name", "resourcePath", "url"),
    "Bot": ("avatarUrl", "createdAt", "databaseId", "id", "login", "resourcePath", "updatedAt", "url"),
    "Organization": ("avatarUrl", "databaseId", "id", "login", "name", "resourcePath", "url"),
    "Repository": ("createdAt", "databaseId", "id", "issue", "issueOrPullRequest", "issues", "labels", "name",
                   "nameWithOwner", "owner", "pullRequest", "pullRequests", "updatedAt", "url"),
    "IssueOrPullRequest": None,
    "PullRequest": ("author", "authorAssociation", "body", "closed", "closedAt", "comments", "commits", "createdAt",
                    "databaseId", "id", "isDraft", "labels", "merged", "mergedAt", "mergedBy", "number",
                    "reviewThreads", "reviews", "state", "timelineItems", "title", "updatedAt", "url"),
    "PullRequestCommit": ("commit", "id", "url"),
    "Commit": ("author", "authoredDate", "committedDate", "committer", "id", "message", "oid", "url"),
    "GitActor": ("date", "email", "name", "user"),
    "Issue": ("author", "authorAssociation", "body", "closed", "closedAt", "comments", "createdAt", "databaseId",
              "id", "labels", "number", "state", "timelineItems", "title", "updatedAt", "url"),
    "Label": ("color", "createdAt", "description", "id", "isDefault", "name", "updatedAt", "url"),
    "IssueComment": ("author", "authorAssociation", "body", "createdAt", "databaseId", "id", "updatedAt", "url"),
    "PullRequestReview": ("author", "authorAssociation", "body", "comments", "createdAt", "databaseId", "id",
                          "pullRequest", "state", "submittedAt", "updatedAt", "url"),
    "PullRequestReviewComment": ("author", "authorAssociation", "body", "createdAt", "databaseId", "id", "path",
                                 "pullRequestReview", "updatedAt", "url"),
    "PullRequestReviewThread": ("comments", "id", "isResolved", "path"),
    "ClosedEvent": ("actor", "createdAt", "id", "url"),
    "MergedEvent": ("actor", "createdAt", "id", "url"),
    "ReopenedEvent": ("actor", "createdAt", "id"),
    "ReadyForReviewEvent": ("actor", "createdAt", "id", "url"),
    "ConvertToDraftEvent": ("actor", "createdAt", "id", "url"),
    "LabeledEvent": ("actor", "createdAt", "id", "label"),
    "PullRequestTimelineItems": ("ClosedEvent", "ConvertToDraftEvent", "IssueComment", "LabeledEvent", "MergedEvent",
                                 "PullRequestReview", "ReadyForReviewEvent", "ReopenedEvent"),
    "IssueTimelineItems": ("ClosedEvent", "IssueComment", "LabeledEvent", "ReopenedEvent"),
    "PageInfo": None,
    "PullRequestConnection": ("edges", "nodes", "pageInfo", "totalCount"),
    "PullRequestEdge": None,
    "IssueConnection": None,
    "IssueEdge": None,
    "LabelConnection": None,
    "LabelEdge": None,
    "IssueCommentConnection": None,
    "IssueCommentEdge": None,
    "PullRequestReviewConnection": None,
    "PullRequestReviewEdge": None,
    "PullRequestReviewCommentConnection": None,
    "PullRequestReviewCommentEdge": None,
    "PullRequestReviewThreadConnection": None,
    "PullRequestCommitConnection": None,
    "PullRequestCommitEdge": None,
    "PullRequestReviewThreadEdge": None,
    "PullRequestTimelineItemsConnection": ("edges", "filteredCount", "nodes", "pageCount", "pageInfo", "totalCount",
                                           "updatedAt"),
    "PullRequestTimelineItemsEdge": None,
    "IssueTimelineItemsConnection": ("edges", "filteredCount", "nodes", "pageCount", "pageInfo", "totalCount",
                                     "updatedAt"),
    "IssueTimelineItemsEdge": None,
}

_Composite = ast.ObjectTypeDefinitionNode | ast.InterfaceTypeDefinitionNode | ast.UnionTypeDefinitionNode


def _named(t: ast.TypeNode) -> str:
    while isinstance(t, ast.NonNullTypeNode | ast.ListTypeNode):
        t = t.type
    assert isinstance(t, ast.NamedTypeNode)
    return t.name.value


def extract_subset(full_sdl: str, subset: Mapping[str, Sequence[str] | None] = SUBSET) -> str:
    """Cut ``subset`` out of GitHub's full SDL, definitions unchanged.

    Parameters
    ----------
    full_sdl : str
        GitHub's ``schema.graphql``.
    subset : mapping
        Type name to the fields (or, for a union, the members) to keep; ``None`` keeps all.

    Returns
    -------
    str
        The subset SDL, types in the order of the full schema.

    Raises
    ------
    ValueError
        When a kept field or argument refers to an object, interface or union
        type outside the subset, or a named type or field does not exist.
    """
    doc = graphql.parse(full_sdl, no_location=True)
    by_name: dict[str, ast.TypeDefinitionNode] = {}
    for d in doc.definitions:
        if isinstance(d, ast.TypeDefinitionNode):
            by_name.setdefault(d.name.value, d)
    missing = [n for n in subset if n not in by_name]
    if missing:
        raise ValueError(f"not in GitHub's schema: {', '.join(missing)}")
    keep: dict[str, ast.TypeDefinitionNode] = {}
    leaves: list[str] = []

    def need(name: str, where: str) -> None:
        if name in subset or name in keep or name in leaves:
            return
        node = by_name.get(name)
        if node is None:
            if name in ("String", "Int", "Float", "Boolean", "ID"):
                return
            raise ValueError(f"{where}: unknown type {name}")
        if isinstance(node, _Composite):
            raise ValueError(f"{where} needs {name}, which is not in the subset")
        leaves.append(name)
        if isinstance(node, ast.InputObjectTypeDefinitionNode):
            for f in node.fields or ():
                need(_named(f.type), f"{name}.{f.name.value}")

    for name, wanted in subset.items():
        node = by_name[name]
        if isinstance(node, ast.UnionTypeDefinitionNode):
            members = [t for t in node.types or () if wanted is None or t.name.value in wanted]
            unknown = set(wanted or ()) - {t.name.value for t in node.types or ()}
            if unknown:
                raise ValueError(f"{name} has no member(s) {sorted(unknown)}")
            for t in members:
                if t.name.value not in subset:
                    raise ValueError(f"union {name} member {t.name.value} is not in the subset")
            keep[name] = ast.UnionTypeDefinitionNode(
                description=node.description, name=node.name, directives=node.directives, types=tuple(members))
            continue
        if not isinstance(node, ast.ObjectTypeDefinitionNode | ast.InterfaceTypeDefinitionNode):
            raise ValueError(f"{name} is not an object, interface or union type")
        fields: list[ast.FieldDefinitionNode] = []
        seen: set[str] = set()
        for f in node.fields or ():
            fname = f.name.value
            if fname in seen or (wanted is not None and fname not in wanted):
                continue
            seen.add(fname)
            fields.append(f)
            need(_named(f.type), f"{name}.{fname}")
            for a in f.arguments or ():
                need(_named(a.type), f"{name}.{fname}({a.name.value})")
        unknown = set(wanted or ()) - seen
        if unknown:
            raise ValueError(f"{name} has no field(s) {sorted(unknown)}")
        interfaces = tuple(i for i in node.interfaces or () if i.name.value in subset)
        cls = type(node)
        keep[name] = cls(description=node.description, name=node.name, directives=node.directives,
                         interfaces=interfaces, fields=tuple(fields))
    for name in leaves:
        keep[name] = by_name[name]
    order = {d.name.value: i for i, d in enumerate(doc.definitions) if isinstance(d, ast.TypeDefinitionNode)}
    defs = sorted(keep.values(), key=lambda d: order[d.name.value])
    header = ('# A subset of GitHub\'s public GraphQL schema (octokit/graphql-schema), cut by\n'
              '# contribfunnel.testing.graphql_schema.extract_subset; definitions are unchanged.\n\n')
    return header + graphql.print_ast(ast.DocumentNode(definitions=tuple(defs))) + "\n"


def subset_sdl() -> str:
    """The shipped subset SDL (``schema_subset.graphql``)."""
    return resources.files("contribfunnel.testing").joinpath("schema_subset.graphql").read_text(encoding="utf-8")


@cache
def load_schema() -> graphql.GraphQLSchema:
    """The subset schema built by graphql-core (built once per process)."""
    return graphql.build_schema(subset_sdl(), assume_valid_sdl=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Regenerate ``schema_subset.graphql`` from a full ``schema.graphql`` given as the one argument."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m contribfunnel.testing.graphql_schema PATH/TO/schema.graphql", file=sys.stderr)
        return 2
    with open(args[0], encoding="utf-8") as fh:
        text = extract_subset(fh.read())
    target = resources.files("contribfunnel.testing").joinpath("schema_subset.graphql")
    with resources.as_file(target) as path:
        path.write_text(text, encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
