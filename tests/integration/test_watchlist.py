"""test_watchlist.py: the watchlist through nginx: pages, forms, "mark watched", header counts, cards, for-you, the API, its table."""
import random
import re

import pytest
import requests

from api_client import Client
from support import Visitor, favorite_ids, redis_command, site, unique, user_id, watchlist_ids

NOT_PROVIDED = {"detail": "Authentication credentials were not provided."}
# A block of the stand-in's synthetic movie ids (1000000..1999999) of this file's own.
SYNTHETIC_BASE = 1000000 + random.randrange(0, 900) * 1000


def cards(html):
    """Movie ids of the card grid items, in order."""
    return [int(x) for x in re.findall(r'<li class="card">\s*<a href="/movie/(\d+)"', html)]


def header_counts(html):
    """(favorites, watchlist) as the header's badges show them."""
    fav = re.search(r'id="nav-favorites-count">(\d+)<', html)
    watch = re.search(r'id="nav-watchlist-count">(\d+)<', html)
    assert fav and watch, "the header shows no list counts"
    return int(fav.group(1)), int(watch.group(1))


def add(v, movie_id, next_=None, json_=False):
    return v.post(f"/watchlist/{movie_id}", {"next": next_ or f"/movie/{movie_id}"},
                  form_page=f"/movie/{movie_id}", headers={"Accept": "application/json"} if json_ else None)


def remove(v, movie_id, next_="/watchlist", json_=False):
    return v.post(f"/watchlist/{movie_id}/delete", {"next": next_}, form_page="/watchlist",
                  headers={"Accept": "application/json"} if json_ else None)


def watched(v, movie_id, then, next_="/watchlist"):
    data = {"next": next_}
    if then is not None:
        data["then"] = then
    return v.post(f"/watchlist/{movie_id}/watched", data, form_page="/watchlist")


# ---- the site ----

@pytest.mark.smoke
def test_add_from_the_movie_page_remove_and_header_counts(db):
    v = Visitor().signed_up()
    page = v.get("/movie/550").text
    assert header_counts(page) == (0, 0)
    assert '<form method="post" action="/watchlist/550">' in page and "+ Add to watchlist" in page
    r = add(v, 550)
    assert r.status_code == 303 and r.headers["Location"] == "/movie/550"
    assert watchlist_ids(db, v.username) == [550]
    assert favorite_ids(db, v.username) == []            # a list of its own
    page = v.get("/movie/550").text
    assert 'action="/watchlist/550/watched"' in page and 'action="/watchlist/550/delete"' in page
    assert "+ Add to watchlist" not in page
    assert header_counts(page) == (0, 1)
    # A second add keeps one row (as favorites do); the script's JSON answer says so.
    r = add(v, 550, json_=True)
    assert r.status_code == 200
    body = r.json()
    assert (body["movie_id"], body["watchlist"], body["count"]) == (550, True, 1) and body["csrf_token"]
    assert watchlist_ids(db, v.username) == [550]
    assert v.add_favorite(680).status_code == 303
    assert header_counts(v.get("/").text) == (1, 1)
    r = remove(v, 550)
    assert r.status_code == 303 and r.headers["Location"] == "/watchlist"
    assert watchlist_ids(db, v.username) == []
    # Removing what is not there is no error either.
    r = remove(v, 550, json_=True)
    assert r.status_code == 200 and r.json()["watchlist"] is False and r.json()["count"] == 0
    assert header_counts(v.get("/watchlist").text) == (1, 0)


def test_unknown_movie_cannot_be_added(db):
    v = Visitor().signed_up()
    r = v.post("/watchlist/999999999", {"next": "/watchlist"}, form_page="/watchlist")
    assert r.status_code == 404 and "TMDb does not know" in r.text
    assert watchlist_ids(db, v.username) == []


