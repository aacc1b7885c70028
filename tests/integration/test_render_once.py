"""test_render_once.py: the movie-only parts of pages, rendered once per worker and data version, carry nothing of a visitor's and follow new data."""
import json
import random
import re

from support import Visitor, redis_command

# More requests than the stack has workers: every worker serves each visitor, and from the
# second round on serves the fragments it kept from the first (fcgi/movieview.c).
ROUNDS = 10
# A block of the stand-in's synthetic movie ids (1000000..1999999) of this file's own.
SYNTHETIC = 1000000 + random.randrange(0, 900) * 1000 + 500


def card_forms(html):
    """{movie id: on the watchlist?} from the cards' watchlist buttons."""
    return {int(m): bool(d) for m, d in
            re.findall(r'<form method="post" action="/watchlist/(\d+)(/delete)?">', html)}


def more_like_this(html):
    return html.split('id="more"', 1)[1]


def cards_html(html):
    """Each card's movie-only part (the <li> up to the end of its meta line), by movie id."""
    return {int(m): part for part, m in
            re.findall(r'(<li class="card">\s*<a href="/movie/(\d+)">.*?<span class="meta">[^\n]*)', html, re.S)}


def watch(v, movie_id, next_):
    r = v.post(f"/watchlist/{movie_id}", {"next": next_}, form_page=next_)
    assert r.status_code == 303


def test_kept_fragments_show_each_visitor_their_own_state():
    alice, bob, anon = Visitor().signed_up(), Visitor().signed_up(), Visitor()
    recs = list(card_forms(more_like_this(alice.get("/movie/550").text)))
    assert len(recs) >= 2
    assert alice.add_favorite(550).status_code == 303
    watch(alice, 550, "/movie/550")
    watch(alice, recs[0], "/movie/550")
    watch(bob, recs[1], "/")
    seen = {}
    for _ in range(ROUNDS):
        a, b, n = alice.get("/movie/550").text, bob.get("/movie/550").text, anon.get("/movie/550").text
        assert f"Signed in as <strong>{alice.username}</strong>" in a and bob.username not in a
        assert f"Signed in as <strong>{bob.username}</strong>" in b and alice.username not in b
        assert "★ In your favorites — remove" in a and 'action="/watchlist/550/watched"' in a
        assert "☆ Add to favorites" in b and '<form method="post" action="/watchlist/550">' in b
        assert "Log in</a> to save this movie" in n and "csrfmiddlewaretoken" not in n
        # The recommendations: the same movie-only HTML, each visitor's own buttons.
        ra, rb = card_forms(more_like_this(a)), card_forms(more_like_this(b))
        assert {m for m, on in ra.items() if on} == {recs[0]}
        assert {m for m, on in rb.items() if on} == {recs[1]}
        assert card_forms(more_like_this(n)) == {}
        assert cards_html(a) == cards_html(b) == cards_html(n)
        seen.setdefault("movie", cards_html(a))
        assert cards_html(a) == seen["movie"]
        # A grid on two addresses of the same data: each visitor's own return address.
        ha, hb = alice.get("/?window=day&page=1").text, bob.get("/").text
        assert '<input type="hidden" name="next" value="/?window=day&amp;page=1">' in ha
        assert '<input type="hidden" name="next" value="/">' in hb
        assert 'name="next" value="/">' not in ha and "page=1" not in hb.split('<ul class="grid">', 1)[1]
        assert cards_html(ha) == cards_html(hb)
        fa, fb = alice.get("/favorites").text, bob.get("/favorites").text
        assert 'action="/favorites/550/delete"' in fa and "/favorites/550/delete" not in fb
        assert list(cards_html(fa)) == [550] and cards_html(fb) == {}


def escaped(text):
    """As the templates write a value: & < > " ' escaped."""
    for a, b in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#39;")):
        text = text.replace(a, b)
    return text


