"""Mutation results: expected failures come back as data (`userErrors`), so client
apps handle validation problems and conflicts without parsing error messages.
Authentication, permission, not-found and limits stay top-level errors with a code."""

from __future__ import annotations

import enum
import functools
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import strawberry


@strawberry.enum(description="Why a mutation's input was not accepted.")
class UserErrorCode(enum.Enum):
    BAD_USER_INPUT = "BAD_USER_INPUT"
    CONFLICT = "CONFLICT"


@strawberry.type(description="A problem with one input field (or, without field, the input).")
class UserError:
    field: str | None
    code: UserErrorCode
    message: str


class Rejected(Exception):
    """Raised inside a mutation to abort its transaction and report `userErrors`."""

    def __init__(self, errors: Sequence[UserError]) -> None:
        super().__init__(errors[0].message if errors else "rejected")
        self.errors = list(errors)


def invalid(field: str | None, message: str) -> Rejected:
    return Rejected([UserError(field=field, code=UserErrorCode.BAD_USER_INPUT, message=message)])


def conflict(message: str, field: str | None = "version") -> Rejected:
    return Rejected([UserError(field=field, code=UserErrorCode.CONFLICT, message=message)])


P = TypeVar("P")
F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


def reports_user_errors(payload: Callable[..., P]) -> Callable[[F], F]:
    """A mutation resolver whose `Rejected` becomes `payload(user_errors=...)`: the
    exception has already rolled its transaction back, so nothing was written."""

    def decorate(resolver: F) -> F:
        @functools.wraps(resolver)
        async def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return await resolver(*args, **kwargs)
            except Rejected as rejected:
                return payload(user_errors=rejected.errors)

        return run  # type: ignore[return-value]

    return decorate
