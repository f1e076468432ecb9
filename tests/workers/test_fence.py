"""The fence: a lease file the node agent keeps fresh; the worker acts only while it is."""
from __future__ import annotations

import os
import threading

import pytest

from workers.fence import Fence, FenceLost, NoFence, fence_from_environment
from workers.session_store import FolderStore
from workers.spool import Spool

NOW = 1_800_000_000.0


def touched(path, at: float):
    """The lease file with this mtime."""
    path.touch()
    os.utime(path, (at, at))
    return path


def test_the_lease_is_valid_while_the_file_is_younger_than_it(tmp_path):
    clock = [NOW]
    fence = Fence(str(touched(tmp_path / "lease", NOW - 1)), lease=5, clock=lambda: clock[0])
    assert fence.valid() and fence.age() == 1
    clock[0] = NOW + 3.999
    assert fence.valid()
    clock[0] = NOW + 4
    assert not fence.valid() and fence.lost()


def test_a_lapsed_lease_stays_lost_even_when_the_file_is_touched_again(tmp_path):
    clock = [NOW]
    path = touched(tmp_path / "lease", NOW)
    fence = Fence(str(path), lease=5, clock=lambda: clock[0])
    assert fence.valid()
    clock[0] = NOW + 10
    assert not fence.valid()
    touched(path, NOW + 10)
    assert not fence.valid()
    with pytest.raises(FenceLost):
        fence.check()


def test_a_lease_not_yet_held_is_waited_for_not_lost(tmp_path):
    clock = [NOW]
    path = tmp_path / "lease"
    fence = Fence(str(path), lease=5, clock=lambda: clock[0])
    assert not fence.valid() and not fence.lost()  # missing
    touched(path, NOW - 60)
    assert not fence.valid() and not fence.lost()  # stale, never held
    touched(path, NOW)
    assert fence.wait_until_valid(threading.Event())


def test_waiting_ends_when_the_worker_is_asked_to_stop(tmp_path):
    stop = threading.Event()
    stop.set()
    assert not Fence(str(tmp_path / "missing"), lease=5).wait_until_valid(stop, interval=0)


def test_the_watchdog_calls_back_once_the_lease_lapses(tmp_path):
    clock = [NOW]
    fence = Fence(str(touched(tmp_path / "lease", NOW)), lease=5, clock=lambda: clock[0])
    lost = threading.Event()
    watchdog = fence.watch(lost.set, interval=0.01)
    assert not lost.is_set()
    clock[0] = NOW + 6
    assert lost.wait(10)
    watchdog.join(10)
    assert not watchdog.is_alive()


def test_the_environment_chooses_the_fence():
    assert isinstance(fence_from_environment({}), NoFence)
    fence = fence_from_environment({"ZAPFLEET_FENCE_FILE": "/run/lease", "ZAPFLEET_FENCE_LEASE": "2.5"})
    assert (fence.path, fence.lease) == ("/run/lease", 2.5)
    assert fence_from_environment({"ZAPFLEET_FENCE_FILE": "/run/lease"}).lease == 5
    with pytest.raises(ValueError, match="ZAPFLEET_FENCE_LEASE"):
        fence_from_environment({"ZAPFLEET_FENCE_FILE": "/run/lease", "ZAPFLEET_FENCE_LEASE": "0"})
    assert NoFence().valid()


def test_the_folder_store_refuses_every_write_once_the_lease_lapsed(tmp_path):
    clock = [NOW]
    fence = Fence(str(touched(tmp_path / "lease", NOW)), lease=5, clock=lambda: clock[0])
    store = FolderStore(str(tmp_path), fence)
    spool = Spool(store)
    spool.append({"id": "e-1", "type": "qr", "data": {}})
    clock[0] = NOW + 5
    with pytest.raises(OSError):
        spool.append({"id": "e-2", "type": "qr", "data": {}})
    for write in (lambda: store.lines("x").append("a"), lambda: store.replace("x", ["a"]),
                  lambda: store.remove("x"), lambda: store.lines("x").rewrite(lambda: [])):
        with pytest.raises(FenceLost):
            write()
    assert store.read("events.jsonl") == ['{"id":"e-1","type":"qr","data":{}}'] and len(spool) == 1
