"""test_api.py: the origin app's JSON API (/api/v1/) through nginx, and simplejwt interoperability both ways."""
import base64
import hashlib
import hmac
import json
import os
import random
import subprocess
import textwrap
import time
import uuid

import pytest
import requests

from accounts_support import Browser, pbkdf2_hash
from conftest import env
from api_client import API, Client, unique

NOT_PROVIDED = {"detail": "Authentication credentials were not provided."}
NO_ACCOUNT = {"detail": "No active account found with the given credentials"}
# A fresh block of the stand-in's synthetic movie ids (1000000..1999999) for this run.
SYNTHETIC_BASE = 1000000 + random.randrange(0, 900) * 1000


@pytest.fixture(scope="module")
def secret_key():
    return env("SECRET_KEY")


@pytest.fixture
def conn():
    import psycopg2
    c = psycopg2.connect(env("DATABASE_URL"))
    c.autocommit = True
    yield c
    c.close()


def claims(token):
    """The payload of a compact JWT, unverified (stdlib only)."""
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def header(token):
    part = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


@pytest.fixture(scope="module")
def client(site, api_proxy):
    return Client(site, proxy=api_proxy)


@pytest.fixture(scope="module")
def failing_client(site):
    return Client(site, "127.0.1.%d" % (1 + os.getpid() % 250))


@pytest.fixture(scope="module")
def account(client):
    """A registered user: (user dict, password, login answer)."""
    user, password = client.register()
    return user, password, client.login(user["username"], password)


# ---- register ----

