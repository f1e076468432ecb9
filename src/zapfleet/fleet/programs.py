"""The supervisord program file of one worker: its command line, environment and log; its port
and the tail of its log on this host."""
from __future__ import annotations

import re
import shlex
import shutil
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path

from zapfleet.core.errors import NotFound
from zapfleet.fleet.supervisor import Supervisor

_SAFE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,80}$")
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]{0,60}$")
_ENV_VALUE = re.compile(r"^[^\s\"'\\]*$")  # supervisord cannot quote quotes, backslashes, blanks


@dataclass(frozen=True)
class WorkerProgram:
    """Everything supervisord needs to run one instance's worker."""

    name: str
    instance_id: str
    port: int
    engine: str
    token: str
    var_dir: Path
    control_url: str
    host: str = "127.0.0.1"
    python: str = sys.executable
    environment: tuple[tuple[str, str], ...] = ()
    """More environment variables of the worker (engine settings; secrets never go in argv)."""
    autostart: bool = True
    """Whether supervisord starts it when it starts: only an instance meant to run."""
    directory: Path = field(default_factory=Path.cwd)
    """The folder the worker runs in: the project home."""

    @property
    def session_dir(self) -> Path:
        """Where the worker keeps its session and spool."""
        return self.var_dir / "sessions" / self.instance_id

    @property
    def log_file(self) -> Path:
        """The worker's own log file."""
        return self.var_dir / "log" / "workers" / f"{self.name}.log"

    @property
    def conf_file(self) -> Path:
        """The program file supervisord includes."""
        return self.var_dir / "supervisor" / "workers" / f"{self.name}.conf"


def render_environment(variables: tuple[tuple[str, str], ...]) -> str:
    """The value of supervisord's `environment =` line; ValueError for a value it cannot hold."""
    parts = []
    for name, value in variables:
        if not _ENV_NAME.match(name):
            raise ValueError(f"unsafe environment variable name {name!r}")
        if not _ENV_VALUE.match(value):
            raise ValueError(f"{name} must not contain blanks, quotes or backslashes")
        parts.append(f'{name}="{value.replace("%", "%%")}"')
    return ",".join(parts)


def render_program(program: WorkerProgram) -> str:
    """The [program:x] section for a worker, as supervisord reads it."""
    if not _SAFE_NAME.match(program.name):
        raise ValueError(f"unsafe program name {program.name!r}")
    command = shlex.join([
        program.python, "-m", "workers.whatsapp_worker", "--instance", program.instance_id,
        "--name", program.name, "--port", str(program.port), "--host", program.host,
        "--engine", program.engine, "--session-dir", str(program.session_dir),
        "--control-url", program.control_url])
    environment = render_environment(
        (("ZAPFLEET_WORKER_TOKEN", program.token), ("PYTHONUNBUFFERED", "1"), *program.environment))
    return "\n".join([
        f"[program:{program.name}]",
        f"command = {command.replace('%', '%%')}",
        f"directory = {str(program.directory).replace('%', '%%')}",
        f"environment = {environment}",
        f"autostart = {str(program.autostart).lower()}", "autorestart = true", "startsecs = 1",
        "startretries = 1000",
        "stopwaitsecs = 10", "stopasgroup = true", "killasgroup = true",
        "redirect_stderr = true", f"stdout_logfile = {program.log_file}",
        "stdout_logfile_maxbytes = 5MB", "stdout_logfile_backups = 3", ""])


def write_program(program: WorkerProgram) -> Path:
    """Write the program file (mode 0600: it holds the token) and create its folders."""
    for folder in (program.conf_file.parent, program.log_file.parent, program.session_dir):
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = program.conf_file
    path.touch(mode=0o600)
    path.write_text(render_program(program))
    return path


def port_is_free(host: str, port: int) -> bool:
    """True when nothing on this host listens on host:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def tail_lines(path: Path, lines: int, block: int = 8192) -> str:
    """The last `lines` lines of a file, read backwards in blocks from its end."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return ""
    with handle:
        position, data = handle.seek(0, 2), b""
        while position > 0 and data.count(b"\n") <= lines:
            step = min(block, position)
            position -= step
            handle.seek(position)
            data = handle.read(step) + data
    kept = data.decode("utf-8", "replace").splitlines(keepends=True)[-lines:]
    return "".join(kept)


def program_current(program: WorkerProgram) -> bool:
    """True when the program file exists and says what it should."""
    try:
        return program.conf_file.read_text() == render_program(program)
    except FileNotFoundError:
        return False


def sync_program(supervisor: Supervisor, program: WorkerProgram,
                 changed: list[str] | None = None) -> list[str]:
    """Make supervisord run this program file as it should be; return the actions taken."""
    actions = []
    if not program_current(program):
        write_program(program)
        actions.append(f"wrote the program file of {program.name}")
        changed = supervisor.reload()[1]
    if changed and program.name in changed:
        supervisor.remove_group(program.name)
        actions.append(f"unloaded the outdated program {program.name}")
    if _add_group(supervisor, program.name):
        actions.append(f"loaded {program.name} into supervisord")
    return actions


def _add_group(supervisor: Supervisor, name: str) -> bool:
    """add_group, re-reading the configuration once if supervisord has not seen the file yet."""
    try:
        return supervisor.add_group(name)
    except NotFound:
        supervisor.reload()
        return supervisor.add_group(name)


def remove_program(supervisor: Supervisor, conf_file: Path, session_dir: Path | None) -> None:
    """Stop and unload a program, then delete its file and wipe its session folder."""
    supervisor.remove_group(conf_file.stem)
    conf_file.unlink(missing_ok=True)
    if session_dir is not None:
        shutil.rmtree(session_dir, ignore_errors=True)
