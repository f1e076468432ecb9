"""Pacing per number: gaps, sending window, daily cap and warm-up."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from zapfleet.tenancy.account_settings import effective
from zapfleet.campaigns.pacing import Pacing, hold_until

SP = ZoneInfo("America/Sao_Paulo")


def pacing(**changes) -> Pacing:
    return Pacing.from_settings(effective({"pacing": changes}))


def at(hour: int, minute: int = 0, day: int = 20) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SP)


def test_defaults_are_conservative():
    p = pacing()
    assert (p.min_gap, p.max_gap, p.daily_cap, p.warmup_days) == (20, 40, 200, 7)
    assert p.mean_gap == 30


@pytest.mark.parametrize("draw", [0.0, 0.5, 0.999])
def test_a_gap_is_between_min_and_max(draw):
    gap = pacing().gap(lambda: draw).total_seconds()
    assert 20 <= gap <= 40 and gap == pytest.approx(20 + 20 * draw)


def test_the_warm_up_raises_the_cap_day_by_day_up_to_the_daily_cap():
    p, linked = pacing(daily_cap=140, warmup_days=7), at(9)
    caps = [p.cap(linked, linked + timedelta(days=d, hours=1)) for d in range(9)]
    assert caps == [20, 40, 60, 80, 100, 120, 140, 140, 140]
    assert pacing(warmup_days=0).cap(linked, linked) == 200
    assert p.cap(None, linked) == 140  # never seen linked: no warm-up to apply


def test_outside_the_window_it_waits_for_the_next_opening():
    p = pacing(window_start="08:00", window_end="20:00")
    assert hold_until(p, None, at(7, 59)) == (at(8), "window")
    assert hold_until(p, None, at(20, 0)) == (at(8, day=21), "window")
    assert hold_until(p, None, at(12)) is None


def test_the_daily_cap_holds_until_tomorrows_window_and_a_new_day_starts_at_zero():
    p = pacing(daily_cap=3, warmup_days=0)
    state = {"day": at(12).date(), "sent_today": 3, "next_send_at": None, "phone_since": None}
    assert hold_until(p, state, at(12)) == (at(8, day=21), "daily_cap")
    assert hold_until(p, state, at(9, day=21)) is None


def test_the_gap_holds_until_the_next_due_moment():
    p = pacing()
    state = {"day": None, "sent_today": 0, "next_send_at": at(12, 1), "phone_since": None}
    assert hold_until(p, state, at(12)) == (at(12, 1), "gap")


def test_lateness_of_the_passes_does_not_add_up_but_never_goes_below_the_minimum_gap():
    p = pacing(min_gap_seconds=20, max_gap_seconds=40)
    due = at(12)
    # one second late: the next one is due a gap after the previous due time, not after now
    assert p.next_due(due, due + timedelta(seconds=1), lambda: 0.5) == due + timedelta(seconds=30)
    # with the smallest gap, lateness cannot shrink the gap under min_gap
    assert p.next_due(due, due + timedelta(seconds=5), lambda: 0.0) == due + timedelta(seconds=25)
    # long after (the number was offline): counted from now, no burst to catch up
    later = due + timedelta(hours=2)
    assert p.next_due(due, later, lambda: 0.5) == later + timedelta(seconds=30)
