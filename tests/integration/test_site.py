"""test_site.py: the site's pages, favorites, for-you, escaping, static assets and HTTP rules, through nginx."""
import concurrent.futures
import gzip
import hashlib
import os
import re
import urllib.parse
import uuid

import pytest
import requests

from support import (DEMO, HOSTILE_QUERY, Visitor, favorite_ids, redis_command, site,  # noqa: F401
                     unique, user_id)

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')
STATIC_RE = re.compile(r'(/static/[0-9a-f]{12}/[A-Za-z0-9._-]+)')
ATTRIBUTION = "This product uses the TMDB API but is not endorsed or certified by TMDB."
HOSTILE_TITLE = "<script>alert(\"xss\")</script> & 'Friends'"


def in_layout(html):
    """The page is the site's own: header with the brand, footer with the TMDb attribution."""
    return ('<a class="brand" href="/">Movie Night</a>' in html and ATTRIBUTION in html
            and html.lstrip().lower().startswith("<!doctype html>"))


def assert_no_stack_trace(html):
    for marker in ("Traceback", "Segmentation", "AddressSanitizer", "core dumped", ".c:", "SIGSEGV"):
        assert marker not in html


def cards(html):
    """Movie ids of the card grid items, in order."""
    return [int(x) for x in re.findall(r'<li class="card">\s*<a href="/movie/(\d+)"', html)]


@pytest.fixture(scope="module")
def alice():
    return Visitor().signed_up(unique("alice"))


@pytest.fixture(scope="module")
def bob():
    return Visitor().signed_up(unique("bob+tag@x.y"))


# ---- pages ----

def test_home_trending_day_and_week_with_pagination():
    v = Visitor()
    day = v.get("/")
    assert day.status_code == 200 and in_layout(day.text)
    assert "<h1>Trending movies</h1>" in day.text
    assert '<span aria-current="page">Today</span> <a href="/?window=week">This week</a>' in day.text
    week = v.get("/?window=week")
    assert '<a href="/?window=day">Today</a> <span aria-current="page">This week</span>' in week.text
    assert len(cards(day.text)) == 20 and len(cards(week.text)) == 20
    assert cards(day.text) != cards(week.text), "the two windows list the same order"
    assert v.get("/?window=day").text == day.text
    assert 'href="/?window=day&amp;page=2" rel="next"' in day.text
    p2 = v.get("/?window=week&page=2")
    assert p2.status_code == 200
    assert "Page 2 of" in p2.text and 'href="/?window=week&amp;page=1" rel="prev"' in p2.text
    assert set(cards(p2.text)).isdisjoint(cards(week.text))
    for bad in ("/?window=month", "/?page=0", "/?page=abc", "/?page=501"):
        r = v.get(bad)
        assert r.status_code == 400, bad
        assert in_layout(r.text)


def test_page_past_the_end_is_404_not_an_empty_page(alice):
    v = Visitor()
    for path in ("/?page=500", "/?window=week&page=3", "/search?q=e&page=3", "/search?q=zzzqqq&page=2",
                 "/genre/18?page=400"):
        r = v.get(path)
        assert r.status_code == 404, path
        assert in_layout(r.text) and "There is no page" in r.text and "Page 3 of 2" not in r.text
    r = alice.get("/favorites?page=2")
    assert r.status_code == 404 and "the list ends at page 1" in r.text
    assert alice.get("/favorites?page=1").status_code == 200


@pytest.mark.smoke
def test_movie_page_shows_the_details():
    r = Visitor().get("/movie/550")
    assert r.status_code == 200
    html = r.text
    assert "<title>Fight Club · Movie Night</title>" in html
    assert '<h1>Fight Club <span class="year">(1999)</span></h1>' in html
    assert re.search(r'<img src="[^"]*/t/p/w500/pB8BM7pdSp6B6Ih7QZ4DrQ3PmJK\.jpg"[^>]* alt="Poster of Fight Club"', html)
    assert "<span>2h 19m</span>" in html
    assert '<a href="/genre/18">Drama</a>' in html
    assert "★ 8.4/10" in html
    assert 'class="overview"' in html
    assert "<strong>Edward Norton</strong>" in html and "<strong>Brad Pitt</strong>" in html
    assert '<p class="crew">Directed by David Fincher</p>' in html
    assert 'href="https://www.youtube.com/watch?v=dfeUzm6KF4g"' in html
    more = html.split('<h2 id="more">More like this</h2>', 1)[1]
    assert 680 in cards(more) and 666003 in cards(more)
    # 666003 has no release date and no rating: the card says so instead of an empty line.
    assert re.search(r'<a href="/movie/666003">.*?<span class="meta">Year unknown</span>', more, re.S)
    # Anonymous: no favorite button, an invitation to log in instead.
    assert "js-favorite" not in html
    assert 'href="/login?next=/movie/550">Log in</a> to save' in html


