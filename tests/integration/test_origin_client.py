"""test_origin_client.py: plays a client of the origin Django app (DRF + simplejwt + django-cors-headers) against this API, unchanged."""
import os
import pathlib
import random
import re
import time
import uuid

import pytest
import requests

from conftest import env

API = "/api/v1"
ALLOWED = "http://localhost:3000"         # the local stack's default CORS_ALLOWED_ORIGINS
FOREIGN = "http://evil.example"
# A fresh block of the stand-in's synthetic movie ids for this run (test_api.py uses 1000000+).
SYNTHETIC_BASE = 1900000 + random.randrange(0, 90) * 1000


@pytest.fixture(scope="module")
def base():
    return env("SITE_URL").rstrip("/")


@pytest.fixture
def http():
    """Like the origin's clients: no cookie jar that would hide a stateless API."""
    s = requests.Session()
    s.headers["User-Agent"] = "origin-client/1.0"
    yield s
    s.close()


def unique(prefix="orig"):
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def multipart(fields):
    """requests' files= with no filename sends plain multipart/form-data fields, as a browser FormData."""
    return {k: (None, str(v)) for k, v in fields.items()}


def register(http, base, how="json", **fields):
    body = {"username": unique(), "password": "Pw-" + uuid.uuid4().hex,
            "email": f"{uuid.uuid4().hex[:8]}@example.com"}
    body.update(fields)
    body.setdefault("password2", body["password"])
    url = base + API + "/auth/register/"
    if how == "json":
        r = http.post(url, json=body, timeout=30)
    elif how == "form":
        r = http.post(url, data=body, timeout=30)
    else:
        r = http.post(url, files=multipart(body), timeout=30)
    return r, body


def login(http, base, username, password, how="json"):
    url = base + API + "/auth/login/"
    body = {"username": username, "password": password}
    if how == "json":
        return http.post(url, json=body, timeout=30)
    if how == "form":
        return http.post(url, data=body, timeout=30)
    return http.post(url, files=multipart(body), timeout=30)


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


# ---- bodies: JSON, form-encoded and multipart, as DRF's default parsers took them ----

@pytest.mark.parametrize("how", ["json", "form", "multipart"])
def test_register_and_login_with_each_parser(http, base, how):
    r, body = register(http, base, how)
    assert r.status_code == 201, (how, r.status_code, r.text)
    out = r.json()
    assert out["message"] == "User registered successfully"
    assert set(out["user"]) == {"id", "username", "email"} and out["user"]["username"] == body["username"]
    r = login(http, base, body["username"], body["password"], how)
    assert r.status_code == 200, (how, r.text)
    tokens = r.json()
    assert set(tokens) == {"refresh", "access", "user"}
    assert tokens["user"]["favourite_count"] == 0
    # The refresh, form-encoded this time.
    r = http.post(base + API + "/auth/token/refresh/", data={"refresh": tokens["refresh"]}, timeout=30)
    assert r.status_code == 200 and set(r.json()) == {"access"}


def test_multipart_errors_are_drf_shaped(http, base):
    url = base + API + "/auth/login/"
    # A field missing from a multipart body is a field error, as with JSON.
    r = http.post(url, files=multipart({"username": "x"}), timeout=30)
    assert (r.status_code, r.json()) == (400, {"password": ["This field is required."]})
    # A file where a text field belongs: DRF's CharField says "Not a valid string.".
    r = http.post(url, files={"username": ("name.txt", b"x"), "password": (None, "y")}, timeout=30)
    assert (r.status_code, r.json()) == (400, {"username": ["Not a valid string."]})
    # Malformed bodies are a clear 400, never a crash.
    for ct, data in (("multipart/form-data", b"--x\r\n"),
                     ("multipart/form-data; boundary=x", b"no boundary here"),
                     ("multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv"),
                     ("multipart/form-data; boundary=x",
                      b"--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n\xff\xfe\r\n--x--")):
        r = http.post(url, data=data, headers={"Content-Type": ct}, timeout=30)
        assert r.status_code == 400, (ct, data, r.text)
        assert r.json()["detail"].startswith("Multipart form parse error - "), r.text
    # The worker survived all that.
    assert http.get(base + API + "/health-check/", timeout=30).status_code == 200


