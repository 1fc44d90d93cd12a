"""A page of recommendations built as JSON by PostgreSQL (`schema.execution.as_json`).

What compiles: the page's `nodes` (and `__typename`); on each recommendation its own
columns, `cycle`, `session`, `state`, `recommendingStates`, `themes` and
`latestAssessments` with their organisation. Everything else (edges, cursors,
`totalCount`, other relations, timestamps) takes the library's way for the whole field.

Each value is what the library would answer: global ids encoded as `to_global_id`
does, enums by their GraphQL names, tags by name in code-point order (`COLLATE "C"`,
as Python sorts), latest assessments under the same policy clause as their loader
(`is_latest_visible`) and in its order, an owner named only where the directory lets
this viewer see it (`directory_listed_clause`, as `owner_of`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import FieldNode, GraphQLEnumType, GraphQLSchema
from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    Text,
    case,
    cast,
    column,
    func,
    null,
    select,
    table,
)

from schema.execution.as_json import (
    EMPTY_LIST,
    Builder,
    Frozen,
    enum_leaf,
    fields_of,
    fingerprint,
    global_id,
    graphql_name,
    json_list,
    json_object,
    leaf,
)
from schema.followup.derived import is_latest_visible
from schema.pagination import Ordering
from schema.recommendations.loaders import recommendation_select
from schema.recommendations.ordering import SESSION_KEY
from schema.tables.followup import Assessment as AssessmentTable
from schema.tables.organisations import Organisation as OrganisationTable
from schema.tables.recommendations import recommendation_themes, recommending_states
from schema.tables.reference import Session as SessionTable
from schema.tables.reference import State as StateTable
from schema.tables.reference import Theme as ThemeTable
from security.policy import (
    ListingShape,
    PolicyShape,
    directory_listed_clause,
)

# The fields answered here, as the schema defined them when their builders were
# written (`fingerprint`). A field that changes goes the library's way until its
# builder is checked against it and this entry updated (tests/schema/recommendations/
# test_as_json.py compares the two).
KNOWN: dict[tuple[str, str], tuple[str, str | None]] = {
    ("RecommendationConnection", "nodes"): ("[Recommendation!]!", "Connection.nodes"),
    ("Recommendation", "id"): ("ID!", None),
    ("Recommendation", "mechanism"): ("Mechanism!", None),
    ("Recommendation", "paragraph"): ("String", None),
    ("Recommendation", "text"): ("String!", None),
    ("Recommendation", "response"): ("Response", None),
    ("Recommendation", "responseWording"): ("String", None),
    ("Recommendation", "actionCategory"): ("Int", None),
    ("Recommendation", "documentSymbol"): ("String", None),
    ("Recommendation", "recommendingBody"): ("String", None),
    ("Recommendation", "cycle"): ("Int", "Recommendation.cycle"),
    ("Recommendation", "session"): ("Session", None),
    ("Recommendation", "state"): ("State!", None),
    ("Recommendation", "recommendingStates"): ("[State!]!", "Recommendation.recommending_states"),
    ("Recommendation", "themes"): ("[Theme!]!", "Recommendation.themes"),
    ("Recommendation", "latestAssessments"): (
        "[Assessment!]!",
        "Recommendation.latest_assessments",
    ),
    ("Session", "number"): ("Int!", None),
    ("Session", "cycle"): ("Int!", None),
    ("Session", "startsOn"): ("Date!", None),
    ("State", "id"): ("ID!", None),
    ("State", "code"): ("String!", None),
    ("State", "alpha2"): ("String!", None),
    ("State", "name"): ("String!", None),
    ("State", "officialName"): ("String", None),
    ("State", "unMember"): ("Boolean!", None),
    ("State", "unObserver"): ("Boolean!", None),
    ("State", "regionalGroup"): ("RegionalGroup", None),
    ("Theme", "code"): ("String!", None),
    ("Theme", "name"): ("String!", None),
    ("Assessment", "id"): ("ID!", None),
    ("Assessment", "status"): ("ImplementationStatus!", None),
    ("Assessment", "assessedOn"): ("Date!", None),
    ("Assessment", "visibility"): ("Visibility!", None),
    ("Assessment", "version"): ("Int!", None),
    ("Assessment", "evidence"): ("String", None),
    ("Assessment", "sourceUrl"): ("String", None),
    ("Assessment", "organisation"): ("Organisation", None),
    ("Organisation", "id"): ("ID!", None),
    ("Organisation", "name"): ("String!", None),
    ("Organisation", "acronym"): ("String", None),
    ("Organisation", "kind"): ("OrganisationKind!", None),
    ("Organisation", "website"): ("String", None),
    ("Organisation", "vettedPartner"): ("Boolean!", None),
}

_states = StateTable.__table__
_sessions = SessionTable.__table__
_themes = ThemeTable.__table__
_assessments = AssessmentTable.__table__
_organisations = OrganisationTable.__table__


class _Compiler:
    """The builders of one page's statement: for this schema, viewer and page."""

    def __init__(self, schema: GraphQLSchema, shape: PolicyShape, listing: ListingShape) -> None:
        self.schema, self.shape, self.listing = schema, shape, listing
        self.uses_policy = False
        # What the answer reads besides the page, each joined to it (outer joins).
        self.joins: list[tuple[FromClause, ColumnElement[bool]]] = []
        self.aliases: dict[str, FromClause] = {}

    def enum(self, column: ColumnElement[Any], type_name: str) -> Builder:
        enum_type = self.schema.type_map[type_name]
        if not isinstance(enum_type, GraphQLEnumType):
            raise TypeError(f"{type_name} is not an enum")
        return enum_leaf(column, {name: value.value for name, value in enum_type.values.items()})

    def joined(
        self, name: str, table: FromClause, on: Callable[[FromClause], ColumnElement[bool]]
    ) -> FromClause:
        """`table` joined once to the page (for every field that reads it)."""
        if name not in self.aliases:
            alias = table.alias()
            self.aliases[name] = alias
            self.joins.append((alias, on(alias)))
        return self.aliases[name]

    def many(
        self,
        type_name: str,
        builders: dict[str, Builder],
        source: Select[Any],
        key: ColumnElement[Any],
        *order_by: ColumnElement[Any],
    ) -> Builder:
        """A list of objects per recommendation: `source`'s rows for the whole page,
        grouped by `key` (their recommendation) in `order_by`, joined to the page. One
        pass over the relation, where a subquery per recommendation would scan the
        small tables it joins (states, themes) once per row."""

        def build(node: FieldNode) -> ColumnElement[Any] | None:
            value = json_object(self.schema, KNOWN, type_name, builders, node)
            if value is None:
                return None
            items = json_list(value, *order_by).label("items")
            grouped = (
                source.add_columns(key.label("upright_key"), items)
                .where(key.in_(select(PAGE.c.id)))
                .group_by(key)
                .subquery()
            )
            self.joins.append((grouped, grouped.c.upright_key == PAGE.c.id))
            return func.coalesce(grouped.c["items"], EMPTY_LIST)

        return build

    def state(self, table: FromClause) -> dict[str, Builder]:
        c = table.c
        return {
            "id": lambda node: global_id("State", c.code) if node.selection_set is None else None,
            "code": leaf(c.code),
            "alpha2": leaf(c.alpha2),
            "name": leaf(c.name),
            "officialName": leaf(c.official_name),
            "unMember": leaf(c.un_member),
            "unObserver": leaf(c.un_observer),
            "regionalGroup": self.enum(c.regional_group, "RegionalGroup"),
        }

    def organisation(self, table: FromClause) -> dict[str, Builder]:
        c = table.c
        return {
            "id": lambda node: (
                global_id("Organisation", c.id) if node.selection_set is None else None
            ),
            "name": leaf(c.name),
            "acronym": leaf(c.acronym),
            "kind": self.enum(c.kind, "OrganisationKind"),
            "website": leaf(c.website),
            "vettedPartner": leaf(c.vetted_partner),
        }

    def assessment(self, table: FromClause, owner: FromClause) -> dict[str, Builder]:
        c = table.c
        organisation = self.organisation(owner)
        listed = directory_listed_clause(owner.c.id, owner.c.public_profile, self.listing)

        def named(node: FieldNode) -> ColumnElement[Any] | None:
            value = json_object(self.schema, KNOWN, "Organisation", organisation, node)
            return None if value is None else case((listed, value), else_=null())

        return {
            "id": lambda node: (
                global_id("Assessment", c.id) if node.selection_set is None else None
            ),
            "status": self.enum(c.status, "ImplementationStatus"),
            "assessedOn": leaf(c.assessed_on),
            "visibility": self.enum(c.visibility, "Visibility"),
            "version": leaf(c.version),
            "evidence": leaf(c.evidence),
            "sourceUrl": leaf(c.source_url),
            "organisation": named,
        }

    def recommendation(self) -> dict[str, Builder]:
        p = PAGE.c
        made_by = _states.alias("recommending_state")
        tags = recommending_states.alias("recommending")
        theme = _themes.alias("theme")
        tagged = recommendation_themes.alias("tagged")
        latest = _assessments.alias("assessment")
        owner = _organisations.alias("owner")

        def session() -> FromClause:
            return self.joined("session", _sessions, lambda s: s.c.number == p.session_number)

        def state(node: FieldNode) -> ColumnElement[Any] | None:
            table = self.joined("state", _states, lambda s: s.c.code == p.state_code)
            return json_object(self.schema, KNOWN, "State", self.state(table), node)

        def session_object(node: FieldNode) -> ColumnElement[Any] | None:
            c = session().c
            builders: dict[str, Builder] = {
                "number": leaf(c.number),
                "cycle": leaf(c.cycle_number),
                "startsOn": leaf(c.starts_on),
            }
            value = json_object(self.schema, KNOWN, "Session", builders, node)
            return None if value is None else case((c.number.is_(None), null()), else_=value)

        def cycle(node: FieldNode) -> ColumnElement[Any] | None:
            return session().c.cycle_number if node.selection_set is None else None

        def latest_assessments(node: FieldNode) -> ColumnElement[Any] | None:
            self.uses_policy = True
            return self.many(
                "Assessment",
                self.assessment(latest, owner),
                select()
                .select_from(latest.join(owner, owner.c.id == latest.c.owner_organisation_id))
                .where(is_latest_visible(latest, self.shape)),
                latest.c.recommendation_id,
                owner.c.name,
                latest.c.id,
            )(node)

        return {
            "id": lambda node: (
                global_id("Recommendation", p.id) if node.selection_set is None else None
            ),
            "mechanism": self.enum(p.mechanism, "Mechanism"),
            "paragraph": leaf(p.paragraph),
            "text": leaf(p.text),
            "response": self.enum(p.response, "Response"),
            "responseWording": leaf(p.response_wording),
            "actionCategory": leaf(p.action_category),
            "documentSymbol": leaf(p.document_symbol),
            "recommendingBody": leaf(p.recommending_body),
            "cycle": cycle,
            "session": session_object,
            "state": state,
            "recommendingStates": self.many(
                "State",
                self.state(made_by),
                select().select_from(tags.join(made_by, made_by.c.code == tags.c.state_code)),
                tags.c.recommendation_id,
                made_by.c.name.collate("C"),
            ),
            "themes": self.many(
                "Theme",
                {"code": leaf(theme.c.code), "name": leaf(theme.c.name)},
                select().select_from(tagged.join(theme, theme.c.code == tagged.c.theme_code)),
                tagged.c.recommendation_id,
                theme.c.name.collate("C"),
            ),
            "latestAssessments": latest_assessments,
        }