def test_movie_page_credits_read_as_sentences():
    v = Visitor()
    assert "Directed by Lana Wachowski and Lilly Wachowski" in v.get("/movie/603").text
    bare = v.get("/movie/666003").text  # no cast, no runtime, no rating, no date
    assert "<h2>Cast</h2>" not in bare and '<ul class="cast">' not in bare
    assert "Directed by Stand-in Director" in bare
    assert "<h1>Untitled Stand-in Documentary</h1>" in bare


def test_unknown_movie_is_404_in_layout():
    r = Visitor().get("/movie/999999999")
    assert r.status_code == 404 and in_layout(r.text)
    assert "TMDb does not know this movie." in r.text


@pytest.mark.smoke
def test_search_with_year_and_pages():
    v = Visitor()
    r = v.get("/search?q=e")
    assert r.status_code == 200
    assert 'value="e"' in r.text and "38 movies match “e”." in r.text
    assert len(cards(r.text)) == 20
    assert 'href="/search?q=e&amp;page=2" rel="next"' in r.text
    p2 = v.get("/search?q=e&page=2")
    assert p2.status_code == 200 and cards(p2.text) and set(cards(p2.text)).isdisjoint(cards(r.text))
    fc = v.get("/search?q=fight&year=1999")
    assert 550 in cards(fc.text) and " in 1999." in fc.text
    assert cards(v.get("/search?q=fight&year=2005").text) == []
    empty = v.get("/search")
    assert empty.status_code == 200 and "match" not in empty.text
    assert "1 movie matches “matrix”." in v.get("/search?q=matrix").text
    none = v.get("/search?q=zzzqqq").text
    assert "0 movies match “zzzqqq”." in none and cards(none) == []
    assert v.get("/search?q=x&year=19x9").status_code == 400
    assert v.get("/search?q=" + "a" * 201).status_code == 400


def test_genre_pages():
    v = Visitor()
    r = v.get("/genre/18")
    assert r.status_code == 200 and "<h1>Drama movies</h1>" in r.text and 550 in cards(r.text)
    assert "<title>Drama · Movie Night</title>" in r.text
    assert v.get("/genre/424242").status_code == 404
    assert v.get("/genre/18?page=0").status_code == 400
    comedy = v.get("/genre/35")
    assert comedy.status_code == 200 and "Comedy movies" in comedy.text


def test_header_shows_login_state(alice):
    anon = Visitor().get("/").text
    assert '<a href="/login">Log in</a> <a href="/register">Register</a>' in anon
    assert "Signed in as" not in anon and 'href="/favorites"' not in anon
    me = alice.get("/").text
    assert f"Signed in as <strong>{alice.username}</strong>" in me
    assert 'action="/logout"' in me and 'href="/favorites"' in me and 'href="/for-you"' in me
    assert 'href="/login"' not in me


def test_login_required_pages_redirect():
    v = Visitor()
    for path in ("/favorites", "/for-you"):
        r = v.get(path)
        assert r.status_code in (302, 303), path
        assert r.headers["Location"].startswith("/login?next=%2F") or r.headers["Location"].startswith("/login?next=/")


# ---- favorites ----

@pytest.mark.smoke
def test_favorite_button_shows_its_state_and_twice_keeps_one_row(db):
    v = Visitor().signed_up()
    page = v.get("/movie/603").text
    assert 'action="/favorites/603" class="js-favorite"' in page and 'aria-pressed="false"' in page
    for _ in range(2):
        r = v.add_favorite(603)
        assert r.status_code == 303 and r.headers["Location"] == "/movie/603"
    assert favorite_ids(db, v.username) == [603]
    page = v.get("/movie/603").text
    assert 'action="/favorites/603/delete" class="js-favorite"' in page and 'aria-pressed="true"' in page
    # The script's JSON form of the same actions.
    r = v.remove_favorite(603, json_=True)
    assert r.status_code == 200 and r.json()["favorite"] is False and r.json()["count"] == 0
    r = v.add_favorite(603, json_=True)
    body = r.json()
    assert body["movie_id"] == 603 and body["favorite"] is True and body["count"] == 1 and body["csrf_token"]
    assert favorite_ids(db, v.username) == [603]