def test_password_with_surrounding_spaces(http, base):
    """DRF's CharField trimmed: the origin stored the password without its surrounding spaces."""
    core = "Pw-" + uuid.uuid4().hex
    r, body = register(http, base, "json", password=f"  {core}\t ", password2=f" {core} ")
    assert r.status_code == 201, r.text
    # The client that typed the spaces logs in as it did there, and so does one that did not.
    assert login(http, base, body["username"], f"  {core}\t ").status_code == 200
    assert login(http, base, body["username"], core).status_code == 200
    assert login(http, base, f"  {body['username']} ", core, "form").status_code == 200
    # The hash is of the trimmed password: the HTML site (which never strips) takes it as typed.
    assert login(http, base, body["username"], core + "x").status_code == 401
    site = requests.Session()
    page = site.get(base + "/login", timeout=30).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"', page).group(1)
    r = site.post(base + "/login", data={"csrfmiddlewaretoken": token, "username": body["username"],
                                         "password": core}, headers={"Origin": base,
                                                                      "Referer": base + "/login"},
                  allow_redirects=False, timeout=30)
    assert r.status_code == 303 and "sessionid" in r.cookies, r.text[:500]


# ---- favorites: every one in the origin's shape, more than a page ----

def test_more_than_twenty_favorites(http, base):
    r, body = register(http, base)
    access = login(http, base, body["username"], body["password"]).json()["access"]
    ids = [SYNTHETIC_BASE + i for i in range(23)]
    url = base + API + "/auth/favorites/"
    for n, movie_id in enumerate(ids):
        # The origin's clients sent JSON, forms and multipart alike.
        if n % 3 == 0:
            r = http.post(url, json={"movie_id": movie_id}, headers=bearer(access), timeout=30)
        elif n % 3 == 1:
            r = http.post(url, data={"movie_id": str(movie_id)}, headers=bearer(access), timeout=30)
        else:
            r = http.post(url, files=multipart({"movie_id": movie_id}), headers=bearer(access), timeout=30)
        assert r.status_code == 201, r.text
        assert set(r.json()) == {"user", "favorite_movie"}
    r = http.get(url, headers=bearer(access), timeout=30)
    assert r.status_code == 200
    out = r.json()
    assert set(out) == {"user", "favorite_movies"}            # the origin's shape, not paginated
    assert [m["movie_id"] for m in out["favorite_movies"]] == ids[::-1]
    for m in out["favorite_movies"]:
        assert set(m) == {"movie_id", "created_at", "title", "overview", "release_date", "poster_path"}
        assert m["title"] == f"Synthetic Movie {m['movie_id']}"
    # Pagination when asked for.
    r = http.get(url, params={"page": 2}, headers=bearer(access), timeout=30)
    assert r.status_code == 200
    assert (r.json()["count"], r.json()["page"], r.json()["total_pages"]) == (23, 2, 2)
    assert len(r.json()["favorite_movies"]) == 3
    assert login(http, base, body["username"], body["password"]).json()["user"]["favourite_count"] == 23


def test_favorite_errors_as_the_origin_documented(http, base):
    r, body = register(http, base)
    access = login(http, base, body["username"], body["password"]).json()["access"]
    url = base + API + "/auth/favorites/"
    # The origin's documented answers to this POST are 201 and 400.
    r = http.post(url, json={"movie_id": 999999}, headers=bearer(access), timeout=30)
    assert (r.status_code, r.json()) == (400, {"error": "Invalid movie ID"})
    assert http.post(url, json={"movie_id": 550}, headers=bearer(access), timeout=30).status_code == 201
    r = http.post(url, data={"movie_id": "550"}, headers=bearer(access), timeout=30)
    assert (r.status_code, r.json()) == (400, {"error": "Movie already in favorites"})
    r = http.delete(url + "550/", headers=bearer(access), timeout=30)
    assert r.status_code == 204 and r.content == b""
    r = http.delete(url + "550/", headers=bearer(access), timeout=30)
    assert (r.status_code, r.json()) == (404, {"error": "Favorite movie not found"})
    r = http.get(url, timeout=30)
    assert (r.status_code, r.json()) == (401, {"detail": "Authentication credentials were not provided."})


