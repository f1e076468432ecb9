"""Files on the worker's side: a file to send is fetched from the control plane's signed link; a
received one is kept in the session folder until the control plane has it (POST /internal/media)
and the event naming it is acknowledged, so a crash loses neither."""
from __future__ import annotations

import os
import uuid
from urllib.parse import urlencode

from workers.engines.base import EngineError
from workers.log import log

MEDIA_DIR = "media"
FETCH_TIMEOUT = 60.0
UPLOAD_TIMEOUT = 120.0
REFUSED_FOR_GOOD = (400, 404, 413, 415)
"""Answers to an upload that a retry cannot change: the message is kept without its file."""


class MediaUnavailable(EngineError):
    """The file to send could not be fetched from the control plane (503: it is retried)."""

    code = "unavailable"


def control_plane_opener():
    """An urllib opener that goes straight to the control plane (never through a proxy)."""
    from urllib import request  # lazy: keeps a text-only worker's start-up memory small
    return request.build_opener(request.ProxyHandler({}))


def fetch(control_url: str, path: str) -> bytes:
    """The bytes behind a signed path of the control plane; MediaUnavailable when they cannot be
    had right now."""
    from urllib import error
    if not path.startswith("/media/"):
        raise MediaUnavailable("the file's link is not one of the control plane's")
    try:
        with control_plane_opener().open(control_url.rstrip("/") + path, timeout=FETCH_TIMEOUT) as response:
            return response.read()
    except error.HTTPError as exc:
        exc.close()
        raise MediaUnavailable(f"the control plane answered HTTP {exc.code} for the file") from None
    except (OSError, ValueError) as exc:
        raise MediaUnavailable(f"the file could not be fetched ({type(exc).__name__})") from None


def keep_received(session_dir: str, data: bytes) -> str:
    """Save a received file durably in the session folder; the key its event names it by."""
    folder = os.path.join(session_dir, MEDIA_DIR)
    os.makedirs(folder, mode=0o700, exist_ok=True)
    key = uuid.uuid4().hex
    fd = os.open(os.path.join(folder, key), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    return key


class MediaUploader:
    """Hands the files that spooled events name to the control plane before the events go."""

    def __init__(self, session_dir: str, control_url: str, instance_id: str, token: str):
        self.folder = os.path.join(session_dir, MEDIA_DIR)
        self.url = control_url.rstrip("/") + "/internal/media"
        self.instance_id, self._token = instance_id, token
        self._uploaded: set[str] = set()  # only the reporter's thread uses it

    def upload_for(self, events: list[dict]) -> str | None:
        """Upload every file these events name and the control plane lacks; None when done, else
        what went wrong (the batch waits)."""
        for event in events:
            key, params = self._file_of(event)
            if key is None or key in self._uploaded or not os.path.exists(self._path(key)):
                continue
            problem = self._upload(key, params)
            if problem:
                return problem
            self._uploaded.add(key)
        return None

    def forget(self, events: list[dict]) -> None:
        """The events are acknowledged: their files are the control plane's now."""
        for event in events:
            key, _params = self._file_of(event)
            if key is not None:
                self._uploaded.discard(key)
                try:
                    os.remove(self._path(key))
                except FileNotFoundError:
                    pass

    def _file_of(self, event: dict) -> tuple[str | None, dict]:
        data = event.get("data") or {}
        media = data.get("media") if isinstance(data, dict) else None
        key = media.get("upload") if isinstance(media, dict) else None
        if not isinstance(key, str) or not key.isalnum():
            return None, {}
        params = {"upload": key, "kind": data.get("type") or "",
                  "mime_type": media.get("mime_type") or "", "filename": media.get("filename") or ""}
        return key, params

    def _path(self, key: str) -> str:
        return os.path.join(self.folder, key)

    def _upload(self, key: str, params: dict) -> str | None:
        """POST one file; None when the control plane has it (or refused it for good)."""
        from urllib import error, request
        query = urlencode({"instance_id": self.instance_id, **params})
        path = self._path(key)
        headers = {"Content-Type": "application/octet-stream", "Authorization": f"Bearer {self._token}",
                   "Content-Length": str(os.path.getsize(path))}
        try:
            with open(path, "rb") as body:  # streamed from the file, not read whole
                req = request.Request(f"{self.url}?{query}", data=body, headers=headers, method="POST")
                with control_plane_opener().open(req, timeout=UPLOAD_TIMEOUT):
                    return None
        except error.HTTPError as exc:
            exc.close()
            if exc.code in REFUSED_FOR_GOOD:
                log(f"media: the control plane refused a received file (HTTP {exc.code}); "
                    "its message is kept without it")
                return None
            return f"the control plane answered HTTP {exc.code} to a file"
        except (OSError, ValueError) as exc:
            return f"the control plane is unreachable ({type(exc).__name__})"
