"""test_account_email.py: changing the email address: the password again, a signed link to the new
address (and a notice to the old one), followed once; every bad input refused with nothing changed."""
import html
import json
import os
import re
import subprocess
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest

from accounts_support import Browser, random_password, unique, user_row
from mail_support import latest_mail, link_in, mail_count
from stack_control import setting

LINK_INVALID = "This email confirmation link is not valid"
LINK_STALE = "This email confirmation link is no longer valid"
SALT = "movies.email_change"
WRONG_PASSWORD = "Your password was entered incorrectly. Please enter it again."


def field_errors(page, span_id):
    m = re.search(r'<span class="field-error" id="%s">(.*?)</span>' % span_id, page, re.S)
    return m and html.unescape(m.group(1)).strip()


def address():
    return f"{uuid.uuid4().hex[:10]}@example.com"


@pytest.fixture
def member(site):
    """A signed-in browser with its username, password and address."""
    b = Browser(site)
    username, password, email = unique("mail"), random_password(), address()
    r = b.register(username, password, email=email)
    assert r.status_code == 303, r.text[:800]
    assert b.signed_in_as() == username
    return b, username, password, email


def ask(b, new, password):
    return b.post("/account/email", {"email": new, "password": password})


def outbox_total(conn):
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM movies_outbox")
        return cur.fetchone()[0]


def test_change_needs_the_link_and_the_link_works_once(site, conn, member):
    b, username, password, old = member
    new = address()
    r = ask(b, new, password)
    assert (r.status_code, r.headers["Location"]) == (303, "/account/email?sent=1"), r.text[:800]
    assert "A confirmation link is on its way" in b.get("/account/email?sent=1").text
    # Nothing changes until the link is followed.
    assert user_row(conn, username)["email"] == old
    link_mail, notice = latest_mail(new), latest_mail(old)
    assert link_mail["subject"] == "Confirm your new email address"
    assert notice["subject"] == "A change of your email address was asked for"
    assert new in notice["text"] and link_in(notice, "/account/email/confirm") is None
    link = link_in(link_mail, "/account/email/confirm")
    assert link and html.escape(link) in link_mail["html"]
    # Following the link (a GET) changes nothing: a mail scanner may follow it.
    page = Browser(site).get(link)
    assert page.status_code == 200 and new in page.text
    assert user_row(conn, username)["email"] == old
    # The link alone confirms: a browser that is not signed in.
    other = Browser(site)
    token = parse_qs(urlsplit(link).query)["token"][0]
    r = other.post("/account/email/confirm", {"token": token}, form_page=link)
    assert r.status_code == 303, r.text[:800]
    done = other.get(r.headers["Location"])
    assert done.status_code == 200 and "email address is now" in done.text and new in done.text
    assert user_row(conn, username)["email"] == new
    # The second time: already done, clearly, and nothing else changes.
    again = other.get(link)
    assert again.status_code == 200 and "This link was used already" in again.text
    r = other.post("/account/email/confirm", {"token": token}, form_page="/login")
    assert r.status_code == 200 and "This link was used already" in r.text
    assert user_row(conn, username)["email"] == new
    # Django sees it: the row is auth_user's own.
    assert b.get("/account/email").text.count(new) >= 1


def test_link_dies_when_the_address_changes_another_way(site, conn, member):
    b, username, password, old = member
    first, second = address(), address()
    assert ask(b, first, password).status_code == 303
    link1 = link_in(latest_mail(first), "/account/email/confirm")
    assert ask(b, second, password).status_code == 303
    link2 = link_in(latest_mail(second), "/account/email/confirm")
    token2 = parse_qs(urlsplit(link2).query)["token"][0]
    r = b.post("/account/email/confirm", {"token": token2}, form_page=link2)
    assert r.status_code == 303
    assert user_row(conn, username)["email"] == second
    # The first link was made for the old address: it is stale now.
    r = b.get(link1)
    assert r.status_code == 400 and LINK_STALE in r.text
    token1 = parse_qs(urlsplit(link1).query)["token"][0]
    r = b.post("/account/email/confirm", {"token": token1}, form_page=link2)
    assert r.status_code == 400 and LINK_STALE in r.text
    assert user_row(conn, username)["email"] == second


def test_tampered_and_foreign_links_are_refused(site, conn, member):
    b, username, password, old = member
    new = address()
    assert ask(b, new, password).status_code == 303
    link = link_in(latest_mail(new), "/account/email/confirm")
    token = parse_qs(urlsplit(link).query)["token"][0]
    payload, ts, sig = token.split(":")
    tampered = [
        payload + ":" + ts + ":" + sig[:-2] + ("AA" if not sig.endswith("AA") else "BB"),
        payload[:-3] + "xyz:" + ts + ":" + sig,
        payload + ":" + ts,
        "",
        "x" * 5000,
    ]
    for bad in tampered:
        r = Browser(site).get("/account/email/confirm", params={"token": bad})
        # nginx refuses the longest address itself (414); the rest reach the site.
        assert (r.status_code == 400 and LINK_INVALID in r.text) or (len(bad) > 4000 and r.status_code == 414), \
            (bad[:40], r.status_code)
        r = b.post("/account/email/confirm", {"token": bad}, form_page="/account/email")
        assert r.status_code == 400 and LINK_INVALID in r.text, bad[:40]
    assert user_row(conn, username)["email"] == old


