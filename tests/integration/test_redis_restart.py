"""test_redis_restart.py: a restarted Redis costs no cache miss: each worker's stale connection is replaced within the command that meets it."""
# Runs under tests/run-integration.sh; restarts only the private stack's Redis (stack_control.py).

import os
from concurrent.futures import ThreadPoolExecutor

import redis
import requests

from stack_control import start_redis, stop_redis


def tmdb_calls(standin_url):
    return sum(requests.get(standin_url + "/__standin/stats", timeout=10).json()["by_path"].values())


def worker_connections(r):
    """Clients connected to Redis but this test's own."""
    return r.info("clients")["connected_clients"] - 1


def test_restarted_redis_next_cached_page_on_every_worker_asks_tmdb_nothing(site_url, standin_url):
    workers = int(os.environ.get("WORKERS", "4"))
    anon = requests.Session()
    for _ in range(2 * workers):                 # every worker connected, the page cached
        assert anon.get(site_url + "/movie/550", timeout=10).status_code == 200
    r = redis.Redis.from_url(os.environ["REDIS_URL"])
    # Redis runs without persistence here: keep the cache to put it back after the restart,
    # so that a miss can only come from a worker's stale connection.
    saved = [(k, r.pttl(k), r.dump(k)) for k in r.keys("*")]
    assert saved
    r.close()
    stop_redis()
    start_redis()
    r = redis.Redis.from_url(os.environ["REDIS_URL"])
    for k, ttl, v in saved:
        r.restore(k, max(ttl, 0), v, replace=True)
    assert worker_connections(r) == 0            # every worker's connection is now stale
    before = tmdb_calls(standin_url)
    # Bursts as wide as the pool, so every worker serves (and meets its stale connection).
    rounds = 0
    while worker_connections(r) < workers and rounds < 40:
        with ThreadPoolExecutor(workers * 2) as pool:
            codes = list(pool.map(lambda _: requests.get(site_url + "/movie/550", timeout=10).status_code,
                                  range(workers * 2)))
        assert codes == [200] * len(codes), codes
        rounds += 1
    print(f"every worker reconnected after {rounds} round(s) of {workers * 2} requests")
    assert worker_connections(r) >= workers
    assert tmdb_calls(standin_url) == before
