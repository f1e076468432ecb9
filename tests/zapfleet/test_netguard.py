"""The private-network guard: which addresses are refused, and calls pinned to the checked one."""
from __future__ import annotations

import pytest

from tests.support.fakes import PUBLIC_TEST_ADDRESS
from tests.support.http import Recorder
from zapfleet.core import netguard
from zapfleet.core.errors import InvalidInput


@pytest.mark.parametrize(("url", "why"), [
    ("http://127.0.0.1/", "loopback"), ("http://localhost:8000/", "loopback"),
    ("http://0.0.0.0/", "loopback"), ("http://[::1]/", "loopback"),
    ("http://[::ffff:127.0.0.1]/", "loopback"), ("http://[::127.0.0.1]/", "loopback"),
    ("http://10.1.2.3/", "private"), ("http://192.168.0.10/", "private"), ("http://[fc00::1]/", "private"),
    ("http://100.100.100.200/", "carrier-grade NAT"), ("http://100.64.0.1/", "carrier-grade NAT"),
    ("http://169.254.169.254/latest/meta-data", "link-local"), ("http://[fe80::1]/", "link-local"),
    ("http://[64:ff9b::a9fe:a9fe]/", "NAT64"), ("http://224.0.0.1/", "multicast"),
    ("http://240.0.0.1/", "reserved"), ("http://no-such-host.invalid/", "does not resolve"),
    ("ftp://files.example.com/", "http:// or https://"),
])
def test_private_reserved_and_unresolvable_targets_are_refused(url, why):
    with pytest.raises(InvalidInput) as err:
        netguard.check_url(url)
    assert err.value.field == "url" and why in err.value.detail


def test_a_public_target_is_kept_with_its_address():
    target = netguard.check_url("https://hooks.example.com:8443/in?x=1")
    assert (target.host, target.port, target.address) == ("hooks.example.com", 8443, PUBLIC_TEST_ADDRESS)


def test_a_name_with_one_private_answer_among_public_ones_is_refused():
    with pytest.raises(InvalidInput):
        netguard.check_url("http://mixed.test/", resolver=lambda host, port: [PUBLIC_TEST_ADDRESS, "10.0.0.5"])


def test_the_call_goes_to_the_checked_address_whatever_dns_answers_later():
    answers = iter([["127.0.0.1"], ["10.255.255.1"]])  # a rebinding DNS: the second answer differs
    calls = []

    def rebinding(host, port):
        calls.append(host)
        return next(answers)
    with Recorder() as receiver:
        target = netguard.check_url(f"http://hook.test:{receiver.port}/in?a=1", allow_private=True,
                                    resolver=rebinding)
        status = netguard.post(target, b"{}", {"Content-Type": "application/json"}, timeout=5)
    assert status == 200 and calls == ["hook.test"]
    [request] = receiver.requests
    assert request["path"] == "/in?a=1" and request["headers"]["Host"] == f"hook.test:{receiver.port}"
