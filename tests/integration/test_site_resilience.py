"""test_site_resilience.py: the movie data's cache, single flight and fault handling, proved through nginx (the real site)."""
# Runs under tests/run-integration.sh (SITE_URL, REDIS_URL, TMDB_BASE_URL, STATE_DIR, REDIS_PORT).
# Faults come from the TMDb stand-in's control API; Redis is the stack's own, read with a tiny
# RESP client and, in the outage test, stopped and restarted exactly as deploy/stack.sh does.
# Synthetic film ids (1000000..1999999) are picked at random and checked cold before use.

import json
import os
import random
import re
import signal
import subprocess
import threading
import time
import uuid

import pytest
import requests

from redis_client import Redis
from stack_control import process_gone, setting

UNAVAILABLE_TEXT = "movie service is unavailable"
MOVIE_LINK = re.compile(r'href="/movie/(\d+)"')


def need(name):
    value = os.environ.get(name)
    if not value:
        pytest.skip(f"{name} is not set: run through tests/run-integration.sh")
    return value


class Stack:
    """What the tests need of the private stack."""

    def __init__(self):
        self.site = need("SITE_URL").rstrip("/")
        self.standin = need("TMDB_BASE_URL").rsplit("/3", 1)[0] + "/__standin"
        self.redis = Redis(need("REDIS_URL"))
        self.state = need("STATE_DIR")
        self.redis_port = need("REDIS_PORT")
        self.workers = int(os.environ.get("WORKERS", "4"))
        self.timeout_ms = self._setting("TMDB_TIMEOUT_MS", 5000)
        self.fcgi_log = os.path.join(self.state, "log", "fcgi.log")
        # Longest a page may take under a TMDb fault: two attempts plus the bounded wait.
        self.max_elapsed = 2 * self.timeout_ms / 1000 + 2.5
        self.http = requests.Session()

    @staticmethod
    def _setting(name, default):
        """The worker's value as --check-config printed it at start, else the environment's."""
        return setting(name, default)

    def get(self, path, timeout=None):
        """GET through nginx; returns (response, seconds taken)."""
        t0 = time.monotonic()
        r = self.http.get(self.site + path, timeout=timeout or self.max_elapsed + 20,
                          allow_redirects=False)
        return r, time.monotonic() - t0

    def control(self, method, path, body=None):
        r = requests.request(method, self.standin + path, json=body, timeout=5)
        r.raise_for_status()
        return r.json() if r.content else None

    def calls(self, path=None):
        stats = self.control("GET", "/stats")
        return stats["total"] if path is None else stats["by_path"].get(path, 0)

    def fresh_id(self):
        """A synthetic film nobody has asked the stand-in or Redis about yet."""
        while True:
            i = random.randint(1_100_000, 1_999_999)
            if (self.calls(f"/3/movie/{i}") == 0 and
                    not self.redis.cmd("EXISTS", f"movie_{i}_details", f"stale:movie_{i}_details")):
                return i

    def log_size(self):
        return os.path.getsize(self.fcgi_log)

    def log_since(self, offset):
        with open(self.fcgi_log, "rb") as f:
            f.seek(offset)
            return f.read().decode("utf-8", "replace")

    # --- Redis stop/start, as deploy/stack.sh start_redis does ---

    def redis_pidfile(self):
        return os.path.join(self.state, "redis", "redis.pid")

    def stop_redis(self):
        with open(self.redis_pidfile()) as f:
            pid = int(f.read().strip())
        os.kill(pid, signal.SIGTERM)
        end = time.monotonic() + 10
        while time.monotonic() < end and not process_gone(pid):
            time.sleep(0.05)
        assert not self.redis.alive(), "Redis still answers after SIGTERM"

    def start_redis(self):
        cmd = ["redis-server", "--bind", "127.0.0.1", "--port", self.redis_port,
               "--dir", os.path.join(self.state, "redis"), "--save", "", "--appendonly", "no",
               "--daemonize", "yes", "--pidfile", self.redis_pidfile(),
               "--logfile", os.path.join(self.state, "log", "redis.log")]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "redis", "--"] + cmd
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, timeout=10)
        end = time.monotonic() + 10
        while not self.redis.alive():
            assert time.monotonic() < end, "Redis did not come back"
            time.sleep(0.05)


@pytest.fixture(scope="module")
def stack():
    s = Stack()
    yield s
    # Other test files share this stack: leave Redis running whatever happened here.
    if not s.redis.alive():
        s.start_redis()


@pytest.fixture(autouse=True)
def no_faults(stack):
    stack.control("DELETE", "/faults")
    yield
    stack.control("DELETE", "/faults")


def movie_ids(html):
    return MOVIE_LINK.findall(html)


