"""test_prometheus.py: the demo: a real Prometheus (make prometheus) scrapes the local stack's /metrics."""
import os
import socket
import subprocess
import time

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def query(port, q):
    r = requests.get(f"http://127.0.0.1:{port}/api/v1/query", params={"query": q}, timeout=5)
    r.raise_for_status()
    return r.json()["data"]["result"]


def test_prometheus_scrapes_the_stack(site):
    port = free_port()
    env = dict(os.environ, PROMETHEUS_PORT=str(port), SCRAPE_INTERVAL="1s")
    log = open(os.path.join(os.environ["STATE_DIR"], "log", "prometheus.log"), "w")
    proc = subprocess.Popen([os.path.join(ROOT, "deploy", "prometheus.sh")], env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    try:
        up = built = []
        for _ in range(120):
            time.sleep(0.5)
            try:
                up = query(port, 'up{job="movies"}')
                built = query(port, "movies_build_info")
            except requests.RequestException:
                continue
            if up and up[0]["value"][1] == "1" and built:
                break
        assert up and up[0]["value"][1] == "1", open(log.name).read()
        assert built and built[0]["metric"]["commit"]
        # A scrape is counted when it ends, so the first one shows only in the next: wait for it.
        counted = []
        for _ in range(20):
            counted = query(port, 'movies_http_requests_total{route="/metrics",status="200"}')
            if counted:
                break
            time.sleep(0.5)
        assert counted
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
