"""test_process_edges.py: the master and its workers at their edges: stops under load, crash reports and back-off, failed reloads."""
# Runs under tests/run-integration.sh. Signals go only to the private stack's own master and
# workers (found by its pid file); load is a few Python threads on loopback, bounded in time.

import os
import random
import signal
import subprocess
import threading
import time

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def master_pid():
    with open(os.path.join(os.environ["STATE_DIR"], "run", "fcgi.pid")) as f:
        return int(f.read().strip())


def worker_pids():
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master_pid())], capture_output=True,
                         text=True).stdout.split()
    return [int(p) for p in out]


def signal_worker(pid, sig):
    """A worker listed a moment ago may have exited since (recycled, or replaced after the
    previous signal): that one needs no signal."""
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def fcgi_log_from(offset):
    with open(os.path.join(os.environ["STATE_DIR"], "log", "fcgi.log"), errors="replace") as f:
        f.seek(offset)
        return f.read()


def fcgi_log_size():
    return os.path.getsize(os.path.join(os.environ["STATE_DIR"], "log", "fcgi.log"))


def wait_for_workers(n, timeout=15):
    deadline = time.monotonic() + timeout
    while len(worker_pids()) < n and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(worker_pids()) >= n


def test_sigterm_to_workers_under_load_drops_no_request(site):
    workers = len(worker_pids())
    statuses, stop = [], threading.Event()

    def load():
        s = requests.Session()
        while not stop.is_set():
            for path in ("/movie/550", "/", "/healthz", "/search?q=fight"):
                # A dropped connection is a dropped request: kept as a failure, the thread goes on.
                try:
                    statuses.append(s.get(site + path, timeout=30).status_code)
                except requests.RequestException as e:
                    statuses.append(f"{path}: {type(e).__name__}")

    threads = [threading.Thread(target=load) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        t_end = time.monotonic() + 6
        while time.monotonic() < t_end:
            pids = worker_pids()
            if pids:
                signal_worker(random.choice(pids), signal.SIGTERM)
            time.sleep(0.15)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert len(statuses) > 50
    # Every answer a 200 (each path serves one): no 5xx, no exception.
    assert set(statuses) == {200}, {s: statuses.count(s) for s in set(statuses)}
    wait_for_workers(workers)


def test_crashed_worker_is_named_with_its_request_and_crash_loops_back_off(site, standin_url):
    workers = len(worker_pids())
    movie = random.randint(1_100_000, 1_999_999)
    requests.post(standin_url + "/__standin/faults", json={
        "latency_ms": 4000, "path_prefix": f"/3/movie/{movie}", "count": 1}, timeout=5).raise_for_status()
    offset = fcgi_log_size()
    slow = threading.Thread(target=lambda: requests.get(f"{site}/movie/{movie}", timeout=30))
    slow.start()
    try:
        time.sleep(1)
        for pid in worker_pids():
            signal_worker(pid, signal.SIGABRT)
    finally:
        slow.join(30)
        requests.delete(standin_url + "/__standin/faults", timeout=5)
    wait_for_workers(workers)
    log = fcgi_log_from(offset)
    assert f"(Aborted) while serving GET /movie/{movie}" in log, log[-2000:]
    assert "workers keep crashing" in log
    assert requests.get(site + "/movie/550", timeout=30).status_code == 200


def test_failed_reload_keeps_the_running_workers(site):
    before = sorted(worker_pids())
    broken = os.path.join(ROOT, "fcgi", "templates", "zz_reload_test_broken.mustache")
    offset = fcgi_log_size()
    with open(broken, "w") as f:
        f.write("{{#never_closed}}\n")
    try:
        os.kill(master_pid(), signal.SIGHUP)
        deadline = time.monotonic() + 10
        while "reload failed" not in fcgi_log_from(offset) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        os.unlink(broken)
    log = fcgi_log_from(offset)
    assert "reload failed" in log and "zz_reload_test_broken.mustache" in log, log[-2000:]
    time.sleep(0.5)
    assert sorted(worker_pids()) == before
    assert requests.get(site + "/", timeout=30).status_code == 200


def test_a_worker_killed_mid_hash_gives_its_place_back(site):
    """The cap on password hashes at once (common/hashgate.c) must not lose a place to a dead worker."""
    workers = len(worker_pids())
    username, password = "edge_" + os.urandom(5).hex(), "Pw-" + os.urandom(12).hex()
    r = requests.post(site + "/api/v1/auth/register/", json={
        "username": username, "password": password, "password2": password,
        "email": username + "@example.com"}, timeout=60)
    assert r.status_code == 201, r.text
    login = lambda: requests.post(site + "/api/v1/auth/login/", timeout=60,  # noqa: E731
                                  json={"username": username, "password": password})
    stop = threading.Event()

    def flood():
        while not stop.is_set():
            try:
                login()
            except requests.RequestException:
                pass

    threads = [threading.Thread(target=flood) for _ in range(8)]
    for t in threads:
        t.start()
    try:
        time.sleep(1.5)     # every place taken, over and over
        for pid in worker_pids():
            signal_worker(pid, signal.SIGKILL)
    finally:
        stop.set()
        for t in threads:
            t.join(60)
    # The master backs off after crashes in a row (up to seconds): wait for the workers, while
    # no other login runs. A place lost to a dead worker would leave 429s for ever.
    deadline, seen = time.monotonic() + 60, []
    while time.monotonic() < deadline and (not seen or seen[-1] != 200):
        seen.append(login().status_code)
        time.sleep(0.5)
    assert seen[-1] == 200, seen
    wait_for_workers(workers)
    for _ in range(2):
        assert login().status_code == 200
