"""The Supervisor adapter against a real supervisord and real processes."""
from __future__ import annotations

import shlex
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.supervisord import SUPERVISOR_USER
from tests.support.waiting import wait_until
from zapfleet.config import Config
from zapfleet.core.errors import NotFound, Unavailable
from zapfleet.fleet.supervisor import Supervisor

SLEEPER = [sys.executable, "-c", "import time; time.sleep(3600)"]


def write_program(supervisord, name: str, command: list[str], autostart: bool = False) -> None:
    """A plain program file in the folder supervisord includes."""
    path = supervisord.var_dir / "supervisor" / "workers" / f"{name}.conf"
    path.write_text(f"[program:{name}]\ncommand = {shlex.join(command)}\n"
                    f"autostart = {str(autostart).lower()}\nautorestart = false\n"
                    "startsecs = 0\nstartretries = 0\nstopwaitsecs = 5\n")


def loaded(supervisord, name: str, command: list[str] = SLEEPER) -> Supervisor:
    """supervisord with the program written, read and added."""
    write_program(supervisord, name, command)
    sv = supervisord.supervisor
    sv.reload()
    sv.add_group(name)
    return sv


def test_ping_and_from_config(supervisord):
    config = Config(var_dir=supervisord.var_dir, supervisor_user="zftest",
                    supervisor_password=supervisord.password)
    assert Supervisor.from_config(config).ping() is True
    assert supervisord.supervisor.all_process_info() == {}


def test_no_supervisord_is_unavailable(short_var_dir):
    sv = Supervisor(short_var_dir / "missing.sock", "zftest", "pw")
    assert sv.ping() is False
    with pytest.raises(Unavailable, match="process supervisor is not running"):
        sv.all_process_info()
    with pytest.raises(Unavailable, match="process supervisor is not running"):
        sv.reload()


def test_wrong_password_is_unavailable_without_the_password(supervisord):
    sv = Supervisor(supervisord.supervisor.socket_path, "zftest", "wrong-password-xyz")
    with pytest.raises(Unavailable) as caught:
        sv.process_info("anything")
    assert "credentials" in caught.value.message
    assert "wrong-password-xyz" not in caught.value.message + repr(sv)
    assert supervisord.password not in repr(supervisord.supervisor)


def test_reload_reports_added_changed_removed(supervisord):
    sv = supervisord.supervisor
    write_program(supervisord, "alpha_whatsapp", SLEEPER)
    assert sv.reload() == (["alpha_whatsapp"], [], [])
    assert sv.add_group("alpha_whatsapp") is True
    assert sv.add_group("alpha_whatsapp") is False
    assert sv.reload() == ([], [], [])
    write_program(supervisord, "alpha_whatsapp", SLEEPER + ["changed"])
    assert sv.reload() == ([], ["alpha_whatsapp"], [])
    (supervisord.var_dir / "supervisor" / "workers" / "alpha_whatsapp.conf").unlink()
    assert sv.reload() == ([], [], ["alpha_whatsapp"])


def test_start_stop_are_tolerant_and_info_reports_the_process(supervisord):
    sv = loaded(supervisord, "beta_whatsapp")
    assert sv.process_info("beta_whatsapp")["statename"] == "STOPPED"
    assert sv.start("beta_whatsapp", wait=True) is True
    assert sv.start("beta_whatsapp") is False
    info = sv.process_info("beta_whatsapp")
    assert info["statename"] == "RUNNING" and info["pid"] > 0
    assert sv.all_process_info()["beta_whatsapp"]["pid"] == info["pid"]
    assert sv.stop("beta_whatsapp") is True
    assert sv.stop("beta_whatsapp") is False
    assert sv.process_info("beta_whatsapp")["statename"] == "STOPPED"


def test_remove_group_stops_a_running_process_first(supervisord):
    sv = loaded(supervisord, "gamma_whatsapp")
    sv.start("gamma_whatsapp", wait=True)
    assert sv.remove_group("gamma_whatsapp") is True
    assert sv.process_info("gamma_whatsapp") is None
    assert sv.remove_group("gamma_whatsapp") is False
    assert "gamma_whatsapp" not in sv.all_process_info()


def test_unknown_names_are_not_found(supervisord):
    sv = supervisord.supervisor
    with pytest.raises(NotFound, match="nobody_whatsapp"):
        sv.start("nobody_whatsapp")
    with pytest.raises(NotFound):
        sv.stop("nobody_whatsapp")
    with pytest.raises(NotFound):
        sv.add_group("nobody_whatsapp")
    assert sv.process_info("nobody_whatsapp") is None


def test_a_program_that_cannot_spawn_is_unavailable(supervisord):
    sv = loaded(supervisord, "broken_whatsapp", ["/nonexistent/zapfleet-worker"])
    with pytest.raises(Unavailable, match="could not be started"):
        sv.start("broken_whatsapp", wait=True)


def test_a_program_that_exits_becomes_fatal(supervisord):
    sv = loaded(supervisord, "crash_whatsapp", [sys.executable, "-c", "raise SystemExit(3)"])
    sv.start("crash_whatsapp")
    info = wait_until(lambda: (i := sv.process_info("crash_whatsapp"))["statename"] in (
        "FATAL", "EXITED", "BACKOFF") and i, what="the program to exit")
    assert info["exitstatus"] in (0, 3)


def test_concurrent_calls_from_threads(supervisord):
    sv = loaded(supervisord, "delta_whatsapp")
    sv.start("delta_whatsapp", wait=True)
    with ThreadPoolExecutor(max_workers=8) as pool:
        infos = list(pool.map(lambda _: sv.process_info("delta_whatsapp"), range(40)))
    assert {info["statename"] for info in infos} == {"RUNNING"}
    assert len({info["pid"] for info in infos}) == 1


def test_stop_all_stops_every_program(supervisord):
    sv = loaded(supervisord, "one_whatsapp")
    loaded(supervisord, "two_whatsapp")
    for name in ("one_whatsapp", "two_whatsapp"):
        sv.start(name, wait=True)
    sv.stop_all()
    assert {name: info["statename"] for name, info in sv.all_process_info().items()} == {
        "one_whatsapp": "STOPPED", "two_whatsapp": "STOPPED"}


def test_a_recent_snapshot_of_the_processes_serves_when_asked_for(supervisord):
    loaded(supervisord, "gamma_whatsapp")
    now = [100.0]
    sv = Supervisor(supervisord.supervisor.socket_path, SUPERVISOR_USER, supervisord.password,
                    clock=lambda: now[0])
    assert sv.all_process_info(max_age=2)["gamma_whatsapp"]["statename"] == "STOPPED"
    sv.start("gamma_whatsapp", wait=True)
    now[0] += 1.5
    assert sv.all_process_info(max_age=2)["gamma_whatsapp"]["statename"] == "STOPPED"  # the snapshot
    assert sv.all_process_info()["gamma_whatsapp"]["statename"] == "RUNNING"  # asked afresh
    sv.stop("gamma_whatsapp")
    now[0] += 2
    assert sv.all_process_info(max_age=2)["gamma_whatsapp"]["statename"] == "STOPPED"  # too old: afresh
