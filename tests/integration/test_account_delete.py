"""test_account_delete.py: closing an account deletes the user and every row that hangs on it, as
Django's user.delete() would, with its mail in the same statement; a wrong password changes nothing."""
import html
import os
import re
import subprocess
import uuid

import pytest
import requests

from accounts_support import Browser, random_password, unique, user_row
from mail_support import latest_mail, mail_count

HERE = os.path.dirname(os.path.abspath(__file__))
API = "/api/v1"
WRONG_PASSWORD = "Your password was entered incorrectly. Please enter it again."


def field_errors(page, span_id):
    m = re.search(r'<span class="field-error" id="%s">(.*?)</span>' % span_id, page, re.S)
    return m and html.unescape(m.group(1)).strip()


def one(conn, sql, *params):
    with conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]


def rows_of(conn, uid):
    """How many rows name the user, in each table that hangs on it."""
    tables = ["users_favoritemovie", "users_watchlistmovie", "auth_user_groups",
              "auth_user_user_permissions", "movies_password_change"]
    out = {t: one(conn, f"SELECT count(*) FROM {t} WHERE user_id = %s", uid) for t in tables}
    out["auth_user"] = one(conn, "SELECT count(*) FROM auth_user WHERE id = %s", uid)
    return out


def give_rows(conn, uid):
    """A row in every table that hangs on the user, as the site and Django's admin would leave them."""
    tag = uuid.uuid4().hex[:10]
    with conn.cursor() as cur:
        cur.execute("INSERT INTO users_favoritemovie (user_id, movie_id, created_at) VALUES (%s, 550, now()), "
                    "(%s, 680, now())", (uid, uid))
        cur.execute("INSERT INTO users_watchlistmovie (user_id, movie_id, created_at) VALUES (%s, 13, now())", (uid,))
        cur.execute("INSERT INTO auth_group (name) VALUES (%s) RETURNING id", ("g_" + tag,))
        cur.execute("INSERT INTO auth_user_groups (user_id, group_id) VALUES (%s, %s)", (uid, cur.fetchone()[0]))
        cur.execute("INSERT INTO django_content_type (app_label, model) VALUES (%s, 'thing') RETURNING id",
                    ("t_" + tag,))
        cur.execute("INSERT INTO auth_permission (name, content_type_id, codename) VALUES ('Can x', %s, 'x') "
                    "RETURNING id", (cur.fetchone()[0],))
        cur.execute("INSERT INTO auth_user_user_permissions (user_id, permission_id) VALUES (%s, %s)",
                    (uid, cur.fetchone()[0]))
        cur.execute("INSERT INTO movies_password_change (user_id, changed_at) VALUES (%s, now() - interval '1 day') "
                    "ON CONFLICT (user_id) DO NOTHING", (uid,))


def api(method, site, path, body=None, token=None):
    h = {"Authorization": "Bearer " + token} if token else {}
    return requests.request(method, site + API + path, json=body, headers=h, timeout=30)


@pytest.fixture
def member(site, conn):
    b = Browser(site)
    username, password = unique("bye"), random_password()
    email = f"{uuid.uuid4().hex[:10]}@example.com"
    assert b.register(username, password, email=email).status_code == 303
    uid = user_row(conn, username)["id"]
    give_rows(conn, uid)
    return b, username, password, email, uid


def test_closing_deletes_everything_and_signs_out_everywhere(site, conn, member):
    b, username, password, email, uid = member
    assert all(rows_of(conn, uid).values()), rows_of(conn, uid)
    other = Browser(site)                                       # a second session of the user
    assert other.login(username, password).status_code == 303
    pair = api("POST", site, "/auth/login/", {"username": username, "password": password}).json()
    assert api("GET", site, "/auth/favorites/", token=pair["access"]).status_code == 200
    old_session = b.sessionid
    r = b.post("/account/delete", {"password": password})
    assert (r.status_code, r.headers["Location"]) == (303, "/account/closed"), r.text[:800]
    closed = b.get("/account/closed")
    assert closed.status_code == 200 and "Your account is closed" in closed.text
    assert b.signed_in_as() is None and other.signed_in_as() is None
    assert one(conn, "SELECT count(*) FROM django_session WHERE session_key = %s", old_session) == 0
    assert set(rows_of(conn, uid).values()) == {0}, rows_of(conn, uid)
    # The goodbye mail, queued by the same statement.
    mail = latest_mail(email)
    assert mail["subject"] == "Your account is closed" and username in mail["text"]
    # The user's tokens are refused: access and refresh.
    assert api("GET", site, "/auth/favorites/", token=pair["access"]).status_code == 401
    assert api("POST", site, "/auth/token/refresh/", {"refresh": pair["refresh"]}).status_code == 401
    # The name is free again; the new account is another user (a new id), with nothing of the old.
    again = Browser(site)
    assert again.register(username, random_password()).status_code == 303
    new_id = user_row(conn, username)["id"]
    assert new_id != uid and again.signed_in_as() == username
    assert api("GET", site, "/auth/favorites/", token=pair["access"]).status_code == 401
    assert one(conn, "SELECT count(*) FROM users_favoritemovie WHERE user_id = %s", new_id) == 0


