"""An adapter over supervisord's XML-RPC interface on its unix socket (the only user of xmlrpc)."""
from __future__ import annotations

import http.client
import time
import xmlrpc.client
from collections.abc import Callable
from pathlib import Path
from typing import Any

from supervisor.xmlrpc import Faults, SupervisorTransport, UnixStreamHTTPConnection

from zapfleet.config import Config
from zapfleet.core.errors import Conflict, NotFound, Unavailable, ZapfleetError

NOT_RUNNING_MESSAGE = "process supervisor is not running"
RUNNING_STATES = ("STARTING", "RUNNING", "BACKOFF")


def _fault_error(fault: xmlrpc.client.Fault) -> ZapfleetError:
    """The domain error for a supervisord fault, carrying its fault_code."""
    error = _domain_error(fault)
    error.fault_code = fault.faultCode  # type: ignore[attr-defined]
    return error


def _domain_error(fault: xmlrpc.client.Fault) -> ZapfleetError:
    """The domain error for a fault (its text names the program, never a secret)."""
    detail = fault.faultString
    if fault.faultCode == Faults.BAD_NAME:
        return NotFound(f"supervisord has no program {detail.partition(': ')[2] or detail}")
    if fault.faultCode in (Faults.ALREADY_STARTED, Faults.NOT_RUNNING, Faults.ALREADY_ADDED,
                           Faults.STILL_RUNNING):
        return Conflict(f"supervisord: {detail}")
    if fault.faultCode in (Faults.SPAWN_ERROR, Faults.ABNORMAL_TERMINATION, Faults.NO_FILE,
                           Faults.NOT_EXECUTABLE):
        return Unavailable(f"the worker could not be started: {detail}")
    if fault.faultCode == Faults.SHUTDOWN_STATE:
        return Unavailable("process supervisor is shutting down")
    return Unavailable(f"process supervisor refused the request: {detail}")


class _Connection(UnixStreamHTTPConnection):
    """An HTTP connection over the unix socket that also closes its last response."""

    response: http.client.HTTPResponse | None = None

    def getresponse(self) -> http.client.HTTPResponse:
        self.response = super().getresponse()
        return self.response

    def close(self) -> None:
        super().close()
        if self.response is not None:
            self.response.close()


class _Transport(SupervisorTransport):
    """supervisor's own transport on a unix socket, leaving no socket open after an error."""

    def __init__(self, username: str, password: str, socket_path: str):
        super().__init__(username, password, "unix://" + socket_path)
        self._get_connection = lambda: self._connect(socket_path)

    def _connect(self, socket_path: str) -> _Connection:
        self.opened = _Connection("localhost")
        self.opened.socketfile = socket_path
        return self.opened

    def close(self) -> None:
        super().close()
        if getattr(self, "opened", None) is not None:
            self.opened.close()


class Supervisor:
    """supervisord, reached over XML-RPC; a fresh connection per call, so it is thread-safe."""

    def __init__(self, socket_path: Path | str, username: str, password: str,
                 clock: Callable[[], float] = time.monotonic):
        self.socket_path = str(socket_path)
        self._username, self._password = username, password
        self.clock = clock
        self._snapshot: tuple[float, dict[str, dict]] | None = None  # (taken at, process info)

    def __repr__(self) -> str:
        return f"Supervisor(socket_path={self.socket_path!r})"

    @classmethod
    def from_config(cls, config: Config) -> Supervisor:
        """The supervisord of this installation: its socket under var/supervisor."""
        return cls(Path(config.var_dir) / "supervisor" / "supervisor.sock",
                   config.supervisor_user, config.supervisor_password)

    def _call(self, method: str, *args: Any) -> Any:
        """Call one XML-RPC method on a fresh connection, mapping failures to domain errors."""
        transport = _Transport(self._username, self._password, self.socket_path)
        try:
            with xmlrpc.client.ServerProxy("http://127.0.0.1", transport=transport) as proxy:
                return getattr(proxy.supervisor, method)(*args)
        except xmlrpc.client.Fault as fault:
            raise _fault_error(fault) from None
        except xmlrpc.client.ProtocolError as exc:
            reason = "rejected the credentials" if exc.errcode == 401 else f"answered {exc.errcode}"
            raise Unavailable(f"process supervisor {reason}") from None
        except (OSError, http.client.HTTPException):
            raise Unavailable(NOT_RUNNING_MESSAGE) from None
        finally:
            transport.close()

    def _tolerating(self, method: str, name: str, fine: int, call: Callable | None = None) -> bool:
        """Call method(name); return False instead of failing when the fault is `fine`."""
        try:
            (call or self._call)(method, name)
            return True
        except Conflict as exc:
            if getattr(exc, "fault_code", None) != fine:
                raise
            return False

    def ping(self) -> bool:
        """True when supervisord answers and is running."""
        try:
            return self._call("getState").get("statename") == "RUNNING"
        except ZapfleetError:
            return False

    def reload(self) -> tuple[list[str], list[str], list[str]]:
        """Re-read the configuration; return the (added, changed, removed) group names."""
        added, changed, removed = self._call("reloadConfig")[0]
        return list(added), list(changed), list(removed)

    def add_group(self, name: str) -> bool:
        """Activate a group from the configuration read last; False when it already was."""
        return self._tolerating("addProcessGroup", name, Faults.ALREADY_ADDED)

    def remove_group(self, name: str) -> bool:
        """Stop the group's process if it runs, then remove the group; False when not loaded."""
        try:
            self.stop(name)
            self._call("removeProcessGroup", name)
            return True
        except NotFound:
            return False

    def start(self, name: str, wait: bool = False) -> bool:
        """Start a program; False when it already runs."""
        return self._tolerating("startProcess", name, Faults.ALREADY_STARTED,
                                lambda method, n: self._call(method, n, wait))

    def stop(self, name: str) -> bool:
        """Stop a program and wait until it has stopped; False when it was not running."""
        return self._tolerating("stopProcess", name, Faults.NOT_RUNNING)

    def stop_all(self) -> None:
        """Stop every program at once and wait (supervisord's own shutdown stops one by one)."""
        self._call("stopAllProcesses", True)

    def process_info(self, name: str) -> dict | None:
        """supervisord's info about one program (statename, pid, spawnerr, ...), or None."""
        try:
            return self._call("getProcessInfo", name)
        except NotFound:
            return None

    def all_process_info(self, max_age: float = 0.0) -> dict[str, dict]:
        """Every program supervisord runs, by name; with max_age, a snapshot taken less than
        max_age seconds ago will do (for figures a page polls, not for lifecycle decisions)."""
        snapshot = self._snapshot
        if snapshot is not None and self.clock() - snapshot[0] < max_age:
            return snapshot[1]
        info = {process["name"]: process for process in self._call("getAllProcessInfo")}
        self._snapshot = (self.clock(), info)
        return info
