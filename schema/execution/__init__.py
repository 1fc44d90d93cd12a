"""A leaner execution of the fields that make up most of a page.

A page of ten recommendations completes about 280 fields and 110 objects. For each
field, graphql-core builds a `GraphQLResolveInfo` and Strawberry wraps the resolver in
argument conversion and extension chains, then the value is dispatched on its type
through half a dozen calls; nearly all of these fields are plain attributes, or
resolvers that take only `self` and `info`, whose values are already in memory.

Here such fields are read and completed directly, with the library's own error
handling at the same places (a field, a list item), so null propagation and paths are
unchanged. Anything else goes the library's way. A value the short path is not certain
of (a null in a non-null field, a value that does not serialize, an error or an
awaitable where a value should be, an object of an unexpected class) is handed to the
library's completion as it is, before anything was made of it, so the answer and its
errors are the library's and no resolver runs twice. Only synchronous resolvers without
arguments, permissions or extensions are called here.
"""

from __future__ import annotations

from typing import Any, TypeVar

import orjson
from graphql import (
    GraphQLField,
    GraphQLObjectType,
    GraphQLOutputType,
    Undefined,
)
from graphql.execution.executor import to_nodes
from graphql.pyutils import Path, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.cast import TYPE_CAST_ATTRIBUTE

from schema.execution.as_json import Precompleted
from schema.execution.steps import (
    STEP,
    UNCERTAIN,
    Delegate,
    LeafSpec,
    ListSpec,
    ObjectSpec,
    Spec,
    Step,
    is_plain,
    read_leaf,
    step_of,
)


class ExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, with plain fields completed directly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Extensions that wrap resolvers (none here today) must see every field.
        manager = self.middleware_manager
        self._short = manager is None or not manager.middlewares
        strawberry_schema = getattr(self.schema, "_strawberry_schema", None)
        self._converter: GraphQLCoreConverter | None = getattr(
            strawberry_schema, "schema_converter", None
        )
        self._info_class: Any = getattr(
            getattr(strawberry_schema, "config", None), "info_class", None
        )
        self._plans: dict[int, tuple[dict[str, Any], list[tuple[str, Any, Step | None]]]] = {}

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: dict[str, Any],
        position_context: Any,
    ) -> Any:
        """The library's `execute_fields`, with each field's way looked up once per
        selection and plain leaves read inline (no path is made unless one fails)."""
        if not self._short or position_context is not None:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        plan = self._plan(parent_type, grouped_field_set)
        results: dict[str, Any] = {}
        pending: list[str] = []
        is_awaitable = self.is_awaitable
        try:
            for response_name, field_details_list, step in plan:
                way = step
                if step is not None and step.leaf:
                    # The commonest field, inline: a scalar or an enum in an attribute.
                    value = read_leaf(step, source_value)
                    if value is not UNCERTAIN:
                        results[response_name] = value
                        continue
                    way = None  # the library's way reports what went wrong, at the field
                field_path = Path(path, response_name, parent_type.name)
                if way is None:
                    result = super().execute_field(
                        parent_type, source_value, field_details_list, field_path, None
                    )
                else:
                    result = self._execute_step(
                        way, parent_type, source_value, field_details_list, field_path
                    )
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        pending.append(response_name)
        except Exception:
            if pending:
                self.settle_in_background([results[name] for name in pending])
            raise
        if not pending:
            return results
        return _gather(results, pending)

    def _plan(
        self, parent_type: GraphQLObjectType, grouped_field_set: dict[str, Any]
    ) -> list[tuple[str, Any, Step | None]]:
        """Each field of a selection with its way, once per selection and request (the
        library collects a selection once per request, so its identity is stable)."""
        key = id(grouped_field_set)
        cached = self._plans.get(key)
        if cached is not None and cached[0] is grouped_field_set:
            return cached[1]
        plan = []
        for response_name, field_details_list in grouped_field_set.items():
            field = parent_type.fields.get(field_details_list[0].node.name.value)
            plan.append((response_name, field_details_list, self._step_of(field)))
        # The selection is kept with its plan, so that its id cannot be reused meanwhile.
        self._plans[key] = (grouped_field_set, plan)
        return plan

    def _step_of(self, field: GraphQLField | None) -> Step | None:
        if field is None:
            return None
        try:
            step: Step | None = field.extensions[STEP]
        except KeyError:
            step = field.extensions[STEP] = step_of(field, self._converter)
        return step

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: Any,
        info: Any,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        """A field answered by the database as JSON goes out as it is (`as_json`)."""
        if type(result) is Precompleted:
            return orjson.Fragment(result.json)
        return super().complete_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Path,
        position_context: Any,
    ) -> Any:
        """One field (mutations run theirs one by one through here)."""
        step = None
        if self._short and position_context is None:
            step = self._step_of(parent_type.fields.get(field_details_list[0].node.name.value))
        if step is None:
            return super().execute_field(
                parent_type, source, field_details_list, path, position_context
            )
        return self._execute_step(step, parent_type, source, field_details_list, path)

    def _execute_step(
        self,
        step: Step,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Path,
    ) -> Any:
        """The library's `execute_field`, with the value read or resolved directly."""
        field_type = step.field.type
        info = None
        try:
            if step.resolver is None:
                value = getattr(source, step.attribute)  # type: ignore[arg-type]
            else:
                info = self.build_resolve_info(
                    step.field, to_nodes(field_details_list), parent_type, path
                )
                if step.info_parameter is None:
                    value = step.resolver(source)
                else:
                    strawberry_info = self._info_class(_raw_info=info, _field=step.definition)
                    value = step.resolver(source, **{step.info_parameter: strawberry_info})
            if self.is_awaitable(value):
                if info is None:
                    info = self.build_resolve_info(
                        step.field, to_nodes(field_details_list), parent_type, path
                    )
                return self.complete_awaitable_value(
                    field_type, field_details_list, info, path, value, None
                )
            try:
                completed = self._complete(step.spec, field_details_list, path, value)
            except Delegate:
                # The library completes the very value, from the start: nothing is
                # resolved twice, and nothing awaitable was made of it yet.
                if info is None:
                    info = self.build_resolve_info(
                        step.field, to_nodes(field_details_list), parent_type, path
                    )
                completed = self.complete_value(
                    field_type, field_details_list, info, path, value, None
                )
        except Exception as raw_error:
            self.handle_field_error(raw_error, field_type, field_details_list, path)
            return None
        if self.is_awaitable(completed):
            return self._await_completed(completed, field_type, field_details_list, path)
        return completed

    async def _await_completed(
        self, completed: Any, return_type: GraphQLOutputType, field_details_list: Any, path: Path
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None

    def _complete(self, spec: Spec, field_details_list: Any, path: Path, value: Any) -> Any:
        """`complete_value` for the kinds `spec_of` knows. Raises `Delegate` only before
        anything awaitable was made of the value, so the library can complete it anew."""
        if value is None:
            if spec.nullable:
                return None
            raise Delegate
        if type(spec) is LeafSpec:
            exact = spec.exact.get(type(value))
            if exact is not None:
                completed = exact(value)
                if completed is None:
                    raise Delegate
                return completed
            if not is_plain(value):
                raise Delegate
            try:
                completed = spec.coerce(value)
            except Exception as error:
                raise Delegate from error
            if completed is None or completed is Undefined:
                raise Delegate
            return completed
        if type(spec) is ObjectSpec:
            if isinstance(value, Exception):
                raise Delegate
            self._check(spec, value)
            return self._complete_object(spec, field_details_list, path, value)
        return self._complete_list(spec, field_details_list, path, value)  # type: ignore[arg-type]

    def _complete_list(
        self, spec: ListSpec, field_details_list: Any, path: Path, value: Any
    ) -> Any:
        if not isinstance(value, list | tuple):
            raise Delegate
        item = spec.item
        if type(item) is LeafSpec:
            return [self._complete(item, field_details_list, path, each) for each in value]
        if type(item) is ObjectSpec:
            is_awaitable = self.is_awaitable
            for each in value:  # every item checked before any is completed
                if each is None:
                    if not item.nullable:
                        raise Delegate
                elif is_awaitable(each) or isinstance(each, Exception):
                    raise Delegate  # awaitable items and errors: the library's way
                else:
                    self._check(item, each)
            return self._complete_objects(item, field_details_list, path, value)
        raise Delegate  # lists of lists: the library's way

    @staticmethod
    def _check(spec: ObjectSpec, value: Any) -> None:
        """What the type's `is_type_of` would say, where it is certain to say yes."""
        origin = spec.origin
        if origin is not None and (
            type(value) is not origin or getattr(value, TYPE_CAST_ATTRIBUTE, None) is not None
        ):
            raise Delegate

    def _complete_object(
        self, spec: ObjectSpec, field_details_list: Any, path: Path, value: Any
    ) -> Any:
        grouped, new_defer_usages, _ = self.collect_subfields(spec.object_type, field_details_list)
        if new_defer_usages:
            return self.execute_collected_subfields(
                spec.object_type, value, path, grouped, new_defer_usages, None
            )
        return self.execute_fields(spec.object_type, value, path, grouped, None)

    def _complete_objects(
        self, item: ObjectSpec, field_details_list: Any, path: Path, values: Any
    ) -> Any:
        """`complete_iterable_value` for checked objects (none awaitable): each item's
        errors handled at the item, items whose completion is awaitable gathered."""
        completed: list[Any] = []
        pending: list[int] = []
        try:
            for index, value in enumerate(values):
                item_path = path.add_key(index, None)
                if value is None:
                    completed.append(None)
                    continue
                try:
                    result = self._complete_object(item, field_details_list, item_path, value)
                except Exception as raw_error:
                    self.handle_field_error(raw_error, item.type, field_details_list, item_path)
                    result = None
                if self.is_awaitable(result):
                    result = self._await_completed(result, item.type, field_details_list, item_path)
                    pending.append(index)
                completed.append(result)
        except Exception:
            if pending:
                self.settle_in_background([completed[index] for index in pending])
            raise
        if not pending:
            return completed
        return _gather(completed, pending)


C = TypeVar("C", dict[str, Any], list[Any])


async def _gather(container: C, pending: list[Any]) -> C:
    """The awaitables at `pending` in `container` (fields of an object, items of a list)
    replaced by their values, awaited together as the library does, so that their
    loads share batches."""
    if len(pending) == 1:
        container[pending[0]] = await container[pending[0]]
        return container
    values = await gather_with_cancel(*(container[key] for key in pending))
    for key, value in zip(pending, values, strict=True):
        container[key] = value
    return container