def ttl_near(stack, key, expected):
    ttl = stack.redis.cmd("TTL", key)
    assert expected - 60 <= ttl <= expected, f"TTL of {key} is {ttl}, expected about {expected}"


def json_value(stack, key):
    raw = stack.redis.cmd("GET", key)
    assert raw is not None, f"{key} is not in Redis"
    value = json.loads(raw)
    assert isinstance(value, dict), f"{key} does not hold a JSON object"
    return value


# ---------- keys, TTLs, no second call ----------

def test_keys_and_ttls_after_visiting_pages(stack):
    keys = ["movie_rec:trending_movies", "movie_rec:trending_movies:week:2",
            "movie_rec:recommendations_550", "movie_550_details"]
    stack.redis.cmd("DEL", *keys)

    r, _ = stack.get("/")
    assert r.status_code == 200
    home = json_value(stack, "movie_rec:trending_movies")
    assert home["page"] == 1 and home["results"], home
    ttl_near(stack, "movie_rec:trending_movies", 3600)
    ttl_near(stack, "stale:movie_rec:trending_movies", 7 * 86400)
    # The page shows what the key holds.
    assert movie_ids(r.text)[:3] == [str(m["id"]) for m in home["results"][:3]]

    r, _ = stack.get("/?window=week&page=2")
    assert r.status_code == 200
    week = json_value(stack, "movie_rec:trending_movies:week:2")
    assert week["page"] == 2 and week["results"], week
    ttl_near(stack, "movie_rec:trending_movies:week:2", 3600)

    r, _ = stack.get("/movie/550")
    assert r.status_code == 200 and "Fight Club" in r.text
    details = json_value(stack, "movie_550_details")
    assert details["id"] == 550 and details["title"] == "Fight Club"
    assert "credits" in details and "videos" in details
    ttl_near(stack, "movie_550_details", 86400)
    recs = json_value(stack, "movie_rec:recommendations_550")
    assert recs["results"], recs
    ttl_near(stack, "movie_rec:recommendations_550", 3600)
    ttl_near(stack, "stale:movie_550_details", 7 * 86400)


@pytest.mark.parametrize("path", ["/movie/550", "/"])
def test_repeated_page_makes_no_tmdb_call(stack, path):
    r, _ = stack.get(path)
    assert r.status_code == 200
    before = stack.control("GET", "/stats")
    for _ in range(stack.workers * 2):	# whichever worker answers
        r, _ = stack.get(path)
        assert r.status_code == 200
    assert stack.control("GET", "/stats") == before


