"""Every Query and Mutation field is either on the explicit list of public fields or
refuses an anonymous client (UNAUTHENTICATED) and an API token without scopes.

The documents are generated from the schema (required arguments get dummy values of
their type; ids are random global ids of the type the argument names), so a new field
is covered without touching this file: it is gated, or someone adds it to PUBLIC.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    Undefined,
    get_named_type,
    is_composite_type,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from schema import build_schema
from schema.relay import from_global_id, to_global_id
from security.platform import PlatformKeys
from tests.accounts import make_user
from tests.clock import Clock
from tests.factories import make_organisation
from tests.graphql import error_codes, execute
from tests.principals import insert_token

# Fields anyone may call. `me` is null and `coalitions` empty for anonymous clients;
# `node` and the directory apply the policy to every row.
PUBLIC = frozenset(
    {
        "node",
        "me",
        "states",
        "state",
        "themes",
        "affectedPersons",
        "sdgGoals",
        "cycles",
        "reviews",
        "recommendations",
        "activities",  # the policy filters every row
        "recommendationStats",
        "midtermReport",  # the public report for anyone; a coalition's checks its members
        "organisations",
        "coalitions",
        "contacts",  # an empty list to anonymous clients and tokens without contacts:read
        "login",
        "acceptInvitation",
    }
)
GRAPHQL_SCHEMA: GraphQLSchema = build_schema()._schema
# (anonymous codes, anonymous data, token refused, token data) of a gated field
REFUSED = (["UNAUTHENTICATED"], None, True, None)


def _root_fields() -> dict[str, tuple[str, GraphQLField]]:
    roots = {"query": GRAPHQL_SCHEMA.query_type, "mutation": GRAPHQL_SCHEMA.mutation_type}
    return {
        name: (operation, root_field)
        for operation, root in roots.items()
        if root is not None
        for name, root_field in root.fields.items()
    }


def _node_type(argument: str) -> str:
    """The Node type an id argument names: `userId` a User, `sessionId` a LoginSession;
    a bare `id` names none, and gets a User's."""
    named = argument[:1].upper() + argument[1:].removesuffix("Id")
    node = GRAPHQL_SCHEMA.get_type("Node")
    assert isinstance(node, GraphQLInterfaceType)
    names = [t.name for t in GRAPHQL_SCHEMA.get_possible_types(node)]
    return min((n for n in names if n.endswith(named)), key=len, default="User")


def _dummy(type_: GraphQLInputType, argument: str) -> Any:
    """A value of the right type: malformed values would hit validation, not the gate."""
    if isinstance(type_, GraphQLNonNull):
        return _dummy(type_.of_type, argument)
    if isinstance(type_, GraphQLList):
        return [_dummy(type_.of_type, argument)]
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        return {
            name: _dummy(item.type, name)
            for name, item in type_.fields.items()
            if isinstance(item.type, GraphQLNonNull) and item.default_value is Undefined
        }
    scalars = {
        "String": "dummy value",
        "Int": 1,
        "Float": 1.0,
        "Boolean": True,
        "ID": to_global_id(_node_type(argument), uuid.uuid4()),
        "DateTime": (Clock().now + dt.timedelta(days=1)).isoformat(),
        "Date": Clock().now.date().isoformat(),
    }
    return scalars[type_.name]  # a new scalar needs a dummy value here


def minimal_document(name: str) -> tuple[str, dict[str, Any]]:
    """A valid document calling one root field, with its required arguments (and
    `first: 1` for a connection) as variables."""
    operation, root_field = _root_fields()[name]
    arguments = {
        argument: item
        for argument, item in root_field.args.items()
        if argument == "first"
        or (isinstance(item.type, GraphQLNonNull) and item.default_value is Undefined)
    }
    variables = {argument: _dummy(item.type, argument) for argument, item in arguments.items()}
    definitions = ", ".join(f"${argument}: {item.type}" for argument, item in arguments.items())
    passed = ", ".join(f"{argument}: ${argument}" for argument in arguments)
    selection = " { __typename }" if is_composite_type(get_named_type(root_field.type)) else ""
    document = (
        f"{operation}{f'({definitions})' if definitions else ''} "
        f"{{ {name}{f'({passed})' if passed else ''}{selection} }}"
    )
    return document, variables


def test_every_public_field_exists() -> None:
    # A field renamed or removed leaves no stale entry granting access to its successor.
    assert sorted(PUBLIC - set(_root_fields())) == []


def test_the_generated_documents_name_their_types() -> None:
    # Given a field taking a session id and one taking a typed input
    document, variables = minimal_document("revokeSession")
    # Then the id is a LoginSession's, and the input carries its required fields only
    assert document == (
        "mutation($sessionId: ID!) { revokeSession(sessionId: $sessionId) { __typename } }"
    )
    assert from_global_id(variables["sessionId"])[0] == "LoginSession"
    _, created = minimal_document("createOrganisation")
    assert created == {"input": {"name": "dummy value", "kind": "INTERNATIONAL_NGO"}}
    _, listed = minimal_document("users")
    assert listed == {"first": 1}


async def test_every_field_is_public_or_refuses_anonymous_clients_and_scopeless_tokens(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given an API token without scopes
    organisation = await make_organisation(engine, vetted_partner=True)
    admin, _ = await make_user(engine, platform_keys, organisation)
    _, scopeless = await insert_token(engine, organisation, admin, "", clock.now)
    # When every field that is not public is called anonymously and with the token
    answers = {}
    for name in sorted(set(_root_fields()) - PUBLIC):
        document, variables = minimal_document(name)
        anonymous = await execute(client, document, variables)
        with_token = await execute(client, document, variables, token=scopeless)
        answers[name] = (
            error_codes(anonymous),
            (anonymous["data"] or {}).get(name),
            error_codes(with_token) in (["FORBIDDEN"], ["UNAUTHENTICATED"]),
            (with_token["data"] or {}).get(name),
        )
    # Then each refuses both, and neither gets any data
    assert answers
    assert {name: answer for name, answer in answers.items() if answer != REFUSED} == {}
