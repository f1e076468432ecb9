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
        passed = self._passed(conn, account_id, what, adding)
        if passed is not None:
            plan, limit = passed
            raise PlanLimit("%(what)s: the %(plan)s plan allows %(limit)s %(things)s", what=what, plan=plan,
                            limit=limit, things=WHAT[what])

    def allows(self, conn, account_id: UUID, what: str, adding: int = 0) -> bool:
        """Whether the account may use `adding` more of `what` now."""
        return self._passed(conn, account_id, what, adding) is None

    def _passed(self, conn, account_id: UUID, what: str, adding: int) -> tuple[str, int] | None:
        """(plan, limit) when the use plus `adding` would pass the plan's limit; else None."""
        if not self.limits:
            return None
        plan = sql.plan_of(conn, account_id)
        limit = self.limits.get(plan or "", {}).get(what)
        if limit is not None and sql.usage(conn, account_id, what) + adding > limit:
            return plan or "", limit
        return None
