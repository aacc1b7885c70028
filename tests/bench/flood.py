"""flood.py: what one address's floods (uploads, preview re-fetches, unknown movie ids) cost another visitor: median and p90 of a logged-in GET /movie/550 from another address during each.

Runs against a stack already up (make start, tests/bench/run.sh with BENCH_KEEP=1, or a private
one: STATE_DIR=... deploy/stack.sh start). The attacker speaks from 127.0.0.2, the measured visitor
from 127.0.0.3 (both loopback). Each phase floods for SECONDS with THREADS connections while the
visitor fetches /movie/550 one request after another; a quiet phase first gives the baseline.
It prints figures; it does not pass or fail.

Usage: /usr/bin/python3 tests/bench/flood.py STATE_DIR [SECONDS] [THREADS]
"""
import os
import random
import statistics
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, os.path.join(ROOT, "tests", "bench"))
from worker_cost import stack_env  # noqa: E402

ATTACKER, VICTIM = "127.0.0.2", "127.0.0.3"


def browser(address):
    from support import Visitor
    return Visitor(source_address=address).signed_up()


def upload(v, body, filename="flood.csv"):
    return v.s.post(v.site + "/import", data={"list": "favorites", "csrfmiddlewaretoken": v.token("/import")},
                    files={"file": (filename, body, "text/csv")}, headers={"Origin": v.site},
                    allow_redirects=False, timeout=120)


def matched_import(v, rows=5000):
    """A 5,000-row import matched to its preview (300 distinct synthetic movies): its address."""
    body = ("Name,Year,tmdbID\n" + "".join(f"Synthetic Movie {1000000 + i % 300},,{1000000 + i % 300}\n"
                                           for i in range(rows))).encode()
    r = upload(v, body, "big.csv")
    assert r.status_code == 303, (r.status_code, r.text[:300])
    job = r.headers["Location"]
    for _ in range(600):
        page = v.get(job)
        if page.status_code == 200 and 'http-equiv="refresh"' not in page.text:
            return job
        time.sleep(0.2)
    raise SystemExit("flood: the 5,000-row import never finished")


def measure(victim, stop):
    """The victim's /movie/550 latencies (s) until stop is set."""
    out, codes = [], Counter()
    while not stop.is_set():
        t0 = time.monotonic()
        r = victim.s.get(victim.site + "/movie/550", timeout=60)
        out.append(time.monotonic() - t0)
        codes[r.status_code] += 1
    return out, codes


def flood(make_request, seconds, threads):
    """Runs make_request() from threads threads for seconds while the victim is measured."""
    stop, codes = threading.Event(), Counter()
    lock = threading.Lock()

    def loop():
        while not stop.is_set():
            try:
                status = make_request()
            except Exception as e:  # a refused or reset connection is an answer too
                status = type(e).__name__
            with lock:
                codes[status] += 1

    with ThreadPoolExecutor(threads + 1) as pool:
        victim_run = pool.submit(measure, VISITOR, stop)
        for _ in range(threads):
            pool.submit(loop)
        time.sleep(seconds)
        stop.set()
        lat, vcodes = victim_run.result()
    return lat, vcodes, codes


def p(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))] if s else float("nan")


def report(name, lat, vcodes, codes):
    print(f"{name:<28} n={len(lat):5d}  median={statistics.median(lat) * 1000:7.1f} ms  "
          f"p90={p(lat, 0.9) * 1000:7.1f} ms  victim={dict(vcodes)}  attacker={dict(codes)}", flush=True)


def main():
    global VISITOR
    state = sys.argv[1]
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 10.0
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 12
    env = stack_env(state)
    os.environ["SITE_URL"] = env["SITE_URL"]
    VISITOR = browser(VICTIM)
    VISITOR.get("/movie/550")
    uploader, fetcher = browser(ATTACKER), browser(ATTACKER)
    print(f"flood: preparing a matched 5,000-row import ({env['SITE_URL']})", flush=True)
    job = matched_import(fetcher)
    anon = __import__("support").Browser(env["SITE_URL"], source_address=ATTACKER)
    one_mb = b"Name,Year\n" + b"".join(b"Some Film %07d,1999\n" % i for i in range(50000))
    phases = [
        ("quiet (baseline)", None),
        ("(a) uploads of 1 MB", lambda: upload(uploader, one_mb).status_code),
        ("(b) 5,000-row preview GETs", lambda: fetcher.s.get(fetcher.site + job, timeout=60).status_code),
        ("(c) unknown movie ids", lambda: anon.s.get(
            f"{anon.site}/movie/{random.randint(3_000_000, 9_000_000)}", timeout=60).status_code),
    ]
    print(f"flood: {seconds:.0f} s a phase, {threads} attacker connections from {ATTACKER}; "
          f"logged-in GET /movie/550 from {VICTIM}", flush=True)
    for name, req in phases:
        if req is None:
            stop = threading.Event()
            threading.Timer(seconds, stop.set).start()
            lat, vcodes = measure(VISITOR, stop)
            report(name, lat, vcodes, Counter())
        else:
            report(name, *flood(req, seconds, threads))


if __name__ == "__main__":
    main()
