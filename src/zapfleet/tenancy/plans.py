"""Plan limits (PLAN_LIMITS): how many contacts an account may keep and messages it may send in
24 hours, per plan. Plans without limits, and every plan while PLAN_LIMITS is unset, are free of
them."""
from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from zapfleet.core.errors import PlanLimit
from zapfleet.db import accounts as sql

WHAT = {"contacts": "contacts in all", "messages_per_day": "in any 24 hours"}


class PlanLimits:
    """Checks an account's use against its plan's limits inside the caller's transaction."""

    def __init__(self, limits: Mapping[str, Mapping[str, int]]):
        self.limits = limits

    def check(self, conn, account_id: UUID, what: str, adding: int = 0) -> None:
        """PlanLimit when the account's use of `what`, plus `adding`, passes its plan's limit."""
        if not self.limits:
            return
        plan = sql.plan_of(conn, account_id)
        limit = self.limits.get(plan or "", {}).get(what)
        if limit is not None and sql.usage(conn, account_id, what) + adding > limit:
            raise PlanLimit(f"{what}: the {plan} plan allows {limit} {WHAT[what]}")
