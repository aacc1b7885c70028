"""test_accounts.py: registration, login, logout, password change, sessions, CSRF and throttling.

Black-box through nginx against the private stack. The throttling and Redis-outage tests come
last in this file (they lock a user out and stop Redis; Redis is restarted before they return).
"""
import html
import os
import re
import subprocess
import time
from urllib.parse import urlencode

import pytest

from accounts_support import (BAD_LOGIN, Browser, cookie_attrs, insert_user,
                              random_password, row_counts, session_exists, set_cookies,
                              unique, user_row, without_tokens)
from stack_control import start_redis, stop_redis


@pytest.fixture
def user(conn, django_peer):
    """A fresh active user with a Django 5.1 hash: (username, password, id)."""
    username = unique("acct")
    password = random_password()
    uid = insert_user(conn, username, django_peer("make", algorithm="pbkdf2_sha256",
                                                  password=password))
    return username, password, uid


def esc(text):
    return html.escape(text, quote=False)


def field_errors(page, span_id):
    """The text of one field's error span, or None."""
    m = re.search(r'<span class="field-error" id="%s">(.*?)</span>' % span_id, page, re.S)
    return m and html.unescape(m.group(1))


# ---- login, sessions, logout, cookies ----

@pytest.mark.smoke
def test_login_sets_session_and_cookie_flags(site, conn, user):
    username, password, uid = user
    b = Browser(site)
    r = b.login(username, password)
    assert (r.status_code, r.headers["Location"]) == (303, "/")
    cookies = set_cookies(r)
    key, attrs = cookie_attrs(cookies["sessionid"])
    assert re.fullmatch(r"[a-z0-9]{32}", key)
    assert "httponly" in attrs and attrs["samesite"] == "Lax" and attrs["path"] == "/"
    assert attrs["max-age"] == "1209600" and "secure" not in attrs
    secret, attrs = cookie_attrs(cookies["csrftoken"])
    assert re.fullmatch(r"[A-Za-z0-9]{32}", secret)     # rotated at login, unmasked (4.1+)
    assert "httponly" not in attrs and attrs["samesite"] == "Lax" and attrs["path"] == "/"
    assert "secure" not in attrs
    _, attrs = cookie_attrs(cookies["known_device"])
    assert "httponly" in attrs and attrs["samesite"] == "Lax" and attrs["path"] == "/"
    assert session_exists(conn, key)
    assert b.signed_in_as() == username


def test_last_login_is_set_at_login(site, conn, user):
    username, password, _ = user
    assert user_row(conn, username)["last_login"] is None
    assert Browser(site).login(username, password).status_code == 303
    with conn.cursor() as cur:
        cur.execute("SELECT now() - last_login FROM auth_user WHERE username = %s", (username,))
        age = cur.fetchone()[0]
    assert age is not None and age.total_seconds() < 60


def test_login_rotates_session_key_and_keeps_anonymous_data(site, conn, django_peer, user):
    username, password, uid = user
    before = django_peer("anonymous_session", data={"theme": "dark", "seen": [3, 1, 4]})
    b = Browser(site)
    b.set_cookie("sessionid", before)
    assert b.signed_in_as() is None
    assert b.login(username, password).status_code == 303
    after = b.sessionid
    assert after and after != before
    assert not session_exists(conn, before)
    data = django_peer("load_session", session_key=after)
    assert data["theme"] == "dark" and data["seen"] == [3, 1, 4]
    assert data["_auth_user_id"] == str(uid)


def test_login_as_another_user_flushes_the_old_session(site, conn, django_peer, user):
    username, password, uid = user
    other = unique("other")
    insert_user(conn, other, django_peer("make", algorithm="pbkdf2_sha256", password="x-unused"))
    before = django_peer("login_session", username=other, extra={"private": "of the other"})
    b = Browser(site)
    b.set_cookie("sessionid", before)
    assert b.signed_in_as() == other
    assert b.login(username, password).status_code == 303
    data = django_peer("load_session", session_key=b.sessionid)
    assert "private" not in data and data["_auth_user_id"] == str(uid)
    assert not session_exists(conn, before)


@pytest.mark.smoke
def test_logout_deletes_row_and_clears_cookie(site, conn, user):
    username, password, _ = user
    b = Browser(site)
    assert b.login(username, password).status_code == 303
    key = b.sessionid
    # Without a valid token, logging out is refused and the session survives.
    r = b.post("/logout", {}, token=False)
    assert r.status_code == 403 and session_exists(conn, key)
    r = b.post("/logout", {}, form_page="/login")
    assert (r.status_code, r.headers["Location"]) == (303, "/")
    value, attrs = cookie_attrs(set_cookies(r)["sessionid"])
    assert value in ('""', "") and attrs["max-age"] == "0" and attrs["path"] == "/"
    assert not session_exists(conn, key)
    assert b.sessionid is None and b.signed_in_as() is None


