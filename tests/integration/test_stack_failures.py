"""test_stack_failures.py: Postgres, its statements or the workers failing degrade the site clearly, and it recovers."""
import os
import subprocess
import time

import requests

from support import DEMO, Visitor, csrf_from
from test_metrics import parse, value

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def stack(cmd):
    return subprocess.run([os.path.join(ROOT, "deploy", "stack.sh"), cmd], capture_output=True, text=True, timeout=180)


def pg_ctl(cmd):
    state = os.environ["STATE_DIR"]
    pg_bin = sorted(p for p in os.listdir("/usr/lib/postgresql"))[-1]
    args = [f"/usr/lib/postgresql/{pg_bin}/bin/pg_ctl", "-D", os.path.join(state, "pg"), "-m", "fast", "-w", cmd]
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--"] + args
    subprocess.run(args, check=True, capture_output=True)


def login(site_url):
    s = requests.Session()
    token = csrf_from(s.get(site_url + "/login").text)
    r = s.post(site_url + "/login", data={"csrfmiddlewaretoken": token, "username": "moviebuff",
                                          "password": "movienight-demo"},
               headers={"Origin": site_url}, allow_redirects=False)
    assert r.status_code == 303
    return s


def test_clear_sessions_removes_only_expired_rows(db):
    with db.cursor() as cur:
        cur.execute("INSERT INTO django_session VALUES ('expiredsessionkey000000000000001', 'x', now() - interval '1 day'),"
                    " ('livesessionkey00000000000000001', 'x', now() + interval '1 day')")
    out = subprocess.run([os.path.join(os.environ["BUILD_DIR"], "movies-fcgi"), "--clear-sessions"],
                         capture_output=True, text=True, env=dict(os.environ))
    assert out.returncode == 0, out.stderr
    assert "expired sessions" in out.stdout
    with db.cursor() as cur:
        cur.execute("SELECT session_key FROM django_session WHERE session_key IN "
                    "('expiredsessionkey000000000000001', 'livesessionkey00000000000000001')")
        assert [k for (k,) in cur.fetchall()] == ["livesessionkey00000000000000001"]
        cur.execute("DELETE FROM django_session WHERE session_key = 'livesessionkey00000000000000001'")


def test_postgres_down_gives_503_then_reconnects(site_url):
    s = login(site_url)
    assert s.get(site_url + "/favorites").status_code == 200
    before = parse(requests.get(site_url + "/metrics").text)
    pg_ctl("stop")
    try:
        r = s.get(site_url + "/favorites", allow_redirects=False)
        # Without the database the session cannot be read: a 503 that says so, never a redirect
        # to the login page (the visitor is still logged in).
        assert r.status_code == 503, (r.status_code, r.headers.get("Location"))
        assert "cannot reach its database" in r.text
        health = requests.get(site_url + "/healthz")
        assert health.status_code == 503
        assert health.json()["database"] == "unavailable"
        r = requests.get(site_url + "/login")
        assert r.status_code == 200  # a page that needs no database still works
    finally:
        out = stack("start")
        assert out.returncode == 0, out.stdout + out.stderr
    # Every worker reconnects by itself on its next request.
    for _ in range(8):
        assert requests.get(site_url + "/healthz").status_code == 200
    assert s.get(site_url + "/favorites").status_code == 200
    # The outage and the reconnections are counted.
    after = parse(requests.get(site_url + "/metrics").text)
    assert value(after, "movies_postgres_errors_total", kind="connect") > \
        value(before, "movies_postgres_errors_total", kind="connect")
    assert value(after, "movies_postgres_reconnects_total") > value(before, "movies_postgres_reconnects_total")


def test_workers_down_gives_the_unavailable_page_then_recover(site_url):
    state = os.environ["STATE_DIR"]
    master = int(open(os.path.join(state, "run", "fcgi.pid")).read())
    os.kill(master, 15)
    for _ in range(100):
        if not os.path.exists(f"/proc/{master}"):
            break
        time.sleep(0.1)
    try:
        r = requests.get(site_url + "/")
        assert r.status_code == 502
        assert "temporarily unavailable" in r.text
        # nginx's own page: the workers' charset and security headers (test_security_gaps.py).
        assert r.headers["Content-Type"] == "text/html; charset=utf-8"
        assert r.headers["X-Frame-Options"] == "DENY" and r.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    finally:
        out = stack("start")
        assert out.returncode == 0, out.stdout + out.stderr
    assert requests.get(site_url + "/").status_code == 200


