"""test_django_interop.py: real Django and this site share users, password hashes and sessions.

Through nginx against the private stack (DJANGO_VERSION 5.1 defaults). Django 3.2 runs in a
child process (accounts_djserver.py) on the same database with the same SECRET_KEY, configured
as Django 5.1 would be (PBKDF2 with 870000 iterations preferred, scrypt with p=5).
"""
import re

import pytest

from accounts_support import (BAD_LOGIN, Browser, insert_user, pwtool_check,
                              random_password, unique, user_row)

DJANGO51 = "pbkdf2_sha256,pbkdf2_sha1,argon2,bcrypt_sha256,scrypt"
ALL = DJANGO51 + ",bcrypt,md5,sha1,unsalted_md5,unsalted_sha1,crypt"
CURRENT = re.compile(r"^pbkdf2_sha256\$870000\$[A-Za-z0-9]{22}\$[A-Za-z0-9+/]{43}=$")


def escaped(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@pytest.mark.parametrize("algorithm", DJANGO51.split(","))
def test_django51_hasher_logs_in_and_upgrades_as_django(site, conn, django_peer, algorithm):
    password = random_password()
    username = unique("hash_ü_" + algorithm)
    encoded = django_peer("make", algorithm=algorithm, password=password)
    insert_user(conn, username, encoded)
    django_view = django_peer("check", password=password, encoded=encoded)
    assert django_view["correct"]
    b = Browser(site)
    r = b.login(username, password, next_url="/")
    assert (r.status_code, r.headers.get("Location")) == (303, "/"), r.text[:500]
    assert b.signed_in_as() == username
    stored = user_row(conn, username)["password"]
    # Re-hashed exactly when Django would: every hasher but the preferred one is upgraded.
    assert (stored != encoded) == django_view["must_update"] == (algorithm != "pbkdf2_sha256")
    assert CURRENT.match(stored), stored
    after = django_peer("check", password=password, encoded=stored)
    assert after == {"correct": True, "setter_called": False, "must_update": False}


@pytest.mark.parametrize("algorithm", ["bcrypt", "md5", "sha1", "unsalted_md5", "unsalted_sha1",
                                       "crypt"])
def test_hashers_outside_django51_refuse_login(site, conn, django_peer, algorithm):
    password = random_password()
    username = unique("legacy_" + algorithm)
    encoded = django_peer("make", algorithm=algorithm, password=password)
    insert_user(conn, username, encoded)
    # Django 5.1's default list cannot verify them either; with every hasher enabled both can.
    assert django_peer("check", password=password, encoded=encoded)["correct"] is False
    assert django_peer("check", password=password, encoded=encoded, hashers="all")["correct"]
    assert pwtool_check(password, encoded, ALL) == (True, True)
    assert pwtool_check(password, encoded, DJANGO51) == (False, None)
    # (Changed up front: DES crypt reads only the first 8 bytes.)
    assert pwtool_check("x" + password, encoded, ALL) == (False, None)
    r = Browser(site).login(username, password)
    assert r.status_code == 400
    assert escaped(BAD_LOGIN) in r.text
    assert user_row(conn, username)["password"] == encoded


def test_user_registered_here_logs_in_to_django(site, conn, django_peer):
    username = unique("Régistré")
    password = random_password()
    b = Browser(site)
    r = b.register(username, password)
    assert (r.status_code, r.headers.get("Location")) == (303, "/"), r.text[:800]
    stored = user_row(conn, username)["password"]
    assert CURRENT.match(stored), stored
    check = django_peer("check", password=password, encoded=stored)
    assert check == {"correct": True, "setter_called": False, "must_update": False}
    user = django_peer("authenticate", username=username, password=password)
    assert user and user["username"] == username
    assert django_peer("authenticate", username=username, password=password + "!") is None
    # Django found nothing to upgrade, so the hash (and every session's auth hash) is intact.
    assert user_row(conn, username)["password"] == stored


def test_django_session_is_accepted_and_keeps_unknown_keys(site, conn, django_peer):
    username = unique("djsess")
    password = random_password()
    insert_user(conn, username, django_peer("make", algorithm="pbkdf2_sha256", password=password))
    extra = {"cart": [1, 2, "drei"], "note": "ünïcødé ✓ 🎬"}
    key = django_peer("login_session", username=username, extra=extra)
    b = Browser(site)
    b.set_cookie("sessionid", key)
    assert b.signed_in_as() == username
    # A change that rewrites the session here (new password: new key, new auth hash).
    new_password = random_password()
    r = b.post("/account/password", {"old_password": password, "new_password1": new_password,
                                     "new_password2": new_password})
    assert (r.status_code, r.headers.get("Location")) == (303, "/account/password?changed=1"), \
        r.text[:800]
    new_key = b.sessionid
    assert new_key and new_key != key
    data = django_peer("load_session", session_key=new_key)
    assert data["cart"] == extra["cart"] and data["note"] == extra["note"]
    seen = django_peer("get_user", session_key=new_key)
    assert seen["user"] and seen["user"]["username"] == username
    assert seen["user"]["session_auth_hash"] == data["_auth_user_hash"]
    assert django_peer("check", password=new_password,
                       encoded=user_row(conn, username)["password"])["correct"]
    assert django_peer("load_session", session_key=key) == {}


@pytest.mark.smoke
def test_session_made_here_is_accepted_by_django(site, conn, django_peer):
    username = unique("cside")
    password = random_password()
    uid = insert_user(conn, username, django_peer("make", algorithm="pbkdf2_sha256",
                                                  password=password))
    b = Browser(site)
    assert b.login(username, password).status_code == 303
    key = b.sessionid
    assert re.fullmatch(r"[a-z0-9]{32}", key or ""), key
    data = django_peer("load_session", session_key=key)
    assert data["_auth_user_id"] == str(uid)
    assert data["_auth_user_backend"] == "django.contrib.auth.backends.ModelBackend"
    seen = django_peer("get_user", session_key=key)
    assert seen["user"] and seen["user"]["id"] == uid
    assert seen["user"]["session_auth_hash"] == data["_auth_user_hash"]
    assert seen["session_exists"]
    # Django's own view agrees that this browser is still signed in afterwards.
    assert b.signed_in_as() == username


REHASH_CASES = [
    # (id, hasher, iterations, salt) -> Django decides must_update; the site must agree.
    ("pbkdf2_260000", "pbkdf2_sha256", 260000, None),
    ("pbkdf2_870000", "pbkdf2_sha256", 870000, None),
    ("pbkdf2_870000_salt12", "pbkdf2_sha256", 870000, "abcdefABCDEF"),
    ("pbkdf2_1000000", "pbkdf2_sha256", 1000000, None),
    ("argon2", "argon2", None, None),
]


@pytest.mark.parametrize("case", REHASH_CASES, ids=[c[0] for c in REHASH_CASES])
def test_rehash_exactly_when_django_would(site, conn, django_peer, case):
    _, algorithm, iterations, salt = case
    password = random_password()
    kw = {"algorithm": algorithm, "password": password}
    if iterations:
        kw["iterations"] = iterations
    if salt:
        kw["salt"] = salt
    encoded = django_peer("make", **kw)
    username = unique("rehash")
    insert_user(conn, username, encoded)
    expected = django_peer("check", password=password, encoded=encoded)
    assert expected["correct"]
    assert expected["must_update"] == expected["setter_called"]
    b = Browser(site)
    assert b.login(username, password).status_code == 303
    stored = user_row(conn, username)["password"]
    assert (stored != encoded) == expected["must_update"], (encoded, stored)
    assert expected["must_update"] == (case[0] != "pbkdf2_870000")
    assert CURRENT.match(stored), stored
    # The session written at login carries the auth hash of the stored (new) password.
    seen = django_peer("get_user", session_key=b.sessionid)
    assert seen["user"] and seen["user"]["password"] == stored
    if expected["must_update"]:
        # No ping-pong: a second login here leaves Django's (and our) hash alone.
        assert Browser(site).login(username, password).status_code == 303
        assert user_row(conn, username)["password"] == stored


def test_sessions_django_would_not_accept_are_anonymous_here(site, conn, django_peer):
    """get_user's rules: stale hash -> flushed; foreign backend, inactive or expired -> anonymous."""
    username = unique("getuser")
    uid = insert_user(conn, username, django_peer("make", algorithm="pbkdf2_sha256",
                                                  password=random_password()))

    def session(**changes):
        key = django_peer("login_session", username=username)
        data = django_peer("load_session", session_key=key)
        data.update(changes)
        fresh = django_peer("anonymous_session", data=data)
        b = Browser(site)
        b.set_cookie("sessionid", fresh)
        return b, fresh

    def exists(key):
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM django_session WHERE session_key = %s", (key,))
            return cur.fetchone() is not None

    b, key = session()
    assert b.signed_in_as() == username                # the control: a faithful copy works
    b, key = session(_auth_user_hash="0" * 64)
    assert b.signed_in_as() is None and not exists(key)   # flushed, as Django does
    assert django_peer("get_user", session_key=key)["user"] is None
    b, key = session(_auth_user_backend="elsewhere.Backend")
    assert b.signed_in_as() is None and exists(key)       # anonymous, not flushed
    b, key = session(_auth_user_id=str(uid + 100000))
    assert b.signed_in_as() is None and exists(key)
    b, key = session()
    with conn.cursor() as cur:
        cur.execute("UPDATE django_session SET expire_date = now() - interval '1 second' "
                    "WHERE session_key = %s", (key,))
    assert b.signed_in_as() is None
    b, key = session()
    with conn.cursor() as cur:
        cur.execute("UPDATE auth_user SET is_active = false WHERE id = %s", (uid,))
    assert b.signed_in_as() is None and exists(key)
    assert django_peer("get_user", session_key=key)["user"] is None