def test_inactive_user_gets_the_wrong_password_page(site, conn, user):
    username, password, _ = user
    b = Browser(site)
    wrong = b.login(username, password + "?")
    with conn.cursor() as cur:
        cur.execute("UPDATE auth_user SET is_active = false WHERE username = %s", (username,))
    inactive = b.login(username, password)
    assert wrong.status_code == inactive.status_code == 400
    assert esc(BAD_LOGIN) in inactive.text
    assert without_tokens(wrong.text) == without_tokens(inactive.text)
    assert b.sessionid is None and b.signed_in_as() is None


def test_unknown_user_and_wrong_password_look_the_same(site, conn, django_peer):
    username = unique("ghost")
    b = Browser(site)
    t0 = time.monotonic()
    unknown = b.login(username, "some password 1")
    t_unknown = time.monotonic() - t0
    insert_user(conn, username, django_peer("make", algorithm="pbkdf2_sha256",
                                            password=random_password()))
    t0 = time.monotonic()
    wrong = b.login(username, "some password 1")
    t_wrong = time.monotonic() - t0
    assert unknown.status_code == wrong.status_code == 400
    assert without_tokens(unknown.text) == without_tokens(wrong.text)
    assert esc(BAD_LOGIN) in wrong.text
    same = lambda r: sorted((k, v) for k, v in r.headers.items() if k not in ("Date",))
    assert same(unknown) == same(wrong)
    # The unknown user costs a full hash too (login itself is a sub-100 ms request otherwise).
    assert t_unknown > 0.1 and t_wrong > 0.1, (t_unknown, t_wrong)


@pytest.mark.parametrize("next_url", ["//evil.com", "https://evil.com", "/\\evil.com",
                                      "http:/evil.com", " //evil.com", "/\t/evil.com"])
def test_next_is_same_site_only(site, user, next_url):
    username, password, _ = user
    b = Browser(site)
    page = b.get("/login", params={"next": next_url}).text
    assert 'name="next" value="/"' in page
    r = b.login(username, password, next_url=next_url)
    assert (r.status_code, r.headers["Location"]) == (303, "/")


def test_next_to_a_local_page_is_followed(site, user):
    username, password, _ = user
    b = Browser(site)
    r = b.login(username, password, next_url="/account/password?x=1")
    assert (r.status_code, r.headers["Location"]) == (303, "/account/password?x=1")
    # And the login-required page sends an anonymous visitor to the login form with next.
    r = Browser(site).get("/account/password")
    assert (r.status_code, r.headers["Location"]) == (303, "/login?next=%2Faccount%2Fpassword")


# ---- password change ----

def test_password_change_keeps_this_session_and_ends_the_others(site, conn, django_peer, user):
    username, password, _ = user
    a, other = Browser(site), Browser(site)
    assert a.login(username, password).status_code == 303
    assert other.login(username, password).status_code == 303
    key_a, key_other = a.sessionid, other.sessionid
    new = random_password()

    # Refusals first: wrong current password, a mismatch, a weak password: nothing changes.
    before = row_counts(conn)
    r = a.post("/account/password", {"old_password": password + "x", "new_password1": new,
                                     "new_password2": new})
    assert r.status_code == 400
    assert field_errors(r.text, "err_old").strip() == \
        "Your old password was entered incorrectly. Please enter it again."
    r = a.post("/account/password", {"old_password": password, "new_password1": new,
                                     "new_password2": new + "x"})
    assert r.status_code == 400
    assert field_errors(r.text, "err_new2").strip() == "The two password fields didn\u2019t match."
    r = a.post("/account/password", {"old_password": password, "new_password1": "12345678",
                                     "new_password2": "12345678"})
    assert r.status_code == 400
    expected = django_peer("validate_password", password="12345678", username=username,
                           email=f"{username}@example.com")
    assert field_errors(r.text, "err_new2") == "".join(m + " " for m in expected)
    assert row_counts(conn) == before and session_exists(conn, key_other)

    r = a.post("/account/password", {"old_password": password, "new_password1": new,
                                     "new_password2": new})
    assert (r.status_code, r.headers["Location"]) == (303, "/account/password?changed=1")
    assert a.sessionid != key_a and not session_exists(conn, key_a)
    assert a.signed_in_as() == username
    assert "Your password was changed." in a.get("/account/password?changed=1").text
    # The other browser is signed out on its next request, and its row is gone.
    assert session_exists(conn, key_other)
    assert other.signed_in_as() is None
    assert not session_exists(conn, key_other)
    stored = user_row(conn, username)["password"]
    assert django_peer("check", password=new, encoded=stored)["correct"]
    assert not django_peer("check", password=password, encoded=stored)["correct"]
    assert Browser(site).login(username, password).status_code == 400
    assert Browser(site).login(username, new).status_code == 303