def test_watchlist_page_newest_first_paginated_with_count_and_remove(db):
    v = Visitor().signed_up()
    ids = [SYNTHETIC_BASE + i for i in range(21)]
    token = v.token("/watchlist")
    for i in ids:
        assert v.post(f"/watchlist/{i}", {"next": "/watchlist"}, token=token).status_code == 303
    assert watchlist_ids(db, v.username) == ids[::-1]
    p1 = v.get("/watchlist")
    assert p1.status_code == 200 and "<h1>My watchlist</h1>" in p1.text
    assert '<span id="watchlist-count">21</span> movies to watch.' in p1.text
    assert cards(p1.text) == ids[::-1][:20]
    assert 'href="/watchlist?page=2" rel="next"' in p1.text and "Page 1 of 2" in p1.text
    assert cards(v.get("/watchlist?page=2").text) == [ids[0]]
    assert v.get("/watchlist?page=3").status_code == 404
    # Each card: remove, and the two ways of marking it watched, returning to this page.
    assert f'action="/watchlist/{ids[5]}/delete"' in p1.text
    assert f'action="/watchlist/{ids[5]}/watched"' in p1.text
    assert 'name="then" value="favorite"' in p1.text and 'name="then" value="remove"' in p1.text
    assert '<input type="hidden" name="next" value="/watchlist?page=1">' in p1.text
    r = v.post(f"/watchlist/{ids[5]}/delete", {"next": "/watchlist?page=1"}, token=token)
    assert r.status_code == 303 and r.headers["Location"] == "/watchlist?page=1"
    assert ids[5] not in watchlist_ids(db, v.username)
    assert '<span id="watchlist-count">20</span>' in v.get("/watchlist").text
    # Another site's address is never where a form returns to.
    r = v.post(f"/watchlist/{ids[6]}/delete", {"next": "https://evil.example/"}, token=token)
    assert r.status_code == 303 and r.headers["Location"] == "/"


def test_empty_watchlist_says_so():
    html = Visitor().signed_up().get("/watchlist").text
    assert "Nothing to watch yet." in html and cards(html) == []


def test_mark_watched_into_favorites_or_just_off_the_list(db):
    v = Visitor().signed_up()
    for i in (550, 680, 13):
        assert add(v, i).status_code == 303
    # Into favorites: off the watchlist, on the favorites, in the same statement.
    r = watched(v, 550, "favorite")
    assert r.status_code == 303 and r.headers["Location"] == "/watchlist"
    assert watchlist_ids(db, v.username) == [13, 680] and favorite_ids(db, v.username) == [550]
    # Just watched: off the watchlist, not a favorite.
    assert watched(v, 680, "remove").status_code == 303
    assert watchlist_ids(db, v.username) == [13] and favorite_ids(db, v.username) == [550]
    # A favorite already stays as it was (its time too), and leaves the watchlist.
    assert v.add_favorite(13).status_code == 303
    with db.cursor() as cur:
        cur.execute("SELECT created_at FROM users_favoritemovie WHERE user_id = %s AND movie_id = 13",
                    (user_id(db, v.username),))
        before = cur.fetchone()
        assert watched(v, 13, "favorite").status_code == 303
        cur.execute("SELECT created_at FROM users_favoritemovie WHERE user_id = %s AND movie_id = 13",
                    (user_id(db, v.username),))
        assert cur.fetchone() == before
    assert watchlist_ids(db, v.username) == [] and favorite_ids(db, v.username) == [13, 550]
    # Not on the watchlist (a second click): nothing changes, no error.
    assert watched(v, 680, "favorite").status_code == 303
    assert favorite_ids(db, v.username) == [13, 550]
    # The choice is required and is one of the two.
    assert add(v, 603).status_code == 303
    for then in (None, "", "delete", "favorites"):
        r = watched(v, 603, then)
        assert r.status_code == 400 and "then=favorite" in r.text, then
    assert watchlist_ids(db, v.username) == [603]


def test_login_and_csrf_required(db):
    anon = Visitor()
    r = anon.get("/watchlist")
    assert r.status_code == 303 and r.headers["Location"] == "/login?next=%2Fwatchlist"
    for path in ("/watchlist/550", "/watchlist/550/delete", "/watchlist/550/watched"):
        r = anon.post(path, {"then": "remove"}, form_page="/login")
        assert r.status_code in (302, 303) and r.headers["Location"].startswith("/login"), path
    v = Visitor().signed_up()
    assert add(v, 550).status_code == 303
    # No token, a wrong token, another site's Origin: refused, nothing changes.
    for token, origin in (("", True), ("x" * 64, True), (None, "https://evil.example")):
        for path, data in (("/watchlist/680", {}), ("/watchlist/550/delete", {}),
                           ("/watchlist/550/watched", {"then": "favorite"})):
            r = v.post(path, data, form_page="/watchlist", token=token, origin=origin)
            assert r.status_code == 403 and "CSRF verification failed" in r.text, (path, token, origin)
    assert watchlist_ids(db, v.username) == [550] and favorite_ids(db, v.username) == []