def test_concurrent_adds_leave_one_row_and_never_500(db):
    v = Visitor().signed_up()
    token = v.token("/movie/13")

    def add(_):
        return v.post("/favorites/13", {"next": "/movie/13"}, token=token).status_code

    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        codes = list(pool.map(add, range(20)))
    assert all(c == 303 for c in codes), codes
    assert favorite_ids(db, v.username) == [13]


def test_unknown_movie_cannot_be_saved(alice, db):
    r = alice.add_favorite(550)
    assert r.status_code == 303
    before = favorite_ids(db, alice.username)
    r = alice.post("/favorites/999999999", {"next": "/favorites"}, form_page="/favorites")
    assert r.status_code == 404 and in_layout(r.text)
    assert "TMDb does not know a movie with this id" in r.text
    r = alice.post("/favorites/999999999", {}, form_page="/favorites", headers={"Accept": "application/json"})
    assert r.status_code == 404 and "TMDb does not know" in r.text
    assert favorite_ids(db, alice.username) == before


def test_users_only_see_and_change_their_own(alice, bob, db):
    assert alice.add_favorite(680).status_code == 303
    assert bob.add_favorite(680).status_code == 303
    assert bob.add_favorite(278).status_code == 303
    # Bob's delete of 680 removes only his row; his delete of a movie only Alice saved changes nothing.
    assert alice.add_favorite(807).status_code == 303
    assert bob.remove_favorite(680).status_code == 303
    assert bob.remove_favorite(807).status_code == 303
    assert 680 in favorite_ids(db, alice.username) and 807 in favorite_ids(db, alice.username)
    assert favorite_ids(db, bob.username) == [278]
    bob_page = bob.get("/favorites").text
    assert cards(bob_page) == [278] and "You have 1 favorite movie." in bob_page
    assert 680 not in cards(bob_page)
    # Without a session nobody can change anything.
    anon = Visitor()
    r = anon.post("/favorites/680/delete", {}, form_page="/login")
    assert r.status_code in (302, 303) and r.headers["Location"].startswith("/login")
    assert 680 in favorite_ids(db, alice.username)


@pytest.mark.smoke
def test_favorites_page_newest_first_paginated_with_count_and_remove(db):
    v = Visitor().signed_up()
    ids = [550, 666003] + list(range(1000001, 1000020))  # 21 movies: two pages of 20
    token = v.token("/favorites")
    for i in ids:
        assert v.post(f"/favorites/{i}", {"next": "/favorites"}, token=token).status_code == 303
    assert favorite_ids(db, v.username) == ids[::-1]
    p1 = v.get("/favorites")
    assert p1.status_code == 200
    assert 'You have <span id="favorite-count">21</span> favorite movies.' in p1.text
    assert cards(p1.text) == ids[::-1][:20]
    assert 'href="/favorites?page=2" rel="next"' in p1.text and "Page 1 of 2" in p1.text
    assert 'alt="Poster of Synthetic Movie 1000019"' in p1.text
    p2 = v.get("/favorites?page=2").text
    assert cards(p2) == [550]
    # 666003 has no poster: the placeholder.
    card = p1.text.split('<a href="/movie/666003">', 1)[1].split("</li>", 1)[0]
    assert "/no-poster.svg" in card and 'alt="No poster available for Untitled Stand-in Documentary"' in card
    # The remove button returns to the page it was on.
    assert 'action="/favorites/1000005/delete"' in p1.text
    r = v.post("/favorites/1000005/delete", {"next": "/favorites?page=1"}, token=token)
    assert r.status_code == 303 and r.headers["Location"] == "/favorites?page=1"
    assert 1000005 not in favorite_ids(db, v.username)
    assert 'You have <span id="favorite-count">20</span>' in v.get("/favorites").text
    # An off-site next is not followed.
    r = v.post("/favorites/1000006/delete", {"next": "https://evil.example/"}, token=token)
    assert r.status_code == 303 and not r.headers["Location"].startswith("https://evil")


