"""Durable file writes: appends and whole-file replacements that survive a crash."""
from __future__ import annotations

import os


def append_line(path: str, line: str) -> None:
    """Append one line and fsync it before returning."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        _write_all(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


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
