"""The InstanceManager with a real supervisord running real worker processes (sandbox engine)."""
from __future__ import annotations

import os
import signal
import uuid

import pytest

from tests.support.waiting import wait_until
from zapfleet.core.errors import Conflict, NotFound, Unavailable
from zapfleet.fleet.programs import port_is_free
from zapfleet.core.security import worker_token


def healthy(instance_manager, instance) -> bool:
    """True when the instance's own worker answers /health."""
    health = instance_manager.client_for(instance).health()
    return health["ok"] and health["instance"] == str(instance["id"])


def unreachable(instance_manager, instance) -> bool:
    """True when the worker does not answer at all."""
    try:
        instance_manager.client_for(instance).health()
    except Unavailable:
        return True
    return False


def sandbox_token(qr_code: str) -> str:
    """The link token a sandbox QR encodes."""
    assert "/sandbox/scan/" in qr_code
    return qr_code.rsplit("/sandbox/scan/", 1)[1]


def test_connect_answers_a_qr_and_a_second_connect_reconnects(instance_manager, supervisord,
                                                              make_account):
    acme = make_account("Salão Bela")
    first = instance_manager.connect(acme["id"])
    instance = first["instance"]
    assert (first["is_reconnect"], first["already_connected"]) == (False, False)
    assert sandbox_token(first["qr"]["code"]).startswith(str(instance["id"]) + ".")
    assert instance["status"] == "waiting_qr" and instance["desired_state"] == "running"
    wait_until(lambda: supervisord.supervisor.process_info("salao-bela_whatsapp")["statename"]
               == "RUNNING", what="supervisord to count the worker as running")
    again = instance_manager.connect(acme["id"])
    assert again["is_reconnect"] is True and again["qr"]["code"]
    assert (again["instance"]["id"], again["instance"]["port"]) == (instance["id"], instance["port"])
    assert len(instance_manager.list()) == 1
    content_type, body = instance_manager.qr(acme["id"], "png")
    assert content_type.startswith("image/png") and body.startswith(b"\x89PNG")
    assert instance_manager.qr(acme["id"], "svg")[0].startswith("image/svg")


def test_stop_start_restart(instance_manager, supervisord, make_account):
    acme = make_account()
    instance = instance_manager.connect(acme["id"])["instance"]
    name = instance["instance_name"]
    assert instance_manager.stop(acme["id"])["status"] == "stopped"
    assert supervisord.supervisor.process_info(name)["statename"] == "STOPPED"
    assert unreachable(instance_manager, instance)
    assert instance_manager.start(acme["id"])["desired_state"] == "running"
    wait_until(lambda: healthy(instance_manager, instance), what="the worker to start")
    pid = supervisord.supervisor.process_info(name)["pid"]
    assert instance_manager.restart(acme["id"])["status"] == "starting"
    wait_until(lambda: healthy(instance_manager, instance), what="the worker to restart")
    assert supervisord.supervisor.process_info(name)["pid"] != pid


def test_a_killed_worker_is_restarted_by_supervisord(instance_manager, supervisord, make_account):
    acme = make_account()
    instance = instance_manager.connect(acme["id"])["instance"]
    name = instance["instance_name"]
    pid = supervisord.supervisor.process_info(name)["pid"]
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: (info := supervisord.supervisor.process_info(name))["pid"] not in (0, pid)
               and info["statename"] == "RUNNING", what="supervisord to restart the worker")
    wait_until(lambda: healthy(instance_manager, instance), what="the new worker to answer")


