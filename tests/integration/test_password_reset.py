"""test_password_reset.py: password reset through nginx, Django's way: the form, the mail (read from
the stack's SMTP server, STATE_DIR/mail/), the link, the new password; links made by real Django
work here and links made here pass Django's check_token; bad links, bad input, throttles, logs."""
import email
import email.policy
import glob
import os
import re
import time
import uuid

import pytest
import requests

from accounts_support import insert_user, pbkdf2_hash
from api_client import Client
from support import Browser, SourceAddressAdapter

STATE = os.environ.get("STATE_DIR", "")
LINK_RE = re.compile(r"https?://[^/\s]+(/reset/([A-Za-z0-9_-]+)/([0-9a-z]+-[0-9a-f]+)/)")
NEW_PASSWORD = "Tr0ub4dor-and-3-horses"


def fresh_address():
    return "127.%d.%d.%d" % (60 + uuid.uuid4().int % 40, os.getpid() % 250 + 1, uuid.uuid4().int % 250 + 1)


@pytest.fixture
def user(conn):
    """A user with a known password and a mixed-case email; (id, username, email, password)."""
    name = "rst_" + uuid.uuid4().hex[:10]
    mail = f"Reset.{uuid.uuid4().hex[:8]}@Example.com"
    password = "old-" + uuid.uuid4().hex
    uid = insert_user(conn, name, pbkdf2_hash(password), email=mail)
    return uid, name, mail, password


def outbox_rows(conn, to):
    with conn.cursor() as c:
        c.execute("SELECT count(*) FROM movies_outbox WHERE lower(to_addr) = lower(%s)", (to,))
        return c.fetchone()[0]


def mails_to(to):
    found = []
    for path in sorted(glob.glob(os.path.join(STATE, "mail", "*.eml"))):
        with open(path, "rb") as f:
            m = email.message_from_binary_file(f, policy=email.policy.default)
        if m["To"] == to:
            found.append(m)
    return found


