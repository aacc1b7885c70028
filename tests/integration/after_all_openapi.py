"""after_all_openapi.py: runs after every test file: each operation of the OpenAPI document was answered through the validating proxy, with a success and an error, somewhere in the run."""
import os
import pathlib
import re

import pytest
import requests

from openapi_proxy import CHECKED, PRISM_NODE_MAJOR, node_major

# Operations without an error answer a client can provoke (no body, no id, no token needed).
NO_ERROR_ANSWER = {("GET", "/api/v1/health-check/"), ("GET", "/api/v1/movies/trending/")}


def operations(site_url):
    doc = requests.get(site_url + "/api/schema/", timeout=30).json()
    return {(m.upper(), p) for p, item in doc["paths"].items() for m in item
            if m in ("get", "post", "put", "patch", "delete")}


def answers_by_operation(ops):
    found = {op: set() for op in ops}
    patterns = [(op, re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", op[1]) + "$")) for op in ops]
    for line in (pathlib.Path(os.environ["STATE_DIR"]) / CHECKED).read_text().splitlines():
        method, path, status = line.split("\t")
        for op, pattern in patterns:
            if op[0] == method and pattern.match(path.split("?")[0]):
                found[op].add(int(status))
    return found


def test_every_operation_answered_through_the_validating_proxy(site_url):
    if node_major() < PRISM_NODE_MAJOR:
        pytest.skip(f"node {node_major()} cannot run Prism (needs {PRISM_NODE_MAJOR}): nothing went through the proxy")
    found = answers_by_operation(operations(site_url))
    missing = sorted(op for op, statuses in found.items() if not any(200 <= s < 300 for s in statuses))
    assert not missing, f"operations never answered with a success through the validating proxy: {missing}"
    missing = sorted(op for op, statuses in found.items()
                     if op not in NO_ERROR_ANSWER and not any(400 <= s < 500 for s in statuses))
    assert not missing, f"operations never answered with an error through the validating proxy: {missing}"
