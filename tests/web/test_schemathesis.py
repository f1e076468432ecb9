"""A bounded schemathesis run over /api/openapi.json: fixed seed, every operation, the fuzzing
account's own id in every account path (other ids are only 404s), a real supervisord behind the
app. It fails on any 5xx and on any answer the schema does not document."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (not_a_server_error, response_schema_conformance,
                                 status_code_conformance)

from tests.support.clients import ADMIN_KEY, bearer
from web import create_app
from zapfleet.fleet.supervisor import Supervisor

EXAMPLES = 25
DESTRUCTIVE = {("DELETE", "/api/accounts/{account_id}")}
"""Calls that would end the fuzzing account itself (tested on their own elsewhere)."""


@pytest.fixture
def fuzzed_app(worker_config, clean_db, identity, supervisord):
    app = create_app(worker_config, db=clean_db, identity=identity,
                     supervisor=Supervisor.from_config(worker_config))
    yield app
    instances = app.extensions["zapfleet"].instances
    for instance in instances.list(None):
        instances.delete(instance["account_id"])


@pytest.fixture
def api_schema(fuzzed_app):
    return schemathesis.openapi.from_wsgi("/api/openapi.json", fuzzed_app)


@pytest.fixture
def fuzzing_account(fuzzed_app):
    client = fuzzed_app.test_client()
    body = client.post("/api/register", json={
        "name": "Fuzz Ltda", "email": "fuzz@example.com", "password": "correct horse battery"})
    return body.get_json()["account"]["id"], body.get_json()["api_key"]["key"]


schema = schemathesis.pytest.from_fixture("api_schema").exclude(
    func=lambda ctx: (ctx.operation.method.upper(), ctx.operation.path) in DESTRUCTIVE)


@schema.parametrize()
@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_operation_answers_5xx_or_off_schema(case, fuzzing_account):
    account, key = fuzzing_account
    if "account_id" in (case.path_parameters or {}):
        case.path_parameters["account_id"] = account
        case.headers = {**(case.headers or {}), **bearer(key)}
    else:
        case.headers = {**(case.headers or {}), **bearer(ADMIN_KEY)}
    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance,
                                   status_code_conformance])