def wait_mail(to, n=1, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(mails_to(to)) < n:
        time.sleep(0.1)
    got = mails_to(to)
    assert len(got) >= n, f"no mail to {to}"
    return got[-1]


def link_of(m):
    text = m.get_body(("plain",)).get_content()
    found = LINK_RE.search(text)
    assert found, text
    assert found.group(0) in m.get_body(("html",)).get_content()
    return found.group(1), found.group(2), found.group(3)


def ask_reset(site, address, who=None):
    b = who or Browser(site)
    return b.post("/password-reset/", {"email": address})


def set_password(b, path, pw1=NEW_PASSWORD, pw2=NEW_PASSWORD):
    """Follows a link: the token moves to the session; then the form. The final answer."""
    r = b.get(path)
    assert r.status_code == 302, (r.status_code, r.text[:300])
    assert r.headers["Referrer-Policy"] == "no-referrer"
    form = r.headers["Location"]
    assert form.endswith("/set-password/") and path.split("/")[3] not in form
    page = b.get(form)
    assert page.status_code == 200 and 'name="new_password1"' in page.text
    return b.post(form, {"new_password1": pw1, "new_password2": pw2}, form_page=form)


def api_login(site, username, password):
    return requests.post(site + "/api/v1/auth/login/", json={"username": username, "password": password},
                         timeout=30)


@pytest.mark.smoke
def test_the_mailed_link_sets_a_new_password_and_signs_out_everywhere(site, conn, user):
    uid, name, mail, password = user
    elsewhere = Browser(site)
    assert elsewhere.login(name, password).status_code == 303
    access = api_login(site, name, password).json()["access"]
    time.sleep(1.1)     # API tokens carry whole seconds; the reset must come after this one's
    r = ask_reset(site, mail.upper())
    assert r.status_code == 303 and r.headers["Location"] == "/password-reset/done/"
    m = wait_mail(mail)
    assert m["Subject"] == "Password reset on " + site.split("//")[1]
    assert name in m.get_body(("plain",)).get_content()
    path, uidb64, token = link_of(m)
    b = Browser(site)
    mismatch = set_password(b, path, NEW_PASSWORD, NEW_PASSWORD + "x")
    assert mismatch.status_code == 400 and "didn’t match" in mismatch.text
    too_simple = b.post(b.get(path).headers.get("Location", path.replace(token, "set-password")),
                        {"new_password1": "password", "new_password2": "password"},
                        form_page=path.replace(token, "set-password"))
    assert too_simple.status_code == 400 and "too common" in too_simple.text
    done = b.post(path.replace(token, "set-password"), {"new_password1": NEW_PASSWORD,
                  "new_password2": NEW_PASSWORD}, form_page=path.replace(token, "set-password"))
    assert done.status_code == 303 and done.headers["Location"] == "/reset/done/"
    assert b.get("/reset/done/").status_code == 200
    # Every other session and API token of the user is gone; the new password works.
    assert elsewhere.signed_in_as() is None
    assert requests.get(site + "/api/v1/auth/favorites/", headers={"Authorization": "Bearer " + access},
                        timeout=30).status_code == 401
    assert Browser(site).login(name, password).status_code == 400
    assert Browser(site).login(name, NEW_PASSWORD).status_code == 303
    # The link is used: replayed, it is refused, and the session's copy is gone too.
    assert Browser(site).get(path).status_code == 400
    assert b.get(path.replace(token, "set-password")).status_code == 400


def test_an_unknown_address_gets_the_same_answer_and_the_same_statements(site, conn, user, metrics_delta):
    uid, name, mail, password = user
    unknown = f"nobody.{uuid.uuid4().hex[:8]}@example.com"
    answers = {}
    for address in (mail, unknown):
        with metrics_delta() as delta:
            r = ask_reset(site, address)
        answers[address] = (r.status_code, r.headers.get("Location"))
        # The same statements both ways: the lookup, and the outbox insert (of nothing, here).
        assert delta("reset_users") == 1 and delta("outbox_queue") == 1, address
    assert answers[mail] == answers[unknown] == (303, "/password-reset/done/")
    assert outbox_rows(conn, unknown) == 0
    assert outbox_rows(conn, mail) == 1


@pytest.fixture
def metrics_delta(site):
    """A context manager: counts of movies_postgres_statements_total by statement across a block."""
    import contextlib

    def counts():
        text = requests.get(site + "/metrics", timeout=10).text
        return {m.group(1): float(m.group(2)) for m in
                re.finditer(r'movies_postgres_statements_total\{statement="([a-z_]+)"\} (\S+)', text)}

    @contextlib.contextmanager
    def measure():
        before = counts()
        box = {}
        yield lambda name: box["after"].get(name, 0) - before.get(name, 0)
        box["after"] = counts()
    return measure


def test_inactive_and_unusable_users_get_no_mail(site, conn):
    mail = f"quiet.{uuid.uuid4().hex[:8]}@example.com"
    insert_user(conn, "rst_in_" + uuid.uuid4().hex[:8], pbkdf2_hash("x"), is_active=False, email=mail)
    insert_user(conn, "rst_un_" + uuid.uuid4().hex[:8], "!unusable", email=mail)
    assert ask_reset(site, mail).status_code == 303
    assert outbox_rows(conn, mail) == 0


@pytest.mark.parametrize("bad", ["not-an-email", "a@b", "x\r\nBcc: evil@example.com@example.com",
                                 "a" * 250 + "@example.com", "<script>@example.com", ""])
def test_bad_addresses_are_refused_and_nothing_is_sent(site, conn, bad):
    with conn.cursor() as c:
        c.execute("SELECT count(*) FROM movies_outbox")
        before = c.fetchone()[0]
    r = ask_reset(site, bad)
    assert r.status_code == 400
    assert "<script>@" not in r.text
    with conn.cursor() as c:
        c.execute("SELECT count(*) FROM movies_outbox")
        assert c.fetchone()[0] == before


def test_bad_links_get_a_clear_4xx(site, conn, user, django_peer):
    uid, name, mail, password = user
    other = insert_user(conn, "rst_o_" + uuid.uuid4().hex[:8], pbkdf2_hash("y"),
                        email=f"o.{uuid.uuid4().hex[:6]}@example.com")
    good = django_peer("reset_make", user_id=uid)
    theirs = django_peer("reset_make", user_id=other)
    expired = django_peer("reset_make", user_id=uid,
                          ts=int(time.time()) - 978307200 - 259200 - 60)
    tampered = good["token"][:-1] + ("1" if good["token"][-1] == "0" else "0")  # never the token itself
    b = Browser(site)
    for path in (f"/reset/{good['uid']}/{theirs['token']}/",           # another user's token
                 f"/reset/{good['uid']}/{expired['token']}/",          # expired
                 f"/reset/{good['uid']}/{tampered}/",
                 f"/reset/{good['uid']}/not-a-token/",
                 f"/reset/{good['uid']}/{good['token']}%0d%0aX:1/",
                 f"/reset/AAAA/{good['token']}/",
                 f"/reset/{'A' * 5000}/{good['token']}/",
                 f"/reset/{good['uid']}/set-password/"):               # no token in the session
        r = b.get(path)
        assert 400 <= r.status_code < 500, (path[:80], r.status_code)
        assert "set-password" not in r.headers.get("Location", "")
    r = b.get(f"/reset/{good['uid']}/{theirs['token']}/")
    assert "The password reset link was invalid" in r.text


def test_a_link_made_by_django_works_here(site, conn, user, django_peer):
    uid, name, mail, password = user
    link = django_peer("reset_make", user_id=uid)
    r = set_password(Browser(site), f"/reset/{link['uid']}/{link['token']}/")
    assert r.status_code == 303
    assert Browser(site).login(name, NEW_PASSWORD).status_code == 303
    assert django_peer("reset_check", user_id=uid, token=link["token"]) is False


def test_a_link_made_here_passes_djangos_check_token(site, conn, user, django_peer):
    uid, name, mail, password = user
    assert ask_reset(site, mail).status_code == 303
    path, uidb64, token = link_of(wait_mail(mail))
    assert django_peer("reset_check", user_id=uid, token=token) is True
    # A login changes last_login: the token dies, for Django and here.
    assert Browser(site).login(name, password).status_code == 303
    assert django_peer("reset_check", user_id=uid, token=token) is False
    assert Browser(site).get(path).status_code == 400


def test_the_api_resets_too(site, conn, user, api_proxy):
    uid, name, mail, password = user
    api = Client(site, proxy=api_proxy)     # every answer checked against the OpenAPI document
    r = api.call("POST", "/auth/password/reset/", {"email": "nope"})
    assert (r.status_code, r.json()) == (400, {"email": ["Enter a valid email address."]})
    r = api.call("POST", "/auth/password/reset/", {"email": mail})
    assert r.status_code == 200 and r.json() == {"detail": "Password reset e-mail has been sent."}
    path, uidb64, token = link_of(wait_mail(mail))
    body = {"uid": uidb64, "token": token, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    r = api.call("POST", "/auth/password/reset/confirm/", dict(body, uid="AAAA"))
    assert (r.status_code, r.json()) == (400, {"uid": ["Invalid value"]})
    r = api.call("POST", "/auth/password/reset/confirm/", dict(body, new_password2="x" + NEW_PASSWORD))
    assert r.status_code == 400
    r = api.call("POST", "/auth/password/reset/confirm/", body)
    assert r.status_code == 200, r.text
    assert api_login(site, name, NEW_PASSWORD).status_code == 200
    again = api.call("POST", "/auth/password/reset/confirm/", body)
    assert again.status_code == 400 and again.json() == {"token": ["Invalid value"]}


def test_requests_are_throttled_per_email_and_per_address(site, conn, user):
    uid, name, mail, password = user
    codes = [ask_reset(site, mail).status_code for _ in range(4)]
    assert codes == [303, 303, 303, 429], codes
    assert outbox_rows(conn, mail) == 3
    b = Browser(site, source_address=fresh_address())
    codes = [ask_reset(site, f"n{i}.{uuid.uuid4().hex[:6]}@example.com", b).status_code for i in range(11)]
    assert codes[:10] == [303] * 10 and codes[10] == 429, codes
    api = requests.Session()
    api.mount("http://", SourceAddressAdapter(b.s.get_adapter("http://").address))
    r = api.post(site + "/api/v1/auth/password/reset/", json={"email": "z@example.com"}, timeout=30)
    assert r.status_code == 429 and "Retry-After" in r.headers


def test_no_live_token_in_any_log_and_the_login_page_offers_a_reset(site, conn, user):
    uid, name, mail, password = user
    assert ask_reset(site, mail).status_code == 303
    path, uidb64, token = link_of(wait_mail(mail))
    b = Browser(site)
    assert b.get(path).status_code == 302
    time.sleep(0.5)
    for log in ("nginx-access.log", "fcgi.log"):
        text = open(os.path.join(STATE, "log", log), encoding="utf-8", errors="replace").read()
        assert token not in text, log
        assert f"/reset/{uidb64}/<token>/" in text, log
    assert 'href="/password-reset/"' in Browser(site).get("/login").text
