"""test_lost_writes.py: favorites added and removed under load, through the site and the API,
while a worker is SIGKILLed, the workers are reloaded (SIGHUP), PostgreSQL restarts and Redis
stops and starts: no acknowledged write is lost, no failed one is half-written, and the site
serves writes again after each event.

The books are exact: each client owns its user and adds only movie ids never used before, and
removes each at most once (only after its add was acknowledged and an audit saw it saved), so
no later write can hide an earlier one. Every movie's history is one of: added (acknowledged), add unknown (an error or a
timeout: it may or may not have happened), removed (acknowledged) or remove unknown. After
every event's phase and at the end, the database is compared with every movie ever written:
an acknowledged add must be present and an acknowledged remove absent; an unknown one may be
either, but once seen in its final state it stays there (nothing else touches it). Bounded: a
fixed schedule of about 40 seconds, plus at most RECOVERY_SECONDS per event.
"""
import collections
import os
import random
import signal
import subprocess
import threading
import time
import uuid

import psycopg2
import pytest
import requests

from support import csrf_from
from test_stack_failures import pg_ctl, stack

API = "/api/v1"
PHASE_SECONDS = 5
RECOVERY_SECONDS = 20   # past the phase: the breaker's longest wait (8 s) plus slack
SITE_CLIENTS = 3
API_CLIENTS = 3
IDS_PER_CLIENT = 10000
PACE = 0.1              # seconds between a client's writes: new ids cost TMDb calls (rate-limited)
REQUEST_TIMEOUT = 15
# A fresh block of the stand-in's synthetic movie ids (1000000..1999999) for this run.
BASE_ID = 1000000 + random.randrange(0, 15) * 6 * IDS_PER_CLIENT

# A movie's state in a client's books. In flight: ADDING, REMOVING (not checked until answered).
ADDING, PRESENT, ADD_UNKNOWN = "adding", "present", "add unknown"
REMOVING, ABSENT, REMOVE_UNKNOWN = "removing", "absent", "remove unknown"