def test_empty_favorites_and_for_you_say_so():
    v = Visitor().signed_up()
    fav = v.get("/favorites").text
    assert "You have <span id=\"favorite-count\">0</span> favorite movies." in fav and "Nothing saved yet." in fav
    fy = v.get("/for-you")
    assert fy.status_code == 200 and "Save a few favorites" in fy.text and cards(fy.text) == []


def test_for_you_merges_ranks_excludes_and_is_cached(db):
    v = Visitor().signed_up()
    uid = user_id(db, v.username)
    key = f"movie_rec:for_you_{uid}"
    for i in (550, 680, 13):
        assert v.add_favorite(i).status_code == 303
    assert redis_command("EXISTS", key) == 0
    r = v.get("/for-you")
    assert r.status_code == 200 and in_layout(r.text)
    got = cards(r.text)
    # Recommended by all three of Fight Club, Pulp Fiction and Forrest Gump, then by two.
    assert set(got[:3]) == {278, 155, 603}
    assert set(got[3:6]) == {807, 238, 769}
    assert "liked by 3 of your saved movies" in r.text and "liked by 2 of your saved movies" in r.text
    assert not {550, 680, 13} & set(got)
    assert len(got) == len(set(got))
    # Cached per user in Redis, with an expiry.
    assert redis_command("EXISTS", key) == 1
    assert redis_command("TTL", key) > 0
    assert '"id":278' in redis_command("GET", key)
    assert cards(v.get("/for-you").text) == got
    # Saving one of them refreshes the list: it disappears.
    assert v.add_favorite(278).status_code == 303
    assert redis_command("EXISTS", key) == 0
    got2 = cards(v.get("/for-you").text)
    assert 278 not in got2 and set(got2[:2]) == {155, 603}
    # So does removing a favorite.
    assert v.remove_favorite(13).status_code == 303
    assert redis_command("EXISTS", key) == 0
    got3 = cards(v.get("/for-you").text)
    assert 13 in got3 and not {550, 680, 278} & set(got3)



def test_the_session_data_decides_who_the_visitor_is_not_the_workers_guess(db):
    """A worker reads the session row with the user (and the movie's favorite state) its key
    named last time, in one statement (fcgi/auth.c); the signed data must still decide. A row
    whose data now names another user shows that user, and that user's favorite state."""
    alice, bob = Visitor().signed_up(), Visitor().signed_up()
    assert bob.add_favorite(550).status_code == 303
    # Every worker learns that alice's key names alice (and that she does not keep 550).
    for _ in range(8):
        page = alice.get("/movie/550").text
        assert f"Signed in as <strong>{alice.username}</strong>" in page and "Add to favorites" in page
    with db.cursor() as cur:
        cur.execute("UPDATE django_session SET session_data = (SELECT session_data FROM django_session "
                    "WHERE session_key = %s) WHERE session_key = %s",
                    (bob.s.cookies["sessionid"], alice.s.cookies["sessionid"]))
    for _ in range(8):
        page = alice.get("/movie/550").text
        assert f"Signed in as <strong>{bob.username}</strong>" in page, page[:2000]
        assert "In your favorites" in page and "Add to favorites" not in page


def statements(site_url):
    """{statement name: count} of movies_postgres_statements_total, all workers together."""
    from test_metrics import scrape
    return {dict(labels)["statement"]: n for (name, labels), n in scrape(site_url).items()
            if name == "movies_postgres_statements_total"}


def statements_during(site_url, make_requests):
    before = statements(site_url)
    make_requests()
    after = statements(site_url)
    return {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)}


