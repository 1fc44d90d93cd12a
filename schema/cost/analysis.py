"""The cost of an operation, computed from its document and the schema before it runs.

In the spirit of GitHub's GraphQL API: every field that selects further fields costs
one point plus what it selects; a connection (a field taking `first` or `last`) costs
one point plus `first`/`last` times what it selects, so nested pages multiply. A list
that is not paged is counted at the size it may reach (`LIST_SIZES`, else
`LIST_SIZE`), so a chain of unpaged lists multiplies as well. Leaves cost nothing: the
rows are what cost, not their columns. Every mutation costs `MUTATION_COST` on top (it
writes, audits, may hash a password), counted after fragments are expanded, and an
export costs its page size. A missing or out-of-range page size counts as the largest.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
)

MAX_PAGE = 100
MUTATION_COST = 10
# Lists without paging: how long they may be. A review's recommendations are a few
# hundred; partners' work on one recommendation, tens at most.
LIST_SIZE = 10
LIST_SIZES = {
    ("Activity", "recommendations"): 100,
    ("MidtermReport", "recommendations"): 400,
    ("MidtermReport", "statusByTheme"): 54,
    ("MidtermReport", "activitiesHeld"): 50,
    ("Coalition", "members"): 50,
}
# Mutations whose input asks for a page: (field, its default page, its largest).
PAGED_INPUTS = {"exportRecommendations": (500, 1000)}


def _is_list(type_: GraphQLOutputType | None) -> bool:
    while isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


class _Counter:
    def __init__(
        self, schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any]
    ) -> None:
        self.schema = schema
        self.fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        self.variables = variables
        self.root_fields = 0

    def selections(
        self,
        selection_set: SelectionSetNode | None,
        parent: GraphQLObjectType | None,
        seen: frozenset[str],
        root: bool = False,
    ) -> int:
        """Fragments are counted where they are spread (a fragment spread inside itself
        adds nothing: validation refuses cycles, this keeps the count finite anyway)."""
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                self.root_fields += root and not selection.name.value.startswith("__")
                total += self.field(selection, parent, seen)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self._object(condition.name.value) if condition else parent
                total += self.selections(selection.selection_set, inner, seen, root)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is not None and name not in seen:
                    inner = self._object(fragment.type_condition.name.value)
                    total += self.selections(fragment.selection_set, inner, seen | {name}, root)
        return total

    def _object(self, name: str) -> GraphQLObjectType | None:
        named = self.schema.get_type(name)
        return named if isinstance(named, GraphQLObjectType) else None

    def field(
        self, field: FieldNode, parent: GraphQLObjectType | None, seen: frozenset[str]
    ) -> int:
        if field.selection_set is None:
            return 0
        definition = parent.fields.get(field.name.value) if parent is not None else None
        returned = definition.type if definition is not None else None
        named = get_named_type(returned) if returned is not None else None
        inner = named if isinstance(named, GraphQLObjectType) else None
        size = self.size(field, parent, returned)
        return 1 + size * self.selections(field.selection_set, inner, seen)

    def size(
        self, field: FieldNode, parent: GraphQLObjectType | None, returned: GraphQLOutputType | None
    ) -> int:
        """How many items a field stands for: a page, a list, or one."""
        name = field.name.value
        arguments = {argument.name.value: argument.value for argument in field.arguments or ()}
        pages = [
            self.number(arguments[key], MAX_PAGE) for key in ("first", "last") if key in arguments
        ]
        if pages:
            return max(pages)
        if name in PAGED_INPUTS and parent is self.schema.mutation_type:
            default, largest = PAGED_INPUTS[name]
            given = self._input_field(arguments.get("input"), "first")
            return default if given is None else self.number(given, largest)
        owner = parent.name if parent is not None else ""
        if owner.endswith("Connection") and name in {"nodes", "edges"}:
            return 1  # the page, already counted by the connection's first/last
        if _is_list(returned):
            return LIST_SIZES.get((owner, name), LIST_SIZE)
        return 1

    def _input_field(self, value: ValueNode | None, name: str) -> ValueNode | None:
        if isinstance(value, ObjectValueNode):
            return next((f.value for f in value.fields if f.name.value == name), None)
        if isinstance(value, VariableNode):
            given = self.variables.get(value.name.value)
            if isinstance(given, dict) and name in given:
                return (
                    IntValueNode(value=str(given[name])) if isinstance(given[name], int) else None
                )
        return None

    def number(self, value: ValueNode, largest: int) -> int:
        given: Any = None
        if isinstance(value, IntValueNode):
            given = int(value.value)
        elif isinstance(value, VariableNode):
            given = self.variables.get(value.name.value)
        if isinstance(given, int) and not isinstance(given, bool) and 0 <= given <= largest:
            return given
        return largest  # absent, null or out of range (refused later): the worst case


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
) -> int:
    """The cost of the operation the request runs (the named one, or the only one)."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        operation
        for operation in operations
        if operation_name is None or (operation.name and operation.name.value == operation_name)
    ]
    if len(chosen) != 1:
        return 0  # graphql-core refuses the request before it could cost anything
    operation = chosen[0]
    counter = _Counter(schema, document, variables or {})
    mutation = operation.operation is OperationType.MUTATION
    root = schema.mutation_type if mutation else schema.query_type
    cost = counter.selections(operation.selection_set, root, frozenset(), root=True)
    if mutation:
        cost += MUTATION_COST * counter.root_fields
    return cost