# ---- paths without the slash (APPEND_SLASH) ----

def test_paths_without_the_slash(http, base):
    for path, query in (("/movies/trending", ""), ("/movies/550", ""), ("/movies/550/recommendations", ""),
                        ("/movies/search", "?query=fight+club&page=1"), ("/health-check", ""),
                        ("/auth/favorites", "")):
        r = http.get(base + API + path + query, allow_redirects=False, timeout=30)
        assert r.status_code == 301, (path, r.status_code)
        assert r.headers["Location"] == API + path + "/" + query, (path, r.headers["Location"])
        assert http.head(base + API + path + query, allow_redirects=False, timeout=30).status_code == 301
    # Followed, as a client library does.
    r = http.get(base + API + "/movies/search?query=fight+club", timeout=30)
    assert r.status_code == 200 and any(m["id"] == 550 for m in r.json()["results"])
    # Other methods cannot be redirected without losing the body: a clear 404.
    r = http.post(base + API + "/auth/login", json={"username": "x", "password": "y"},
                  allow_redirects=False, timeout=30)
    assert r.status_code == 404
    assert r.json()["detail"].endswith("/api/v1/auth/login/")
    r = http.delete(base + API + "/auth/favorites/550", allow_redirects=False, timeout=30)
    assert r.status_code == 404
    # Paths that exist with no slash form stay 404.
    for path in (API + "/nothing", API + "/movies/0550", "/login/"):
        assert http.get(base + path, allow_redirects=False, timeout=30).status_code == 404, path


# ---- CORS, as django-cors-headers answered ----

def vary(r):
    return {v.strip().lower() for v in r.headers.get("Vary", "").split(",")}