def redis_json(key):
    text = redis_command("GET", key)
    assert text, f"{key} is not cached"
    return json.loads(text)


def test_new_data_in_redis_is_rendered_anew_on_every_worker():
    """A fragment is kept with the exact bytes it was rendered from: new bytes, new HTML."""
    v = Visitor().signed_up()
    movie = SYNTHETIC
    assert v.add_favorite(movie).status_code == 303
    for _ in range(ROUNDS):
        assert v.get(f"/movie/{movie}").status_code == 200
        assert v.get("/favorites").status_code == 200
    details, card = redis_json(f"movie_{movie}_details"), redis_json(f"movie_{movie}_card")
    old = details["title"]
    assert f"<h1>{old}" in v.get(f"/movie/{movie}").text
    details["title"] = card["title"] = "Renamed & re-released"
    details["tagline"] = "<b>not markup</b>"
    assert redis_command("SET", f"movie_{movie}_details", json.dumps(details), "KEEPTTL") == "OK"
    assert redis_command("SET", f"movie_{movie}_card", json.dumps(card), "KEEPTTL") == "OK"
    for _ in range(ROUNDS):
        page = v.get(f"/movie/{movie}").text
        assert "<h1>Renamed &amp; re-released" in page and f"<h1>{old}" not in page
        assert '<p class="tagline">&lt;b&gt;not markup&lt;/b&gt;</p>' in page
        fav = v.get("/favorites").text
        assert '<span class="title">Renamed &amp; re-released</span>' in fav and old not in fav


def test_where_to_watch_is_kept_per_region():
    """The providers' part of a movie page is kept per data version and region (fcgi/watchview.c)."""
    gb, us = Visitor(), Visitor()
    assert gb.get("/watch-region?next=/movie/550").status_code == 200
    r = gb.post("/watch-region", {"region": "GB", "next": "/movie/550"}, form_page="/watch-region")
    assert r.status_code == 303
    for _ in range(ROUNDS):
        a, b = gb.get("/movie/550").text, us.get("/movie/550").text
        assert "Where to watch in United Kingdom" in a and "locale=GB" in a and "locale=US" not in a
        assert "Where to watch in United States" in b and "locale=US" in b and "locale=GB" not in b
        assert a.count('href="/watch-region?next=%2Fmovie%2F550"') == b.count('href="/watch-region?next=%2Fmovie%2F550"') == 1


def test_fragments_go_with_their_values_when_the_memo_is_full():
    """More movies than a worker keeps values (32): the kept fragments are dropped with their
    values, and an address reused by a new value finds none of them. The movies' own values are
    written into Redis (no TMDb calls); their recommendations and providers are the same bytes,
    so one kept value serves all their pages, each with its own way back."""
    v = Visitor().signed_up()
    base = SYNTHETIC + 100
    assert v.get(f"/movie/{base}").status_code == 200
    details = redis_json(f"movie_{base}_details")
    shared = {key: redis_command("GET", key.format(base))
              for key in ("movie_rec:recommendations_{}", "movie_{}_watch_providers")}
    assert all(shared.values())
    movies = [base + 1 + i for i in range(40)]
    for i, movie in enumerate(movies):
        details.update(id=movie, title=f"Kept {i} <{movie}>")
        assert redis_command("SET", f"movie_{movie}_details", json.dumps(details), "EX", "600") == "OK"
        for key, text in shared.items():
            assert redis_command("SET", key.format(movie), text, "EX", "600") == "OK"
    for _ in range(2):
        for i, movie in enumerate(movies):
            r = v.get(f"/movie/{movie}")
            assert r.status_code == 200
            assert f"<h1>Kept {i} &lt;{movie}&gt; <span" in r.text
            assert f'<div class="favorite" data-movie="{movie}">' in r.text
            assert f'href="/watch-region?next=%2Fmovie%2F{movie}"' in r.text
            assert "More like this" in r.text and len(cards_html(r.text)) >= 2
