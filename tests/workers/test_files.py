"""Durable appends: every line is on disk when append returns; concurrent appends share fsyncs."""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

from tests.support.waiting import wait_until
from workers.files import SyncedLines, read_lines


class CountedFsync:
    """os.fsync, counting its calls and holding each one until `release` is set."""

    def __init__(self):
        self.calls, self.release, self.entered = 0, threading.Event(), threading.Event()
        self._real = os.fsync

    def __call__(self, fd: int) -> None:
        self.calls += 1
        self.entered.set()
        self.release.wait(10)
        self._real(fd)


def test_appends_at_the_same_moment_share_one_fsync(tmp_path, monkeypatch):
    fsync = CountedFsync()
    monkeypatch.setattr(os, "fsync", fsync)
    lines = SyncedLines(str(tmp_path / "log.jsonl"))
    with ThreadPoolExecutor(max_workers=9) as pool:
        first = pool.submit(lines.append, "first")
        assert fsync.entered.wait(10)  # the first fsync is under way: the others queue behind it
        others = [pool.submit(lines.append, f"line {n}") for n in range(8)]
        wait_until(lambda: lines._written == 9, 10, "the eight other lines to be written")
        fsync.release.set()
        for future in [first, *others]:
            future.result(timeout=10)
    assert sorted(read_lines(lines.path)) == sorted(["first", *(f"line {n}" for n in range(8))])
    assert fsync.calls == 2  # the first line's, then one for the eight written meanwhile


def test_an_append_returns_once_its_line_is_synced(tmp_path, monkeypatch):
    synced: list[int] = []
    real = os.fsync
    lines = SyncedLines(str(tmp_path / "log.jsonl"))
    monkeypatch.setattr(os, "fsync", lambda fd: (real(fd), synced.append(lines._written)))
    for n in range(3):
        lines.append(f"line {n}")
        assert synced[-1] == n + 1  # the fsync came after this line was written
    assert read_lines(lines.path) == ["line 0", "line 1", "line 2"]