DJANGO_DUMPS = """
import json, sys, time
from unittest import mock
from django.conf import settings
settings.configure(SECRET_KEY=sys.argv[1])
from django.core import signing
with mock.patch("time.time", return_value=time.time() - int(sys.argv[4])):
    print(signing.dumps(json.loads(sys.argv[2]), salt=sys.argv[3] or "django.core.signing"))
"""


def django_dumps(obj, salt="", age=0):
    """signing.dumps(obj) by Django with the stack's SECRET_KEY, as if age seconds ago ("" salt: Django's default)."""
    p = subprocess.run(["/usr/bin/python3", "-c", DJANGO_DUMPS, os.environ["SECRET_KEY"], json.dumps(obj), salt,
                        str(age)], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return p.stdout.strip()


def test_a_link_for_another_purpose_is_refused(site, conn, member):
    """Signed with the same key but another salt (Django's default): not our link."""
    b, username, password, old = member
    uid = user_row(conn, username)["id"]
    token = django_dumps({"id": uid, "old": old, "new": "evil@example.com"})
    r = Browser(site).get("/account/email/confirm", params={"token": token})
    assert r.status_code == 400 and LINK_INVALID in r.text
    assert user_row(conn, username)["email"] == old


def test_expired_link_is_refused(site, conn, member):
    """A link signed past EMAIL_CHANGE_MAX_AGE ago, with our salt and key, as Django would sign it."""
    b, username, password, old = member
    change = {"id": user_row(conn, username)["id"], "old": old, "new": "late@example.com"}
    # The same link signed now is good (so the age alone refuses the other).
    ok = Browser(site).get("/account/email/confirm", params={"token": django_dumps(change, SALT)})
    assert ok.status_code == 200 and "late@example.com" in ok.text
    stale = django_dumps(change, SALT, setting("EMAIL_CHANGE_MAX_AGE", 259200) + 60)
    r = Browser(site).get("/account/email/confirm", params={"token": stale})
    assert r.status_code == 400 and LINK_INVALID in r.text
    assert user_row(conn, username)["email"] == old


@pytest.mark.parametrize("bad,message", ids=lambda v: repr(v)[:24] if isinstance(v, str) else "msg", argvalues=[
    ("not-an-address", "Enter a valid email address."),
    ("a@b@example.com", "Enter a valid email address."),
    ("a@example.com\r\nBcc: victim@example.com", "Enter a valid email address."),
    ("a\nb@example.com", "Enter a valid email address."),
    ("a..b@example.com", "Enter a valid email address."),
    ("a@-example.com", "Enter a valid email address."),
    ("a@example.c", "Enter a valid email address."),
    ("a@" + "b" * 250 + ".com", "Ensure this value has at most 254 characters (it has 256)."),
    ("a@" + "b" * 100000 + ".com", 413),
    ("", "This field is required."),
])
def test_bad_addresses_are_refused_and_nothing_is_queued(site, conn, member, bad, message):
    b, username, password, old = member
    before = outbox_total(conn)
    r = ask(b, bad, password)
    if message == 413:      # past nginx's body limit: refused before the site
        assert r.status_code == 413
    else:
        assert r.status_code == 400 and field_errors(r.text, "err_email") == message
    assert user_row(conn, username)["email"] == old
    assert outbox_total(conn) == before


def test_wrong_password_and_same_address_are_refused(site, conn, member):
    b, username, password, old = member
    before = outbox_total(conn)
    r = ask(b, address(), password + "x")
    assert r.status_code == 400 and field_errors(r.text, "err_password") == WRONG_PASSWORD
    r = ask(b, address(), "")
    assert r.status_code == 400 and field_errors(r.text, "err_password") == "This field is required."
    r = ask(b, old, password)
    assert r.status_code == 400 and field_errors(r.text, "err_email") == "This is already your email address."
    assert outbox_total(conn) == before and user_row(conn, username)["email"] == old
    # Without CSRF: refused before anything.
    r = b.post("/account/email", {"email": address(), "password": password}, token=False)
    assert r.status_code == 403
    assert outbox_total(conn) == before


def fresh_address():
    """A loopback address nothing else throttled (test_throttles.py's scheme, another range)."""
    return "127.230.%d.%d" % (os.getpid() % 250 + 1, uuid.uuid4().int % 250 + 1)


def test_password_checks_are_throttled(site, conn):
    """The form costs a hash: PASSWORD_CHECK_LIMIT per address, as the password change (127.0.0.1 is exempt)."""
    limit = setting("PASSWORD_CHECK_LIMIT", 10)
    b = Browser(site, source_address=fresh_address())
    username, password = unique("thr"), random_password()
    assert b.register(username, password, email=address()).status_code == 303
    before = outbox_total(conn)
    token = b.token("/account/email")
    codes = [b.post("/account/email", {"email": address(), "password": "wrong-" + str(i)}, token=token).status_code
             for i in range(limit)]
    assert set(codes) == {400}, codes
    # Past the limit even the right password is not checked.
    r = ask(b, address(), password)
    assert r.status_code == 429 and "Too many password attempts" in r.text
    assert r.headers["Retry-After"].isdigit()
    assert outbox_total(conn) == before


def test_email_pages_need_a_login(site):
    r = Browser(site).get("/account/email")
    assert r.status_code == 303 and r.headers["Location"].startswith("/login?next=")
    assert mail_count("nobody-" + uuid.uuid4().hex + "@example.com") == 0