def test_concurrent_cold_page_makes_one_tmdb_call(stack):
    movie = stack.fresh_id()
    n = 10
    # A slow TMDb keeps the first call in flight while the other workers ask for the same page.
    stack.control("POST", "/faults", {"latency_ms": 400, "path_prefix": f"/3/movie/{movie}"})
    barrier = threading.Barrier(n)
    results = [None] * n

    def visit(i):
        barrier.wait()
        try:
            results[i] = requests.get(f"{stack.site}/movie/{movie}", timeout=30).status_code
        except requests.RequestException as e:
            results[i] = repr(e)

    threads = [threading.Thread(target=visit, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200] * n
    assert stack.calls(f"/3/movie/{movie}") == 1
    assert stack.calls(f"/3/movie/{movie}/recommendations") == 1


def test_tmdb_404_is_the_site_404(stack):
    unknown = random.randint(2_100_000, 2_999_999)	# past the stand-in's synthetic range
    r, _ = stack.get(f"/movie/{unknown}")
    assert r.status_code == 404
    assert "404" in r.text and "does not know this movie" in r.text
    assert stack.calls(f"/3/movie/{unknown}") == 1
    ttl_near(stack, f"notfound:movie_{unknown}_details", 3600)
    # Negative-cached: asking again costs TMDb nothing.
    r, _ = stack.get(f"/movie/{unknown}")
    assert r.status_code == 404
    assert stack.calls(f"/3/movie/{unknown}") == 1


# ---------- TMDb faults ----------

def faults(stack):
    """Each fault applies to every TMDb request until cleared (so count is unlimited, >= 2)."""
    return {
        "latency": {"latency_ms": stack.timeout_ms + 2500},
        "429": {"status": 429, "retry_after": 30},
        "500": {"status": 500},
        "malformed": {"malformed": True},
        "drop": {"drop": True},
    }


@pytest.mark.parametrize("fault", ["latency", "429", "500", "malformed", "drop"])
def test_tmdb_fault_stale_or_clear_503(stack, fault):
    cached_movie, cold_movie = stack.fresh_id(), stack.fresh_id()
    cold_week_page = random.randint(100, 500)
    cold_search = "zz" + uuid.uuid4().hex[:12]

    # Served (so cached) before the fault.
    home, _ = stack.get("/")
    movie, _ = stack.get(f"/movie/{cached_movie}")
    assert home.status_code == 200 and movie.status_code == 200
    assert stack.redis.cmd("EXISTS", "movie_rec:configuration") == 1
    # Only the stale copies remain of the pages' primary data.
    for key in ("movie_rec:trending_movies", f"movie_{cached_movie}_details"):
        assert stack.redis.cmd("EXISTS", "stale:" + key) == 1
        stack.redis.cmd("DEL", key)
    week_key = f"movie_rec:trending_movies:week:{cold_week_page}"
    stack.redis.cmd("DEL", week_key, "stale:" + week_key)

    stack.control("POST", "/faults", faults(stack)[fault])
    calls_before = stack.calls(f"/3/movie/{cached_movie}")

    r, took = stack.get("/")
    assert r.status_code == 200, f"home under {fault}: {r.status_code}"
    assert movie_ids(r.text) == movie_ids(home.text) and movie_ids(home.text)
    assert took < stack.max_elapsed, f"home took {took:.2f}s under {fault}"

    r, took = stack.get(f"/movie/{cached_movie}")
    assert r.status_code == 200, f"cached movie under {fault}: {r.status_code}"
    assert f"Synthetic Movie {cached_movie}" in r.text
    assert took < stack.max_elapsed, f"cached movie took {took:.2f}s under {fault}"
    if fault == "429":
        # TMDb's Retry-After (from the home page's call) holds every worker back: no call.
        assert stack.redis.cmd("EXISTS", "tmdb:pause") == 1
    else:
        # TMDb was asked (the primary key was gone) and failed: the page came from stale:.
        assert stack.calls(f"/3/movie/{cached_movie}") > calls_before
    assert stack.redis.cmd("EXISTS", f"movie_{cached_movie}_details") == 0

    for path in (f"/movie/{cold_movie}", f"/?window=week&page={cold_week_page}",
                 f"/search?q={cold_search}"):
        r, took = stack.get(path)
        assert r.status_code == 503, f"{path} under {fault}: {r.status_code}"
        assert UNAVAILABLE_TEXT in r.text.lower(), f"{path}: no clear 503 page"
        assert r.headers.get("Retry-After"), f"{path}: 503 without Retry-After"
        assert took < stack.max_elapsed, f"{path} took {took:.2f}s under {fault}"
    assert stack.calls(f"/3/movie/{cold_movie}") >= (0 if fault == "429" else 1)

    # Once TMDb is back (and its Retry-After over) the cold page works (nothing bad was cached).
    stack.control("DELETE", "/faults")
    stack.redis.cmd("DEL", "tmdb:pause")
    r, _ = stack.get(f"/movie/{cold_movie}")
    assert r.status_code == 200 and f"Synthetic Movie {cold_movie}" in r.text


# ---------- Redis outage ----------

def test_redis_outage_pages_work_then_caching_resumes(stack):
    log_at = stack.log_size()
    stack.stop_redis()

    for path in ("/", "/movie/550", "/search?q=fight", f"/movie/{random.randint(1_100_000, 1_999_999)}"):
        r, took = stack.get(path)
        assert r.status_code == 200, f"{path} with Redis down: {r.status_code}"
        assert took < 3, f"{path} took {took:.2f}s with Redis down"
    assert "cache: redis unavailable" in stack.log_since(log_at), "the outage was not logged"

    log_at = stack.log_size()
    stack.start_redis()
    time.sleep(1.2)	# past the workers' reconnect interval (1 s)
    movie = stack.fresh_id()
    end = time.monotonic() + 10
    while stack.redis.cmd("EXISTS", f"movie_{movie}_details") == 0:
        assert time.monotonic() < end, "nothing was cached after Redis came back"
        r, _ = stack.get(f"/movie/{movie}")
        assert r.status_code == 200
        time.sleep(0.1)
    ttl_near(stack, f"movie_{movie}_details", 86400)
    # Cached again: many visits, at most one TMDb call per worker that had not yet noticed.
    before = stack.calls(f"/3/movie/{movie}")
    for _ in range(stack.workers * 3):
        r, _ = stack.get(f"/movie/{movie}")
        assert r.status_code == 200
    assert stack.calls(f"/3/movie/{movie}") - before <= stack.workers
    # A worker that met the outage says so when it is back; one that did not just takes a fresh
    # connection (common/cache.c), so the line comes once the visits reach one that had.
    for _ in range(50):
        if "cache: redis is back" in stack.log_since(log_at):
            break
        assert stack.get(f"/movie/{movie}")[0].status_code == 200
    assert "cache: redis is back" in stack.log_since(log_at)
