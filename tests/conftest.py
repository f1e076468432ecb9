"""Shared fixtures: a real PostgreSQL test database, the app, a client and tenants."""
from __future__ import annotations

import os
import secrets
import uuid

import pytest

from web import create_app
from zapfleet.tenancy.identity import Identity
from zapfleet.config import Config
from zapfleet.db import Database, runtime_dsns
from zapfleet.db.migrate import migrate
from zapfleet.db.embedded import start_embedded, stop_embedded
from zapfleet.core.security import new_password_hasher
from tests.support.clients import ADMIN_KEY, PASSWORD, Tenant, bearer, english_client
from tests.support.database import admin_execute, empty_tables, with_database

pytest_plugins = ("tests.support.supervisord", "tests.support.fakes", "tests.support.events")


@pytest.fixture(scope="session")
def server_url(tmp_path_factory):
    """A PostgreSQL server: TEST_DATABASE_URL's, or an embedded one for this run."""
    if os.environ.get("TEST_DATABASE_URL"):
        yield os.environ["TEST_DATABASE_URL"]
        return
    var_dir = tmp_path_factory.mktemp("embedded")
    yield start_embedded(var_dir)
    stop_embedded(var_dir)


@pytest.fixture(scope="session")
def database_url(server_url):
    """A fresh, migrated database created for this test run and dropped after it."""
    name = f"zapfleet_test_{uuid.uuid4().hex[:12]}"
    admin_execute(server_url, f"CREATE DATABASE {name}")
    url = with_database(server_url, name)
    migrate(url)
    yield url
    admin_execute(server_url, f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def spare_database(server_url):
    """A factory of extra empty databases on the test server, all dropped after the run."""
    names = []

    def _create() -> str:
        names.append(f"zapfleet_spare_{uuid.uuid4().hex[:12]}")
        admin_execute(server_url, f"CREATE DATABASE {names[-1]}")
        return with_database(server_url, names[-1])
    yield _create
    for name in names:
        admin_execute(server_url, f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def database(database_url):
    """The pooled Database shared by the whole run, as the service connects: the platform and
    tenant login roles, neither superuser nor BYPASSRLS."""
    platform, tenant = runtime_dsns(database_url)
    db = Database(platform, max_connections=20, tenant_dsn=tenant)
    yield db
    db.close()


@pytest.fixture
def clean_db(database, database_url):
    """Isolate each test: every table is emptied after it."""
    yield database
    empty_tables(database_url)


@pytest.fixture
def identity(clean_db):
    """Users and keys on the test database, with a cheap password hasher."""
    return Identity(clean_db, hasher=new_password_hasher(cheap=True))


@pytest.fixture
def managers(app):
    """The app's managers, one per domain (zapfleet.assembly.Managers)."""
    return app.extensions["zapfleet"]


@pytest.fixture
def config(database_url):
    """The Config the test app runs with."""
    return Config(database_url=database_url, secret_key="test-secret", admin_api_key=ADMIN_KEY,
                  rate_limits=False)  # tests/web/test_rate_limits.py turns them on


@pytest.fixture
def app(config, clean_db, identity):
    """The Flask app, sharing the test database pool."""
    return create_app(config, db=clean_db, identity=identity)


@pytest.fixture
def client(app):
    """A test client for the app (pages in English)."""
    return english_client(app)


@pytest.fixture
def admin_headers():
    """Headers that authenticate as the platform admin."""
    return bearer(ADMIN_KEY)


@pytest.fixture
def register(client):
    """Register a customer through the API and return it as a Tenant."""
    def _register(name: str = "Salão Bela", email: str | None = None) -> Tenant:
        email = email or f"{uuid.uuid4().hex[:8]}@example.com"
        response = client.post("/api/register", json={
            "name": name, "email": email, "password": PASSWORD})
        assert response.status_code == 201, response.get_json()
        body = response.get_json()
        return Tenant(body["account"]["id"], body["api_key"]["key"], email)
    return _register


@pytest.fixture
def make_account(managers):
    """A factory of registered accounts (rows of the accounts table)."""
    def _make(name: str = "Salão Bela") -> dict:
        email = f"{secrets.token_hex(4)}@example.com"
        return managers.accounts.register_customer(
            {"name": name, "email": email, "password": "correct horse battery"})["account"]
    return _make
