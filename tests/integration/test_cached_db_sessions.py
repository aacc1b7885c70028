"""test_cached_db_sessions.py: SESSION_ENGINE=cached_db keeps a real Django (cached_db, django-redis) beside coherent.

The stack's site runs in the default db mode. A second C site, one worker on a private socket
(driven over FastCGI by fcgi_client.py, as in test_worker_valgrind.py), runs with
SESSION_ENGINE=cached_db on the stack's PostgreSQL and Redis. Django 3.2 runs beside in a child
process (accounts_djserver.py) with SESSION_ENGINE cached_db and django_redis.cache.RedisCache on
the same Redis: whatever either side writes or ends, the other sees at its next read.
"""
import json
import os
import pickle
import re
import subprocess
import time
import uuid

import pytest
import redis

import fcgi_client
from accounts_support import DjangoPeer, insert_user, pbkdf2_hash, session_exists
from stack_control import start_redis, stop_redis
from support import Browser, csrf_from

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ENTRY = ":1:django.contrib.sessions.cached_db"   # Django's make_key(KEY_PREFIX "", VERSION 1, ...)
SIGNED_IN = re.compile(r"Signed in as <strong>([^<]*)</strong>")


def build_dir():
    return os.environ.get("BUILD_DIR", os.path.join(ROOT, "build"))


