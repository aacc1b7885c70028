"""test_django_signing.py: the C session/signing/validator code (via build/tools/djtool) against real Django 3.2.

Needs no running stack: only BUILD_DIR (default "build") and Debian's Django (/usr/bin/python3).
"""
import json
import os
import random
import string
import subprocess
import unicodedata
from pathlib import Path
from unittest import mock

import pytest

django = pytest.importorskip("django")
from django.conf import settings  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
BUILD_DIR = Path(os.environ.get("BUILD_DIR", "build"))
if not BUILD_DIR.is_absolute():
    BUILD_DIR = REPO / BUILD_DIR
DJTOOL = BUILD_DIR / "tools" / "djtool"
COMMON_LIST = REPO / "common" / "data" / "django-common-passwords.txt.gz"

SECRET = "test-secret-\u00e9-" + "k" * 40          # non-ASCII on purpose: Django encodes it as UTF-8
VECTOR_SECRET = "django-insecure-test-secret-key-for-vectors"

if not settings.configured:
    settings.configure(
        SECRET_KEY=SECRET,
        INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes",
                        "django.contrib.sessions"],
        DATABASES={},
        USE_TZ=True,
    )
    django.setup()

from django.contrib.auth.base_user import AbstractBaseUser  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.contrib.auth import password_validation as pv  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core import signing  # noqa: E402
from django.core.exceptions import ValidationError  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

pytestmark = pytest.mark.skipif(not DJTOOL.exists(), reason=f"{DJTOOL} not built")

RNG = random.Random(int(os.environ.get("DJTOOL_SEED", "20261127")))


def djtool(*args, stdin=b"", secret=SECRET, check=True):
    env = dict(os.environ, SECRET_KEY=secret)
    env.pop("SECRET_KEY_FALLBACKS", None)
    env.pop("SIGNING_ACCEPT_SHA1", None)
    if isinstance(stdin, str):
        stdin = stdin.encode()
    p = subprocess.run([str(DJTOOL), *args], input=stdin, env=env, capture_output=True,
                       timeout=30)
    if check:
        assert p.returncode == 0, (args, p.stderr.decode(errors="replace"))
    out = p.stdout.decode()
    return out[:-1] if out.endswith("\n") else out       # djtool ends its output with one


# ---- random data -----------------------------------------------------------------------------

# Ranges assigned since long before Unicode 13 (utf8proc 2.6) and 14 (CPython 3.11), so both
# sides agree on every property; the astral range is only used in JSON, where it is opaque.
TEXT_POOLS = [
    string.ascii_letters + string.digits,
    string.punctuation + " \t\n\r\x0b\x0c\x7f\x01\x1f",
    "".join(chr(c) for c in range(0xA0, 0x250)),
    "".join(chr(c) for c in range(0x370, 0x3FF) if unicodedata.category(chr(c)) != "Cn"),
    "".join(chr(c) for c in range(0x400, 0x4FF)),
    "\u0660\u0661\u0662\u0663\u0669\u06f0\u06f5\u0966\u096f\u00b2\u00b3\u00b9\u2070\u2074\u2460"
    "\u2081\u2155\u216b\u3007\uff10\uff19",
    "\u0300\u0301\u0308\u0327\u0903\u20dd\u200d\u00ad",
    "\u4e00\u540d\u524d\u6f22\u5b57\u3042\u30a2\uac00\ufb00\ufb01\u01c5\u2160\u212b\u2126",
    "\U0001F600\U0001F4A9\U0001D400\U0001D7CE\U00020000\U0002A6D6\U0010FFFD\U00010400",
    "\u2028\u2029\u3000\u2003\u00a0\u1680\u200b\ufeff\ufffd",
]


def rand_text(lo=0, hi=12, nul=False):
    n = RNG.randint(lo, hi)
    out = []
    for _ in range(n):
        out.append(RNG.choice(RNG.choice(TEXT_POOLS)))
    s = "".join(out)
    if nul and RNG.random() < 0.1:
        s += "\x00"
    return s


def rand_float():
    kind = RNG.randrange(4)
    if kind == 0:
        return RNG.uniform(-1e6, 1e6)
    if kind == 1:
        return RNG.choice([0.1, 1e16, 1e15, 1e-5, 1e-4, 123.0, -0.0, 2.5e-310, 1e300, 5e-324])
    if kind == 2:
        return RNG.random() * 10 ** RNG.randint(-30, 30)
    return float(RNG.randint(-10**6, 10**6))