def test_a_logged_in_page_is_one_statement_and_its_lists_follow_the_tables(db, site):
    """A movie page and a page of either list cost one PostgreSQL statement once a worker has
    seen the session (the session, the user, the counts, the saved states or the page of the
    list, fcgi/auth.c); rows written by another program (Django beside it) still show on the
    next page of every worker, page 2 and an empty list page included."""
    v = Visitor().signed_up()
    uid = user_id(db, v.username)
    with db.cursor() as cur:
        cur.execute("INSERT INTO users_favoritemovie (user_id, movie_id, created_at) "
                    "SELECT %s, m, now() - make_interval(secs => m - 1000000) "
                    "FROM generate_series(1000001, 1000021) AS m", (uid,))
        cur.execute("INSERT INTO users_watchlistmovie (user_id, movie_id, created_at) "
                    "VALUES (%s, 550, now())", (uid,))
    newest = list(range(1000001, 1000022))
    pages = {"/favorites": newest[:20], "/favorites?page=2": newest[20:], "/watchlist": [550]}
    for _ in range(8):          # every worker learns whose session it is
        for path, want in pages.items():
            assert cards(v.get(path).text) == want, path

    def browse():
        for _ in range(8):
            for path in list(pages) + ["/movie/550"]:
                assert v.get(path).status_code == 200

    # A worker that met no request of this visitor yet (accept() picks any; one may have been
    # recycled) asks user_visitor and the list once more: it learns, and the next round is exact.
    rounds = [statements_during(site, browse) for _ in range(5)]
    assert {"session_get": 32} in rounds, rounds
    assert all(set(r) <= {"session_get", "user_visitor", "fav_list", "watch_list"} for r in rounds), rounds
    with db.cursor() as cur:
        cur.execute("DELETE FROM users_favoritemovie WHERE user_id = %s AND movie_id = 1000003", (uid,))
        cur.execute("INSERT INTO users_watchlistmovie (user_id, movie_id, created_at) "
                    "VALUES (%s, 680, now() + interval '1 second')", (uid,))
    for _ in range(8):
        p1 = v.get("/favorites").text
        assert cards(p1) == [m for m in newest if m != 1000003][:20]
        assert 'You have <span id="favorite-count">20</span> favorite movies.' in p1
        # Page 2 is now past the end: the pager's 404, from the counts read with the session.
        assert v.get("/favorites?page=2").status_code == 404
        assert cards(v.get("/watchlist").text) == [680, 550]


def test_saved_states_read_with_the_session_follow_the_tables(db):
    """On a movie page the session's statement also reads the header's counts, the movie's
    watchlist state and which of its recommendations are on the watchlist (the ids that page
    asked about last in the worker, fcgi/model_lists.c). Only which ids to ask is remembered:
    rows another program writes (Django beside it) show on every worker's next page."""
    v = Visitor().signed_up()
    uid = user_id(db, v.username)

    def page():
        text = v.get("/movie/550").text
        more = re.findall(r'<form method="post" action="/watchlist/(\d+)(/delete)?">', text.split('id="more"')[1])
        counts = re.findall(r'id="nav-(favorites|watchlist)-count">(\d+)<', text)
        return text, {int(m): bool(d) for m, d in more}, dict(counts)

    text, more, counts = page()
    assert len(more) >= 2 and not any(more.values()) and counts == {"favorites": "0", "watchlist": "0"}
    rec = sorted(more)[0]
    for _ in range(8):          # every worker learns the user and the page's recommendations
        page()
    with db.cursor() as cur:
        cur.execute("INSERT INTO users_watchlistmovie (user_id, movie_id, created_at) "
                    "VALUES (%s, %s, now()), (%s, 550, now())", (uid, rec, uid))
    for _ in range(8):
        text, more, counts = page()
        assert more[rec] and not any(on for m, on in more.items() if m != rec), more
        assert "On your watchlist. Watched it?" in text and counts["watchlist"] == "2"
    with db.cursor() as cur:
        cur.execute("DELETE FROM users_watchlistmovie WHERE user_id = %s", (uid,))
    for _ in range(8):
        text, more, counts = page()
        assert not any(more.values()) and "On your watchlist" not in text and counts["watchlist"] == "0"


def test_for_you_leaves_the_shared_recommendations_unchanged(db):
    """A worker parses a cached page once and shares the object (common/movies.c): building
    "for you" must not write its vote counts into it, or the API would show them."""
    v = Visitor().signed_up()
    key = f"movie_rec:for_you_{user_id(db, v.username)}"
    for i in (550, 680):
        assert v.add_favorite(i).status_code == 303
    api = site() + "/api/v1/movies/550/recommendations/"
    before = requests.get(api, timeout=10).json()
    # Every worker builds the list (the cached copy deleted each time) and answers the API.
    for _ in range(12):
        redis_command("DEL", key)
        assert "liked by 2 of your saved movies" in v.get("/for-you").text
        after = requests.get(api, timeout=10)
        assert after.status_code == 200 and "for_you_votes" not in after.text
        assert after.json() == before


# ---- escaping ----