def test_cards_carry_watchlist_buttons_for_a_logged_in_visitor(db):
    anon = Visitor().get("/").text
    assert 'action="/watchlist/' not in anon
    v = Visitor().signed_up()
    home = v.get("/")
    ids = cards(home.text)
    assert len(ids) == 20
    first = ids[0]
    assert f'<form method="post" action="/watchlist/{first}">' in home.text
    assert '<input type="hidden" name="next" value="/">' in home.text
    r = add(v, first, next_="/?window=day&page=1")
    assert r.status_code == 303 and r.headers["Location"] == "/?window=day&page=1"
    home = v.get("/?window=day&page=1").text
    assert f'<form method="post" action="/watchlist/{first}/delete">' in home
    assert f'<form method="post" action="/watchlist/{ids[1]}">' in home
    assert '<input type="hidden" name="next" value="/?window=day&amp;page=1">' in home
    # On a movie page that is on the watchlist, its recommendations keep their own state.
    assert add(v, 550).status_code == 303
    movie = v.get("/movie/550").text
    recs = re.findall(r'<form method="post" action="/watchlist/(\d+)(/delete)?">', movie.split('id="more"')[1])
    assert recs and all((suffix == "/delete") == (int(mid) == first) for mid, suffix in recs), recs
    search = v.get("/search?q=matrix").text
    assert 'action="/watchlist/603"' in search


def test_for_you_seeds_from_both_lists_and_leaves_both_out(db):
    v = Visitor().signed_up()
    key = f"movie_rec:for_you_{user_id(db, v.username)}"
    # One favorite and two on the watchlist: the same seeds as three favorites.
    assert v.add_favorite(550).status_code == 303
    for i in (680, 13):
        assert add(v, i).status_code == 303
    r = v.get("/for-you")
    assert r.status_code == 200
    got = cards(r.text)
    assert set(got[:3]) == {278, 155, 603}
    assert "liked by 3 of your saved movies" in r.text
    assert not {550, 680, 13} & set(got)
    assert redis_command("EXISTS", key) == 1
    # Adding a recommendation to the watchlist takes it out (the cached list is dropped).
    assert add(v, 278).status_code == 303
    assert redis_command("EXISTS", key) == 0
    got = cards(v.get("/for-you").text)
    assert 278 not in got and not {550, 680, 13} & set(got)
    # So does marking watched; a movie moved into favorites stays left out.
    v.get("/for-you")
    assert watched(v, 680, "favorite").status_code == 303
    assert redis_command("EXISTS", key) == 0
    got = cards(v.get("/for-you").text)
    assert not {550, 680, 13, 278} & set(got)
    # A watchlist alone is enough to get recommendations.
    w = Visitor().signed_up()
    assert add(w, 680).status_code == 303
    only = cards(w.get("/for-you").text)
    assert only and 680 not in only


# ---- the API ----

class Api(Client):
    """The shared API client through the validating proxy, with a fresh user at hand."""

    def user(self):
        username, password = unique("wl_api"), "Pw-" + unique("x")
        r = self.call("POST", "/auth/register/", {"username": username, "password": password,
                                                   "password2": password, "email": f"{username}@example.com"})
        assert r.status_code == 201, r.text
        login = self.call("POST", "/auth/login/", {"username": username, "password": password})
        assert login.status_code == 200
        return r.json()["user"], login.json()["access"]


@pytest.fixture(scope="module")
def api(api_proxy):
    return Api(site(), proxy=api_proxy)


def test_api_needs_a_token(api):
    for method, path in (("GET", "/auth/watchlist/"), ("POST", "/auth/watchlist/"),
                         ("DELETE", "/auth/watchlist/550/")):
        r = api.call(method, path)
        assert (r.status_code, r.json()) == (401, NOT_PROVIDED), path
        assert r.headers["WWW-Authenticate"] == 'Bearer realm="api"'
        r = api.call(method, path, token="not-a-token")
        assert r.status_code == 401 and r.json()["code"] == "token_not_valid", path


@pytest.mark.smoke
def test_api_add_list_remove(db, api):
    user, token = api.user()
    r = api.call("GET", "/auth/watchlist/", token=token)
    assert r.status_code == 200 and r.json() == {"user": user, "watchlist_movies": []}
    r = api.call("POST", "/auth/watchlist/", {"movie_id": 550}, token=token)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["user"] == user
    movie = body["watchlist_movie"]
    assert set(movie) == {"movie_id", "created_at", "title", "overview", "release_date", "poster_path"}
    assert movie["movie_id"] == 550 and movie["title"] == "Fight Club" and movie["created_at"].endswith("Z")
    # A duplicate is refused as the favorites refuse theirs.
    r = api.call("POST", "/auth/watchlist/", {"movie_id": 550}, token=token)
    assert (r.status_code, r.json()) == (400, {"error": "Movie already in watchlist"})
    assert api.call("POST", "/auth/watchlist/", {"movie_id": "680"}, token=token).status_code == 201
    listed = api.call("GET", "/auth/watchlist/", token=token).json()["watchlist_movies"]
    assert [m["movie_id"] for m in listed] == [680, 550]
    page = api.call("GET", "/auth/watchlist/", token=token, params={"page": 1}).json()
    assert (page["count"], page["page"], page["total_pages"]) == (2, 1, 1)
    assert [m["movie_id"] for m in page["watchlist_movies"]] == [680, 550]
    for bad in ("2", "0", "x"):
        r = api.call("GET", "/auth/watchlist/", token=token, params={"page": bad})
        assert (r.status_code, r.json()) == (404, {"detail": "Invalid page."}), bad
    # The favorites are another list.
    assert api.call("GET", "/auth/favorites/", token=token).json()["favorite_movies"] == []
    r = api.call("DELETE", "/auth/watchlist/550/", token=token)
    assert r.status_code == 204 and r.content == b""
    r = api.call("DELETE", "/auth/watchlist/550/", token=token)
    assert (r.status_code, r.json()) == (404, {"error": "Watchlist movie not found"})
    assert watchlist_ids(db, user["username"]) == [680]


