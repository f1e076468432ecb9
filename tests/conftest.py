"""Shared fixtures: a real PostgreSQL test database, the app, a client and tenants."""
from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import pytest

from web import create_app
from zapfleet.tenancy.accounts import AccountManager
from zapfleet.config import Config
from zapfleet.db import Database
from zapfleet.db.migrate import migrate
from zapfleet.db.embedded import start_embedded, stop_embedded
from zapfleet.core.security import new_password_hasher

pytest_plugins = ("tests.support.supervisord",)

ADMIN_KEY = "test-admin-key-" + uuid.uuid4().hex
PASSWORD = "correct horse battery"
TENANT_TABLES = ("accounts, users, api_keys, instances, contacts, conversations, messages, campaigns,"
                 " webhooks, webhook_deliveries, login_failures, campaign_recipients, send_pacing,"
                 " services, appointments, chat_states, evolution_servers")


def _with_database(url: str, name: str) -> str:
    """The same server URL pointing at another database."""
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def _admin_execute(server_url: str, statement: str) -> None:
    conn = psycopg2.connect(server_url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(statement)
    finally:
        conn.close()


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
    _admin_execute(server_url, f"CREATE DATABASE {name}")
    url = _with_database(server_url, name)
    migrate(url)
    yield url
    _admin_execute(server_url, f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def spare_database(server_url):
    """A factory of extra empty databases on the test server, all dropped after the run."""
    names = []

    def _create() -> str:
        names.append(f"zapfleet_spare_{uuid.uuid4().hex[:12]}")
        _admin_execute(server_url, f"CREATE DATABASE {names[-1]}")
        return _with_database(server_url, names[-1])
    yield _create
    for name in names:
        _admin_execute(server_url, f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def database(database_url):
    """The pooled Database shared by the whole run."""
    db = Database(database_url, max_connections=20)
    yield db
    db.close()


@pytest.fixture
def clean_db(database):
    """Isolate each test: every table is emptied after it."""
    yield database
    with database.system() as conn, conn.cursor() as cur:
        cur.execute(f"TRUNCATE {TENANT_TABLES} CASCADE")


@pytest.fixture
def manager(clean_db):
    """An AccountManager on the test database, with a cheap password hasher."""
    return AccountManager(clean_db, hasher=new_password_hasher(cheap=True))


@pytest.fixture
def config(database_url):
    """The Config the test app runs with."""
    return Config(database_url=database_url, secret_key="test-secret", admin_api_key=ADMIN_KEY)


@pytest.fixture
def app(config, clean_db, manager):
    """The Flask app, sharing the test database pool."""
    return create_app(config, database=clean_db, accounts=manager)


def english_client(app):
    """A test client whose pages are in English (the tests read the English texts)."""
    client = app.test_client()
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def client(app):
    """A test client for the app (pages in English)."""
    return english_client(app)


def csrf_token(client, path: str = "/login") -> str:
    """The CSRF token of the form on a page, for the client's session."""
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client, email: str, password: str = PASSWORD):
    """Sign in through the login form on this test client; the form's answer."""
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": csrf_token(client)})


def signed_in(app, email: str, password: str = PASSWORD):
    """A new test client of the app with a session of this user (pages in English)."""
    client = english_client(app)
    response = sign_in(client, email, password)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def bearer(key: str) -> dict[str, str]:
    """The Authorization header for an API key."""
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def admin_headers():
    """Headers that authenticate as the platform admin."""
    return bearer(ADMIN_KEY)


@dataclass
class Tenant:
    """An account registered through the API, with its key."""

    id: str
    key: str
    email: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.key)


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
