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

import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from graphql import FieldNode, GraphQLEnumType, GraphQLSchema, get_named_type
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
from strawberry.types import Info

from schema.context import Context
from schema.execution.as_json import (
    EMPTY_LIST,
    Builder,
    Frozen,
    Precompleted,
    enum_leaf,
    fields_of,
    global_id,
    json_key,
    json_list,
    json_object,
    leaf,
    typename,
    unguarded,
)
from schema.followup.derived import is_latest_visible
from schema.pagination import Ordering, PageArgs, page_statement
from schema.recommendations.loaders import recommendation_select
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
    listing_parameters,
    listing_shape,
    policy_parameters,
    policy_shape,
)

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
            value = json_object(self.schema, type_name, builders, node)
            if value is None:
                return None
            grouped = (
                source.add_columns(key.label("upright_key"), json_list(value, *order_by))
                .where(key.in_(select(PAGE.c.id)))
                .group_by(key)
                .subquery()
            )
            self.joins.append((grouped, grouped.c.upright_key == PAGE.c.id))
            items = list(grouped.c)[1]
            return func.coalesce(items, EMPTY_LIST)

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
            value = json_object(self.schema, "Organisation", organisation, node)
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
            return json_object(self.schema, "State", self.state(table), node)

        def session_object(node: FieldNode) -> ColumnElement[Any] | None:
            c = session().c
            builders: dict[str, Builder] = {
                "number": leaf(c.number),
                "cycle": leaf(c.cycle_number),
                "startsOn": leaf(c.starts_on),
            }
            value = json_object(self.schema, "Session", builders, node)
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
PAGE = table(
    "upright_page",
    *(column(name) for name in recommendation_select().selected_columns.keys()),  # noqa: SIM118
    column("sort_session"),
)
# Compiled expressions by field node (kept, so that its id is not reused meanwhile),
# schema (checked: a test builds many), ordering and shapes.
_Entry = tuple[FieldNode, weakref.ref[GraphQLSchema], tuple[ColumnElement[Any], bool] | None]
_COMPILED: OrderedDict[tuple[Any, ...], _Entry] = OrderedDict()
_CACHE_SIZE = 500


def _compile(
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
    if fields is None:
        return None
    if any(key.column.name not in PAGE.c for key in ordering.keys):
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
            value: ColumnElement[Any] | None = typename(connection_type)
        elif name == "nodes" and unguarded(schema, connection_type, name):
            item = json_object(schema, "Recommendation", builders, field)
            value = None if item is None else json_list(item, *order)
        else:
            value = None
        if value is None:
            return None
        arguments += [json_key(response_name), value]
    rows: FromClause = PAGE
    for joined, on in compiler.joins:
        rows = rows.outerjoin(joined, on)
    answer = select(cast(func.json_build_object(*arguments), Text)).select_from(rows)
    return Frozen(answer.scalar_subquery()), compiler.uses_policy


def compiled(
    schema: GraphQLSchema,
    node: FieldNode,
    connection_type: str,
    ordering: Ordering,
    shape: PolicyShape,
    listing: ListingShape,
) -> tuple[ColumnElement[Any], bool] | None:
    """`_compile`, once per document's field node, schema, ordering and shapes."""
    key = (id(node), id(schema), connection_type, ordering.name, shape, listing)
    found = _COMPILED.get(key)
    if found is not None and found[0] is node and found[1]() is schema:
        _COMPILED.move_to_end(key)
        return found[2]
    result = _compile(schema, node, connection_type, ordering, shape, listing)
    _COMPILED[key] = (node, weakref.ref(schema), result)
    if len(_COMPILED) > _CACHE_SIZE:
        _COMPILED.popitem(last=False)
    return result


async def page_answer(
    info: Info[Context, None], query: Select[Any], ordering: Ordering, args: PageArgs
) -> Precompleted | None:
    """The connection field's whole answer from one statement, or None (the library's
    way) when its selection does not compile. Page arguments are checked as for
    `paginate`, and refused the same way."""
    context, raw = info.context, info._raw_info
    statement, size = page_statement(query, ordering, args)
    if len(raw.field_nodes) != 1:
        return None
    viewer = context.viewer
    found = compiled(
        raw.schema,
        raw.field_nodes[0],
        get_named_type(raw.return_type).name,
        ordering,
        policy_shape(viewer),
        listing_shape(viewer),
    )
    if found is None:
        return None
    answer, needs_viewer = found
    page = statement.limit(size).cte(PAGE.name)
    parameters = (
        {**policy_parameters(viewer), **listing_parameters(viewer)} if needs_viewer else None
    )
    rows = await context.fetch_all(select(answer).add_cte(page), parameters)
    return Precompleted(rows[0][0])
