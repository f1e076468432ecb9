"""Plan limits: contacts kept and messages sent in 24 hours, per plan (PLAN_LIMITS)."""
from __future__ import annotations

import pytest

from zapfleet.config import Config


def test_plan_limits_are_read_from_the_environment():
    config = Config.from_env({"PLAN_LIMITS": "free: contacts=2, messages_per_day=3; basic:contacts=9"})
    assert config.plan_limits == {"free": {"contacts": 2, "messages_per_day": 3},
                                  "basic": {"contacts": 9}}
    assert Config.from_env({}).plan_limits == {}


@pytest.mark.parametrize("bad", ["gold:contacts=1", "free:chats=1", "free:contacts=many"])
def test_a_bad_plan_limit_is_refused_at_start(bad):
    with pytest.raises(ValueError, match="PLAN_LIMITS"):
        Config.from_env({"PLAN_LIMITS": bad})
