"""test_shared_breaker.py: a hung PostgreSQL never holds up the pages that need no database, with every worker busy on it when it hangs."""
# Runs under tests/run-integration.sh; pauses only the private stack's own PostgreSQL
# (stack_control.py). The breaker is shared by the workers (common/dbbreaker.c).

import os
import statistics
import threading
import time

import requests

from stack_control import pause_postgres, resume_postgres, setting
from test_dependency_failures import new_user, once_db_answers, statement_bound, timed


def test_hung_postgres_with_every_worker_logged_in_anonymous_search_stays_fast(site):
    workers = int(os.environ.get("WORKERS", "4"))
    b, _, _ = new_user(site)
    assert b.get("/favorites").status_code == 200
    anon = requests.Session()
    assert anon.get(site + "/search?q=fight", timeout=10).status_code == 200   # cached
    results, stop = [], threading.Event()

    def logged_in_load():
        """The visitor's list again and again: (finished at, status, seconds) for each."""
        while not stop.is_set():
            t0 = time.monotonic()
            status = requests.get(site + "/favorites", cookies={"sessionid": b.sessionid},
                                  allow_redirects=False, timeout=30).status_code
            results.append((time.monotonic(), status, time.monotonic() - t0))

    threads = [threading.Thread(target=logged_in_load) for _ in range(workers)]
    for t in threads:
        t.start()
    time.sleep(0.5)                      # as many logged-in requests in flight as workers
    pids = pause_postgres()
    paused_at = time.monotonic()
    try:
        time.sleep(0.05)                 # the in-flight ones are now waiting on PostgreSQL
        anon_times = []
        while time.monotonic() < paused_at + 8:
            r, took = timed(anon.get, site + "/search?q=fight", timeout=30)
            assert r.status_code == 200, r.status_code
            anon_times.append(took)
            time.sleep(0.05)
        stop.set()
        for t in threads:
            t.join(30)
    finally:
        resume_postgres(pids)
    during = [(status, took) for at, status, took in results if at > paused_at + 0.2]
    slow = [took for status, took in during if took > 1.0]
    print(f"anonymous /search with PostgreSQL hung and {workers} logged-in loaders on {workers} "
          f"workers: {len(anon_times)} requests, max {max(anon_times):.3f} s, "
          f"median {statistics.median(anon_times):.3f} s; logged-in answers during the hang: "
          f"{len(during)}, of which {len(slow)} took over 1 s (max "
          f"{max(took for _, took in during):.3f} s)")
    assert max(anon_times) < 2.0, max(anon_times)
    assert during and all(status == 503 for status, _ in during), sorted({s for s, _ in during})
    assert all(took < statement_bound() for _, took in during)
    # New logged-in requests fail at once while the breaker is open, not after their own deadline.
    assert len(slow) <= workers + len(during) // 4, (len(slow), len(during))
    # Recovery without a restart, within the breaker's longest wait.
    r = once_db_answers(lambda: b.get("/favorites"))
    assert r.status_code == 200
    deadline = time.monotonic() + setting("DB_BREAKER_MAX_MS", 8000) / 1000 + 10
    while time.monotonic() < deadline:
        codes = [b.get("/favorites").status_code for _ in range(2 * workers)]
        if codes == [200] * len(codes):
            break
        time.sleep(0.3)
    assert codes == [200] * len(codes), codes