def test_link_send_logout_through_the_sandbox(instance_manager, make_account):
    acme = make_account()
    result = instance_manager.connect(acme["id"])
    instance = result["instance"]
    with pytest.raises(Conflict, match="^not connected$"):
        instance_manager.send(acme["id"], str(uuid.uuid4()), "5511999990000", "oi")
    instance_manager.follow_qr_link(str(instance["id"]), sandbox_token(result["qr"]["code"]))
    wait_until(lambda: instance_manager.client_for(instance).status()["state"] == "connected",
               what="the sandbox phone to link")
    message_id = str(uuid.uuid4())
    sent = instance_manager.send(acme["id"], message_id, "5511999990000", "oi")
    assert sent["status"] == "sent" and sent["message_id"] == message_id
    assert instance_manager.send(acme["id"], message_id, "5511999990000", "oi") == sent
    again = instance_manager.connect(acme["id"])
    assert again["already_connected"] is True and again["qr"] is None
    with pytest.raises(NotFound):
        instance_manager.qr(acme["id"], "json")
    assert instance_manager.logout(acme["id"])["status"] == "logged_out"
    with pytest.raises(Conflict, match="^not connected$"):
        instance_manager.send(acme["id"], str(uuid.uuid4()), "5511999990000", "oi")


def test_delete_removes_the_program_the_group_and_the_session(instance_manager, supervisord,
                                                             make_account):
    acme = make_account()
    instance = instance_manager.connect(acme["id"])["instance"]
    program = instance_manager.program_for(instance)
    assert program.conf_file.exists() and program.session_dir.exists()
    instance_manager.delete(acme["id"])
    assert not program.conf_file.exists() and not program.session_dir.exists()
    assert supervisord.supervisor.process_info(program.name) is None
    with pytest.raises(NotFound):
        instance_manager.get(acme["id"])
    wait_until(lambda: port_is_free("127.0.0.1", instance["port"]), what="the port to be freed")
    assert instance_manager.reconcile() == []


def test_reconcile_after_a_supervisord_restart(instance_manager, supervisord, make_account):
    up, down = make_account("Up"), make_account("Down")
    iu = instance_manager.connect(up["id"])["instance"]
    idown = instance_manager.connect(down["id"])["instance"]
    instance_manager.stop(down["id"])
    supervisord.stop()
    for instance in (iu, idown):
        instance_manager.program_for(instance).conf_file.unlink()
    supervisord.start()
    assert supervisord.supervisor.all_process_info() == {}
    actions = instance_manager.reconcile()
    assert {"wrote the program file of up_whatsapp", "loaded up_whatsapp into supervisord",
            "wrote the program file of down_whatsapp"} <= set(actions)
    wait_until(lambda: healthy(instance_manager, iu), what="the desired-running worker to answer")
    wait_until(lambda: instance_manager.reconcile() == [], what="reconcile to converge")
    assert instance_manager.reconcile() == []
    assert supervisord.supervisor.process_info("down_whatsapp")["statename"] == "STOPPED"
    assert instance_manager.get(up["id"])["status"] == "waiting_qr"
    assert instance_manager.get(down["id"])["status"] == "stopped"


def test_after_supervisord_restarts_only_the_instances_meant_to_run_are_running(
        instance_manager, supervisord, make_account):
    up, down = make_account("Up"), make_account("Down")
    iu = instance_manager.connect(up["id"])["instance"]
    instance_manager.connect(down["id"])
    instance_manager.stop(down["id"])
    supervisord.restart()  # the machine rebooted: supervisord reads the program files, no reconcile yet
    wait_until(lambda: healthy(instance_manager, iu), what="the desired-running worker to answer")
    wait_until(lambda: supervisord.supervisor.process_info("up_whatsapp")["statename"] == "RUNNING",
               what="supervisord to count the worker as running")
    assert supervisord.supervisor.process_info("down_whatsapp")["statename"] == "STOPPED"


def test_the_worker_log_is_readable_and_holds_no_token(instance_manager, make_account):
    acme = make_account()
    instance = instance_manager.connect(acme["id"])["instance"]
    token = worker_token(instance_manager.config.secret_key, str(instance["id"]))
    log = wait_until(lambda: instance_manager.log_tail(acme["id"], 2000), what="the worker's log")
    assert f"listening on 127.0.0.1:{instance['port']}" in log and token not in log
    assert instance_manager.log_tail(acme["id"], 1).count("\n") == 1
    assert token not in instance_manager.program_for(instance).log_file.read_text()
