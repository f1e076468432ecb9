"""Durable file writes: appends and whole-file replacements that survive a crash."""
from __future__ import annotations

import os
import threading
from collections.abc import Callable


class SyncedLines:
    """An append-only file of lines. An append returns once its line is on disk; the appends of
    threads writing at the same moment share one fsync (a group commit) instead of queueing
    for one each."""

    def __init__(self, path: str, before_write: Callable[[], None] | None = None):
        self.path = path
        self._before_write = before_write or (lambda: None)  # e.g. the fence's check
        self._write_lock, self._sync_lock = threading.Lock(), threading.Lock()
        self._written = self._synced = 0

    def append(self, line: str) -> None:
        """Append one line and return once it is on disk."""
        self.sync(self.write(line))

    def write(self, line: str) -> int:
        """Append one line, not yet synced; returns the ticket to sync() it with."""
        self._before_write()
        with self._write_lock:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                _write_all(fd, (line + "\n").encode())
            finally:
                os.close(fd)
            self._written += 1
            return self._written

    def sync(self, ticket: int) -> None:
        """Return once the line of this ticket, and every line before it, is on disk."""
        with self._sync_lock:
            if self._synced >= ticket:
                return  # another thread's fsync covered it
            target = self._written
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            self._synced = target

    def rewrite(self, current_lines: Callable[[], list[str]]) -> None:
        """Replace the file with current_lines(), called between appends (so that no line
        written meanwhile is lost); the new file is on disk when this returns."""
        self._before_write()
        with self._write_lock, self._sync_lock:
            replace_file(self.path, "".join(line + "\n" for line in current_lines()))
            self._synced = self._written


def replace_file(path: str, content: str) -> None:
    """Write content to a temp file, fsync it, and rename it over path (atomic)."""
    temp = f"{path}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        _write_all(fd, content.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temp, path)
    sync_dir(os.path.dirname(path) or ".")


def sync_dir(folder: str) -> None:
    """fsync a folder so a rename or unlink in it is durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_lines(path: str) -> list[str]:
    """The lines of a file (none when it does not exist)."""
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read().splitlines()
    except FileNotFoundError:
        return []


def _write_all(fd: int, data: bytes) -> None:
    """os.write until every byte is written."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