# The page's rows, as the statement's CTE of that name (`recommendation_select`'s
# columns, and what its ordering sorts by): the JSON is built once against this name,
# and each request only puts its own page under it.
_PAGE_SOURCES = {
    **{source.name: source for source in recommendation_select().selected_columns},
    SESSION_KEY.name: SESSION_KEY,
}
PAGE = table("upright_page", *(column(name) for name in _PAGE_SOURCES))


def compile_page(
    schema: GraphQLSchema,
    node: FieldNode,
    connection_type: str,
    ordering: Ordering,
    shape: PolicyShape,
    listing: ListingShape,
) -> tuple[ColumnElement[Any], bool] | None:
    """The connection's JSON over `PAGE` in `ordering`, and whether it reads the viewer's
    policy parameters; None when the selection does not compile."""
    fields = fields_of(node.selection_set)
    # Without `nodes` the statement would not aggregate the page: the library's way.
    if fields is None or len(fields) > 50 or all(f.name.value != "nodes" for _, f in fields):
        return None
    if any(_PAGE_SOURCES.get(key.column.name) is not key.column for key in ordering.keys):
        return None
    order = [
        PAGE.c[key.column.name].desc() if key.descending else PAGE.c[key.column.name].asc()
        for key in ordering.keys  # the nodes come in the ordering's own direction
    ]
    compiler = _Compiler(schema, shape, listing)
    builders = compiler.recommendation()
    arguments: list[ColumnElement[Any]] = []
    for response_name, field in fields:
        name = field.name.value
        if name == "__typename":
            value: ColumnElement[Any] | None = graphql_name(connection_type)
        elif name == "nodes" and fingerprint(schema, connection_type, name) == KNOWN.get(
            (connection_type, name)
        ):
            item = json_object(schema, KNOWN, "Recommendation", builders, field)
            value = None if item is None else json_list(item, *order)
        else:
            value = None
        if value is None:
            return None
        arguments += [graphql_name(response_name), value]
    rows: FromClause = PAGE
    for joined, on in compiler.joins:
        rows = rows.outerjoin(joined, on)
    answer = select(cast(func.json_build_object(*arguments), Text)).select_from(rows)
    return Frozen(answer.scalar_subquery()), compiler.uses_policy