class Tally:
    """Requests, acknowledged writes and errors by kind, shared by the client threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests = 0
        self.ok = collections.Counter()      # by client class
        self.errors = collections.Counter()

    def count(self, cls, ok, kind=None):
        with self.lock:
            self.requests += 1
            if ok:
                self.ok[cls] += 1
            else:
                self.errors[kind] += 1

    def snapshot(self):
        with self.lock:
            return collections.Counter(self.ok)


class Client(threading.Thread):
    """One user adding fresh movies and removing some of those it saved, until told to stop."""

    def __init__(self, site_url, name, first_id, tally, stop):
        super().__init__(daemon=True)
        self.site, self.name, self.next_id = site_url, name, first_id
        self.last_id = first_id + IDS_PER_CLIENT
        self.tally, self.stop = tally, stop
        self.lock = threading.Lock()
        self.state = {}                      # movie id -> one of the states above
        self.seen = {}                       # unknown movie -> "present"/"absent" once observed
        self.verified = set()                # acknowledged adds an audit found in the database
        self.acks = collections.Counter()
        self.s = requests.Session()
        self.s.headers["User-Agent"] = "integration-tests (lost writes)"
        self.rng = random.Random(name)

    def pick(self):
        """(movie, add?): a never-used id, or (40%) one to remove: acknowledged and since seen in
        the database by an audit, so that a lost add is caught before a remove ("not a favorite"
        is a success for the site's form) could hide it."""
        with self.lock:
            saved = sorted(m for m in self.verified if self.state[m] == PRESENT)
            if saved and self.rng.random() < 0.4:
                movie = self.rng.choice(saved)
                self.state[movie] = REMOVING
                return movie, False
            movie = self.next_id
            assert movie < self.last_id, "ran out of movie ids"
            self.next_id += 1
            self.state[movie] = ADDING
            return movie, True

    def run(self):
        while not self.stop.is_set():
            movie, add = self.pick()
            try:
                outcome = self.add(movie) if add else self.remove(movie)
            except requests.RequestException as e:
                outcome = type(e).__name__
            ok = outcome == (PRESENT if add else ABSENT)
            with self.lock:
                self.state[movie] = outcome if ok else (ADD_UNKNOWN if add else REMOVE_UNKNOWN)
            if ok:
                self.acks[("add" if add else "remove")] += 1
            self.tally.count(type(self).__name__, ok, None if ok else outcome)
            time.sleep(PACE)

    def books(self):
        with self.lock:
            return dict(self.state)


class SiteClient(Client):
    """Logged in through the login form; posts the favorite forms with the CSRF token."""

    def setup(self, username, password):
        token = csrf_from(self.s.get(self.site + "/login", timeout=REQUEST_TIMEOUT).text)
        r = self.s.post(self.site + "/login", data={"csrfmiddlewaretoken": token, "username": username,
                        "password": password}, headers={"Origin": self.site}, allow_redirects=False,
                        timeout=REQUEST_TIMEOUT)
        assert r.status_code == 303, (r.status_code, r.text[:300])
        self.csrf = csrf_from(self.s.get(self.site + "/favorites", timeout=REQUEST_TIMEOUT).text)

    def post(self, path):
        r = self.s.post(self.site + path, data={"csrfmiddlewaretoken": self.csrf},
                        headers={"Origin": self.site, "Accept": "application/json"},
                        allow_redirects=False, timeout=REQUEST_TIMEOUT)
        if r.status_code == 200 and r.headers.get("Content-Type", "").startswith("application/json"):
            body = r.json()
            self.csrf = body.get("csrf_token") or self.csrf
            return body
        if r.status_code == 403:  # e.g. the session was lost: fetch a fresh token
            try:
                self.csrf = csrf_from(self.s.get(self.site + "/favorites", timeout=REQUEST_TIMEOUT).text)
            except (AssertionError, requests.RequestException):
                pass
        return f"site {r.status_code}"

    def add(self, movie):
        body = self.post(f"/favorites/{movie}")
        return "present" if isinstance(body, dict) and body.get("favorite") is True else body

    def remove(self, movie):
        body = self.post(f"/favorites/{movie}/delete")
        return "absent" if isinstance(body, dict) and body.get("favorite") is False else body


class ApiClient(Client):
    """Bearer access token from the API login; JSON adds and DELETEs."""

    def setup(self, username, password):
        r = self.s.post(self.site + API + "/auth/login/", json={"username": username, "password": password},
                        timeout=REQUEST_TIMEOUT)
        assert r.status_code == 200, (r.status_code, r.text)
        self.s.headers["Authorization"] = "Bearer " + r.json()["access"]

    def add(self, movie):
        r = self.s.post(self.site + API + "/auth/favorites/", json={"movie_id": movie}, timeout=REQUEST_TIMEOUT)
        self.s.cookies.clear()
        if r.status_code == 201 or (r.status_code == 400 and "already" in r.text):
            return "present"
        return f"api {r.status_code}"

    def remove(self, movie):
        r = self.s.delete(self.site + API + f"/auth/favorites/{movie}/", timeout=REQUEST_TIMEOUT)
        self.s.cookies.clear()
        # Only acknowledged adds are removed: a 404 ("not a favorite") means that add was lost.
        if r.status_code == 204:
            return "absent"
        return f"api {r.status_code}"


def register(site_url):
    username = f"lw_{uuid.uuid4().hex[:10]}"
    password = "Pw-" + uuid.uuid4().hex
    r = requests.post(site_url + API + "/auth/register/", json={"username": username, "password": password,
                      "password2": password, "email": f"{username}@example.com"}, timeout=REQUEST_TIMEOUT)
    assert r.status_code == 201, (r.status_code, r.text)
    return username, password


def workers(state):
    master = open(os.path.join(state, "run", "fcgi.pid")).read().strip()
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", master], capture_output=True, text=True).stdout
    return int(master), [int(p) for p in out.split()]


def wait_gone(pid, seconds=15):
    for _ in range(seconds * 10):
        if not os.path.exists(f"/proc/{pid}"):
            return
        time.sleep(0.1)
    raise AssertionError(f"process {pid} did not stop")


def kill_a_worker(state):
    _, pids = workers(state)
    os.kill(pids[0], signal.SIGKILL)


def reload_workers(state):
    master, _ = workers(state)
    os.kill(master, signal.SIGHUP)


def restart_postgres(state):
    # Not pg_ctl restart: the server it starts would inherit (and hold open) our output pipes.
    pg_ctl("stop")
    start_missing(state)


def stop_redis(state):
    pid = int(open(os.path.join(state, "redis", "redis.pid")).read())
    os.kill(pid, signal.SIGTERM)
    wait_gone(pid)


def start_missing(state):
    out = stack("start")  # starts only what is not running
    assert out.returncode == 0, out.stdout + out.stderr


def audit(database_url, clients, when, problems):
    """Compares the database with every client's books; appends each broken rule to problems.

    Clients may be running: a movie in flight is not judged, and an acknowledged add found
    missing counts only if no remove of it had started by the time the rows were read."""
    before = {c: c.books() for c in clients}
    db = psycopg2.connect(database_url, connect_timeout=10)
    try:
        with db, db.cursor() as cur:
            rows = {}
            for c in clients:
                cur.execute("SELECT f.movie_id, f.created_at FROM users_favoritemovie f JOIN auth_user u "
                            "ON u.id = f.user_id WHERE u.username = %s", (c.username,))
                rows[c] = cur.fetchall()
    finally:
        db.close()
    for c in clients:
        after = c.books()
        in_db = collections.Counter(m for m, _ in rows[c])
        # Half-written: a duplicate, a row of a movie never asked for, or a row without its date.
        if any(n != 1 for n in in_db.values()) or not set(in_db) <= set(after) or \
                any(created is None for _, created in rows[c]):
            problems.append((when, c.name, "half-written rows", sorted(rows[c])))
        for movie, st in before[c].items():
            present = movie in in_db
            if st == PRESENT and not present and after[movie] == PRESENT:
                problems.append((when, c.name, movie, "acknowledged add missing"))
            elif st == PRESENT and present:
                with c.lock:
                    c.verified.add(movie)
            elif st == ABSENT and present:
                problems.append((when, c.name, movie, "acknowledged remove undone"))
            elif st in (ADD_UNKNOWN, REMOVE_UNKNOWN):
                # Nothing writes an unknown movie again: once in its final state it stays there.
                final = "present" if st == ADD_UNKNOWN else "absent"
                seen = "present" if present else "absent"
                if c.seen.get(movie) == final and seen != final:
                    problems.append((when, c.name, movie, f"{st}: was {final}, now {seen}"))
                c.seen[movie] = seen


def recovered(tally, since, timeout):
    """Waits (up to timeout) until both kinds of client had a write acknowledged after since."""
    deadline = time.monotonic() + timeout
    while True:
        now = tally.snapshot()
        if all(now[k] > since[k] for k in ("SiteClient", "ApiClient")) or time.monotonic() > deadline:
            return {k: now[k] - since[k] for k in ("SiteClient", "ApiClient")}
        time.sleep(0.2)


def test_no_acknowledged_favorite_is_lost_under_failures(site_url, database_url):
    state = os.environ.get("STATE_DIR")
    if not state:
        pytest.skip("STATE_DIR is not set: run through tests/run-integration.sh")
    tally, stop = Tally(), threading.Event()
    clients = []
    for i in range(SITE_CLIENTS + API_CLIENTS):
        cls = SiteClient if i < SITE_CLIENTS else ApiClient
        c = cls(site_url, f"{cls.__name__}-{i}", BASE_ID + i * IDS_PER_CLIENT, tally, stop)
        c.username, password = register(site_url)
        c.setup(c.username, password)
        clients.append(c)
    schedule = [("SIGKILL a worker", kill_a_worker), ("SIGHUP the master", reload_workers),
                ("restart PostgreSQL", restart_postgres), ("stop Redis", stop_redis),
                ("start Redis", start_missing)]
    problems, recovery = [], {}
    for c in clients:
        c.start()
    try:
        time.sleep(PHASE_SECONDS)
        audit(database_url, clients, "before the events", problems)
        for name, action in schedule:
            action(state)
            since = tally.snapshot()   # after the action: a write acknowledged now is a recovery
            time.sleep(PHASE_SECONDS)
            recovery[name] = recovered(tally, since, RECOVERY_SECONDS)
            audit(database_url, clients, "after " + name, problems)
    finally:
        stop.set()
        for c in clients:
            c.join(REQUEST_TIMEOUT + 5)
        start_missing(state)  # leave the stack whole for the next tests, whatever failed
    assert not any(c.is_alive() for c in clients), "a client is still waiting on an answer"
    audit(database_url, clients, "at the end", problems)

    books = collections.Counter(st for c in clients for st in c.books().values())
    acks = sum((c.acks for c in clients), collections.Counter())
    print(f"\nlost-writes report: {len(clients)} clients ({SITE_CLIENTS} site, {API_CLIENTS} API), "
          f"events: {', '.join(recovery)}")
    print(f"  requests {tally.requests}, acknowledged {sum(tally.snapshot().values())}, "
          f"errors {sum(tally.errors.values())}")
    for kind, n in sorted(tally.errors.items(), key=lambda kv: -kv[1]):
        print(f"    {kind}: {n}")
    print(f"  acknowledged adds {acks['add']}, removes {acks['remove']}; movies by final state: {dict(books)}")
    print(f"  writes acknowledged after each event (site, API): "
          + "; ".join(f"{k}: {v['SiteClient']}, {v['ApiClient']}" for k, v in recovery.items()))
    print(f"  broken rules: {len(problems)}")
    assert not problems, problems
    assert "api 404" not in tally.errors, "a remove of an acknowledged add found no favorite (a lost add)"
    for name, after in recovery.items():
        assert all(after.values()), f"no write acknowledged within {PHASE_SECONDS + RECOVERY_SECONDS}s " \
            f"after: {name} ({after})"
    assert sum(tally.snapshot().values()) > 50, "too few acknowledged writes for the test to mean anything"
