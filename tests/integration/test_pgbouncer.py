"""test_pgbouncer.py: the workers reach PostgreSQL through a real PgBouncer in transaction pooling mode.

Runs on a stack started with PGBOUNCER=1 (make test-pgbouncer); skipped on the ordinary stack.
The rest of that run (pages, accounts, the API, Django interop) is the proof that the site
works through PgBouncer; this file checks that it really went through it, in transaction mode,
with fewer server connections than workers, and that the DB_PREPARED setting is what makes it work.
"""
import os
import subprocess
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import pytest
import requests

pytestmark = pytest.mark.skipif(os.environ.get("PGBOUNCER") != "1",
                                reason="the stack runs without PgBouncer (make test-pgbouncer runs this)")


@pytest.fixture
def console():
    """PgBouncer's admin console (the virtual database "pgbouncer"; the stack's user is admin)."""
    u = urlsplit(os.environ["DATABASE_URL"])
    conn = psycopg2.connect(urlunsplit((u.scheme, u.netloc, "/pgbouncer", "", "")))
    conn.autocommit = True
    yield conn
    conn.close()


def show(conn, what):
    with conn.cursor() as cur:
        cur.execute("SHOW " + what)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]


def test_the_workers_database_url_is_pgbouncer_in_transaction_mode(console):
    assert urlsplit(os.environ["DATABASE_URL"]).port == int(os.environ["PGBOUNCER_PORT"])
    assert urlsplit(os.environ["DATABASE_DIRECT_URL"]).port == int(os.environ["PG_PORT"])
    config = open(os.path.join(os.environ["STATE_DIR"], "effective-config.txt")).read()
    assert "DB_PREPARED=0\n" in config
    pools = [p for p in show(console, "POOLS") if p["database"] == "movies"]
    assert [p["pool_mode"] for p in pools] == ["transaction"]


def test_pages_are_served_with_fewer_server_connections_than_workers(site_url, console):
    workers = int(os.environ["WORKERS"])
    pool_size = int(os.environ["PGBOUNCER_POOL_SIZE"])
    assert pool_size < workers
    before = {s["database"]: s["total_xact_count"] for s in show(console, "STATS")}["movies"]
    # Requests that read the database (the health check's ping, a session lookup).
    for _ in range(4 * workers):
        r = requests.get(site_url + "/login", cookies={"sessionid": "x" * 32}, timeout=30)
        assert r.status_code == 200
        assert requests.get(site_url + "/healthz", timeout=30).status_code == 200
    after = {s["database"]: s["total_xact_count"] for s in show(console, "STATS")}["movies"]
    clients = [c for c in show(console, "CLIENTS") if c["database"] == "movies"]
    servers = [s for s in show(console, "SERVERS") if s["database"] == "movies"]
    # Every worker holds a client connection to PgBouncer; they share at most pool_size servers.
    assert len(clients) >= workers
    assert 1 <= len(servers) <= pool_size
    assert after - before >= 4 * workers


def clear_sessions(prepared):
    env = dict(os.environ, DB_PREPARED=str(prepared))
    return subprocess.run([os.path.join(os.environ["BUILD_DIR"], "movies-fcgi"), "--clear-sessions"],
                          env=env, capture_output=True, text=True, timeout=60)


def test_unnamed_statements_work_where_named_ones_break():
    # DB_PREPARED=0 (the stack's setting under PgBouncer): every run works.
    for _ in range(3):
        r = clear_sessions(0)
        assert r.returncode == 0, r.stderr
        assert r.stdout.startswith("removed ")
    # Named statements outlive their client on a pooled server connection: a later client
    # preparing the same names on it fails (or runs on a connection that lacks them).
    runs = [clear_sessions(1) for _ in range(3)]
    failed = [r for r in runs if r.returncode != 0]
    assert failed, "named prepared statements unexpectedly survived transaction pooling"
    assert "prepared statement" in failed[0].stderr