def test_hostile_movie_title_is_escaped():
    html = Visitor().get("/movie/666001").text
    assert HOSTILE_TITLE not in html
    for raw in ("<script>alert", "<b>Bold</b>", "<img src=x", "</textarea>", "<Tester>"):
        assert raw not in html, raw
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # the overview, shown as text
    assert "<strong>Bobby&#39;); DROP TABLE movies;--</strong>" in html  # cast names too
    assert "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt; &amp; &#39;Friends&#39;" in html
    s = Visitor().get("/search?q=" + urllib.parse.quote("Friends")).text
    assert 666001 in cards(s) and HOSTILE_TITLE not in s and "<script>alert" not in s


def test_hostile_search_query_is_escaped():
    v = Visitor()
    r = v.get("/search?q=" + urllib.parse.quote(HOSTILE_QUERY))
    assert r.status_code == 200
    assert HOSTILE_QUERY not in r.text and "<script>alert(1)" not in r.text
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in r.text
    assert "“&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;”" in r.text
    # The pager links carry the query URL-encoded.
    r = v.get("/search?q=" + urllib.parse.quote('the"<x>'))
    assert '<x>' not in r.text


def test_hostile_registration_input_is_escaped():
    v = Visitor()
    bad = '"><script>alert(1)</script>'
    r = v.post("/register", {"username": bad, "email": bad + "@example.com", "password1": "x", "password2": "y"})
    assert r.status_code in (200, 400) and in_layout(r.text)
    assert bad not in r.text and "<script>alert(1)" not in r.text
    assert "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in r.text


def test_username_with_plus_and_at_shows_escaped():
    name = unique("a+b@c.d-e")
    v = Visitor().signed_up(name)
    html = v.get("/").text
    assert f"Signed in as <strong>{name}</strong>" in html


# ---- images, attribution ----

def test_footer_attribution_and_poster_sizes():
    html = Visitor().get("/").text
    assert ATTRIBUTION in html and 'alt="TMDB"' in html
    imgs = re.findall(r"<img [^>]*>", html)
    posters = [i for i in imgs if "Poster of" in i]
    assert len(posters) == 20
    for img in posters:
        assert 'loading="lazy"' in img
        assert re.search(r'src="http[^"]*/t/p/w342/[^"]+"', img)
        assert re.search(r'srcset="[^"]*/w185/[^"]* 185w, [^"]*/w342/[^"]* 342w, [^"]*/w500/[^"]* 500w"', img)
        assert 'width="185" height="278"' in img