class FcgiVisitor:
    """A cookie jar and forms, straight to one worker's socket (no nginx)."""

    def __init__(self, sock):
        self.sock, self.cookies = sock, {}

    def call(self, uri, method="GET", body=b"", headers=None):
        h = dict(headers or {})
        if self.cookies:
            h["HTTP_COOKIE"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        r = fcgi_client.request(self.sock, method, uri, body, h)
        for k, v in r.cookies().items():
            if v in ("", '""'):
                self.cookies.pop(k, None)
            else:
                self.cookies[k] = v
        return r

    def form(self, uri, fields, token_page="/login"):
        token = csrf_from(self.call(token_page).body.decode())
        body = "&".join(f"{k}={v}" for k, v in dict(fields, csrfmiddlewaretoken=token).items()).encode()
        return self.call(uri, "POST", body, {"CONTENT_TYPE": "application/x-www-form-urlencoded",
                                             "HTTP_ORIGIN": "http://127.0.0.1:8080"})

    def signed_in_as(self):
        m = SIGNED_IN.search(self.call("/login").body.decode())
        return m and m.group(1)

    @property
    def sessionid(self):
        return self.cookies.get("sessionid")


def start_site(tmp, extra_env):
    """movies-fcgi with one worker on a private socket (its standard input, as spawn-fcgi does)."""
    path = os.path.join(tmp, "fcgi.sock")
    listener = fcgi_client.listen(path)
    env = fcgi_client.worker_env(ROOT, REDIS_RETRY_MS="100", THROTTLE_EXEMPT_ADDRS="127.0.0.1", **extra_env)
    log = open(os.path.join(tmp, "program.log"), "w")
    proc = subprocess.Popen([os.path.join(build_dir(), "movies-fcgi")], stdin=listener.fileno(),
                            stdout=log, stderr=log, env=env)
    listener.close()
    for _ in range(200):
        try:
            if fcgi_client.request(path, "GET", "/healthz").status == 200:
                return path, proc, log
        except (ConnectionError, OSError):
            pass
        time.sleep(0.05)
    proc.kill()
    raise AssertionError("the cached_db site did not answer: " + open(log.name).read()[-2000:])


@pytest.fixture(scope="module")
def cached_site(tmp_path_factory):
    if not os.environ.get("STATE_DIR"):
        pytest.skip("run through tests/run-integration.sh")
    path, proc, log = start_site(str(tmp_path_factory.mktemp("cached_db")),
                                 {"SESSION_ENGINE": "django.contrib.sessions.backends.cached_db"})
    yield path
    proc.terminate()
    proc.wait(timeout=30)
    log.close()


@pytest.fixture(scope="module")
def django_cached(database_url):
    peer = DjangoPeer(session_engine="cached_db")
    yield peer
    peer.close()


@pytest.fixture
def r():
    return redis.Redis.from_url(os.environ["REDIS_URL"])


@pytest.fixture
def user(conn):
    name, password = f"cdb_{uuid.uuid4().hex[:10]}", "Pw-" + uuid.uuid4().hex
    insert_user(conn, name, pbkdf2_hash(password, 1000))
    return name, password


def login_here(sock, user):
    v = FcgiVisitor(sock)
    resp = v.form("/login", {"username": user[0], "password": user[1]})
    assert resp.status == 303 and v.sessionid, (resp.status, resp.body[:300])
    return v


def cached(r, key):
    raw = r.get(ENTRY + key)
    return None if raw is None else pickle.loads(raw)


def test_login_here_is_served_to_django_from_its_cache(cached_site, django_cached, r, conn, user):
    v = login_here(cached_site, user)
    key = v.sessionid
    entry = cached(r, key)
    assert entry["_auth_user_id"] and entry["_auth_user_backend"].endswith("ModelBackend")
    # Django's own cache.get finds the dict under its name, expiring with the row (two weeks).
    assert django_cached("cached_session", session_key=key) == entry
    assert 1209600 - 60 < r.ttl(ENTRY + key) <= 1209600
    got = django_cached("get_user", session_key=key)
    assert got["user"]["username"] == user[0]
    # Served from the cache: with the row taken away (SQL, no cache touched) Django still loads it.
    with conn.cursor() as cur:
        cur.execute("DELETE FROM django_session WHERE session_key = %s", (key,))
    assert django_cached("load_session", session_key=key) == entry
    # This site reads the row: the session ended there is refused here.
    assert v.signed_in_as() is None


def test_session_change_here_is_seen_by_django_at_once(cached_site, django_cached, r, user):
    v = login_here(cached_site, user)
    django_cached("load_session", session_key=v.sessionid)    # Django has it cached now
    resp = v.form("/watch-region", {"region": "GB", "next": "/"}, token_page="/watch-region")
    assert resp.status == 303, resp.body[:300]
    assert django_cached("load_session", session_key=v.sessionid)["watch_region"] == "GB"
    assert cached(r, v.sessionid)["watch_region"] == "GB"


def test_logout_here_ends_the_session_for_django(cached_site, django_cached, r, conn, user):
    v = login_here(cached_site, user)
    key = v.sessionid
    assert django_cached("get_user", session_key=key)["user"]["username"] == user[0]
    resp = v.form("/logout", {}, token_page="/login")
    assert resp.status == 303
    assert r.exists(ENTRY + key) == 0 and not session_exists(conn, key)
    assert django_cached("get_user", session_key=key)["user"] is None
    assert django_cached("load_session", session_key=key) == {}


def test_login_cycles_the_key_out_of_the_cache(cached_site, django_cached, r, conn, user):
    v = FcgiVisitor(cached_site)
    v.form("/watch-region", {"region": "FR", "next": "/"}, token_page="/watch-region")
    before = v.sessionid
    assert cached(r, before) == {"watch_region": "FR"}
    login_here_with(v, user)
    assert v.sessionid != before
    assert r.exists(ENTRY + before) == 0 and not session_exists(conn, before)
    assert cached(r, v.sessionid)["watch_region"] == "FR"


def login_here_with(v, user):
    resp = v.form("/login", {"username": user[0], "password": user[1]})
    assert resp.status == 303, resp.body[:300]


def test_django_login_is_accepted_here_and_its_logout_refused_next(cached_site, django_cached, r, user):
    key = django_cached("login_session", username=user[0])
    assert cached(r, key)["_auth_user_id"]
    v = FcgiVisitor(cached_site)
    v.cookies["sessionid"] = key
    assert v.signed_in_as() == user[0]
    django_cached("logout", session_key=key)
    assert r.exists(ENTRY + key) == 0
    assert v.signed_in_as() is None


def test_row_deleted_behind_both_is_refused_here_in_cached_db_mode(cached_site, django_cached, r, user):
    v = login_here(cached_site, user)
    key = v.sessionid
    assert django_cached("delete_session_rows", session_key=key) == 1
    # The cache entry outlives the row (Django's cached_db would still accept it): not here.
    assert r.exists(ENTRY + key) == 1
    assert v.signed_in_as() is None
    # Its next write forgets the stale entry too.
    v.form("/watch-region", {"region": "DE", "next": "/"}, token_page="/watch-region")
    assert r.exists(ENTRY + key) == 0


def test_row_deleted_behind_is_refused_here_in_db_mode(site, conn, django_cached, r, user):
    b = Browser(site)
    assert b.login(*user).status_code == 303
    key = b.sessionid
    assert b.signed_in_as() == user[0]
    # Default mode: no cache entry written.
    assert r.exists(ENTRY + key) == 0
    assert django_cached("delete_session_rows", session_key=key) == 1
    assert b.signed_in_as() is None


def test_db_mode_writes_no_cache_entries(site, r, user):
    b = Browser(site)
    assert b.login(*user).status_code == 303
    assert b.post("/watch-region", {"region": "GB", "next": "/"}, form_page="/watch-region").status_code == 303
    assert b.signed_in_as() == user[0]
    assert r.keys("*" + b.sessionid + "*") == []


def test_redis_down_on_logout_is_503_and_a_retry_works(cached_site, django_cached, r, conn, user):
    v = login_here(cached_site, user)
    key = v.sessionid
    token = csrf_from(v.call("/login").body.decode())
    body = f"csrfmiddlewaretoken={token}".encode()
    headers = {"CONTENT_TYPE": "application/x-www-form-urlencoded", "HTTP_ORIGIN": "http://127.0.0.1:8080"}
    stop_redis()
    try:
        resp = v.call("/logout", "POST", body, headers)
        assert resp.status == 503, resp.body[:300]
        # Not a silent success: the session is still there, here and (row and entry) for Django.
        assert session_exists(conn, key) and v.sessionid == key
        assert v.signed_in_as() == user[0]
    finally:
        start_redis()
    r = redis.Redis.from_url(os.environ["REDIS_URL"])    # the old connection died with Redis
    for _ in range(50):
        resp = v.call("/logout", "POST", body, headers)
        if resp.status != 503:
            break
        time.sleep(0.1)
    assert resp.status == 303, resp.body[:300]
    assert not session_exists(conn, key) and r.exists(ENTRY + key) == 0
    assert v.signed_in_as() is None


def test_refused_set_after_an_update_deletes_the_entry(cached_site, django_cached, r, user):
    v = login_here(cached_site, user)
    key = v.sessionid
    assert cached(r, key)["_auth_user_id"]
    # Redis out of memory refuses SET but still takes DEL: the stale entry must go.
    old = r.config_get("maxmemory")["maxmemory"]
    r.config_set("maxmemory", 1)
    try:
        resp = v.form("/watch-region", {"region": "GB", "next": "/"}, token_page="/watch-region")
        assert resp.status == 303, resp.body[:300]
        assert r.exists(ENTRY + key) == 0
    finally:
        r.config_set("maxmemory", old)
    assert django_cached("load_session", session_key=key)["watch_region"] == "GB"


def test_refused_set_and_del_after_an_update_is_503(cached_site, django_cached, r, user):
    v = login_here(cached_site, user)
    key = v.sessionid
    token = csrf_from(v.call("/watch-region").body.decode())
    body = f"csrfmiddlewaretoken={token}&region=GB&next=/".encode()
    headers = {"CONTENT_TYPE": "application/x-www-form-urlencoded", "HTTP_ORIGIN": "http://127.0.0.1:8080"}
    r.execute_command("ACL", "SETUSER", "default", "-set", "-del")
    try:
        resp = v.call("/watch-region", "POST", body, headers)
    finally:
        r.execute_command("ACL", "SETUSER", "default", "+@all")
    # The entry Django reads first still says the old thing: no success is claimed.
    assert resp.status == 503, resp.body[:300]
    assert "watch_region" not in cached(r, key)


def test_key_prefix_and_version_name_the_entry_as_django_does(tmp_path, conn, r, user):
    path, proc, log = start_site(str(tmp_path), {"SESSION_ENGINE": "cached_db",
                                                 "SESSION_CACHE_KEY_PREFIX": "movies",
                                                 "SESSION_CACHE_VERSION": "3"})
    peer = DjangoPeer(session_engine="cached_db", cache_key_prefix="movies", cache_version=3)
    try:
        v = login_here(path, user)
        key = v.sessionid
        raw = r.get("movies:3:django.contrib.sessions.cached_db" + key)
        assert raw is not None and r.exists(ENTRY + key) == 0
        assert peer("cached_session", session_key=key) == pickle.loads(raw)
        assert v.form("/logout", {}, token_page="/login").status == 303
        assert r.exists("movies:3:django.contrib.sessions.cached_db" + key) == 0
        assert peer("cached_session", session_key=key) is None
    finally:
        peer.close()
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def test_pickles_written_here_are_what_python_reads(tmp_path):
    tool = os.path.join(build_dir(), "tools", "djtool")
    values = [{"_auth_user_id": "7", "watch_region": "GB", "_session_expiry": 1209600},
              {"n": [1, -1, 300, 70000, -2 ** 31, 2 ** 31, 2 ** 63 - 1, -2 ** 63, 2 ** 64 - 1],
               "f": [0.1, -2.5e-300, 1e300], "b": [True, False, None], "s": "Zoë 😀 \u2028",
               "nested": {"a": [{}, [], {"c": [1]}]}},
              list(range(2500)), {str(i): str(i) * 3 for i in range(1200)}, "x" * 70000]
    for value in values:
        out = subprocess.run([tool, "pickle"], input=json.dumps(value).encode(), capture_output=True,
                             check=True).stdout
        assert pickle.loads(out) == value
        # Byte for byte too, but for the string past 64 KiB (Python frames it apart). The values
        # repeat no string: Python would refer back to a repeated object with BINGET.
        if value != values[-1]:
            assert out == pickle.dumps(value, protocol=4)


@pytest.mark.parametrize("value,ok", [
    ("db", True), ("cached_db", True), ("django.contrib.sessions.backends.cached_db", True),
    ("django.contrib.sessions.backends.db", True), ("cache", False), ("signed_cookies", False),
    ("django.contrib.sessions.backends.file", False), ("CACHED_DB", False), ("cached_db ", False)])
def test_session_engine_values(value, ok):
    env = dict(os.environ, SESSION_ENGINE=value)
    out = subprocess.run([os.path.join(build_dir(), "movies-fcgi"), "--check-config"], env=env,
                         capture_output=True, text=True)
    assert (out.returncode == 0) == ok, out.stderr
    if ok:
        assert f"SESSION_ENGINE={value}\n" in out.stdout
    else:
        assert f'SESSION_ENGINE="{value}" is not db or cached_db' in out.stderr


def test_bad_session_cache_version_names_the_variable():
    env = dict(os.environ, SESSION_CACHE_VERSION="two")
    out = subprocess.run([os.path.join(build_dir(), "movies-fcgi"), "--check-config"], env=env,
                         capture_output=True, text=True)
    assert out.returncode == 1 and "SESSION_CACHE_VERSION" in out.stderr
