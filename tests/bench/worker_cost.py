"""worker_cost.py: instructions per request of one worker under callgrind, for before/after comparisons.

Wall-clock and CPU-time figures move with other load on a shared machine; the instructions a
worker executes for a request do not. Runs build/movies-fcgi (one worker) under
valgrind --tool=callgrind on a private socket beside a running stack (make bench with BENCH_KEEP=1,
or make start): for each target, one run of WARMUP requests and one of WARMUP + N, from the
worker's start to its exit; the difference over N is the worker's user-space instructions per
request (kernel time is not counted). BUILD_DIR picks the build (compare two checkouts).

Usage: /usr/bin/python3 tests/bench/worker_cost.py STATE_DIR [N] -- LABEL=PATH|COOKIE|AUTHORIZATION ...
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import fcgi_client  # noqa: E402

WARMUP = 30


def stack_env(state):
    out = {}
    with open(os.path.join(state, "stack.env")) as f:
        for line in f:
            m = re.match(r"^(?:export )?([A-Z_]+)=(.*)$", line.strip())
            if m:
                out[m.group(1)] = m.group(2).strip("'\"")
    return out


def worker_pid(master):
    for _ in range(100):
        out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout.split()
        if out:
            return int(out[0])
        time.sleep(0.1)
    raise SystemExit("worker_cost: no worker under valgrind")


def call(path, uri, cookie, auth):
    headers = {}
    if cookie:
        headers["HTTP_COOKIE"] = cookie
    if auth:
        headers["HTTP_AUTHORIZATION"] = auth
    r = fcgi_client.request(path, "GET", uri, b"", headers)
    if r.status != 200:
        raise SystemExit(f"worker_cost: {uri} answered {r.status}")


def total_ir(outfile):
    with open(outfile) as f:
        for line in f:
            if line.startswith("summary:") or line.startswith("totals:"):
                return int(line.split()[1])
    raise SystemExit(f"worker_cost: no totals in {outfile}")


def run_worker(state, se, build, uri, cookie, auth, n):
    """The worker's instructions for WARMUP + n requests, from start to exit."""
    vdir = os.path.join(state, "callgrind")
    shutil.rmtree(vdir, ignore_errors=True)
    os.makedirs(vdir)
    sock_path = os.path.join(vdir, "fcgi.sock")
    # The stack's own settings (its stack.env), one worker that is never recycled.
    env = dict(se, PATH=os.environ["PATH"], WORKERS="1", MAX_REQUESTS="0", LOG_LEVEL="warn",
               TEMPLATE_DIR=os.path.join(ROOT, "fcgi", "templates"), DATA_DIR=os.path.join(ROOT, "common", "data"),
               STATIC_URL="/static", ALLOWED_HOSTS="127.0.0.1,localhost")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(sock_path)
    listener.listen(64)
    with open(os.path.join(vdir, "program.log"), "w") as log:
        proc = subprocess.Popen(["valgrind", "--tool=callgrind",
                                 "--callgrind-out-file=" + os.path.join(vdir, "cg.%p"),
                                 os.path.join(build, "movies-fcgi")],
                                stdin=listener.fileno(), stdout=log, stderr=log, env=env)
        listener.close()
        try:
            pid = worker_pid(proc.pid)
            for _ in range(WARMUP + n):
                call(sock_path, uri, cookie, auth)
        finally:
            proc.terminate()
            proc.wait()
    return total_ir(os.path.join(vdir, f"cg.{pid}"))


def main():
    if len(sys.argv) < 3 or "--" not in sys.argv:
        print(__doc__, file=sys.stderr)
        return 2
    state = sys.argv[1]
    sep = sys.argv.index("--")
    n = int(sys.argv[2]) if sep > 2 else 100
    se = stack_env(state)
    build = os.environ.get("BUILD_DIR", os.path.join(ROOT, "build"))
    for label, spec in (a.split("=", 1) for a in sys.argv[sep + 1:]):
        uri, cookie, auth = (spec.split("|") + ["", ""])[:3]
        # Start-up and exit cancel out in the difference of a short and a long run.
        short = run_worker(state, se, build, uri, cookie, auth, 0)
        long = run_worker(state, se, build, uri, cookie, auth, n)
        print(f"COST {label} requests={n} instructions_per_request={(long - short) // n}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