def test_null_poster_gets_a_placeholder():
    html = Visitor().get("/movie/666003").text
    assert re.search(r'<img src="/static/[0-9a-f]{12}/no-poster.svg" alt="No poster available for '
                     r'Untitled Stand-in Documentary"', html)
    assert "/t/p/w500None" not in html and "/t/p/w342null" not in html
    r = requests.get(site() + re.search(r'src="(/static/[0-9a-f]{12}/no-poster.svg)"', html).group(1), timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("image/svg+xml")


def test_poster_images_load_from_the_standin():
    html = Visitor().get("/movie/550").text
    src = re.search(r'<img src="([^"]+/t/p/w500/[^"]+)"', html).group(1)
    r = requests.get(src, timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("image/")


# ---- static assets ----

def static_urls(html):
    return sorted(set(STATIC_RE.findall(html)))


def test_static_assets_served_by_nginx_versioned_and_cached_for_ever():
    html = Visitor().get("/").text
    urls = static_urls(html)
    names = {u.rsplit("/", 1)[1] for u in urls}
    assert {"style.css", "site.js", "icon.svg", "tmdb.svg"} <= names
    assert len({u.split("/")[2] for u in urls}) == 1, "one version for all assets"
    root = os.path.join(os.path.dirname(__file__), "..", "..", "fcgi", "static")
    for u in urls:
        r = requests.get(site() + u, timeout=10)
        assert r.status_code == 200, u
        assert r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        # Worker answers always carry the CSP and Vary: Cookie; nginx's static files don't.
        assert "Content-Security-Policy" not in r.headers and "Cookie" not in r.headers.get("Vary", "")
        assert "Last-Modified" in r.headers and "ETag" in r.headers
        with open(os.path.join(root, u.rsplit("/", 1)[1]), "rb") as f:
            assert r.content == f.read()
    types = {u.rsplit("/", 1)[1]: requests.get(site() + u, timeout=10).headers["Content-Type"] for u in urls}
    assert types["style.css"].startswith("text/css")
    assert "javascript" in types["site.js"]
    assert types["icon.svg"].startswith("image/svg+xml")
    # The version is a digest of the assets' content.
    assert requests.get(site() + "/static/0123456789ab/nope.css", timeout=10).status_code == 404


def test_gzip_from_nginx_for_css_js_and_pages():
    html = Visitor().get("/").text
    css = [u for u in static_urls(html) if u.endswith("style.css")][0]
    js = [u for u in static_urls(html) if u.endswith("site.js")][0]
    for path in (css, js, "/", "/movie/550", "/search?q=the"):
        r = requests.get(site() + path, headers={"Accept-Encoding": "gzip"}, stream=True, timeout=10)
        assert r.status_code == 200
        assert r.headers.get("Content-Encoding") == "gzip", path
        assert "Accept-Encoding" in r.headers.get("Vary", ""), path
        raw = r.raw.read(decode_content=False)
        assert gzip.decompress(raw)
        plain = requests.get(site() + path, headers={"Accept-Encoding": "identity"}, timeout=10)
        assert "Content-Encoding" not in plain.headers


# ---- HTTP ----

def test_head_has_same_headers_and_no_body():
    for path in ("/", "/movie/550", "/search?q=x", "/nope"):
        g = requests.get(site() + path, headers={"Accept-Encoding": "identity"}, timeout=10)
        h = requests.head(site() + path, headers={"Accept-Encoding": "identity"}, timeout=10)
        assert h.status_code == g.status_code, path
        assert h.content == b""
        for name in ("Content-Type", "Content-Length", "ETag", "Cache-Control", "Content-Security-Policy",
                     "X-Content-Type-Options", "Referrer-Policy"):
            assert h.headers.get(name) == g.headers.get(name), (path, name)


def test_405_with_allow_in_layout():
    for method, path, allow in (("DELETE", "/", "GET, HEAD"), ("POST", "/movie/550", "GET, HEAD"),
                                ("PUT", "/favorites/550", "POST"), ("GET", "/logout", "POST")):
        r = requests.request(method, site() + path, headers={"Origin": site()}, timeout=10, allow_redirects=False)
        assert r.status_code == 405, (method, path)
        assert r.headers["Allow"] == allow
        assert in_layout(r.text) and "405 · Method Not Allowed" in r.text


@pytest.mark.parametrize("path", ["/", "/movie/550", "/search?q=x"])
def test_etag_and_304_for_anonymous_pages(path):
    r = requests.get(site() + path, timeout=10)
    etag = r.headers["ETag"]
    # nginx's gzip turns the worker's strong tag into a weak one; both must validate.
    assert re.fullmatch(r'(W/)?"[0-9a-f]{32}"', etag)
    assert r.headers["Cache-Control"] == "public, max-age=60"
    r2 = requests.get(site() + path, headers={"If-None-Match": etag}, timeout=10)
    assert r2.status_code == 304 and r2.content == b""
    assert r2.headers["ETag"].removeprefix("W/") == etag.removeprefix("W/")
    plain = requests.get(site() + path, headers={"Accept-Encoding": "identity"}, timeout=10)
    assert plain.headers["ETag"] == etag.removeprefix("W/")
    r4 = requests.head(site() + path, headers={"If-None-Match": plain.headers["ETag"]}, timeout=10)
    assert r4.status_code == 304
    r3 = requests.get(site() + path, headers={"If-None-Match": '"0000"'}, timeout=10)
    assert r3.status_code == 200


def test_no_etag_for_logged_in_pages(alice):
    for path in ("/", "/movie/550", "/search?q=x", "/favorites", "/for-you"):
        r = alice.get(path)
        assert r.status_code == 200, path
        assert "ETag" not in r.headers, path
        assert r.headers["Cache-Control"] == "private, no-cache"
        r2 = alice.get(path, headers={"If-None-Match": "*"})
        assert r2.status_code == 200 and r2.content


def check_security_headers(r):
    csp = r.headers["Content-Security-Policy"]
    directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in csp.split(";") if d.strip())
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert directives["script-src"] == "'self'" or "script-src" not in directives and directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin", "no-referrer")
    assert r.headers.get("X-Frame-Options") == "DENY"


INLINE_SCRIPT_RE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
EVENT_ATTR_RE = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
JS_URL_RE = re.compile(r"(href|src|action)\s*=\s*\"\s*javascript:", re.I)


def assert_no_inline_script(html, where):
    assert not INLINE_SCRIPT_RE.search(html), f"{where}: inline <script>"
    assert not EVENT_ATTR_RE.search(html), f"{where}: on*= attribute"
    assert not JS_URL_RE.search(html), f"{where}: javascript: URL"
    assert not re.search(r"\sstyle\s*=", html), f"{where}: inline style attribute (CSP style-src 'self')"
    assert "<style" not in html, f"{where}: inline <style>"


@pytest.mark.smoke
def test_security_headers_and_no_inline_script_on_every_page(alice):
    anon = Visitor()
    pages = [(anon, p) for p in ("/", "/?window=week", "/movie/550", "/movie/666001", "/movie/666003",
                                  "/search", "/search?q=the", "/search?q=" + urllib.parse.quote(HOSTILE_QUERY),
                                  "/genre/18", "/login", "/register", "/nope", "/?page=0")]
    pages += [(alice, p) for p in ("/", "/movie/550", "/favorites", "/for-you", "/account/password")]
    for v, path in pages:
        r = v.get(path)
        assert r.status_code in (200, 400, 404), path
        check_security_headers(r)
        assert_no_inline_script(r.text, path)
        assert r.headers["Content-Type"] == "text/html; charset=utf-8"
        assert in_layout(r.text), path
        assert_no_stack_trace(r.text)


# ---- error pages ----

@pytest.mark.smoke
def test_error_pages_in_layout(alice, standin_url):
    v = Visitor()
    # 400
    r = v.get("/?window=month")
    assert r.status_code == 400 and "400 · Bad Request" in r.text and in_layout(r.text)
    r = v.get("/search?q=%ff")
    assert r.status_code == 400 and in_layout(r.text)
    # 403: a form post without the CSRF token or from another site
    r = alice.post("/favorites/550", {}, token="")
    assert r.status_code == 403 and "403 · Forbidden" in r.text and in_layout(r.text)
    r = alice.post("/favorites/550", {}, form_page="/movie/550", headers={"Origin": "https://evil.example"})
    assert r.status_code == 403 and in_layout(r.text)
    # 404
    r = v.get("/no/such/page")
    assert r.status_code == 404 and "404 · Not Found" in r.text and in_layout(r.text)
    # 405
    r = requests.delete(site() + "/search", timeout=10)
    assert r.status_code == 405 and in_layout(r.text)
    for r in (v.get("/nope"), requests.delete(site() + "/search", timeout=10)):
        assert_no_stack_trace(r.text)
        check_security_headers(r)


def test_429_login_throttled_page_in_layout():
    name = unique("throttled")
    digest = hashlib.sha256(name.encode()).hexdigest()[:32]
    key = f"throttle:login:user:{digest}"
    # Sets the per-username failure counter directly, so the shared per-address counter stays untouched.
    assert redis_command("SET", key, "1000", "EX", "120") == "OK"
    try:
        v = Visitor()
        r = v.post("/login", {"username": name, "password": "whatever-123"}, form_page="/login")
        assert r.status_code == 429
        assert in_layout(r.text) and "429 · Too Many Requests" in r.text
        assert "Too many failed login attempts" in r.text
        assert 0 < int(r.headers["Retry-After"]) <= 120
        assert_no_stack_trace(r.text)
    finally:
        redis_command("DEL", key)


def test_503_when_tmdb_is_down_in_layout(standin_url):
    movie = 1000000 + uuid.uuid4().int % 900000  # an uncached synthetic film
    fault = requests.post(standin_url + "/__standin/faults",
                          json={"status": 503, "json": True, "path_prefix": f"/3/movie/{movie}"}, timeout=10)
    assert fault.status_code == 200
    try:
        r = Visitor().get(f"/movie/{movie}")
        assert r.status_code == 503
        assert in_layout(r.text) and "503 · Service Unavailable" in r.text
        assert "The movie service is unavailable right now" in r.text
        assert r.headers.get("Retry-After") == "30"
        assert "ETag" not in r.headers
        assert_no_stack_trace(r.text)
    finally:
        requests.delete(standin_url + "/__standin/faults", timeout=10)
    assert Visitor().get(f"/movie/{movie}").status_code == 200
