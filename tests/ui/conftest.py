"""Browser fixtures: the app on real HTTP with a real supervisord, driven by Debian's Chromium."""
from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.support.clients import PASSWORD
from tests.support.live import Dispatchers, Server
from zapfleet.config import project_home
from zapfleet.assembly import Managers
from zapfleet.fleet.supervisor import Supervisor

SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", project_home() / "var" / "screenshots"))
expect.set_options(timeout=10_000)


def chromium_path() -> str:
    """Debian's Chromium (never a downloaded browser), installed with apt-get when missing."""
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists() and shutil.which("apt-get"):
        sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
        for command in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "chromium"]):
            subprocess.run(sudo + command, check=False, stdout=subprocess.DEVNULL)
    if not Path(path).exists():
        raise RuntimeError("Chromium is missing: `apt-get install chromium` (see .ci/run)")
    return path


@pytest.fixture(scope="session")
def browser() -> Browser:
    """One headless Chromium for the whole run."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(),
                                             args=["--no-sandbox"])
        yield browser
        browser.close()


@dataclass
class UI:
    """The served app and the helpers the browser tests share."""

    base: str
    app: object
    browser: Browser
    managers: Managers
    dispatchers: Dispatchers
    """Real dispatcher processes (campaigns, notices, scheduled messages), stopped at the end."""

    def page(self, lang: str | None = "en", width: int = 1280, height: int = 900) -> Page:
        """A fresh tab with its own cookies (one user per page), in English unless lang says.

        Tests read the English labels; test_i18n checks the Portuguese default and that
        every English text has its translation."""
        context = self.browser.new_context(viewport={"width": width, "height": height},
                                           base_url=self.base)
        if lang:
            context.add_cookies([{"name": "lang", "value": lang, "url": self.base}])
        return context.new_page()

    def shot(self, page: Page, name: str) -> Path:
        """Save a full-page screenshot for people to look at (var/screenshots, git-ignored)."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    def sign_up(self, page: Page, name: str = "Salão Bela") -> str:
        """Sign up a business through the form; return the new user's e-mail."""
        email = f"{uuid.uuid4().hex[:8]}@example.com"
        page.goto("/signup")
        page.get_by_label("Business name").fill(name)
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Create account").click()
        page.wait_for_url("**/a/*/")
        return email

    def sign_in(self, page: Page, email: str, password: str = PASSWORD) -> None:
        """Sign in through the form."""
        page.goto("/login")
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()

    def admin(self) -> str:
        """Create a platform admin user; return its e-mail."""
        email = f"owner-{uuid.uuid4().hex[:6]}@example.com"
        self.managers.identity.create_user(email, PASSWORD, None)
        return email


def served_ui(clean_db, identity, config, browser, database_url):
    """The app on real HTTP for this config, and a browser to drive it; workers removed after."""
    server = Server(config, db=clean_db, identity=identity,
                    supervisor=Supervisor.from_config(config))
    ui = UI(config.control_url, server.app, browser, server.app.extensions["zapfleet"],
            Dispatchers(config, database_url))
    yield ui
    ui.dispatchers.stop_all()
    instances = server.app.extensions["zapfleet"].instances
    for instance in instances.list(None):
        instances.delete(instance["account_id"])
    server.shutdown()


@pytest.fixture
def ui(clean_db, identity, supervisord, worker_config, browser, database_url, events_process):
    """The app on real HTTP with real sandbox workers and the live stream, and a browser."""
    config = worker_config.with_overrides(webhook_allow_private=True,
                                          events_bind=events_process.bind)
    yield from served_ui(clean_db, identity, config, browser, database_url)