def test_wrong_or_missing_password_changes_nothing(site, conn, member):
    b, username, password, email, uid = member
    before, mails = rows_of(conn, uid), mail_count(email)
    r = b.post("/account/delete", {"password": password + "x"})
    assert r.status_code == 400 and field_errors(r.text, "err_password") == WRONG_PASSWORD
    r = b.post("/account/delete", {"password": ""})
    assert r.status_code == 400 and field_errors(r.text, "err_password") == "This field is required."
    r = b.post("/account/delete", {"password": password}, token=False)
    assert r.status_code == 403
    assert rows_of(conn, uid) == before and mail_count(email) == mails
    assert b.signed_in_as() == username


def test_closing_needs_a_login(site):
    r = Browser(site).get("/account/delete")
    assert r.status_code == 303 and r.headers["Location"].startswith("/login?next=")


DJANGO_ADMIN = r'''
import json, sys
import django
django.setup()
from django.contrib.admin.models import LogEntry, ADDITION
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.test import Client
op, arg = sys.argv[1], json.loads(sys.argv[2])
if op == "log":
    user = User.objects.get(pk=arg["id"])
    LogEntry.objects.log_action(user_id=user.pk, content_type_id=ContentType.objects.get_for_model(User).pk,
                                object_id=user.pk, object_repr=user.username, action_flag=ADDITION)
    print(json.dumps(LogEntry.objects.filter(user_id=user.pk).count()))
else:
    admin, _ = User.objects.get_or_create(username=arg["admin"], defaults={"is_staff": True, "is_superuser": True})
    c = Client()
    c.force_login(admin)
    page = c.get("/admin/auth/user/", {"q": arg["username"]})
    change = c.get("/admin/auth/user/%d/change/" % arg["id"])
    link = "/admin/auth/user/%d/change/" % arg["id"]
    print(json.dumps({"listed": link in page.content.decode(), "list_status": page.status_code,
                      "change_status": change.status_code,
                      "exists": User.objects.filter(pk=arg["id"]).exists(),
                      "log_entries": LogEntry.objects.filter(user_id=arg["id"]).count()}))
'''


def django_admin(op, **arg):
    """Django's admin (tests/integration/django_admin) on the stack's database, in a child process."""
    import json
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="django_admin.settings", PYTHONPATH=HERE,
               ALLOWED_HOSTS="testserver", PYTHONDONTWRITEBYTECODE="1")
    if op == "migrate":
        # The site's migrations made Django's auth and session tables: marked applied, then the admin's.
        for app in ("contenttypes", "auth", "sessions"):
            subprocess.run(["/usr/bin/python3", "-m", "django", "migrate", app, "--fake", "-v", "0"], env=env,
                           check=True, timeout=120, capture_output=True)
        subprocess.run(["/usr/bin/python3", "-m", "django", "migrate", "-v", "0"], env=env, check=True,
                       timeout=120, capture_output=True)
        return None
    p = subprocess.run(["/usr/bin/python3", "-c", DJANGO_ADMIN, op, json.dumps(arg)], env=env,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr[-3000:]
    return json.loads(p.stdout)


def test_django_admin_sees_the_user_gone_with_its_log(site, conn, member):
    b, username, password, email, uid = member
    django_admin("migrate")
    assert django_admin("log", id=uid) == 1
    admin = unique("admin")
    seen = django_admin("look", id=uid, username=username, admin=admin)
    assert seen["listed"] and seen["exists"] and seen["change_status"] == 200, seen
    assert b.post("/account/delete", {"password": password}).status_code == 303
    seen = django_admin("look", id=uid, username=username, admin=admin)
    # Django 3.2's admin redirects a change page of a missing object to its index, with a message.
    assert seen == {"listed": False, "list_status": 200, "change_status": 302, "exists": False,
                    "log_entries": 0}, seen