# ---- registration ----

def test_register_normalizes_username_nfkc(site, conn, django_peer):
    tail = unique("")[1:]
    raw = "\uff4e\uff46\uff4b\uff43_" + tail          # fullwidth "nfkc"
    expected = django_peer("username_messages", username=raw)
    assert expected["errors"] == []
    password = random_password()
    r = Browser(site).register(raw, password)
    assert (r.status_code, r.headers["Location"]) == (303, "/"), r.text[:800]
    assert user_row(conn, expected["normalized"]) is not None
    assert user_row(conn, raw) is None
    # The login form normalizes the same way, so the fullwidth spelling logs in too.
    assert Browser(site).login(raw, password).status_code == 303


def test_register_accepts_unicode_word_characters(site, conn):
    username = "Zoë.Ωmega+漢字-" + unique("x@")
    b = Browser(site)
    r = b.register(username, random_password())
    assert r.status_code == 303, r.text[:800]
    assert user_row(conn, username) is not None
    # Registration signs the new user in, as login does.
    assert b.signed_in_as() == username


@pytest.mark.parametrize("username", ["has space", "semi;colon", "x\u0301y", "x" * 151,
                                      "ok" + "\u00e9" * 149])
def test_register_refuses_usernames_as_django_does(site, conn, django_peer, username):
    expected = django_peer("username_messages", username=username)
    assert expected["errors"], expected
    before = row_counts(conn)
    r = Browser(site).register(username, random_password())
    assert r.status_code == 400
    assert field_errors(r.text, "err_username") == "".join(m + " " for m in expected["errors"])
    assert row_counts(conn) == before


def test_surrounding_blanks_are_stripped_like_django(site, conn):
    """CharField strips str.isspace() characters (ASCII and Unicode) from username and email."""
    username = unique("strip")
    password = random_password()
    r = Browser(site).register(" \t" + username + "\u3000", password,
                               email="\u00a0" + username + "@Example.COM ")
    assert r.status_code == 303, r.text[:800]
    with conn.cursor() as cur:
        cur.execute("SELECT email FROM auth_user WHERE username = %s", (username,))
        assert cur.fetchone() == (f"{username}@example.com",)
    assert Browser(site).login("\u2003" + username + " ", password).status_code == 303
    # Passwords are never stripped.
    assert Browser(site).login(username, " " + password).status_code == 400


def test_register_refuses_duplicates_regardless_of_case(site, conn):
    username = unique("CaseUser")
    assert Browser(site).register(username, random_password()).status_code == 303
    before = row_counts(conn)
    for variant in (username, username.lower(), username.upper()):
        r = Browser(site).register(variant, random_password())
        assert r.status_code == 400
        assert field_errors(r.text, "err_username").strip() == \
            "A user with that username already exists."
    assert row_counts(conn) == before


@pytest.mark.parametrize("password", ["short1", "password", "83920174", "39281", "{user}",
                                      "{user}1"])
def test_register_password_validators_match_django(site, conn, django_peer, password):
    username = unique("valid")
    email = f"{username}@example.org"
    password = password.format(user=username)
    expected = django_peer("validate_password", password=password, username=username, email=email)
    assert expected, password
    before = row_counts(conn)
    r = Browser(site).register(username, password, email=email)
    assert r.status_code == 400
    assert field_errors(r.text, "err_password2") == "".join(m + " " for m in expected)
    assert row_counts(conn) == before


def test_register_mismatch_and_missing_email(site, conn):
    before = row_counts(conn)
    r = Browser(site).register(unique("mm"), "Correct horse 1", password2="Correct horse 2")
    assert r.status_code == 400
    assert field_errors(r.text, "err_password2").strip() == \
        "The two password fields didn\u2019t match."
    r = Browser(site).register(unique("nomail"), random_password(), email="")
    assert r.status_code == 400
    assert field_errors(r.text, "err_email").strip() == "This field is required."
    r = Browser(site).register(unique("badmail"), random_password(), email="not-an-address")
    assert r.status_code == 400
    assert field_errors(r.text, "err_email").strip() == "Enter a valid email address."
    assert row_counts(conn) == before


