"""Walk every page a signed-in user can reach by following the links, for checks that must
hold on every page (no horizontal scroll, accessibility, no English on a Portuguese page)."""
from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from playwright.sync_api import Page

SKIPPED = ("/logout", "/static/", "/api/", "/language", "/internal/", "/sandbox/scan")
"""Links that are not pages to look at (or that would end the session)."""
IDENTIFIER = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+")
LINKS = "els => els.map(e => e.href)"


def page_shape(path: str) -> str:
    """A page's path with its ids taken out: one contact's page stands for all of them."""
    return IDENTIFIER.sub("{id}", urlsplit(path).path)


def same_site_path(base: str, href: str) -> str | None:
    """The path (and query) of a link to a page of this site worth visiting, or None."""
    link, site = urlsplit(href), urlsplit(base)
    if link.netloc != site.netloc or link.scheme not in ("http", "https"):
        return None
    if link.path.startswith(SKIPPED) or link.path.endswith((".csv", ".png", ".json")):
        return None
    return link.path + (f"?{link.query}" if link.query else "")


def walk_pages(page: Page, start: str = "/", limit: int = 80) -> Iterator[str]:
    """Visit every page reachable from start (one per shape), yielding each path while the
    browser shows it."""
    queue, seen = [start], {page_shape(start)}
    while queue and limit:
        path = queue.pop(0)
        response = page.goto(path)
        if response is None or response.status >= 400:
            raise AssertionError(f"{path} answered {response and response.status}")
        limit -= 1
        yield path
        for href in page.eval_on_selector_all("a[href]", LINKS):
            found = same_site_path(page.url, href)
            if found and page_shape(found) not in seen:
                seen.add(page_shape(found))
                queue.append(found)