def test_api_bad_ids(api):
    _, token = api.user()
    r = api.call("POST", "/auth/watchlist/", {"movie_id": 999999}, token=token)
    assert (r.status_code, r.json()) == (400, {"error": "Invalid movie ID"})
    for bad, message in (("abc", "A valid integer is required."),
                         (0, "Ensure this value is greater than or equal to 1."),
                         (2 ** 31, "Ensure this value is less than or equal to 2147483647.")):
        r = api.call("POST", "/auth/watchlist/", {"movie_id": bad}, token=token)
        assert (r.status_code, r.json()) == (400, {"movie_id": [message]}), bad
    r = api.call("POST", "/auth/watchlist/", {}, token=token)
    assert (r.status_code, r.json()) == (400, {"movie_id": ["This field is required."]})
    for path in ("/auth/watchlist/0/", "/auth/watchlist/abc/", "/auth/watchlist/99999999999/"):
        assert api.call("DELETE", path, token=token).status_code == 404, path


# ---- the table ----

def test_migration_made_the_table_as_django_would(db):
    with db.cursor() as cur:
        cur.execute("SELECT 1 FROM movies_schema_migrations WHERE name = '0004_watchlist.sql'")
        assert cur.fetchone() == (1,)
        cur.execute("""SELECT column_name, data_type, is_nullable, column_default, is_identity
                       FROM information_schema.columns WHERE table_name = 'users_watchlistmovie'
                       ORDER BY ordinal_position""")
        assert cur.fetchall() == [("id", "bigint", "NO", None, "YES"),
                                  ("movie_id", "integer", "NO", None, "NO"),
                                  ("created_at", "timestamp with time zone", "NO", None, "NO"),
                                  ("user_id", "integer", "NO", None, "NO")]
        cur.execute("""SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                       WHERE conrelid = 'users_watchlistmovie'::regclass ORDER BY conname""")
        assert cur.fetchall() == [
            ("users_watchlistmovie_pkey", "PRIMARY KEY (id)"),
            ("users_watchlistmovie_user_id_3bc8fabb_fk_auth_user_id",
             "FOREIGN KEY (user_id) REFERENCES auth_user(id) DEFERRABLE INITIALLY DEFERRED"),
            ("users_watchlistmovie_user_id_movie_id_bc5bc3da_uniq", "UNIQUE (user_id, movie_id)")]
        cur.execute("""SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'users_watchlistmovie'
                       ORDER BY indexname""")
        idx = {name: d.split(" USING btree ")[1] for name, d in cur.fetchall()}
        assert idx == {"users_watch_user_created_idx": "(user_id, created_at DESC)",
                       "users_watchlistmovie_pkey": "(id)",
                       "users_watchlistmovie_user_id_3bc8fabb": "(user_id)",
                       "users_watchlistmovie_user_id_movie_id_bc5bc3da_uniq": "(user_id, movie_id)",
                       # 0006: the page's own order, read index-only (as 0005 for the favorites).
                       "users_watchlistmovie_user_page_idx": "(user_id, created_at DESC, id DESC) INCLUDE (movie_id)"}
        # The newest-first page (the order watch_list reads) comes from 0006's index, with no sort.
        cur.execute("SET enable_seqscan = off; SET enable_bitmapscan = off")
        cur.execute("EXPLAIN SELECT movie_id FROM users_watchlistmovie WHERE user_id = 1 "
                    "ORDER BY created_at DESC, id DESC LIMIT 20")
        plan = " ".join(row[0] for row in cur.fetchall())
        cur.execute("RESET enable_seqscan; RESET enable_bitmapscan")
        assert "Index Only Scan using users_watchlistmovie_user_page_idx" in plan and "Sort" not in plan, plan