def test_cors_preflight_allowed_and_foreign(http, base):
    for path in ("/auth/login/", "/auth/favorites/", "/auth/favorites/550/", "/movies/trending/"):
        r = http.options(base + API + path, headers={
            "Origin": ALLOWED, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type"}, timeout=30)
        assert r.status_code == 200, (path, r.status_code, r.text)
        assert r.headers["Access-Control-Allow-Origin"] == ALLOWED
        methods = {m.strip() for m in r.headers["Access-Control-Allow-Methods"].split(",")}
        assert methods == {"DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT"}
        allowed = {h.strip() for h in r.headers["Access-Control-Allow-Headers"].split(",")}
        assert {"authorization", "content-type"} <= allowed
        assert r.headers["Access-Control-Max-Age"] == "86400"
        assert "origin" in vary(r)
        assert "Access-Control-Allow-Credentials" not in r.headers
        r = http.options(base + API + path, headers={
            "Origin": FOREIGN, "Access-Control-Request-Method": "POST"}, timeout=30)
        assert r.status_code == 200
        assert not [h for h in r.headers if h.lower().startswith("access-control-")], r.headers
        assert "origin" in vary(r)


def test_cors_on_answers(http, base):
    r, body = register(http, base)
    r = http.post(base + API + "/auth/login/", json={"username": body["username"], "password": body["password"]},
                  headers={"Origin": ALLOWED}, timeout=30)
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "Access-Control-Allow-Methods" not in r.headers        # only on preflights
    access = r.json()["access"]
    r = http.get(base + API + "/auth/favorites/", headers={"Origin": ALLOWED, **bearer(access)}, timeout=30)
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == ALLOWED
    # Errors carry it too, so the frontend can read them.
    r = http.get(base + API + "/auth/favorites/", headers={"Origin": ALLOWED}, timeout=30)
    assert r.status_code == 401 and r.headers["Access-Control-Allow-Origin"] == ALLOWED
    for headers in ({"Origin": FOREIGN}, {}, {"Origin": ALLOWED + "/"}, {"Origin": "https://localhost:3000"}):
        r = http.get(base + API + "/movies/trending/", headers=headers, timeout=30)
        assert r.status_code == 200
        assert "Access-Control-Allow-Origin" not in r.headers, headers
        assert "origin" in vary(r), headers
    # The HTML site is not the API: no CORS at all.
    for path in ("/", "/login", "/movie/550"):
        r = http.get(base + path, headers={"Origin": ALLOWED}, timeout=30)
        assert "Access-Control-Allow-Origin" not in r.headers and "origin" not in vary(r), path
    r = http.options(base + "/login", headers={"Origin": ALLOWED, "Access-Control-Request-Method": "POST"},
                     timeout=30)
    assert r.status_code == 405 and "Access-Control-Allow-Origin" not in r.headers


# ---- movies: TMDb's own JSON, the week's trending, search's year ----

def test_movie_details_carry_every_tmdb_field(http, base):
    m = http.get(base + API + "/movies/550/", timeout=30).json()
    for field in ("adult", "backdrop_path", "belongs_to_collection", "budget", "genres", "homepage", "id",
                  "imdb_id", "original_language", "original_title", "overview", "popularity",
                  "poster_path", "production_companies", "production_countries", "release_date",
                  "revenue", "runtime", "spoken_languages", "status", "tagline", "title", "video",
                  "vote_average", "vote_count"):
        assert field in m, field
    assert m["video"] is False and m["adult"] is False
    company = m["production_companies"][0]
    assert set(company) == {"id", "logo_path", "name", "origin_country"}
    assert set(m["production_countries"][0]) == {"iso_3166_1", "name"}
    assert set(m["spoken_languages"][0]) == {"english_name", "iso_639_1", "name"}


def test_list_items_carry_every_tmdb_field(http, base):
    item_fields = {"adult", "backdrop_path", "genre_ids", "id", "original_language", "original_title",
                   "overview", "popularity", "poster_path", "release_date", "title", "video",
                   "vote_average", "vote_count"}
    for path, params, media_type in (("/movies/trending/", {}, True),
                                     ("/movies/550/recommendations/", {}, True),
                                     ("/movies/search/", {"query": "fight club"}, False)):
        r = http.get(base + API + path, params=params, timeout=30)
        assert r.status_code == 200, path
        items = r.json()["results"]
        assert items, path
        for item in items:
            assert item_fields <= set(item), (path, item_fields - set(item))
            assert item["adult"] is False and item["video"] is False
            if media_type:
                assert item["media_type"] == "movie", path


def test_trending_is_the_weeks(http, base):
    default = http.get(base + API + "/movies/trending/", timeout=30).json()
    week = http.get(base + API + "/movies/trending/", params={"time_window": "week"}, timeout=30).json()
    day = http.get(base + API + "/movies/trending/", params={"time_window": "day"}, timeout=30).json()
    ids = lambda page: [m["id"] for m in page["results"]]
    assert ids(default) == ids(week) and ids(default) != ids(day)


def test_search_sends_tmdbs_year(http, base):
    log = pathlib.Path(env("STATE_DIR")) / "log" / "tmdb-standin.log"
    word = "heat" + uuid.uuid4().hex[:6]
    r = http.get(base + API + "/movies/search/", params={"query": word, "year": "1995"}, timeout=30)
    assert r.status_code == 200
    r = http.get(base + API + "/movies/search/", params={"query": word, "primary_release_year": "1996"},
                 timeout=30)
    assert r.status_code == 200
    # The stand-in writes its log line after the answer: wait for both lines a moment.
    deadline = time.monotonic() + 5
    while True:
        lines = [l for l in log.read_text().splitlines() if "/3/search/movie" in l and word in l]
        if len(lines) >= 2 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert any("&year=1995" in l and "primary_release_year" not in l for l in lines), lines
    assert any("primary_release_year=1996" in l and "&year=" not in l for l in lines), lines
    r = http.get(base + API + "/movies/search/", params={"query": "heat", "primary_release_year": "x"}, timeout=30)
    assert r.status_code == 400