def test_register_answers_201_with_the_user(client, conn):
    username = unique("Reg")
    r = client.call("POST", "/auth/register/", {"username": username, "password": "Tr0ub4dor&3-horse",
                                                "password2": "Tr0ub4dor&3-horse", "email": "Someone@EXAMPLE.com"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["message"] == "User registered successfully"
    assert body["user"]["username"] == username
    assert body["user"]["email"] == "Someone@example.com"      # normalize_email
    with conn.cursor() as cur:
        cur.execute("SELECT id, password, is_active FROM auth_user WHERE username = %s", (username,))
        uid, pw, active = cur.fetchone()
    assert body["user"]["id"] == uid and active
    assert pw.split("$")[0] in ("pbkdf2_sha256", "argon2", "bcrypt_sha256", "scrypt")
    assert "Set-Cookie" not in r.headers


def test_register_field_errors(client, account):
    existing = account[0]["username"]
    cases = [
        # The origin answered 500 without an email (KeyError).
        ({"username": unique(), "password": "Tr0ub4dor&3-horse", "password2": "Tr0ub4dor&3-horse"},
         {"email": ["This field is required."]}),
        ({}, {"username": ["This field is required."], "password": ["This field is required."],
              "password2": ["This field is required."], "email": ["This field is required."]}),
        ({"username": "bad name!", "password": "Tr0ub4dor&3-horse", "password2": "Tr0ub4dor&3-horse",
          "email": "a@example.com"},
         {"username": ["Enter a valid username. This value may contain only letters, numbers, "
                       "and @/./+/-/_ characters."]}),
        ({"username": existing.upper(), "password": "Tr0ub4dor&3-horse", "password2": "Tr0ub4dor&3-horse",
          "email": "a@example.com"},
         {"username": ["A user with that username already exists."]}),
        ({"username": unique(), "password": "Tr0ub4dor&3-horse", "password2": "Tr0ub4dor&3-other",
          "email": "a@example.com"},
         {"password": ["Password fields didn't match."]}),
        ({"username": unique(), "password": "12345678", "password2": "12345678", "email": "a@example.com"},
         {"password": ["This password is too common.", "This password is entirely numeric."]}),
        ({"username": unique(), "password": "Tr0ub4dor&3-horse", "password2": "Tr0ub4dor&3-horse",
          "email": "not-an-email"},
         {"email": ["Enter a valid email address."]}),
        ({"username": "  ", "password": "Tr0ub4dor&3-horse", "password2": "Tr0ub4dor&3-horse",
          "email": "a@example.com"},
         {"username": ["This field may not be blank."]}),
        ({"username": unique(), "password": None, "password2": "x", "email": "a@example.com"},
         {"password": ["This field may not be null."]}),
    ]
    for body, expected in cases:
        r = client.call("POST", "/auth/register/", body)
        assert (r.status_code, r.json()) == (400, expected), body


def test_register_password_similar_to_username(client):
    name = unique("similar")
    r = client.call("POST", "/auth/register/", {"username": name, "password": name + "1",
                                                "password2": name + "1", "email": "a@example.com"})
    assert r.status_code == 400
    assert r.json() == {"password": ["The password is too similar to the username."]}


def test_bad_bodies(client):
    r = client.call("POST", "/auth/register/", headers={"Content-Type": "application/json"},
                    data='{"username": ')
    assert r.status_code == 400 and r.json()["detail"].startswith("JSON parse error - ")
    r = client.call("POST", "/auth/login/", headers={"Content-Type": "text/plain"}, data="hello")
    assert r.status_code == 415
    assert r.json() == {"detail": 'Unsupported media type "text/plain" in request.'}
    r = client.call("POST", "/auth/login/", [1, 2])
    assert (r.status_code, r.json()) == (400, {"non_field_errors": [
        "Invalid data. Expected a dictionary, but got list."]})
    r = client.call("POST", "/auth/login/", {"username": "x"})
    assert (r.status_code, r.json()) == (400, {"password": ["This field is required."]})
    # Whitespace may follow the JSON value (as for json.loads); nothing else may.
    json_ct = {"Content-Type": "application/json; charset=utf-8"}
    r = client.call("POST", "/auth/login/", headers=json_ct, data='{"username": "x"}\r\n ')
    assert (r.status_code, r.json()) == (400, {"password": ["This field is required."]})
    r = client.call("POST", "/auth/login/", headers=json_ct, data='{"username": "x"} {}')
    assert r.status_code == 400 and r.json()["detail"].startswith("JSON parse error - ")
    # No CSRF token is needed (token API), and an unknown method is a JSON 405.
    r = client.call("PUT", "/auth/login/", {})
    assert r.status_code == 405 and "detail" in r.json()


# ---- login and tokens ----

@pytest.mark.smoke
def test_login_answers_tokens_and_user(client, account):
    user, password, _ = account
    body = client.login(user["username"], password)
    assert set(body) == {"refresh", "access", "user"}
    assert body["user"] == dict(user, favourite_count=0)
    for token, kind, lifetime in ((body["access"], "access", 1800), (body["refresh"], "refresh", 86400)):
        assert header(token) == {"alg": "HS256", "typ": "JWT"}
        assert "=" not in token
        c = claims(token)
        # simplejwt's claims, then the password change the token belongs to (revocation's own).
        assert list(c) == ["token_type", "exp", "iat", "jti", "user_id", "username", "pw_changed"]
        assert c["pw_changed"] == 0
        assert c["token_type"] == kind and c["exp"] - c["iat"] == lifetime
        assert c["user_id"] == user["id"] and c["username"] == user["username"]
        assert len(c["jti"]) == 32 and int(c["jti"], 16) >= 0
    assert claims(body["access"])["jti"] != claims(body["refresh"])["jti"]


def test_login_form_encoded_and_nfkc(client, account):
    user, password, _ = account
    r = client.call("POST", "/auth/login/", data={"username": user["username"], "password": password})
    assert r.status_code == 200, r.text
    # NFKC: a fullwidth letter logs in as its ASCII form, as Django's login form does.
    fullwidth = chr(ord(user["username"][0]) - ord("a") + 0xFF41) + user["username"][1:]
    assert client.call("POST", "/auth/login/", {"username": fullwidth, "password": password}).status_code == 200


def test_login_refused(failing_client, account):
    user, password, _ = account
    for body in ({"username": user["username"], "password": password + "x"},
                 {"username": unique("nobody"), "password": password}):
        r = failing_client.call("POST", "/auth/login/", body)
        assert (r.status_code, r.json()) == (401, NO_ACCOUNT)
        assert r.headers["WWW-Authenticate"] == 'Bearer realm="api"'


def test_login_inactive_user_refused(client, failing_client, conn):
    user, password = client.register()
    with conn.cursor() as cur:
        cur.execute("UPDATE auth_user SET is_active = false WHERE id = %s", (user["id"],))
    r = failing_client.call("POST", "/auth/login/", {"username": user["username"], "password": password})
    assert (r.status_code, r.json()) == (401, NO_ACCOUNT)


def test_login_throttled(client, failing_client):
    user, password = client.register()
    for i in range(10):
        r = failing_client.call("POST", "/auth/login/", {"username": user["username"], "password": f"no {i}"})
        assert r.status_code == 401, (i, r.status_code)
    r = failing_client.call("POST", "/auth/login/", {"username": user["username"], "password": password})
    assert r.status_code == 429
    retry = int(r.headers["Retry-After"])
    assert 0 < retry <= 900
    assert r.json() == {"detail": f"Request was throttled. Expected available in {retry} seconds."}


def test_refresh(client, account):
    user, _, login = account
    r = client.call("POST", "/auth/token/refresh/", {"refresh": login["refresh"]})
    assert r.status_code == 200, r.text
    assert list(r.json()) == ["access"]
    access = r.json()["access"]
    c = claims(access)
    assert c["token_type"] == "access" and c["user_id"] == user["id"] and c["username"] == user["username"]
    assert c["jti"] != claims(login["refresh"])["jti"]
    assert client.call("GET", "/auth/favorites/", token=access).status_code == 200


def test_refresh_refused(client, account):
    _, _, login = account
    invalid = {"detail": "Token is invalid or expired", "code": "token_not_valid"}
    for token in ("garbage", login["refresh"][:-2], login["refresh"] + "x"):
        r = client.call("POST", "/auth/token/refresh/", {"refresh": token})
        assert (r.status_code, r.json()) == (401, invalid), token
    r = client.call("POST", "/auth/token/refresh/", {"refresh": login["access"]})
    assert (r.status_code, r.json()) == (401, {"detail": "Token has wrong type", "code": "token_not_valid"})
    r = client.call("POST", "/auth/token/refresh/", {})
    assert (r.status_code, r.json()) == (400, {"refresh": ["This field is required."]})


def test_refresh_for_deactivated_user_refused(client, conn):
    user, password = client.register()
    login = client.login(user["username"], password)
    with conn.cursor() as cur:
        cur.execute("UPDATE auth_user SET is_active = false WHERE id = %s", (user["id"],))
    r = client.call("POST", "/auth/token/refresh/", {"refresh": login["refresh"]})
    assert r.status_code == 401 and r.json()["code"] == "no_active_account"
    r = client.call("GET", "/auth/favorites/", token=login["access"])
    assert (r.status_code, r.json()) == (401, {"detail": "User is inactive", "code": "user_inactive"})


# ---- protected routes ----

def test_protected_routes_need_a_token(client, account):
    _, _, login = account
    for method, path in (("GET", "/auth/favorites/"), ("POST", "/auth/favorites/"),
                         ("DELETE", "/auth/favorites/550/")):
        r = client.call(method, path)
        assert (r.status_code, r.json()) == (401, NOT_PROVIDED), path
        assert r.headers["WWW-Authenticate"] == 'Bearer realm="api"'
        # Another scheme is no credential either.
        r = client.call(method, path, headers={"Authorization": "Basic dXNlcjpwdw=="})
        assert (r.status_code, r.json()) == (401, NOT_PROVIDED), path
    # A session cookie is not a credential for the API.
    r = client.call("GET", "/auth/favorites/", headers={"Cookie": "sessionid=abc"})
    assert r.status_code == 401
    r = client.call("GET", "/auth/favorites/", headers={"Authorization": "Bearer a b"})
    assert r.status_code == 401 and r.json()["code"] == "bad_authorization_header"
    # A refresh token is not an access token.
    r = client.call("GET", "/auth/favorites/", token=login["refresh"])
    assert r.status_code == 401
    assert r.json() == {"detail": "Given token not valid for any token type", "code": "token_not_valid",
                        "messages": [{"token_class": "AccessToken", "token_type": "access",
                                      "message": "Token has wrong type"}]}
    # The signature's second-to-last character: all its bits count (the last one's low bits are padding).
    a = login["access"]
    for bad in ("abc", a[:-2] + ("A" if a[-2] != "A" else "B") + a[-1]):
        r = client.call("GET", "/auth/favorites/", token=bad)
        assert r.status_code == 401 and r.json()["detail"] == "Given token not valid for any token type"
        assert r.json()["messages"][0]["message"] == "Token is invalid or expired"


def test_public_routes_ignore_a_bad_token(client):
    # The origin answered 401 here.
    r = client.call("GET", "/movies/trending/", token="not-a-token")
    assert r.status_code == 200
    r = client.call("GET", "/health-check/", token="not-a-token")
    assert r.status_code == 200


# ---- favorites ----

def fav(client, token, movie_id):
    return client.call("POST", "/auth/favorites/", {"movie_id": movie_id}, token=token)


@pytest.mark.smoke
def test_favorites_add_list_remove(client):
    user, password = client.register()
    token = client.login(user["username"], password)["access"]
    r = client.call("GET", "/auth/favorites/", token=token)
    assert r.status_code == 200
    assert r.json()["user"] == user and r.json()["favorite_movies"] == []
    r = fav(client, token, 550)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["user"] == user
    movie = body["favorite_movie"]
    assert set(movie) == {"movie_id", "created_at", "title", "overview", "release_date", "poster_path"}
    assert movie["movie_id"] == 550 and movie["title"] == "Fight Club"
    assert movie["release_date"] == "1999-10-15" and movie["created_at"].endswith("Z")
    r = fav(client, token, 550)
    assert (r.status_code, r.json()) == (400, {"error": "Movie already in favorites"})
    # A string id is an integer to DRF too.
    assert fav(client, token, "680").status_code == 201
    r = client.call("GET", "/auth/favorites/", token=token)
    listed = r.json()["favorite_movies"]
    assert [m["movie_id"] for m in listed] == [680, 550]           # newest first
    assert listed[1]["title"] == "Fight Club" and listed[1]["poster_path"].startswith("/")
    assert client.login(user["username"], password)["user"]["favourite_count"] == 2
    r = client.call("DELETE", "/auth/favorites/550/", token=token)
    assert r.status_code == 204 and r.content == b""               # the origin sent a body
    r = client.call("DELETE", "/auth/favorites/550/", token=token)
    assert (r.status_code, r.json()) == (404, {"error": "Favorite movie not found"})
    assert [m["movie_id"] for m in client.call("GET", "/auth/favorites/", token=token).json()
            ["favorite_movies"]] == [680]


def test_favorites_add_errors(client, account):
    _, _, login = account
    token = login["access"]
    # As the origin (its documented answers are 201 and 400): an id TMDb does not know is a 400.
    r = fav(client, token, 999999)
    assert (r.status_code, r.json()) == (400, {"error": "Invalid movie ID"})
    for bad, message in (("abc", "A valid integer is required."), (1.5, "A valid integer is required."),
                         (True, "A valid integer is required."),
                         (0, "Ensure this value is greater than or equal to 1."),
                         (2 ** 31, "Ensure this value is less than or equal to 2147483647.")):
        r = fav(client, token, bad)
        assert (r.status_code, r.json()) == (400, {"movie_id": [message]}), bad
    r = client.call("POST", "/auth/favorites/", {}, token=token)
    assert (r.status_code, r.json()) == (400, {"movie_id": ["This field is required."]})


def test_favorites_paginated_and_cached(client, standin):
    user, password = client.register()
    token = client.login(user["username"], password)["access"]
    ids = [SYNTHETIC_BASE + i for i in range(21)]
    for i in ids:
        assert fav(client, token, i).status_code == 201
    page1 = client.call("GET", "/auth/favorites/", token=token, params={"page": 1}).json()
    assert [m["movie_id"] for m in page1["favorite_movies"]] == ids[::-1][:20]
    assert (page1["count"], page1["page"], page1["total_pages"]) == (21, 1, 2)
    assert page1["favorite_movies"][0]["title"] == f"Synthetic Movie {ids[-1]}"
    page2 = client.call("GET", "/auth/favorites/", token=token, params={"page": 2}).json()
    assert [m["movie_id"] for m in page2["favorite_movies"]] == [ids[0]]
    for bad in ("3", "0", "x"):
        r = client.call("GET", "/auth/favorites/", token=token, params={"page": bad})
        assert (r.status_code, r.json()) == (404, {"detail": "Invalid page."}), bad
    # Details come from the cache: listing again asks TMDb nothing (the origin asked 4x per movie).
    before = standin("stats")["total"]
    client.call("GET", "/auth/favorites/", token=token, params={"page": 1})
    everything = client.call("GET", "/auth/favorites/", token=token).json()
    assert standin("stats")["total"] == before
    # Without ?page=, every favorite in the origin's shape.
    assert set(everything) == {"user", "favorite_movies"}
    assert [m["movie_id"] for m in everything["favorite_movies"]] == ids[::-1]


@pytest.fixture(scope="module")
def standin():
    base = env("TMDB_BASE_URL").rsplit("/3", 1)[0]

    def call(what):
        return requests.get(f"{base}/__standin/{what}", timeout=10).json()
    return call


def test_deleted_user_token_refused(client, conn):
    user, password = client.register()
    token = client.login(user["username"], password)["access"]
    with conn.cursor() as cur:
        cur.execute("DELETE FROM auth_user WHERE id = %s", (user["id"],))
    r = client.call("GET", "/auth/favorites/", token=token)
    assert (r.status_code, r.json()) == (401, {"detail": "User not found", "code": "user_not_found"})


# ---- movies ----

@pytest.mark.smoke
def test_movies(client):
    r = client.call("GET", "/movies/trending/")
    assert r.status_code == 200
    body = r.json()
    assert set(body) >= {"page", "results", "total_pages", "total_results"} and body["results"]
    r = client.call("GET", "/movies/550/")
    assert r.status_code == 200 and r.json()["id"] == 550 and r.json()["title"] == "Fight Club"
    # The origin answered 503 for a movie TMDb does not know.
    r = client.call("GET", "/movies/999999/")
    assert r.status_code == 404 and "error" in r.json()
    r = client.call("GET", "/movies/550/recommendations/")
    assert r.status_code == 200 and r.json()["results"]
    r = client.call("GET", "/movies/999999/recommendations/")
    assert (r.status_code, r.json()) == (404, {"error": "Movie not found"})
    # An id out of range matches no route: Django's 404, as documented.
    r = client.call("GET", "/movies/0/recommendations/")
    assert (r.status_code, r.json()) == (404, {"detail": "There is no page at this address."})
    r = client.call("GET", "/movies/search/", params={"query": "fight club"})
    assert r.status_code == 200 and any(m["id"] == 550 for m in r.json()["results"])
    r = client.call("GET", "/movies/search/", params={"query": "fight", "year": "1999", "page": "1"})
    assert r.status_code == 200
    for params in ({}, {"query": ""}, {"query": "   "}):
        r = client.call("GET", "/movies/search/", params=params)
        assert (r.status_code, r.json()) == (400, {"error": "Query parameter is required"}), params
    assert client.call("GET", "/movies/search/", params={"query": "x", "page": "0"}).status_code == 400
    assert client.call("GET", "/movies/search/", params={"query": "x", "year": "abc"}).status_code == 400
    assert client.call("GET", "/health-check/").json() == {
        "status": "ok", "message": "Welcome to the Movie Recommender API!"}


# ---- simplejwt interoperability ----

# Django configured as the origin app (its SIMPLE_JWT lifetimes), for scripts run with the SECRET_KEY.
SIMPLEJWT_SETUP = textwrap.dedent("""
    import json, sys
    from datetime import timedelta
    import django
    from django.conf import settings
    settings.configure(
        SECRET_KEY=sys.argv[1], USE_TZ=True, DATABASES={},
        INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "rest_framework",
                        "rest_framework_simplejwt"],
        SIMPLE_JWT={"ACCESS_TOKEN_LIFETIME": timedelta(minutes=30),
                    "REFRESH_TOKEN_LIFETIME": timedelta(days=1)})
    django.setup()
""")

SIMPLEJWT = SIMPLEJWT_SETUP + textwrap.dedent("""
    from rest_framework_simplejwt.backends import TokenBackend
    from rest_framework_simplejwt.exceptions import TokenError
    from rest_framework_simplejwt.tokens import AccessToken, RefreshToken
    given = json.load(sys.stdin)
    out = {}
    def check(cls, token):
        try:
            return dict(cls(token).payload)
        except TokenError as e:
            return {"error": str(e.args[0])}
    # Tokens this backend issued, validated by simplejwt.
    out["access"] = check(AccessToken, given["access"])
    out["refresh"] = check(RefreshToken, given["refresh"])
    out["refreshed"] = check(AccessToken, given["refreshed"])
    out["access_as_refresh"] = check(RefreshToken, given["access"])
    # Tokens simplejwt issues (as the origin's serializer: user_id and username), for this backend.
    refresh = RefreshToken()
    refresh["user_id"] = given["user_id"]
    refresh["username"] = given["username"]
    out["sj_refresh"] = str(refresh)
    out["sj_access"] = str(refresh.access_token)
    expired = AccessToken()
    expired.set_exp(lifetime=timedelta(seconds=-5))
    expired["user_id"] = given["user_id"]
    out["sj_expired"] = str(expired)
    payload = dict(AccessToken().payload, user_id=given["user_id"])
    out["sj_other_key"] = TokenBackend("HS256", "another-secret-key").encode(payload)
    json.dump(out, sys.stdout)
""")


def test_simplejwt_interoperability(client, account, secret_key):
    user, _, login = account
    refreshed = client.call("POST", "/auth/token/refresh/", {"refresh": login["refresh"]}).json()["access"]
    given = {"access": login["access"], "refresh": login["refresh"], "refreshed": refreshed,
             "user_id": user["id"], "username": user["username"]}
    p = subprocess.run(["/usr/bin/python3", "-c", SIMPLEJWT, secret_key], input=json.dumps(given),
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    # simplejwt accepts what this backend issues...
    assert out["access"] == claims(login["access"])
    assert out["refresh"] == claims(login["refresh"])
    assert out["refreshed"]["user_id"] == user["id"] and out["refreshed"]["token_type"] == "access"
    assert out["access_as_refresh"] == {"error": "Token has wrong type"}
    # ...and this backend accepts what simplejwt issues.
    r = client.call("GET", "/auth/favorites/", token=out["sj_access"])
    assert r.status_code == 200, r.text
    assert r.json()["user"] == user
    r = client.call("POST", "/auth/token/refresh/", {"refresh": out["sj_refresh"]})
    assert r.status_code == 200, r.text
    assert claims(r.json()["access"])["username"] == user["username"]
    assert client.call("GET", "/auth/favorites/", token=r.json()["access"]).status_code == 200
    # Expired, or signed with another key: refused.
    for bad in (out["sj_expired"], out["sj_other_key"]):
        r = client.call("GET", "/auth/favorites/", token=bad)
        assert r.status_code == 401
        assert r.json()["messages"][0]["message"] == "Token is invalid or expired"


# ---- a password change revokes the tokens issued before it ----

SIMPLEJWT_PAIR = SIMPLEJWT_SETUP + textwrap.dedent("""
    from rest_framework_simplejwt.tokens import RefreshToken
    refresh = RefreshToken()
    refresh["user_id"] = int(sys.argv[2])
    refresh["username"] = sys.argv[3]
    json.dump({"refresh": str(refresh), "access": str(refresh.access_token)}, sys.stdout)
""")


def simplejwt_pair(secret_key, user):
    """A refresh and access token as a Django/simplejwt beside this backend issues them now."""
    p = subprocess.run(["/usr/bin/python3", "-c", SIMPLEJWT_PAIR, secret_key, str(user["id"]),
                        user["username"]], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def tokens_work(client, pair):
    """(refresh accepted, access accepted) for a {"refresh", "access"} pair."""
    refreshed = client.call("POST", "/auth/token/refresh/", {"refresh": pair["refresh"]})
    listed = client.call("GET", "/auth/favorites/", token=pair["access"])
    for r in (refreshed, listed):
        assert r.status_code in (200, 401), (r.status_code, r.text)
        if r.status_code == 401:
            assert r.json() == {"detail": "Token was issued before the password was last changed; "
                                          "log in again", "code": "token_not_valid"}
            assert r.headers["WWW-Authenticate"] == 'Bearer realm="api"'
    return refreshed.status_code == 200, listed.status_code == 200


def test_password_change_revokes_earlier_tokens(client, conn, secret_key):
    user, password = client.register()
    ours = client.login(user["username"], password)
    theirs = simplejwt_pair(secret_key, user)
    assert tokens_work(client, ours) == (True, True)
    assert tokens_work(client, theirs) == (True, True)
    time.sleep(1.1)     # iat has whole seconds: the change must fall in a later second
    # The password changes as Django's set_password() + save() change it (a trigger records it).
    with conn.cursor() as cur:
        cur.execute("UPDATE auth_user SET password = %s WHERE id = %s",
                    (pbkdf2_hash("Another-pw-" + uuid.uuid4().hex, 1000), user["id"]))
    # Issued before the change, by this backend or by simplejwt: refused, refresh and access.
    assert tokens_work(client, ours) == (False, False)
    assert tokens_work(client, theirs) == (False, False)
    # Issued after it, by either: accepted (simplejwt's whole-second iat must be in a later second).
    next_second(conn, user)
    assert tokens_work(client, simplejwt_pair(secret_key, user)) == (True, True)
    new_password = "Fresh-pw-" + uuid.uuid4().hex
    with conn.cursor() as cur:
        cur.execute("UPDATE auth_user SET password = %s WHERE id = %s", (pbkdf2_hash(new_password, 1000), user["id"]))
    assert tokens_work(client, client.login(user["username"], new_password)) == (True, True)


def changed_at(conn, user):
    with conn.cursor() as cur:
        cur.execute("SELECT extract(epoch FROM changed_at)::float8 FROM movies_password_change WHERE user_id = %s",
                    (user["id"],))
        return cur.fetchone()[0]


def next_second(conn, user):
    """Waits until the whole second after the user's last password change has begun."""
    time.sleep(max(0.0, int(changed_at(conn, user)) + 1 - time.time()) + 0.01)


def change_password(conn, user):
    with conn.cursor() as cur:
        cur.execute("UPDATE auth_user SET password = %s WHERE id = %s",
                    (pbkdf2_hash("Another-pw-" + uuid.uuid4().hex, 1000), user["id"]))


def test_password_change_in_the_same_second_revokes_exactly(client, conn, secret_key):
    user, password = client.register()
    # Early in a second, so the token and the change share it (the case whole-second iat missed).
    time.sleep(1.0 - time.time() % 1.0 + 0.01)
    ours = client.login(user["username"], password)
    change_password(conn, user)
    assert claims(ours["refresh"])["iat"] == int(changed_at(conn, user)), "not within one second: rerun"
    assert tokens_work(client, ours) == (False, False)
    # Ours issued right after the change: accepted at once, within the same second too.
    new_password = "Fresh-pw-" + uuid.uuid4().hex
    with conn.cursor() as cur:
        cur.execute("UPDATE auth_user SET password = %s WHERE id = %s", (pbkdf2_hash(new_password, 1000), user["id"]))
    after = client.login(user["username"], new_password)
    assert tokens_work(client, after) == (True, True)
    # A refresh's access token carries the refresh token's claim: accepted as well.
    refreshed = client.call("POST", "/auth/token/refresh/", {"refresh": after["refresh"]}).json()
    assert client.call("GET", "/auth/favorites/", token=refreshed["access"]).status_code == 200
    # simplejwt's (whole-second iat): issued before the change, in its second or not: refused.
    theirs = simplejwt_pair(secret_key, user)
    change_password(conn, user)
    assert tokens_work(client, theirs) == (False, False)
    # Issued within the change's second, it cannot be told from one issued just before: refused
    # (the safe side); from the next second on, accepted.
    second = int(changed_at(conn, user))
    next_second(conn, user)
    assert tokens_work(client, simplejwt_like_pair(secret_key, user, second)) == (False, False)
    assert tokens_work(client, simplejwt_like_pair(secret_key, user, second + 1)) == (True, True)
    assert tokens_work(client, simplejwt_pair(secret_key, user)) == (True, True)


def simplejwt_like_pair(secret_key, user, iat):
    """The pair simplejwt would have issued at second iat (HS256 over its claims, made here)."""
    def encode(payload):
        b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=")
        head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
        body = b64(json.dumps(payload, separators=(",", ":")).encode())
        sig = hmac.new(secret_key.encode(), head + b"." + body, hashlib.sha256).digest()
        return (head + b"." + body + b"." + b64(sig)).decode()
    pair = {}
    for kind, lifetime in (("refresh", 86400), ("access", 1800)):
        pair[kind] = encode({"token_type": kind, "exp": iat + lifetime, "iat": iat, "jti": uuid.uuid4().hex,
                             "user_id": user["id"], "username": user["username"]})
    return pair


def test_password_change_on_the_site_revokes_api_tokens(client, site, secret_key):
    user, password = client.register()
    ours, theirs = client.login(user["username"], password), simplejwt_pair(secret_key, user)
    time.sleep(1.1)
    b = Browser(site)
    assert b.login(user["username"], password).status_code == 303
    new = "Changed-pw-" + uuid.uuid4().hex
    r = b.post("/account/password", {"old_password": password, "new_password1": new, "new_password2": new})
    assert r.status_code in (200, 303), r.status_code
    assert tokens_work(client, ours) == (False, False)
    assert tokens_work(client, theirs) == (False, False)
    assert tokens_work(client, client.login(user["username"], new)) == (True, True)


def test_login_rehash_does_not_revoke_tokens(client, conn, secret_key):
    user, password = client.register()
    weak = pbkdf2_hash(password, 1000)     # valid, but not the configured iterations
    with conn.cursor() as cur:
        cur.execute("UPDATE auth_user SET password = %s WHERE id = %s", (weak, user["id"]))
    time.sleep(1.1)
    theirs = simplejwt_pair(secret_key, user)
    time.sleep(1.1)
    client.login(user["username"], password)    # re-hashes with the current parameters
    with conn.cursor() as cur:
        cur.execute("SELECT password FROM auth_user WHERE id = %s", (user["id"],))
        assert cur.fetchone()[0] != weak
    # The same password, stored anew: not a change, so earlier tokens stay valid.
    assert tokens_work(client, theirs) == (True, True)


# ---- the password change (dj-rest-auth's /password/change/) ----

def test_api_password_change_revokes_earlier_tokens_and_gives_a_fresh_pair(client, site):
    user, password = client.register()
    old = client.login(user["username"], password)
    b = Browser(site)
    assert b.login(user["username"], password).status_code == 303
    time.sleep(1.1)     # iat has whole seconds: the change must fall in a later second
    new = "Api-changed-" + uuid.uuid4().hex
    r = client.call("POST", "/auth/password/change/", {"old_password": password, "new_password1": new,
                                                        "new_password2": new}, token=old["access"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["detail"] == "New password has been saved." and set(body) == {"detail", "access", "refresh"}
    assert claims(body["access"])["user_id"] == user["id"]
    # Every token and site session from before is refused; the fresh pair works; so does the new password.
    assert tokens_work(client, old) == (False, False)
    assert tokens_work(client, body) == (True, True)
    assert b.signed_in_as() is None
    client.login(user["username"], new)
    r = client.call("POST", "/auth/login/", {"username": user["username"], "password": password})
    assert r.status_code == 401


@pytest.mark.parametrize("fields,errors", [
    ({"old_password": "wrong", "new_password1": "Nw-pass-9a8b7c", "new_password2": "Nw-pass-9a8b7c"},
     {"old_password": ["Your old password was entered incorrectly. Please enter it again."]}),
    ({"new_password1": "Nw-pass-9a8b7c", "new_password2": "Nw-pass-other"},
     {"new_password2": ["The two password fields didn\u2019t match."]}),
    ({"new_password1": "12345678", "new_password2": "12345678"},
     {"new_password2": ["This password is too common.", "This password is entirely numeric."]}),
    ({"new_password1": "Nw-pass-9a8b7c"}, {"new_password2": ["This field is required."]}),
])
def test_api_password_change_refuses_bad_input(client, conn, fields, errors):
    # No digits in the name or address: random hex can be "too similar" to 12345678.
    letters = "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:12])
    user, password = client.register(username="pwchange_" + letters, email="password.change@example.com")
    pair = client.login(user["username"], password)
    body = dict({"old_password": password}, **fields)
    with conn.cursor() as cur:
        cur.execute("SELECT password FROM auth_user WHERE id = %s", (user["id"],))
        stored = cur.fetchone()[0]
    r = client.call("POST", "/auth/password/change/", body, token=pair["access"])
    assert (r.status_code, r.json()) == (400, errors)
    with conn.cursor() as cur:
        cur.execute("SELECT password FROM auth_user WHERE id = %s", (user["id"],))
        assert cur.fetchone()[0] == stored
    assert tokens_work(client, pair) == (True, True)
    # Without a token: 401 before anything.
    assert client.call("POST", "/auth/password/change/", body).status_code == 401
