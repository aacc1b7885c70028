"""worker_cost.py: instructions per request of one worker under callgrind, for before/after comparisons.

Wall-clock and CPU-time figures move with other load on a shared machine; the instructions a
worker executes for a request do not. Runs build/movies-fcgi (one worker) under
valgrind --tool=callgrind on a private socket beside a running stack (make bench with BENCH_KEEP=1,
or make start), sends WARMUP requests, zeroes the counters, sends N more, dumps them and prints
the worker's user-space instructions per request for each target.

Usage: /usr/bin/python3 tests/bench/worker_cost.py STATE_DIR [N] -- LABEL PATH [COOKIE [AUTHORIZATION]] ...
       (targets as repeated "LABEL=PATH|COOKIE|AUTHORIZATION" arguments)
"""
import glob
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


def main():
    if len(sys.argv) < 3 or "--" not in sys.argv:
        print(__doc__, file=sys.stderr)
        return 2
    state = sys.argv[1]
    sep = sys.argv.index("--")
    n = int(sys.argv[2]) if sep > 2 else 200
    targets = [a.split("=", 1) for a in sys.argv[sep + 1:]]
    se = stack_env(state)
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
    build = os.environ.get("BUILD_DIR", os.path.join(ROOT, "build"))
    log = open(os.path.join(vdir, "program.log"), "w")
    proc = subprocess.Popen(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + os.path.join(vdir, "cg.%p"),
                             os.path.join(build, "movies-fcgi")],
                            stdin=listener.fileno(), stdout=log, stderr=log, env=env)
    listener.close()
    try:
        pid = worker_pid(proc.pid)
        for label, spec in targets:
            uri, cookie, auth = (spec.split("|") + ["", ""])[:3]
            for _ in range(WARMUP):
                call(sock_path, uri, cookie, auth)
            subprocess.run(["callgrind_control", "-z", str(pid)], check=True, capture_output=True)
            for _ in range(n):
                call(sock_path, uri, cookie, auth)
            before = set(glob.glob(os.path.join(vdir, f"cg.{pid}*")))
            subprocess.run(["callgrind_control", "-d", label, str(pid)], check=True, capture_output=True)
            dumps = sorted(set(glob.glob(os.path.join(vdir, f"cg.{pid}*"))) - before, key=os.path.getmtime)
            ir = total_ir(dumps[-1])
            print(f"COST {label} requests={n} instructions_per_request={ir // n} dump={dumps[-1]}", flush=True)
    finally:
        proc.terminate()
        proc.wait()
        log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
