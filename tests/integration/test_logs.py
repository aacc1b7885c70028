"""test_logs.py: one log line per request (request id, route, status, duration, user id) and no secret in any log.

The secrets made here are also kept for test_zz_no_secret_in_logs.py, which scans every log of
the stack again once every other file (the fault tests' error lines too) has run."""
import json
import os
import re
import uuid

import pytest
import requests

from accounts_support import Browser

API = "/api/v1"


def log_dir():
    return os.path.join(os.environ["STATE_DIR"], "log")


def log_sizes():
    return {name: os.path.getsize(os.path.join(log_dir(), name)) for name in os.listdir(log_dir())}


def read_since(name, sizes):
    with open(os.path.join(log_dir(), name), "rb") as f:
        f.seek(sizes.get(name, 0))
        return f.read().decode("utf-8", "replace")


def pw():
    return "Pw-" + uuid.uuid4().hex


def token_of(html):
    m = re.search(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"', html)
    assert m
    return m.group(1)


@pytest.fixture(scope="module")
def secret_run(site):
    """Registrations, logins, token calls and a password change; returns (secrets, logs since)."""
    sizes = log_sizes()
    secrets = {"SECRET_KEY": os.environ["SECRET_KEY"]}
    if os.environ.get("TMDB_API_KEY"):
        secrets["TMDB_API_KEY"] = os.environ["TMDB_API_KEY"]
    if os.environ.get("TMDB_READ_TOKEN"):
        secrets["TMDB_READ_TOKEN"] = os.environ["TMDB_READ_TOKEN"]

    # The site's forms: register, log in (a wrong password first), change the password.
    name, first, second = "logs" + uuid.uuid4().hex[:10], pw(), pw()
    b = Browser(site)
    assert b.register(name, first).status_code == 303
    assert b.login(name, "Wrong-" + first).status_code == 400
    secrets["wrong password"] = "Wrong-" + first
    assert b.login(name, first).status_code == 303
    secrets["session key"] = b.sessionid
    secrets["csrf cookie"] = b.s.cookies.get("csrftoken")
    form_token = token_of(b.get("/account/password").text)
    secrets["csrf form token"] = form_token
    r = b.post("/account/password", {"old_password": first, "new_password1": second,
                                     "new_password2": second}, token=form_token)
    assert r.status_code == 303
    secrets["session key after the change"] = b.sessionid
    assert b.get("/favorites").status_code == 200
    secrets["password"], secrets["new password"] = first, second

    # The JSON API: register, log in, refresh, use the tokens.
    api_name, api_pw = "logsapi" + uuid.uuid4().hex[:8], pw()
    r = requests.post(site + API + "/auth/register/", json={"username": api_name, "password": api_pw,
                      "password2": api_pw, "email": f"{api_name}@example.com"}, timeout=30)
    assert r.status_code == 201
    r = requests.post(site + API + "/auth/login/", json={"username": api_name, "password": api_pw}, timeout=30)
    assert r.status_code == 200
    tokens = r.json()
    r = requests.post(site + API + "/auth/token/refresh/", json={"refresh": tokens["refresh"]}, timeout=30)
    assert r.status_code == 200
    refreshed = r.json()["access"]
    auth = {"Authorization": "Bearer " + refreshed}
    assert requests.post(site + API + "/auth/favorites/", json={"movie_id": 550}, headers=auth,
                         timeout=30).status_code in (200, 201)
    assert requests.get(site + API + "/auth/favorites/", headers=auth, timeout=30).status_code == 200
    assert requests.get(site + API + "/auth/favorites/", headers={"Authorization": "Bearer " + tokens["access"] + "x"},
                        timeout=30).status_code == 401
    secrets.update({"API password": api_pw, "access token": tokens["access"], "refresh token": tokens["refresh"],
                    "refreshed access token": refreshed})
    # A CSRF refusal is logged: its token must not be.
    bad = "a" * 32 + uuid.uuid4().hex
    assert b.post("/logout", {}, token=bad).status_code == 403
    secrets["refused csrf token"] = bad
    logs = {name: read_since(name, sizes) for name in os.listdir(log_dir())}
    keep_for_the_last_scan(secrets)
    return secrets, logs, b


def keep_for_the_last_scan(secrets):
    """Adds secrets to STATE_DIR/secrets-seen.json (outside the log directory), which
    test_zz_no_secret_in_logs.py reads after the whole suite."""
    path = os.path.join(os.environ["STATE_DIR"], "secrets-seen.json")
    try:
        with open(path) as f:
            kept = json.load(f)
    except OSError:
        kept = {}
    kept.update({"test_logs: " + k: v for k, v in secrets.items()})
    with open(path, "w") as f:
        json.dump(kept, f)


def test_no_secret_in_any_log(secret_run):
    secrets, logs, _ = secret_run
    assert "fcgi.log" in logs and "nginx-access.log" in logs and len(logs["fcgi.log"]) > 0
    for what, value in secrets.items():
        assert value and len(value) >= 8, what
        # The whole stack's logs, the older lines too.
        for name in os.listdir(log_dir()):
            with open(os.path.join(log_dir(), name), "rb") as f:
                assert value.encode() not in f.read(), f"{what} found in {name}"


def test_one_line_per_request_with_id_route_status_duration_user(secret_run):
    _, logs, b = secret_run
    ids = re.findall(r" req=([0-9a-f]{32})$", logs["nginx-access.log"], re.M)
    assert len(ids) >= 15
    lines = {}
    for line in logs["fcgi.log"].splitlines():
        m = re.search(r" INFO \[\d+\] req=([0-9a-f]{32}) (.*)$", line)
        if m:
            assert m.group(1) not in lines, f"two lines for one request:\n{lines.get(m.group(1))}\n{line}"
            lines[m.group(1)] = m.group(2)
    for rid in ids:
        assert rid in lines, f"request {rid} has no log line"
        assert re.fullmatch(r"[A-Z]+ \S+ \d{3} \d+ms route=\S+ user=(-|\d+)", lines[rid]), lines[rid]
    # A logged-in visitor's request names the user.
    favorites = [v for v in lines.values() if v.startswith("GET /favorites 200 ")]
    assert favorites and all(re.search(r" user=\d+$", v) for v in favorites)
    assert any(v.startswith("POST /api/v1/auth/favorites/ ") and re.search(r"route=/api/v1/auth/favorites/ user=\d+$", v)
               for v in lines.values())