def rand_value(depth=0):
    kind = RNG.randrange(9 if depth < 3 else 6)
    if kind == 0:
        return rand_text(nul=True)
    if kind == 1:
        return RNG.randint(-2**63, 2**63 - 1)
    if kind == 2:
        return RNG.choice([True, False, None])
    if kind == 3:
        return rand_float()
    if kind == 4:
        return str(RNG.randint(1, 10**6))
    if kind == 5:
        return RNG.randint(-1000, 1000)
    if kind in (6, 7):
        return [rand_value(depth + 1) for _ in range(RNG.randint(0, 4))]
    return {rand_text(0, 6): rand_value(depth + 1) for _ in range(RNG.randint(0, 4))}


def rand_session():
    d = {}
    if RNG.random() < 0.7:
        d["_auth_user_id"] = str(RNG.randint(1, 10**6))
        d["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        d["_auth_user_hash"] = "%064x" % RNG.getrandbits(256)
    for _ in range(RNG.randint(0, 6)):
        d[rand_text(1, 10)] = rand_value()
    if RNG.random() < 0.3:
        d["_session_expiry"] = RNG.randint(0, 10**7)
    if RNG.random() < 0.3:
        d["big"] = "x" * RNG.randint(0, 400)          # exercises the compression decision
    return d


def py_json(obj):
    return json.dumps(obj, separators=(",", ":"))


def django_encode_at(d, ts):
    with override_settings(SECRET_KEY=SECRET), mock.patch("time.time", return_value=ts):
        return SessionStore().encode(d)


# ---- sessions ---------------------------------------------------------------------------------

def test_session_vector():
    """django-compat.md §6.2, through the CLI."""
    d = {"_auth_user_id": "1", "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
         "_auth_user_hash": "5ed090a1990cf2d02154cafe30ab2d5b7585f7b727202e70badaa3e97da1d522"}
    want = (".eJxVjDEOwjAMRe-SGUWOSxTCyM4ZIjt2SAGlUtNOiLtDpQ6w_vfef5lE61LT2nVOo5izcebwuzHlh7YNyJ3abbJ5a"
            "ss8st0Uu9Nur5Po87K7fweVev3WXgUikIsRckEBdP6YqegAxCiegz_5EjhgQEANwCREg8Yg5MQjmvcH5ZM4EQ:1r3"
            "1eq:svFrhyRN6yFrpJD8eoGgS8yaqP60xFwta7Xd13gaSB0")
    assert djtool("session-encode", "--time", "1700000000", stdin=py_json(d),
                  secret=VECTOR_SECRET) == want
    with override_settings(SECRET_KEY=VECTOR_SECRET), \
            mock.patch("time.time", return_value=1700000000):
        assert SessionStore().encode(d) == want


@pytest.mark.parametrize("i", range(60))
def test_session_c_to_django(i):
    d = rand_session()
    ts = RNG.randint(1_500_000_000, 2_000_000_000)
    data = djtool("session-encode", "--time", str(ts), stdin=py_json(d))
    with override_settings(SECRET_KEY=SECRET):
        assert SessionStore().decode(data) == d
    # byte for byte what Django writes at the same second (compression decision included)
    assert data == django_encode_at(d, ts)


@pytest.mark.parametrize("i", range(60))
def test_session_django_to_c(i):
    d = rand_session()
    data = django_encode_at(d, RNG.randint(1_500_000_000, 2_000_000_000))
    out = djtool("session-decode", stdin=data)
    assert json.loads(out) == d
    # same text as Python's json.dumps: key order, escapes and float repr preserved
    assert out == py_json(d)


def test_session_current_time_and_rewrite_keeps_unknown_keys():
    d = {"_auth_user_id": "42", "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
         "_auth_user_hash": "ab" * 32, "_session_expiry": 1209600, "_csrftoken": "x" * 32,
         "_messages": '[["__json_message",0,20,"Bienvenue, Zo\\u00eb \U0001F600"]]',
         "cart": {"items": [1, 2.5, None, "\u540d\u524d"]}}
    with override_settings(SECRET_KEY=SECRET):
        django_data = SessionStore().encode(d)
    decoded = djtool("session-decode", stdin=django_data)
    again = djtool("session-encode", stdin=decoded)          # current time
    with override_settings(SECRET_KEY=SECRET):
        assert SessionStore().decode(again) == d
        # the timestamp is "now": a one-minute max_age accepts it
        assert signing.loads(again, salt="django.contrib.sessions.SessionStore",
                             max_age=60) == d


def test_session_wrong_key_or_tampered():
    d = {"_auth_user_id": "1"}
    with override_settings(SECRET_KEY="another-key"):
        other = SessionStore().encode(d)
    p = subprocess.run([str(DJTOOL), "session-decode"], input=other.encode(),
                       env=dict(os.environ, SECRET_KEY=SECRET), capture_output=True)
    assert p.returncode != 0
    good = django_encode_at(d, 1700000000)
    bad = good[:-1] + ("A" if good[-1] != "A" else "B")
    p = subprocess.run([str(DJTOOL), "session-decode"], input=bad.encode(),
                       env=dict(os.environ, SECRET_KEY=SECRET), capture_output=True)
    assert p.returncode != 0


@pytest.mark.parametrize("compress", [False, True])
def test_signing_dumps_loads(compress):
    for _ in range(25):
        obj = rand_value()
        ts = RNG.randint(0, 2_000_000_000)
        args = ["dumps", "--time", str(ts)] + (["--compress"] if compress else [])
        c = djtool(*args, stdin=py_json(obj))
        with override_settings(SECRET_KEY=SECRET), mock.patch("time.time", return_value=ts):
            assert c == signing.dumps(obj, compress=compress)
        with override_settings(SECRET_KEY=SECRET):
            assert signing.loads(c) == obj
            dj = signing.dumps(obj, compress=compress, salt="other.salt")
        assert json.loads(djtool("loads", "--salt", "other.salt", stdin=dj)) == obj


# ---- auth hash --------------------------------------------------------------------------------

def test_auth_hash_vector():
    pw = "pbkdf2_sha256$260000$seasalt$" + "X" * 44
    assert djtool("auth-hash", pw, secret=VECTOR_SECRET) == \
        "5ed090a1990cf2d02154cafe30ab2d5b7585f7b727202e70badaa3e97da1d522"
    assert djtool("auth-hash", "--legacy", pw, secret=VECTOR_SECRET) == \
        "d5890230fcf581e5688aac6d62f7596714547495"


def test_auth_hash_random():
    for _ in range(40):
        pw = RNG.choice(["pbkdf2_sha256$260000$", "argon2$argon2id$", "!", ""]) + \
            rand_text(0, 60).replace("\x00", "")
        if pw == "":
            continue
        user = User(password=pw)
        with override_settings(SECRET_KEY=SECRET):
            want = user.get_session_auth_hash()
            legacy = user._legacy_get_session_auth_hash()
        assert djtool("auth-hash", pw) == want
        assert djtool("auth-hash", "--legacy", pw) == legacy
        assert djtool("auth-check", pw, want) == "ok"


# ---- usernames --------------------------------------------------------------------------------

def django_username_codes(name):
    norm = AbstractBaseUser.normalize_username(name)
    if norm == "":
        return "required"
    try:
        User._meta.get_field("username").run_validators(norm)
    except ValidationError as e:
        return " ".join(x.code for x in e.error_list)
    return "valid"


TRICKY_NAMES = [
    "alice", "Zo\u00eb", "user@example.com", "x+y-z_.", "\u540d\u524d", "\u0661\u0662\u0663",
    "\u01c5", "\ufb00", "\u00b2", "e\u0301", "x\u0301", "\u0301", "a\n", "\na", "a b", " a", "a ",
    "name with space", "a\tb", "a\u00a0b", "a\u3000b", "\u2160", "\u212b", "\U0001D400",
    "\U0001F600", "a!", "a#b", "a/b", "a\\b", "-", ".", "@", "+", "_", "a\u200db", "\u00ad",
    "\u0130", "\u03a3", "\u2155", "\u0e50", "\uff21", "\ufe4f", "\u203f", "a\u2028",
    "a" * 150, "a" * 151, "\ufb00" * 75, "\ufb00" * 76, " " + "a" * 150, "\u00e9" * 150,
    "e\u0301" * 150, "e\u0301" * 151,
]


def test_usernames_tricky():
    for name in TRICKY_NAMES:
        assert djtool("validate-username", name) == django_username_codes(name), repr(name)
        assert djtool("normalize-username", name) == unicodedata.normalize("NFKC", name)


def test_usernames_random():
    for _ in range(150):
        name = rand_text(1, 8).replace("\x00", "")
        if RNG.random() < 0.05:
            name = name * 40
        if name == "":
            continue
        assert djtool("validate-username", name) == django_username_codes(name), repr(name)


def test_normalize_email():
    from django.contrib.auth.base_user import BaseUserManager
    for e in ["Foo@EXAMPLE.COM", " a@B.c ", "noat ", "a@b@C.D", "@X", "x@\u0130.COM",
              "Zo\u00eb@\u00c9XAMPLE.\u03a3\u0391\u03a3", "\u3000x@Y\u3000"]:
        assert djtool("normalize-email", e) == BaseUserManager.normalize_email(e), repr(e)


# ---- password validators ----------------------------------------------------------------------

VALIDATORS = None


def django_password_codes(pw, user):
    global VALIDATORS
    if VALIDATORS is None:
        # Debian's 3.2 ships the old list; compare against the file the C side loads.
        VALIDATORS = [pv.UserAttributeSimilarityValidator(), pv.MinimumLengthValidator(),
                      pv.CommonPasswordValidator(password_list_path=COMMON_LIST),
                      pv.NumericPasswordValidator()]
    try:
        pv.validate_password(pw, user, VALIDATORS)
    except ValidationError as e:
        return " ".join(x.code for x in e.error_list)
    return "valid"


def c_password_codes(pw, attrs):
    args = ["validate-password", "--common", str(COMMON_LIST)]
    if attrs is None:
        args.append("--no-user")
    else:
        for flag, key in (("--username", "username"), ("--first-name", "first_name"),
                          ("--last-name", "last_name"), ("--email", "email")):
            args += [flag, attrs[key]]
    return djtool(*args, stdin=pw.encode())


ALICE = {"username": "alice_smith", "first_name": "Alice", "last_name": "Smith",
         "email": "alice.smith@example.com"}

DOC_EXAMPLES = {
    "short": "password_too_short",
    "password": "password_too_common",
    "12345678901": "password_too_common password_entirely_numeric",
    "alicesmith": "password_too_similar",
    "alice.smith@example": "password_too_similar",
    "Smith2024": "password_too_similar",
    "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660": "password_entirely_numeric",
    "P@ssw0rd": "password_too_common",
    " Password ": "password_too_common",
    "correct horse battery staple": "valid",
    "xK9#mQ2$vL": "valid",
}


@pytest.mark.parametrize("pw", list(DOC_EXAMPLES))
def test_password_doc_examples(pw):
    assert c_password_codes(pw, ALICE) == DOC_EXAMPLES[pw]
    assert django_password_codes(pw, User(**ALICE)) == DOC_EXAMPLES[pw]


def rand_password(common_words):
    kind = RNG.randrange(7)
    if kind == 0:
        w = RNG.choice(common_words)
        w = "".join(c.upper() if RNG.random() < 0.3 else c for c in w)
        return RNG.choice(["", " ", "\t", "\u3000"]) + w + RNG.choice(["", " ", "\n"])
    if kind == 1:
        return "".join(RNG.choice("0123456789\u0660\u0661\u00b2\u2460\u0966\u00bd")
                       for _ in range(RNG.randint(0, 12)))
    if kind == 2:
        return rand_text(0, 16).replace("\x00", "")
    if kind == 3:
        return RNG.choice(["alice", "smith", "ALICE.SMITH", "example", "Smith"]) + \
            rand_text(0, 4).replace("\x00", "")
    if kind == 4:
        return "x" * RNG.randint(0, 80) + RNG.choice(["ab", "al", ""])
    if kind == 5:
        return "".join(RNG.choice(string.printable[:94]) for _ in range(RNG.randint(0, 14)))
    return RNG.choice(common_words) + str(RNG.randint(0, 99))


def rand_user():
    if RNG.random() < 0.15:
        return None
    a = {"username": rand_text(0, 10).replace("\x00", ""), "first_name": rand_text(0, 6),
         "last_name": rand_text(0, 8), "email": rand_text(0, 6) + "@" + rand_text(0, 6)}
    a = {k: v.replace("\x00", "") for k, v in a.items()}
    if RNG.random() < 0.5:
        a = dict(ALICE)
    return a


def test_password_random():
    import gzip
    with gzip.open(COMMON_LIST, "rt", encoding="utf-8") as f:
        common_words = [x.strip() for x in f][:3000]
    for _ in range(150):
        pw = rand_password(common_words)
        attrs = rand_user()
        user = None if attrs is None else User(**attrs)
        assert c_password_codes(pw, attrs) == django_password_codes(pw, user), \
            (repr(pw), attrs)


# ---- CSRF -------------------------------------------------------------------------------------

def test_csrf_against_django():
    from django.middleware import csrf
    for _ in range(30):
        secret = csrf._get_new_csrf_string()
        token = csrf._mask_cipher_secret(secret)      # 3.2: a random mask
        assert djtool("csrf-unmask", token) == secret
        mask = token[:32]
        assert djtool("csrf-mask", secret, mask) == token
        assert djtool("csrf-check", secret, token) == "ok"
        assert djtool("csrf-check", token, secret) == "ok"
        other = csrf._get_new_csrf_string()
        p = subprocess.run([str(DJTOOL), "csrf-check", secret, csrf._mask_cipher_secret(other)],
                           capture_output=True)
        assert p.returncode == 1 and p.stdout.decode().strip() == "CSRF token incorrect."
