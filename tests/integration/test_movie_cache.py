# test_movie_cache.py: the cached TMDb model (common/movies.c) against real Redis and the TMDb stand-in, via movietool.
#
# Uses REDIS_URL / TMDB_BASE_URL / TMDB_API_KEY / BUILD_DIR from the harness when set; otherwise
# starts its own redis-server and stand-in on free ports. The Redis-outage test always uses a
# private redis-server (it kills it). Movie ids come from the stand-in's synthetic range
# (1000000..1999999), picked at random per run so a shared Redis never holds them already.

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request

from redis_client import Redis

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
STANDIN = os.path.join(REPO, "deploy", "tmdb-standin", "standin.py")
TIMEOUT_MS = 500		# movietool --timeout-ms for the fault tests
RETRY_AFTER_CAP_MS = 2000	# TMDB_RETRY_AFTER_CAP_MS
SLACK_MS = 700			# process start, connects, scheduling

_ids = random.Random()
_used = set()


def fresh_id():
	"""A synthetic film id nobody has asked for yet in this run."""
	while True:
		i = _ids.randint(1100000, 1999999)
		if i not in _used:
			_used.add(i)
			return i


def free_port():
	with socket.socket() as s:
		s.bind(("127.0.0.1", 0))
		return s.getsockname()[1]


def wait_port(port, deadline_s=10.0):
	end = time.time() + deadline_s
	while time.time() < end:
		try:
			with socket.create_connection(("127.0.0.1", port), timeout=0.2):
				return
		except OSError:
			time.sleep(0.05)
	raise RuntimeError("nothing listening on port %d" % port)


class PrivateRedis:
	def __init__(self, tmp):
		self.tmp = tmp
		self.port = free_port()
		self.proc = None
		self.url = "redis://127.0.0.1:%d/0" % self.port

	def start(self):
		self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no", "--dir", self.tmp],
			stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
		wait_port(self.port)

	def kill(self):
		if self.proc and self.proc.poll() is None:
			self.proc.kill()
			self.proc.wait()


class Env:
	pass


