"""The cost limit and the hourly budget, applied to every operation before it runs,
and reported in `extensions.cost` of every response."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from strawberry.extensions import SchemaExtension

from schema.cost.analysis import operation_cost
from schema.cost.budgets import Budgets, Charge, LocalBudgets
from schema.errors import CostLimitExceeded, RateLimited


@dataclass(frozen=True, slots=True)
class CostRules:
    """Points: see `schema.cost.analysis`. A page of 100 recommendations with their
    themes and engagements each costs 1,301; the dashboard of tests/test_statement_counts.py
    at 100 items about 17,000."""

    max_per_request: int = 25_000
    hourly: int = 500_000
    hourly_anonymous: int = 50_000  # per client address
    budgets: Budgets = field(default_factory=LocalBudgets)


def budget_key(context: Any) -> tuple[str, bool]:
    """Whose budget a request spends: the user's, the token's, else the client
    address's (as a digest: the budget store need not hold addresses)."""
    principal = context.principal
    if principal.user_id is not None:
        return f"user:{principal.user_id}", False
    if principal.token_id is not None:
        return f"token:{principal.token_id}", False
    address = (context.client_address or "unknown").encode()
    return "address:" + hashlib.sha256(b"upright budget/" + address).hexdigest()[:32], True


class CostLimit(SchemaExtension):
    """Charges the operation's cost to its viewer's budget, or refuses it unrun
    (COST_LIMIT_EXCEEDED over the per-request maximum, RATE_LIMITED over budget)."""

    def __init__(self) -> None:
        self.cost = 0
        self.charge: Charge | None = None

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        context = execution.context
        rules: CostRules = context.services.cost
        document = execution.graphql_document
        if document is not None:
            self.cost = operation_cost(
                execution.schema._schema, document, execution.operation_name, execution.variables
            )
        if self.cost > rules.max_per_request:
            raise CostLimitExceeded(self.cost, rules.max_per_request)
        key, anonymous = budget_key(context)
        budget = rules.hourly_anonymous if anonymous else rules.hourly
        now: dt.datetime = context.now()
        self.charge = await rules.budgets.charge(key, self.cost, budget, now)
        if not self.charge.accepted:
            wait = (self.charge.resets_at - now).total_seconds()
            raise RateLimited(
                f"This operation costs {self.cost:,} points and {self.charge.remaining:,} are "
                f"left of the hourly budget of {budget:,}; it renews at "
                f"{self.charge.resets_at.isoformat()}.",
                retry_after=wait,
            )
        yield

    async def get_results(self) -> dict[str, Any]:
        context = self.execution_context.context
        services = getattr(context, "services", None)
        if services is None:
            return {}
        if self.charge is None:  # refused before execution: report what is left
            rules: CostRules = services.cost
            key, anonymous = budget_key(context)
            budget = rules.hourly_anonymous if anonymous else rules.hourly
            self.charge = await rules.budgets.charge(key, 0, budget, context.now())
        return {
            "cost": {
                "requested": self.cost,
                "remaining": self.charge.remaining,
                "resetAt": self.charge.resets_at.isoformat(),
            }
        }