# ---- bad input: a clear 4xx, no row changed ----

MALFORMED = "The form data is malformed"
CSRF_FAILED = "CSRF verification failed"

BAD_FORMS = [
    # (id, path, fields or raw body, expected status, text the page must show)
    ("login-username-151", "/login", {"username": "u" * 151, "password": "p"}, 400,
     "Ensure this value has at most 150 characters (it has 151)."),
    ("login-password-4097", "/login", {"username": "someone", "password": "p" * 4097}, 400,
     "Ensure this value has at most 4096 characters (it has 4097)."),
    ("register-email-255", "/register", {"username": "fine_name", "email": "a" * 243 + "@example.com",
                                         "password1": "Xk2!pq9zzL", "password2": "Xk2!pq9zzL"},
     400, "Ensure this value has at most 254 characters (it has 255)."),
    ("register-username-1501", "/register", {"username": "u" * 1501, "email": "a@example.com",
                                             "password1": "Xk2!pq9zzL", "password2": "Xk2!pq9zzL"},
     400, "Ensure this value has at most 1500 characters (it has 1501)."),
    ("login-missing-fields", "/login", {}, 400, "This field is required."),
    ("register-missing-fields", "/register", {}, 400, "This field is required."),
    ("login-nul", "/login", "username=ab%00cd&password=x", 400, MALFORMED),
    ("login-nul-password", "/login", "username=abcd&password=x%00y", 400, MALFORMED),
    ("register-ff", "/register", "username=%FFbad&email=a%40example.com&password1=Xk2pq9zzL"
     "&password2=Xk2pq9zzL", 400, MALFORMED),
    ("register-bad-escape", "/register", "username=%G1&email=a%40b.com", 400, MALFORMED),
]


@pytest.mark.parametrize("case", BAD_FORMS, ids=[c[0] for c in BAD_FORMS])
def test_bad_input_is_refused_without_changes(site, conn, case):
    _, path, fields, status, message = case
    b = Browser(site)
    before = row_counts(conn)
    if isinstance(fields, str):
        r = b.post_raw(path, fields)
    else:
        r = b.post(path, fields)
    assert r.status_code == status, r.text[:500]
    assert esc(message) in r.text
    assert row_counts(conn) == before


@pytest.mark.smoke
def test_csrf_failures_are_403_and_change_nothing(site, conn, user):
    username, password, _ = user
    good = {"username": username, "password": password}
    b = Browser(site)
    before = row_counts(conn)
    token = b.token()
    forged = token[:-1] + ("a" if token[-1] != "a" else "b")
    cases = [
        ("wrong token", dict(token=forged)),
        ("missing token", dict(token=False)),
        ("token of a 32-char other secret", dict(token="A" * 32)),
        ("wrong origin", dict(token=token, origin="http://evil.example")),
        ("origin of another port", dict(token=token, origin=b.site.rsplit(":", 1)[0] + ":1")),
        ("https origin for an http site", dict(token=token, origin=b.site.replace("http:", "https:"))),
        ("null origin", dict(token=token, origin="null")),
    ]
    for name, kw in cases:
        r = b.post("/login", good, **kw)
        assert r.status_code == 403, name
        assert CSRF_FAILED in r.text, name
        assert b.sessionid is None, name
    # A token without the cookie it belongs to (another browser's) is refused too.
    r = Browser(site).post("/login", good, token=token)
    assert r.status_code == 403 and CSRF_FAILED in r.text
    for path, data in (("/register", {"username": unique("csrf"), "email": "c@example.com",
                                      "password1": "Xk2!pq9zzL", "password2": "Xk2!pq9zzL"}),
                       ("/logout", {})):
        r = b.post(path, data, token=forged)
        assert r.status_code == 403 and CSRF_FAILED in r.text, path
    assert row_counts(conn) == before
    # The same form with the right token and Origin goes through.
    assert b.post("/login", good, token=token).status_code == 303


def test_csrf_on_password_change(site, conn, user):
    username, password, _ = user
    b = Browser(site)
    assert b.login(username, password).status_code == 303
    before = row_counts(conn)
    new = random_password()
    r = b.post("/account/password", {"old_password": password, "new_password1": new,
                                     "new_password2": new}, origin="http://evil.example")
    assert r.status_code == 403 and CSRF_FAILED in r.text
    assert row_counts(conn) == before


# ---- throttling and Redis (last: they lock out a user and stop Redis) ----

