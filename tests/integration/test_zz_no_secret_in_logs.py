"""test_zz_no_secret_in_logs.py: after every other test file, no secret in any log of the stack.

Named to sort last (tests/run-integration.sh runs the files in name order), so the lines the
fault tests provoke (PostgreSQL and Redis restarts, killed workers, refused tokens) are scanned
too. Secrets: the stack's own (SECRET_KEY, the database and Redis passwords, the TMDb key and
token), those test_logs.py made and kept (passwords, CSRF tokens, session keys, JWTs), every
session key still in django_session, and anything shaped like a JWT.
"""
import json
import os
import re
from urllib.parse import urlsplit

import psycopg2
import pytest

JWT = re.compile(rb"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{20,}")
SESSION_KEY = re.compile(rb"(?<![a-z0-9])[a-z0-9]{32}(?![a-z0-9])")


def logs():
    """{path: bytes} of every file under the stack's log directory."""
    state = os.environ.get("STATE_DIR")
    if not state:
        pytest.skip("STATE_DIR is not set: run through tests/run-integration.sh")
    out = {}
    for root, _, files in os.walk(os.path.join(state, "log")):
        for name in files:
            with open(os.path.join(root, name), "rb") as f:
                out[os.path.join(root, name)] = f.read()
    return out


def stack_secrets():
    secrets = {"SECRET_KEY": os.environ.get("SECRET_KEY")}
    for name in ("DATABASE_URL", "DATABASE_DIRECT_URL", "REDIS_URL"):
        if os.environ.get(name):
            secrets[name + " password"] = urlsplit(os.environ[name]).password
    for name in ("TMDB_API_KEY", "TMDB_READ_TOKEN"):
        secrets[name] = os.environ.get(name)
    try:
        with open(os.path.join(os.environ["STATE_DIR"], "secrets-seen.json")) as f:
            secrets.update(json.load(f))
    except OSError:
        pass
    return {k: v for k, v in secrets.items() if v}


def test_no_stack_or_test_secret_in_any_log():
    found = []
    texts = logs()
    assert any(p.endswith("fcgi.log") for p in texts) and any(p.endswith("nginx-access.log") for p in texts)
    for what, value in stack_secrets().items():
        assert len(value) >= 8, what
        found += [(what, p) for p, text in texts.items() if value.encode() in text]
    assert not found, found


def test_no_session_key_or_jwt_in_any_log(database_url):
    with psycopg2.connect(database_url) as db, db.cursor() as cur:
        cur.execute("SELECT session_key FROM django_session")
        keys = {k.encode() for (k,) in cur.fetchall()}
    assert keys, "the suite left no session to look for"
    found = []
    for path, text in logs().items():
        found += [(path, "session key", k) for k in set(SESSION_KEY.findall(text)) & keys]
        found += [(path, "JWT", t[:40]) for t in set(JWT.findall(text))]
    assert not found, found
