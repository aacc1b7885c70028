"""openapi_proxy.py: the API tests' validating proxy: Stoplight's Prism between client and site, so an answer the OpenAPI document does not describe fails the test that got it."""
import json
import os
import pathlib
import socket
import subprocess
import time

import pytest

from support import npm_ci

ROOT = pathlib.Path(__file__).resolve().parents[2]
BROWSER_DIR = ROOT / "tests" / "browser"
DOCUMENT = ROOT / "common" / "data" / "openapi.json"
PRISM = BROWSER_DIR / "node_modules" / ".bin" / "prism"
CHECKED = "openapi-checked.tsv"  # in STATE_DIR: every answer checked in this run


def node_major():
    """The major version of the node on PATH (0 without one)."""
    try:
        out = subprocess.run(["node", "--version"], capture_output=True, text=True, timeout=30).stdout
        return int(out.strip().lstrip("v").split(".")[0])
    except (OSError, ValueError, subprocess.SubprocessError):
        return 0


# Prism 5.16 (the pinned version) needs node 20 or later; Debian 12's own nodejs is 18.
PRISM_NODE_MAJOR = 20


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ValidatingProxy:
    """`prism proxy` (pinned in tests/browser/package-lock.json) in front of the site.

    Prism forwards every request and names what the document does not describe in an
    `sl-violations` header. Request violations are the tests' own bad input, on purpose;
    a violation in the response is the site's (or the document's) fault and fails the test.
    Without --errors, so the site's own 4xx for bad input still comes back.
    """

    def __init__(self, site):
        npm_ci(BROWSER_DIR, "@stoplight/prism-cli")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.checked = []  # (method, path, status) of every answer checked against the document
        log = pathlib.Path(os.environ.get("TEST_OUTPUT") or ROOT / "tests" / "output") / "prism.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        self.log = open(log, "a")
        self.proc = subprocess.Popen([str(PRISM), "proxy", str(DOCUMENT), site, "--host", "127.0.0.1",
                                      "--port", str(self.port)], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"prism exited; see {log}"
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        self.close()
        pytest.fail(f"prism did not start listening within 60 s; see {log}")

    def check(self, response, *args, **kwargs):
        """A requests response hook: fails on any violation Prism found in the answer."""
        found = json.loads(response.headers.get("sl-violations", "[]"))
        wrong = [v for v in found if v.get("location", [""])[0] == "response"]
        request = response.request
        assert not wrong, (f"{request.method} {request.path_url} answered {response.status_code} "
                           f"{response.text[:300]!r}, which the OpenAPI document does not describe: {wrong}")
        self.checked.append((request.method, request.path_url, response.status_code))
        if os.environ.get("STATE_DIR"):  # the whole run's record (after_all_openapi.py reads it)
            with open(pathlib.Path(os.environ["STATE_DIR"]) / CHECKED, "a") as f:
                f.write(f"{request.method}\t{request.path_url}\t{response.status_code}\n")
        return response

    def close(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()