def test_throttle_after_ten_failures_spares_known_device(site, conn, user):
    username, password, _ = user
    known = Browser(site)
    assert known.login(username, password).status_code == 303
    attacker = Browser(site)
    for i in range(10):
        r = attacker.login(username, f"wrong {i}")
        assert r.status_code == 400, (i, r.status_code)
    r = attacker.login(username, password)      # the right password, too late
    assert r.status_code == 429
    retry = int(r.headers["Retry-After"])
    assert 0 < retry <= 900
    assert "Too many failed login attempts" in r.text
    assert re.search(r"wait \d+ minutes? and try again", r.text)
    assert attacker.sessionid is None
    # A browser that logged in as this user before is not locked out by the attacker.
    r = known.login(username, password)
    assert (r.status_code, r.headers["Location"]) == (303, "/")
    # A forged device cookie (right name, wrong signature) exempts nobody.
    forged = Browser(site)
    forged.set_cookie("known_device", username + "%3A" + "A" * 43)
    assert forged.login(username, password).status_code == 429


def test_known_device_cookie_for_non_ascii_username(site, conn, django_peer):
    username = unique("Ünïcødé_漢")
    password = random_password()
    insert_user(conn, username, django_peer("make", algorithm="pbkdf2_sha256", password=password))
    known = Browser(site)
    assert known.login(username, password).status_code == 303
    attacker = Browser(site)
    for i in range(10):
        assert attacker.login(username, f"nope {i}").status_code == 400
    assert attacker.login(username, password).status_code == 429
    assert known.login(username, password).status_code == 303


def test_fifty_failures_from_one_address_lock_that_address(site, conn, user):
    username, password, _ = user
    address = "127.0.0.%d" % (2 + os.getpid() % 200)
    b = Browser(site, source_address=address)
    token = b.token()
    for i in range(50):
        r = b.post("/login", {"username": unique("nobody"), "password": "x"}, token=token)
        assert r.status_code == 400, (i, r.status_code)
    r = b.post("/login", {"username": username, "password": password}, token=token)
    assert r.status_code == 429 and "Too many failed login attempts" in r.text
    # Other addresses (127.0.0.1 here) are not affected.
    assert Browser(site).login(username, password).status_code == 303


def test_login_works_while_redis_is_down(site, conn, user):
    username, password, _ = user
    stop_redis()
    try:
        b = Browser(site)
        t0 = time.monotonic()
        r = b.login(username, password + "-wrong")
        assert r.status_code == 400 and esc(BAD_LOGIN) in r.text
        r = b.login(username, password)
        assert (r.status_code, r.headers["Location"]) == (303, "/")
        assert time.monotonic() - t0 < 10
        assert b.signed_in_as() == username
    finally:
        port = start_redis()
    # The workers reconnect: failures are counted again once Redis is back.
    deadline = time.monotonic() + 10
    while True:
        assert Browser(site).login(username, "wrong again").status_code == 400
        keys = subprocess.run(["redis-cli", "-p", port, "--scan", "--pattern", "throttle:login:*"],
                              capture_output=True, text=True).stdout.split()
        if keys or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert keys, "no throttle counter after Redis came back"


# ---- registration signs in and goes where the visitor was going ----

@pytest.mark.parametrize("next_url,location", [("/favorites?page=2", "/favorites?page=2"), (None, "/"),
                                               ("//evil.example/x", "/"), ("https://evil.example/", "/"),
                                               ("/\\evil.example", "/")])
def test_register_signs_in_and_follows_a_checked_next(site, conn, next_url, location):
    b = Browser(site)
    username, password = unique("nx"), random_password()
    form_page = "/register" if next_url is None else "/register?" + urlencode({"next": next_url})
    page = b.get(form_page).text
    assert 'name="next" value="%s"' % location in page
    data = {"username": username, "password1": password, "password2": password, "email": "nx@example.com"}
    if next_url is not None:
        data["next"] = next_url
    r = b.post("/register", data, form_page=form_page)
    assert (r.status_code, r.headers["Location"]) == (303, location), r.text[:800]
    assert b.signed_in_as() == username
    # The session is Django's login(): the user's id, backend and auth hash.
    assert user_row(conn, username)["last_login"] is not None


def test_register_with_errors_keeps_next_and_does_not_sign_in(site, conn):
    b = Browser(site)
    r = b.post("/register", {"username": unique("nx"), "password1": "a", "password2": "b",
                             "email": "nx@example.com", "next": "/watchlist"}, form_page="/register?next=/watchlist")
    assert r.status_code == 400
    assert 'name="next" value="/watchlist"' in r.text
    assert b.signed_in_as() is None
