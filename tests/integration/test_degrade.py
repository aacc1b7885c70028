"""test_degrade.py: a fault on the favorites table (privilege revoked, table renamed) degrades only the parts of a page that need it."""
# Runs under tests/run-integration.sh, through nginx, with real PostgreSQL faults made on the
# private stack's own database and undone before the test ends.

import time
import uuid

import psycopg2
import pytest

from support import Browser

UNKNOWN_FAVORITE = "Whether this movie is in your favorites cannot be shown right now."


def until_ok(fn, seconds=15):
    """fn's response, asked again while it is a 503 (a worker's breaker after the fault)."""
    deadline = time.monotonic() + seconds
    while True:
        r = fn()
        if r.status_code != 503 or time.monotonic() > deadline:
            return r
        time.sleep(0.3)


@pytest.fixture
def visitor(site_url):
    """A logged-in visitor with 550 in favorites and 680 on the watchlist."""
    b = Browser(site_url)
    name, password = "deg_" + uuid.uuid4().hex[:10], "Pw-" + uuid.uuid4().hex
    assert until_ok(lambda: b.register(name, password)).status_code == 303
    assert b.login(name, password).status_code == 303
    assert b.post("/favorites/550", {"next": "/movie/550"}, form_page="/movie/550").status_code == 303
    assert b.post("/watchlist/680", {"next": "/movie/680"}, form_page="/movie/680").status_code == 303
    return b


def admin(database_url, sql):
    c = psycopg2.connect(database_url)
    c.autocommit = True
    try:
        with c.cursor() as cur:
            cur.execute(sql)
    finally:
        c.close()


def site_role():
    import os
    from urllib.parse import urlparse
    return urlparse(os.environ["DATABASE_URL"]).username


def assert_degraded(b, rounds):
    """Every worker (rounds > workers) answers the visitor's pages, failing only favorites."""
    for _ in range(rounds):
        page = b.get("/movie/550")
        assert page.status_code == 200, page.status_code
        assert UNKNOWN_FAVORITE in page.text and "Add to favorites" not in page.text
        assert "In your favorites" not in page.text
        assert "+ Add to watchlist" in page.text            # 550 is not on the watchlist: known
        page = b.get("/movie/680")
        assert page.status_code == 200 and UNKNOWN_FAVORITE in page.text
        assert "On your watchlist" in page.text
        watch = b.get("/watchlist")
        assert watch.status_code == 200 and "/movie/680" in watch.text, watch.status_code
        assert b.get("/favorites").status_code == 503


def assert_whole(b):
    page = until_ok(lambda: b.get("/movie/550"))
    assert page.status_code == 200 and "In your favorites" in page.text
    assert UNKNOWN_FAVORITE not in page.text
    assert until_ok(lambda: b.get("/favorites")).status_code == 200


def test_favorites_not_readable_only_favorites_fail(visitor, database_url):
    role = site_role()
    admin(database_url, f'REVOKE SELECT ON users_favoritemovie FROM "{role}"')
    try:
        assert_degraded(visitor, 8)
    finally:
        admin(database_url, f'GRANT SELECT ON users_favoritemovie TO "{role}"')
    assert_whole(visitor)


def test_favorites_table_renamed_only_favorites_fail(visitor, database_url):
    admin(database_url, "ALTER TABLE users_favoritemovie RENAME TO users_favoritemovie_away")
    try:
        assert_degraded(visitor, 8)
    finally:
        admin(database_url, "ALTER TABLE users_favoritemovie_away RENAME TO users_favoritemovie")
    assert_whole(visitor)
