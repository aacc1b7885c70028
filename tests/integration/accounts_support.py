"""accounts_support.py: helpers for the account tests: the Django peer, rows, passwords (the client is support.Browser)."""
import base64
import hashlib
import json
import os
import pathlib
import secrets
import subprocess
import uuid

from support import CSRF_RE, Browser, SourceAddressAdapter, html_unescape, token_in  # noqa: F401 (shared)

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[1]
BAD_LOGIN = ("Please enter a correct username and password. Note that both fields may be "
             "case-sensitive.")
# Characters for random passwords: ASCII and non-ASCII (2-, 3- and 4-byte UTF-8).
PW_ASCII = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!#%*-_"
PW_OTHER = "éèüßøåñçÆŒдЖλΩ漢字中文€😀🎬"


def random_password(non_ascii=True, length=14):
    chars = [secrets.choice(PW_ASCII) for _ in range(length)]
    if non_ascii:
        for i in secrets.SystemRandom().sample(range(length), 4):
            chars[i] = secrets.choice(PW_OTHER)
    return "".join(chars)


def unique(prefix="acct"):
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def build_dir():
    b = pathlib.Path(os.environ.get("BUILD_DIR", "build"))
    return b if b.is_absolute() else REPO / b


class DjangoPeer:
    """Real Django 3.2 in a child process on the same database and SECRET_KEY (accounts_djserver)."""

    def __init__(self, session_engine="db", cache_key_prefix="", cache_version=1):
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", DJANGO_SESSION_ENGINE=session_engine,
                   DJANGO_CACHE_KEY_PREFIX=cache_key_prefix, DJANGO_CACHE_VERSION=str(cache_version))
        self.proc = subprocess.Popen(["/usr/bin/python3", str(HERE / "accounts_djserver.py")],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
                                     text=True, encoding="utf-8", cwd=str(HERE))

    def __call__(self, op, **kw):
        self.proc.stdin.write(json.dumps({"op": op, **kw}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, "the Django peer died (see stderr above)"
        out = json.loads(line)
        assert "error" not in out, out["error"]
        return out["result"]

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def without_tokens(html):
    return CSRF_RE.sub('name="csrfmiddlewaretoken" value="TOKEN"', html)


def set_cookies(response):
    """Every Set-Cookie line of a response, unmerged: {name: full header line}."""
    out = {}
    for line in response.raw.headers.getlist("Set-Cookie"):
        out[line.split("=", 1)[0].strip()] = line
    return out


def cookie_attrs(line):
    parts = [p.strip() for p in line.split(";")]
    attrs = {}
    for p in parts[1:]:
        k, _, v = p.partition("=")
        attrs[k.lower()] = v
    return parts[0].split("=", 1)[1], attrs


def pbkdf2_hash(password, iterations=1000):
    """A Django pbkdf2_sha256 hash made here (fast: few iterations, so a login re-hashes it)."""
    salt = uuid.uuid4().hex[:22]
    dk = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    return f"pbkdf2_sha256${iterations}${salt}${base64.b64encode(dk).decode()}"


def insert_user(conn, username, password_hash, is_active=True, email=None):
    """A user row as Django's createuser would leave it; returns its id."""
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO auth_user (password, last_login, is_superuser, username, first_name, "
            "last_name, email, is_staff, is_active, date_joined) "
            "VALUES (%s, NULL, false, %s, '', '', %s, false, %s, now()) RETURNING id",
            (password_hash, username, email or f"{username}@example.com", is_active))
        return cur.fetchone()[0]


def user_row(conn, username):
    with conn.cursor() as cur:
        cur.execute("SELECT id, password, last_login, is_active, email FROM auth_user WHERE username = %s",
                    (username,))
        row = cur.fetchone()
    return row and dict(zip(("id", "password", "last_login", "is_active", "email"), row))


def session_exists(conn, key):
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM django_session WHERE session_key = %s", (key,))
        return cur.fetchone() is not None


def row_counts(conn):
    with conn.cursor() as cur:
        cur.execute("SELECT (SELECT count(*) FROM auth_user), (SELECT count(*) FROM django_session), "
                    "(SELECT md5(string_agg(password || coalesce(last_login::text, '') || is_active::text, "
                    " ',' ORDER BY id)) FROM auth_user)")
        return cur.fetchone()


def pwtool_check(password, encoded, hashers):
    """(correct, must_update) from the C hashers via build/tools/pwtool with the given hashers."""
    tool = build_dir() / "tools" / "pwtool"
    assert tool.exists(), f"{tool} is missing: run make"
    r = subprocess.run([str(tool), "check", "--django-version", "5.1", "--hashers", hashers,
                        encoded], input=password.encode(), capture_output=True, timeout=120)
    out = r.stdout.decode().strip()
    if r.returncode == 0:
        return True, out.endswith("must_update=1")
    assert (r.returncode, out) == (1, "fail"), (r.returncode, out, r.stderr)
    return False, None
