"""Test clients of the app: the admin key, a user's password, CSRF tokens, sign-in, API headers."""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

ADMIN_KEY = "test-admin-key-" + uuid.uuid4().hex
PASSWORD = "correct horse battery"


def english_client(app):
    """A test client whose pages are in English (the tests read the English texts)."""
    client = app.test_client()
    client.set_cookie("lang", "en")
    return client


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


@dataclass
class Tenant:
    """An account registered through the API, with its key."""

    id: str
    key: str
    email: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.key)
