"""Choosing an instance's engine: at connect, by switching, its settings in the worker's
environment (never on its command line), pairing codes, and deletes that unlink."""
from __future__ import annotations

import re
import stat

import pytest

from zapfleet.config import Config
from zapfleet.fleet.engines import engine_list, worker_environment
from zapfleet.core.errors import Conflict, InvalidInput
from zapfleet.fleet.instances import InstanceManager

KEY = "evo-global-key-not-for-argv"


@pytest.fixture
def fakes(fake_instances):
    return fake_instances


@pytest.fixture
def configured(fakes):
    """The manager with the neonize proxy and an Evolution server configured."""
    manager = fakes.manager
    config = manager.config.with_overrides(evolution_url="https://evo.example.com",
                                           evolution_api_key=KEY, whatsapp_proxy="socks5://127.0.0.1:1080")
    fakes.manager = InstanceManager(manager.db, manager.supervisor, config, manager.worker_client,
                                    clock=manager.clock, sleep=manager.sleep)
    return fakes


def calls(fakes, method: str) -> list[tuple]:
    return [call for call in fakes.workers.calls if call[2] == method]


def program_text(fakes, instance) -> str:
    return fakes.manager.program_for(instance).conf_file.read_text()


def test_connect_creates_the_instance_on_the_asked_engine(configured, make_account):
    acme = make_account("Clínica Alpha")
    instance = configured.manager.connect(acme["id"], "neonize")["instance"]
    assert instance["engine"] == "neonize"
    text = program_text(configured, instance)
    assert "--engine neonize" in text and 'WHATSAPP_PROXY="socks5://127.0.0.1:1080"' in text


def test_evolution_settings_go_to_the_environment_never_the_command_line(configured, make_account):
    acme = make_account("Clínica Alpha")
    instance = configured.manager.connect(acme["id"], "evolution")["instance"]
    program = configured.manager.program_for(instance)
    text = program.conf_file.read_text()
    command = next(line for line in text.splitlines() if line.startswith("command = "))
    environment = next(line for line in text.splitlines() if line.startswith("environment = "))
    assert KEY not in command and "--name clinica-alpha_whatsapp" in command
    assert f'EVOLUTION_API_KEY="{KEY}"' in environment
    assert 'EVOLUTION_URL="https://evo.example.com"' in environment
    assert stat.S_IMODE(program.conf_file.stat().st_mode) == 0o600
    assert KEY not in repr(configured.manager.config)


def test_without_an_engine_the_default_is_used(fakes, make_account):
    acme = make_account()
    assert fakes.manager.connect(acme["id"])["instance"]["engine"] == "sandbox"


def test_reconnecting_a_running_worker_asks_it_for_a_fresh_attempt(fakes, make_account):
    acme = make_account()
    fakes.manager.connect(acme["id"])
    assert calls(fakes, "reconnect") == []
    fakes.manager.connect(acme["id"])
    assert len(calls(fakes, "reconnect")) == 1


def test_switching_the_engine_unlinks_and_wipes_the_old_session(configured, make_account):
    acme = make_account()
    old = configured.manager.connect(acme["id"])["instance"]
    session = configured.manager.program_for(old).session_dir
    (session / "sandbox.json").write_text("{}")
    switched = configured.manager.set_engine(acme["id"], "neonize")
    assert switched["engine"] == "neonize" and switched["status"] == "starting"
    assert switched["port"] == old["port"] and switched["id"] == old["id"]
    assert len(calls(configured, "delete")) == 1
    assert not (session / "sandbox.json").exists()
    assert "--engine neonize" in program_text(configured, switched)
    assert configured.supervisor.states[old["instance_name"]] == "RUNNING"
    assert configured.manager.set_engine(acme["id"], "neonize") == configured.manager.get(acme["id"])
    assert len(calls(configured, "delete")) == 1  # the same engine again: nothing happens


def test_connect_with_another_engine_switches_first(configured, make_account):
    acme = make_account()
    configured.manager.connect(acme["id"])
    result = configured.manager.connect(acme["id"], "evolution")
    assert result["is_reconnect"] is True and result["instance"]["engine"] == "evolution"
    assert len(calls(configured, "delete")) == 1


def test_a_stopped_instance_switches_and_stays_stopped(configured, make_account):
    acme = make_account()
    configured.manager.connect(acme["id"])
    configured.manager.stop(acme["id"])
    switched = configured.manager.set_engine(acme["id"], "neonize")
    assert (switched["engine"], switched["status"], switched["desired_state"]) == (
        "neonize", "stopped", "stopped")


def test_delete_asks_the_worker_to_unlink_first(fakes, make_account):
    acme = make_account()
    fakes.manager.connect(acme["id"])
    fakes.manager.delete(acme["id"])
    assert [c[2] for c in fakes.workers.calls][-1] == "delete"


def test_delete_goes_on_when_the_worker_is_down(fakes, make_account):
    acme = make_account()
    fakes.manager.connect(acme["id"])
    fakes.manager.stop(acme["id"])
    fakes.manager.delete(acme["id"])
    assert fakes.manager.find(acme["id"]) is None


def test_pairing_codes(fakes, make_account):
    acme = make_account()
    fakes.manager.connect(acme["id"])
    answer = fakes.manager.pairing_code(acme["id"], "+55 (11) 98888-7777")
    assert answer["phone"] == "5511988887777"
    assert calls(fakes, "action")[-1][3] == ("pair", {"phone": "5511988887777"})
    assert fakes.manager.pairing_code(acme["id"], "11 98888-7777")["phone"] == "5511988887777"
    for bad in ("123", None, "not a phone", "1" * 16):
        with pytest.raises(InvalidInput, match="^phone:"):
            fakes.manager.pairing_code(acme["id"], bad)
    fakes.workers.missing_actions.add("pair")
    with pytest.raises(Conflict, match="sandbox engine links by QR code only"):
        fakes.manager.pairing_code(acme["id"], "5511988887777")


def test_the_engine_list_says_what_can_run_here():
    bare = {e["name"]: e for e in engine_list(Config(default_engine="neonize"))}
    assert bare["neonize"]["default"] and bare["neonize"]["available"]
    assert bare["evolution"]["available"] is False
    assert {name for name, e in bare.items() if e["pairing_code"]} == {"neonize", "evolution"}
    assert re.search("EVOLUTION_URL", bare["evolution"]["reason"])
    assert worker_environment("sandbox", Config(whatsapp_proxy="socks5://x:1")) == ()