@pytest.fixture(scope="module")
def env():
	e = Env()
	tmp = tempfile.mkdtemp(prefix="movie-cache-")
	procs = []
	build = os.environ.get("BUILD_DIR", os.path.join(REPO, "build"))
	e.tool = os.environ.get("MOVIETOOL", os.path.join(build, "tools", "movietool"))
	if not os.path.exists(e.tool):
		pytest.fail("movietool not built: %s (make all)" % e.tool)
	e.api_key = os.environ.get("TMDB_API_KEY", "standin-api-key")
	e.tmdb = os.environ.get("TMDB_BASE_URL")
	if not e.tmdb:
		port_file = os.path.join(tmp, "standin.port")
		p = subprocess.Popen(["/usr/bin/python3", STANDIN, "--host", "127.0.0.1", "--port", "0",
			"--port-file", port_file, "--api-key", e.api_key, "--read-token", "standin-read-token"],
			stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
		procs.append(p)
		end = time.time() + 10
		while not (os.path.exists(port_file) and open(port_file).read().strip()):
			if time.time() > end or p.poll() is not None:
				pytest.fail("the TMDb stand-in did not start")
			time.sleep(0.05)
		e.tmdb = "http://127.0.0.1:%s/3" % open(port_file).read().strip()
	u = urllib.parse.urlparse(e.tmdb)
	e.control = "%s://%s/__standin" % (u.scheme, u.netloc)
	e.redis_url = os.environ.get("REDIS_URL")
	if not e.redis_url:
		r = PrivateRedis(tmp)
		r.start()
		procs.append(r.proc)
		e.redis_url = r.url
	e.redis = Redis(e.redis_url)
	e.tmp = tmp
	yield e
	for p in procs:
		if p.poll() is None:
			p.send_signal(signal.SIGTERM)
			try:
				p.wait(5)
			except subprocess.TimeoutExpired:
				p.kill()
	shutil.rmtree(tmp, ignore_errors=True)


def control(e, method, path, body=None):
	data = json.dumps(body).encode() if body is not None else None
	req = urllib.request.Request(e.control + path, data=data, method=method,
		headers={"Content-Type": "application/json"})
	with urllib.request.urlopen(req, timeout=5) as r:
		return json.loads(r.read() or b"null")


def calls(e, path):
	return control(e, "GET", "/stats")["by_path"].get(path, 0)


@pytest.fixture(autouse=True)
def no_faults(env):
	control(env, "DELETE", "/faults")
	yield
	control(env, "DELETE", "/faults")


def tool(e, *args, redis=None, timeout_ms=None, extra=()):
	cmd = [e.tool, "--redis", redis if redis is not None else e.redis_url, "--tmdb-base", e.tmdb,
		"--api-key", e.api_key]
	if timeout_ms:
		cmd += ["--timeout-ms", str(timeout_ms)]
	cmd += list(extra) + [str(a) for a in args]
	p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
	assert p.returncode == 0, p.stderr
	lines = [json.loads(x) for x in p.stdout.splitlines() if x.strip()]
	return lines if args[0] == "concurrent" else lines[-1]


def ttl_near(e, key, want):
	t = e.redis.cmd("TTL", key)
	assert want - 5 <= t <= want, "%s TTL %s, want ~%d" % (key, t, want)


# ---------- keys, TTLs, hits ----------

@pytest.mark.smoke
def test_details_key_ttl_and_no_second_call(env):
	i = fresh_id()
	r = tool(env, "details", i)
	assert r["status"] == "ok" and r["data"]["id"] == i
	d = r["data"]
	assert isinstance(d["title"], str) and isinstance(d["vote_average"], float)
	assert d["runtime"] is None or isinstance(d["runtime"], int)
	assert isinstance(d["genres"], list) and isinstance(d["origin_country"], list)
	assert "cast" in d["credits"] and "results" in d["videos"]
	key = "movie_%d_details" % i
	ttl_near(env, key, 86400)
	ttl_near(env, "stale:" + key, 7 * 86400)
	assert json.loads(env.redis.cmd("GET", key))["id"] == i
	assert calls(env, "/3/movie/%d" % i) == 1
	r = tool(env, "details", i)
	assert r["status"] == "ok" and r["data"] == d
	assert calls(env, "/3/movie/%d" % i) == 1


def test_list_keys_and_ttls(env):
	# Earlier test files may have cached these: start from nothing so each TTL is fresh.
	for k in ("movie_rec:trending_movies", "movie_rec:trending_movies:week:2", "movie_rec:genres",
	          "movie_rec:discover:28:1", "movie_rec:configuration"):
		env.redis.cmd("DEL", k)
	r = tool(env, "trending", "day", 1)
	assert r["status"] == "ok" and r["data"]["page"] == 1
	assert r["data"]["total_pages"] <= 500
	ttl_near(env, "movie_rec:trending_movies", 3600)
	r = tool(env, "trending", "week", 2)
	assert r["status"] == "ok"
	ttl_near(env, "movie_rec:trending_movies:week:2", 3600)
	i = fresh_id()
	assert tool(env, "recs", i, 1)["status"] == "ok"
	ttl_near(env, "movie_rec:recommendations_%d" % i, 3600)
	assert tool(env, "recs", i, 2)["status"] == "ok"
	ttl_near(env, "movie_rec:recommendations_%d:2" % i, 3600)
	before = calls(env, "/3/movie/%d/recommendations" % i)
	assert tool(env, "recs", i, 1)["status"] == "ok"
	assert calls(env, "/3/movie/%d/recommendations" % i) == before
	assert tool(env, "similar", i, 1)["status"] == "ok"
	ttl_near(env, "movie_rec:similar_%d:1" % i, 86400)
	assert tool(env, "genres")["status"] == "ok"
	ttl_near(env, "movie_rec:genres", 7 * 86400)
	assert tool(env, "discover", 28, 1)["status"] == "ok"
	ttl_near(env, "movie_rec:discover:28:1", 6 * 3600)
	r = tool(env, "configuration")
	assert r["status"] == "ok" and r["data"]["images"]["secure_base_url"]
	ttl_near(env, "movie_rec:configuration", 3 * 86400)


def test_search_key(env):
	import hashlib
	q = "Fight  CLUB %d" % fresh_id()
	norm = " ".join(q.split()).lower()
	key = "movie_rec:search:" + hashlib.sha1(
		("query=%s&year=0&page=1&language=en-US" % norm).encode()).hexdigest()
	env.redis.cmd("DEL", key)
	r = tool(env, "search", q, 0, 1)
	assert r["status"] == "ok" and isinstance(r["data"]["results"], list)
	ttl_near(env, key, 3600)
	r = tool(env, "search", "fight club", 1999, 1)
	assert r["status"] == "ok"
	assert any(m["id"] == 550 for m in r["data"]["results"])


def test_bad_requests_make_no_call(env):
	before = control(env, "GET", "/stats")["total"]
	assert tool(env, "trending", "day", 0)["status"] == "bad_request"
	assert tool(env, "trending", "day", 501)["status"] == "bad_request"
	assert tool(env, "trending", "month", 1)["status"] == "bad_request"
	assert tool(env, "details", 0)["status"] == "bad_request"
	assert tool(env, "search", "   ", 0, 1)["status"] == "bad_request"
	assert control(env, "GET", "/stats")["total"] == before


def test_not_found_is_negative_cached(env):
	i = 2999999 - _ids.randint(0, 900000)	# outside the stand-in's catalogue
	r = tool(env, "details", i)
	assert r["status"] == "not_found" and r["data"] is None
	ttl_near(env, "notfound:movie_%d_details" % i, 3600)
	assert tool(env, "details", i)["status"] == "not_found"
	assert calls(env, "/3/movie/%d" % i) == 1


# ---------- single flight and concurrency ----------

def test_single_flight_one_call(env):
	i = fresh_id()
	control(env, "POST", "/faults", {"latency_ms": 200, "path_prefix": "/3/movie/%d" % i})
	out = tool(env, "concurrent", 10, i)
	assert len(out) == 10
	assert all(o["status"] == "ok" and o["data"]["id"] == i for o in out), out
	assert calls(env, "/3/movie/%d" % i) == 1


def test_details_many_concurrent(env):
	ids = [fresh_id() for _ in range(20)]
	control(env, "POST", "/faults", {"latency_ms": 100, "path_prefix": "/3/movie/"})
	r = tool(env, "details-many", *ids)
	assert r["status"] == "ok", r["statuses"]
	assert [m["id"] for m in r["data"]] == ids
	for i in ids:
		assert calls(env, "/3/movie/%d" % i) == 1
	# 20 sequential calls would take 2000 ms; 8 at a time take about 3 round trips.
	assert r["elapsed_ms"] < 1000, r["elapsed_ms"]
	control(env, "DELETE", "/faults")
	r = tool(env, "details-many", *ids)
	assert r["status"] == "ok" and r["elapsed_ms"] < 100
	for i in ids:
		assert calls(env, "/3/movie/%d" % i) == 1


# ---------- TMDb faults ----------

FAULTS = {
	"latency": {"latency_ms": 1500},
	"429": {"status": 429, "retry_after": 1},
	"500": {"status": 500},
	"malformed": {"malformed": True},
	"drop": {"drop": True},
}
BOUND_MS = 2 * TIMEOUT_MS + RETRY_AFTER_CAP_MS + SLACK_MS


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_fault_unavailable_when_cold(env, name):
	i = fresh_id()
	control(env, "POST", "/faults", dict(FAULTS[name], path_prefix="/3/movie/%d" % i))
	t0 = time.monotonic()
	r = tool(env, "details", i, timeout_ms=TIMEOUT_MS)
	wall = (time.monotonic() - t0) * 1000
	assert r["status"] == "unavailable" and r["data"] is None
	assert r["elapsed_ms"] <= 2 * TIMEOUT_MS + RETRY_AFTER_CAP_MS + 200
	assert wall < BOUND_MS
	assert calls(env, "/3/movie/%d" % i) == 2		# exactly one retry
	assert env.redis.cmd("EXISTS", "movie_%d_details" % i) == 0


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_fault_serves_stale(env, name):
	i = fresh_id()
	key = "movie_%d_details" % i
	assert tool(env, "details", i)["status"] == "ok"
	env.redis.cmd("DEL", key)			# expired, but the stale copy remains
	control(env, "POST", "/faults", dict(FAULTS[name], path_prefix="/3/movie/%d" % i))
	r = tool(env, "details", i, timeout_ms=TIMEOUT_MS)
	assert r["status"] == "stale" and r["data"]["id"] == i
	assert r["elapsed_ms"] <= 2 * TIMEOUT_MS + RETRY_AFTER_CAP_MS + 200
	if name == "429":
		# a stale copy is served at once rather than waiting out Retry-After
		assert r["elapsed_ms"] < 300
	control(env, "DELETE", "/faults")
	# Cool-down: the failed refresh keeps its lock, so the next reader gets the stale copy at
	# once instead of waiting on TMDb again.
	before = calls(env, "/3/movie/%d" % i)
	r = tool(env, "details", i)
	assert r["status"] == "stale" and r["elapsed_ms"] < 300
	assert calls(env, "/3/movie/%d" % i) == before
	# When the lock expires (deleted here rather than waited for), the next read refreshes.
	env.redis.cmd("DEL", "lock:" + key)
	r = tool(env, "details", i)
	assert r["status"] == "ok"
	ttl_near(env, key, 86400)


def test_429_waits_retry_after_then_succeeds(env):
	i = fresh_id()
	control(env, "POST", "/faults", {"status": 429, "retry_after": 1, "count": 1,
		"path_prefix": "/3/movie/%d" % i})
	r = tool(env, "details", i)
	assert r["status"] == "ok"
	assert 900 <= r["elapsed_ms"] < 1800
	assert calls(env, "/3/movie/%d" % i) == 2


def test_500_then_retry_succeeds(env):
	i = fresh_id()
	control(env, "POST", "/faults", {"status": 500, "count": 1, "path_prefix": "/3/movie/%d" % i})
	r = tool(env, "details", i)
	assert r["status"] == "ok" and 150 <= r["elapsed_ms"] < 1000


# ---------- Redis outage ----------

def test_redis_outage_and_recovery(env):
	r = PrivateRedis(env.tmp)
	r.start()
	red = Redis(r.url)
	a, b, c, d = (fresh_id() for _ in range(4))
	try:
		sh = subprocess.Popen([env.tool, "--redis", r.url, "--tmdb-base", env.tmdb,
			"--api-key", env.api_key, "shell"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
			stderr=subprocess.PIPE, text=True)

		def ask(line):
			sh.stdin.write(line + "\n")
			sh.stdin.flush()
			return json.loads(sh.stdout.readline())

		assert ask("details %d" % a)["status"] == "ok"
		assert red.cmd("EXISTS", "movie_%d_details" % a) == 1
		r.kill()
		for i in (b, c):
			for _ in range(3):
				out = ask("details %d" % i)
				assert out["status"] == "ok" and out["data"]["id"] == i
		# a separate process with Redis down works too
		out = tool(env, "details", d, redis=r.url)
		assert out["status"] == "ok"
		r.start()
		time.sleep(1.2)		# past the reconnect interval
		assert ask("details %d" % b)["status"] == "ok"
		assert red.cmd("EXISTS", "movie_%d_details" % b) == 1
		sh.stdin.close()
		sh.wait(10)
		err = sh.stderr.read()
		assert err.count("redis unavailable") == 1, err
		assert "redis is back" in err
	finally:
		r.kill()