def test_master_respawns_a_killed_worker(site_url):
    state = os.environ["STATE_DIR"]
    master = open(os.path.join(state, "run", "fcgi.pid")).read().strip()
    before = subprocess.run(["ps", "-o", "pid=", "--ppid", master], capture_output=True, text=True).stdout.split()
    os.kill(int(before[0]), 9)
    for _ in range(50):
        after = subprocess.run(["ps", "-o", "pid=", "--ppid", master], capture_output=True, text=True).stdout.split()
        if len(after) == len(before) and before[0] not in after:
            break
        time.sleep(0.1)
    assert len(after) == len(before) and before[0] not in after
    assert requests.get(site_url + "/").status_code == 200
    log = open(os.path.join(state, "log", "fcgi.log")).read()
    assert f"worker {before[0]} killed by signal 9" in log


def refuse(db, table, statement):
    """Makes statement ("INSERT" or "SELECT") on table fail with an error, until the returned undo runs."""
    with db.cursor() as cur:
        cur.execute("CREATE OR REPLACE FUNCTION movies_test_refuse() RETURNS trigger LANGUAGE plpgsql "
                    "AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$")
        cur.execute("CREATE OR REPLACE FUNCTION movies_test_refuse_rows() RETURNS boolean LANGUAGE plpgsql "
                    "VOLATILE AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$")
        if statement == "INSERT":
            cur.execute(f"CREATE TRIGGER movies_test_refuse BEFORE INSERT ON {table} "
                        "FOR EACH ROW EXECUTE FUNCTION movies_test_refuse()")
        else:
            # Row security applies to the table's owner too once forced.
            cur.execute(f"CREATE POLICY movies_test_refuse ON {table} FOR SELECT USING (movies_test_refuse_rows())")
            cur.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY")

    def undo():
        with db.cursor() as cur:
            if statement == "INSERT":
                cur.execute(f"DROP TRIGGER movies_test_refuse ON {table}")
            else:
                cur.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY")
                cur.execute(f"DROP POLICY movies_test_refuse ON {table}")
            cur.execute("DROP FUNCTION movies_test_refuse()")
            cur.execute("DROP FUNCTION movies_test_refuse_rows()")
    return undo


def test_failed_session_save_is_an_error_not_a_cookieless_redirect(site_url, db):
    v = Visitor(site_url)
    token = v.token("/login")
    undo = refuse(db, "django_session", "INSERT")
    try:
        r = v.post("/login", {"username": DEMO[0], "password": DEMO[1]}, token=token)
        assert r.status_code == 503, r.status_code
        assert "Please try again in a minute." in r.text
        assert "sessionid" not in r.headers.get("Set-Cookie", "")
        assert "Location" not in r.headers
    finally:
        undo()
    assert v.login(*DEMO).status_code == 303


def test_failed_favorite_lookup_is_an_error_not_an_add_button(site_url, db):
    v = Visitor(site_url)
    v.login(*DEMO)
    page = v.get("/movie/550")
    assert page.status_code == 200 and 'action="/favorites/550/delete"' in page.text
    # The header's list counts come with the visitor's row: with the favorites table unreadable
    # every logged-in page is a 503, the login form included, so its token is taken first.
    token = v.token("/login")
    undo = refuse(db, "users_favoritemovie", "SELECT")
    try:
        r = v.get("/movie/550")
        assert r.status_code == 503, r.status_code
        assert 'action="/favorites/550"' not in r.text
        # The favorites JSON never reports a count it could not read.
        r = v.post("/favorites/550", {"next": "/movie/550"}, token=token,
                   headers={"Accept": "application/json"})
        assert r.status_code == 503, r.status_code
        assert '"count"' not in r.text
    finally:
        undo()
    assert v.get("/movie/550").status_code == 200


def test_session_read_error_is_503_not_logged_out(site_url, db):
    v = Visitor(site_url)
    v.login(*DEMO)
    undo = refuse(db, "django_session", "SELECT")
    try:
        r = v.get("/")
        assert r.status_code == 503, r.status_code
        assert "Your session could not be read" in r.text
    finally:
        undo()
    me = v.get("/")
    assert me.status_code == 200 and "Signed in as <strong>moviebuff</strong>" in me.text
