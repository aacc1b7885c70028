"""test_import_export.py: lists (favorites, watchlist) in and out as CSV: Letterboxd, IMDb and our own exports imported through a preview, bad files refused, 5,000 rows in bounded requests, imports on their share of the TMDb budget (visitors keep the rest), the export's escaping."""
import csv
import html
import io
import random
import re
import threading
import time

import pytest
import requests

from support import Visitor, favorite_ids, redis_command, token_in, user_id, watchlist_ids
from support import site as base_url

IMPORT_MAX_STALLS = 5   # fcgi/model_import.h: batches an unanswered row may stall before it is given up

LETTERBOXD = (
    "Date,Name,Year,Letterboxd URI,Rating\r\n"
    "2024-01-01,Fight Club,1999,https://boxd.it/2a9q,5\r\n"
    "2024-01-02,Pulp Fiction,1994,https://boxd.it/2aHi,4.5\r\n"
    "2024-01-03,No Such Movie Anywhere,2001,https://boxd.it/zzzz,\r\n"
    "2024-01-04,Twin Stand-in,2011,https://boxd.it/twin,3\r\n"
)


def upload(v, content, filename="watched.csv", list_="favorites", token=True):
    """POSTs the import form as a browser does (multipart, CSRF token as a field)."""
    data = {"list": list_}
    if token:
        data["csrfmiddlewaretoken"] = v.token("/import")
    body = content.encode("utf-8") if isinstance(content, str) else content
    return v.s.post(v.site + "/import", data=data, files={"file": (filename, body, "text/csv")},
                    headers={"Origin": v.site}, allow_redirects=False, timeout=120)


def started(v, content, **kw):
    r = upload(v, content, **kw)
    assert r.status_code == 303, (r.status_code, r.text[:1000])
    assert re.fullmatch(r"/import/[1-9][0-9]*", r.headers["Location"]), r.headers["Location"]
    return r.headers["Location"]


def run(v, job_url, limit_s=5.0, max_requests=400):
    """Follows the self-refreshing page to the preview: (preview, requests made, slowest request in s)."""
    slowest = 0.0
    for n in range(1, max_requests + 1):
        t0 = time.monotonic()
        r = v.get(job_url)
        took = time.monotonic() - t0
        slowest = max(slowest, took)
        assert r.status_code == 200, (r.status_code, r.text[:1000])
        assert took < limit_s, f"request {n} took {took:.1f} s"
        if 'http-equiv="refresh"' not in r.text:
            return r, n, slowest
        assert re.search(r"Matched <strong>\d+</strong> of <strong>\d+</strong> rows", r.text)
        time.sleep(0.2)
    pytest.fail("the import never finished")


def section(page, name):
    m = re.search(rf'<h2 id="{name}">.*?(?=<h2 id=|<p><button)', page, re.S)
    assert m, f"no {name} section"
    return m.group(0)


def linked_ids(html_part):
    return [int(x) for x in re.findall(r'<a href="/movie/(\d+)">', html_part)]


def confirm(v, job_url, preview, picks=None, token=True):
    data = dict(picks or {})
    return v.post(job_url + "/confirm", data, token=token_in(preview.text) if token else "")


def matched_on_pages(v, job_url, first, last):
    """The matched movies' ids on preview pages first..last."""
    out = []
    for p in range(first, last + 1):
        r = v.get(f"{job_url}?page={p}")
        assert r.status_code == 200, (p, r.status_code)
        out += linked_ids(section(r.text, "matched"))
    return out


def job_keys(db, v):
    return redis_command("KEYS", f"import:{user_id(db, v.username)}:*") or []


def add_to_watchlist(v, movie_id):
    return v.post(f"/watchlist/{movie_id}", {"next": f"/movie/{movie_id}"}, form_page=f"/movie/{movie_id}")


@pytest.mark.smoke
def test_letterboxd_file_preview_then_confirm(db):
    v = Visitor().signed_up()
    assert v.add_favorite(680).status_code == 303
    job = started(v, LETTERBOXD)
    uid = user_id(db, v.username)
    ttl = redis_command("TTL", f"import:{uid}:{job.rsplit('/', 1)[1]}")
    assert 3500 < ttl <= 3600, ttl
    preview, _, _ = run(v, job)
    page = preview.text
    assert "Letterboxd" in page and "watched.csv" in page
    assert linked_ids(section(page, "matched")) == [550]
    assert "Fight Club" in section(page, "matched")
    assert linked_ids(section(page, "already")) == [680]
    amb = section(page, "ambiguous")
    assert "Line 5: Twin Stand-in (2011)" in amb
    assert re.findall(r'name="pick3" value="(\w+)"', amb) == ["777001", "777002", "skip"]
    # Twins of one title and year are told apart by their release dates.
    assert "Twin Stand-in (released 2011-03-04)" in amb and "Twin Stand-in (released 2011-09-09)" in amb
    assert "No Such Movie Anywhere (2001)" in section(page, "missing")
    # Short lists are shown open.
    assert "<details>" not in page
    # Nothing is saved before the confirmation.
    assert favorite_ids(db, v.username) == [680]
    r = confirm(v, job, preview, {"pick3": "777002"})
    assert r.status_code == 303 and r.headers["Location"] == "/favorites?imported=2"
    assert sorted(favorite_ids(db, v.username)) == [550, 680, 777002]
    assert "Imported 2 movies into your favorites." in v.get(r.headers["Location"]).text
    # The job is gone once saved.
    assert v.get(job).status_code == 404
    assert job_keys(db, v) == []


def test_a_pick_that_is_no_candidate_and_skip_save_nothing_for_that_row(db):
    v = Visitor().signed_up()
    job = started(v, "Name,Year\nTwin Stand-in,2011\n")
    preview, _, _ = run(v, job)
    r = confirm(v, job, preview, {"pick0": "550"})
    assert r.status_code == 303 and r.headers["Location"] == "/favorites?imported=0"
    assert favorite_ids(db, v.username) == []


def test_imdb_list_export_by_imdb_ids_through_find(db):
    v = Visitor().signed_up()
    imdb = ("Position,Const,Created,Modified,Description,Title,URL,Title Type,IMDb Rating,Runtime (mins),"
            "Year,Genres,Num Votes,Release Date,Directors\n"
            "1,tt0137523,2024-01-01,2024-01-01,,Fight Club,https://www.imdb.com/title/tt0137523/,movie,8.8,139,"
            "1999,\"Drama\",2300000,1999-10-15,David Fincher\n"
            "2,tt0110912,2024-01-01,2024-01-01,,Pulp Fiction,https://www.imdb.com/title/tt0110912/,movie,8.9,154,"
            "1994,\"Crime, Drama\",2200000,1994-09-10,Quentin Tarantino\n"
            "3,tt0000009,2024-01-01,2024-01-01,,Unknown Here,https://www.imdb.com/title/tt0000009/,movie,,,"
            "1894,,,,\n")
    job = started(v, imdb, filename="my-list.csv")
    preview, _, _ = run(v, job)
    assert "IMDb" in preview.text
    assert sorted(linked_ids(section(preview.text, "matched"))) == [550, 680]
    assert "Unknown Here (IMDb tt0000009)" in section(preview.text, "missing")
    ttl = redis_command("TTL", "movie_rec:find_imdb_tt0137523")
    assert 3600 < ttl <= 86400, ttl
    assert favorite_ids(db, v.username) == []
    assert confirm(v, job, preview).status_code == 303
    assert sorted(favorite_ids(db, v.username)) == [550, 680]


def test_export_csv_escapes_formulas_and_reimports_as_our_own_format(db):
    a = Visitor().signed_up()
    for movie in (550, 13, 777003):
        assert a.add_favorite(movie).status_code == 303
    r = a.get("/favorites.csv")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert r.headers["Content-Disposition"] == 'attachment; filename="favorites.csv"'
    text = r.content.decode("utf-8")
    lines = text.split("\r\n")
    assert lines[0] == "Name,Year,tmdbID"
    assert "Fight Club,1999,550" in lines and "Forrest Gump,1994,13" in lines
    # OWASP: the formula title starts with a quote, then RFC 4180 quoting.
    assert '"\'=HYPERLINK(""http://evil.example/"",""Stand-in"")",2012,777003' in lines
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["tmdbID"] for row in rows] == ["777003", "13", "550"]
    # Another user brings that file along.
    b = Visitor().signed_up()
    job = started(b, r.content, filename="favorites.csv")
    preview, _, _ = run(b, job)
    assert "Movie Night" in preview.text
    assert sorted(linked_ids(section(preview.text, "matched"))) == [13, 550, 777003]
    assert confirm(b, job, preview).status_code == 303
    assert sorted(favorite_ids(db, b.username)) == [13, 550, 777003]


@pytest.mark.parametrize("path", ["/favorites.csv", "/watchlist.csv"])
def test_export_needs_a_login(path):
    r = Visitor().get(path)
    assert r.status_code == 303 and r.headers["Location"].startswith("/login?next=")


def test_the_watchlist_page_links_its_import_and_export_and_the_form_preselects_it():
    v = Visitor().signed_up()
    page = v.get("/watchlist").text
    assert '<a href="/import?list=watchlist">Import a list</a>' in page
    assert '<a href="/watchlist.csv">Export as CSV</a>' in page
    page = v.get("/favorites").text
    assert '<a href="/import?list=favorites">Import a list</a>' in page and '<a href="/favorites.csv">' in page
    form = v.get("/import?list=watchlist").text
    assert re.findall(r'<option value="(\w+)"', form) == ["favorites", "watchlist"]
    assert '<option value="watchlist" selected>Watchlist</option>' in form
    assert '<option value="favorites" selected>' in v.get("/import").text
    assert '<a href="/favorites.csv">' in form and '<a href="/watchlist.csv">' in form
    r = v.get("/import?list=wishlist")
    assert r.status_code == 400 and "Choose the list to import into." in r.text


def test_letterboxd_file_into_the_watchlist(db):
    """The watchlist is its own list: what is on it is "already", a favorite is not; the confirm
    saves into it only (one statement), forgets "for you" and lands on its page with the notice."""
    v = Visitor().signed_up()
    assert add_to_watchlist(v, 680).status_code == 303
    assert v.add_favorite(550).status_code == 303
    job = started(v, LETTERBOXD, filename="watchlist.csv", list_="watchlist")
    preview, _, _ = run(v, job)
    page = preview.text
    assert 'into <a href="/watchlist">Watchlist</a>' in page
    assert linked_ids(section(page, "matched")) == [550]
    assert linked_ids(section(page, "already")) == [680]
    assert "Already in Watchlist (1)" in page and "Save to Watchlist" in page
    assert '<a href="/import?list=watchlist">Cancel</a>' in page
    assert watchlist_ids(db, v.username) == [680]
    for_you = f"movie_rec:for_you_{user_id(db, v.username)}"
    redis_command("SET", for_you, "[]", "EX", "600")
    r = confirm(v, job, preview, {"pick3": "777001"})
    assert r.status_code == 303 and r.headers["Location"] == "/watchlist?imported=2"
    assert sorted(watchlist_ids(db, v.username)) == [550, 680, 777001]
    assert favorite_ids(db, v.username) == [550]
    assert redis_command("EXISTS", for_you) == 0
    listed = v.get(r.headers["Location"]).text
    assert "Imported 2 movies into your watchlist." in listed
    assert '<a href="/movie/777001"' in listed
    assert v.get(job).status_code == 404


def test_watchlist_export_and_its_file_into_another_users_favorites(db):
    a = Visitor().signed_up()
    for movie in (13, 777003):
        assert add_to_watchlist(a, movie).status_code == 303
    assert a.add_favorite(550).status_code == 303
    r = a.get("/watchlist.csv")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert r.headers["Content-Disposition"] == 'attachment; filename="watchlist.csv"'
    text = r.content.decode("utf-8")
    # The export's columns, newest first, the formula defused; the favorites are not in it.
    assert text.split("\r\n")[0] == "Name,Year,tmdbID"
    assert [row["tmdbID"] for row in csv.DictReader(io.StringIO(text))] == ["777003", "13"]
    assert '"\'=HYPERLINK(""http://evil.example/"",""Stand-in"")",2012,777003' in text.split("\r\n")
    assert "Fight Club" not in text
    assert [row["tmdbID"] for row in csv.DictReader(io.StringIO(a.get("/favorites.csv").text))] == ["550"]
    b = Visitor().signed_up()
    job = started(b, r.content, filename="watchlist.csv", list_="favorites")
    preview, _, _ = run(b, job)
    assert sorted(linked_ids(section(preview.text, "matched"))) == [13, 777003]
    r = confirm(b, job, preview)
    assert r.status_code == 303 and r.headers["Location"] == "/favorites?imported=2"
    assert sorted(favorite_ids(db, b.username)) == [13, 777003] and watchlist_ids(db, b.username) == []


def test_jobs_are_per_user_and_both_posts_need_csrf(db):
    a = Visitor().signed_up()
    job = started(a, LETTERBOXD)
    preview, _, _ = run(a, job)
    b = Visitor().signed_up()
    assert b.get(job).status_code == 404
    assert b.post(job + "/confirm", {}, form_page="/import").status_code == 404
    # Without the token: refused, nothing saved, no job made.
    assert confirm(a, job, preview, token=False).status_code == 403
    assert favorite_ids(db, a.username) == []
    c = Visitor().signed_up()
    r = upload(c, LETTERBOXD, token=False)
    assert r.status_code == 403
    assert job_keys(db, c) == []
    # The job still works for its owner.
    assert confirm(a, job, preview).status_code == 303
    assert sorted(favorite_ids(db, a.username)) == [550, 680]


def test_import_pages_need_a_login():
    v = Visitor()
    for path in ("/import", "/import/12345"):
        r = v.get(path)
        assert r.status_code == 303 and r.headers["Location"].startswith("/login?next=")


def formula_file(cell):
    return f'Name,Year\r\nFight Club,1999\r\n"{cell}",2000\r\n'


BIG_ROWS = "Name,Year,tmdbID\n" + "".join(f"M,2000,{1000000 + i}\n" for i in range(5001))


@pytest.mark.parametrize("content,status,message", [
    (b"PK\x03\x04\x14\x00\x00\x00\x08\x00binary zip", 400, "is not a CSV text file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 400, "is not a CSV text file"),
    ("Title,Director\nFight Club,David Fincher\n", 400,
     "Expected a header row with Name and Year (a Letterboxd export"),
    ('{"movies": [550]}', 400, "Const (an IMDb list or ratings export) or tmdbID"),
    ("Name,Year\n", 400, "The file has no movies to import"),
    (b"Name,Year\nFight Club,1999\nCaf\xe9,2001\n", 400, "line 3 holds bytes that are not UTF-8"),
    ('Name,Year\n"never closed,1999\n', 400, "not valid CSV at line 2: a quoted field is not closed properly"),
    (formula_file("=cmd|' /C calc'!A0"), 400, "Line 3 holds a spreadsheet formula (\"=cmd|' /C calc'!A0\")"),
    (formula_file("@SUM(1+1)*cmd|' /C calc'!A0"), 400, "Line 3 holds a spreadsheet formula"),
    (formula_file("+cmd|' /C calc'!A0"), 400, "Line 3 holds a spreadsheet formula"),
    (formula_file("-2+3+cmd|' /C calc'!A0"), 400, "Line 3 holds a spreadsheet formula"),
    ("Const,Title\nnm0000093,Brad Pitt\n", 400, "Line 2 has an id that is not valid (\"nm0000093\")"),
    (BIG_ROWS, 400, "The file has more than 5000 rows"),
    ("Name,Year\n" + "x" * (10 * 1024 * 1024), 413, "The file is too large: an import takes files of at most 10 MB."),
], ids=["zip", "png", "wrong-columns", "json", "header-only", "bad-utf8", "bad-quote", "formula-eq",
        "formula-at", "formula-plus", "formula-minus", "bad-imdb-id", "5001-rows", "over-10mb"])
def test_bad_files_are_refused_with_a_reason_and_nothing_is_kept(db, content, status, message):
    v = Visitor().signed_up()
    r = upload(v, content)
    assert r.status_code == status, (r.status_code, r.text[:500])
    assert message in html.unescape(r.text), r.text[:2000]
    assert "Nothing was saved" in r.text or status == 413
    assert job_keys(db, v) == []
    assert favorite_ids(db, v.username) == []


def test_a_body_past_nginxs_limit_gets_nginxs_413_page(db):
    v = Visitor().signed_up()
    r = upload(v, "Name,Year\n" + "x" * (12 * 1024 * 1024))
    assert r.status_code == 413
    assert "larger than this site accepts" in r.text
    assert job_keys(db, v) == []


def test_no_file_or_no_list_is_a_400(db):
    v = Visitor().signed_up()
    r = v.s.post(v.site + "/import", data={"list": "favorites", "csrfmiddlewaretoken": v.token("/import")},
                 files={"other": ("x.txt", b"")}, headers={"Origin": v.site}, allow_redirects=False, timeout=30)
    assert r.status_code == 400 and "Choose a file to import" in r.text
    r = upload(v, LETTERBOXD, list_="wishlist")
    assert r.status_code == 400 and "Choose the list to import into." in r.text
    assert job_keys(db, v) == []


def test_titles_that_are_signed_numbers_are_not_formulas(db):
    v = Visitor().signed_up()
    job = started(v, "Name,Year\n+1,2013\n-1,2014\n")
    preview, _, _ = run(v, job)
    missing = section(preview.text, "missing")
    assert "+1 (2013)" in missing and "-1 (2014)" in missing


def test_5000_rows_finish_in_bounded_requests(db):
    """5,000 rows (300 different movies, so the shared TMDb budget is not the test's subject) match in
    batches, each request well under the limit, the page refreshing itself until the preview."""
    v = Visitor().signed_up()
    rows = "".join(f"Synthetic Movie {1000000 + i % 300},,{1000000 + i % 300}\n" for i in range(5000))
    job = started(v, "Name,Year,tmdbID\n" + rows, filename="big.csv")
    first = v.get(job)
    assert '<meta http-equiv="refresh" content="1">' in first.text
    assert re.search(r"Matched <strong>\d+</strong> of <strong>5000</strong> rows", first.text)
    t0 = time.monotonic()
    preview, requests_made, slowest = run(v, job, limit_s=5.0)
    assert time.monotonic() - t0 < 180
    assert requests_made >= 5000 // 150 - 1
    assert "5000 rows" in preview.text and "5000 matched" in preview.text
    t0 = time.monotonic()
    r = confirm(v, job, preview)
    assert time.monotonic() - t0 < 5
    assert r.status_code == 303 and r.headers["Location"] == "/favorites?imported=300"
    assert len(favorite_ids(db, v.username)) == 300


def fresh_synthetic(n):
    """n consecutive ids of films the stand-in makes up, which no test asked for before (uncached)."""
    start = random.randint(1_100_000, 1_999_000 - n)
    return list(range(start, start + n))


def freeze_budget(key, tokens, for_s):
    """Sets a TMDb token bucket as every worker sees it: tokens left, none added for for_s seconds."""
    sec, usec = redis_command("TIME")
    now_ms = int(sec) * 1000 + int(usec) // 1000
    redis_command("HSET", key, "tokens", str(tokens), "ts", str(now_ms + for_s * 1000))


def standin_calls(standin_url, ids):
    by_path = requests.get(standin_url + "/__standin/stats", timeout=5).json()["by_path"]
    return sum(by_path.get(f"/3/movie/{i}", 0) for i in ids)


def visitor_sees_fresh_movie(movie_id):
    r = requests.get(f"{base_url()}/movie/{movie_id}", timeout=30)
    return r.status_code, f"Synthetic Movie {movie_id}" in r.text


def test_a_small_budget_left_goes_to_visitors_and_the_import_waits_for_it(db, standin_url):
    """Little of the shared TMDb budget left (10 calls, none added for a while): an import of uncached
    titles takes none of it, however many times its page refreshes, and no row is given up or "not
    found" for that; a visitor's movie page meanwhile is served fresh from TMDb. Once the budget
    refills, the import completes with the right matches."""
    v = Visitor().signed_up()
    ids, (seen,) = fresh_synthetic(30), fresh_synthetic(1)
    freeze_budget("tmdb:budget", 10, 60)
    try:
        job = started(v, "Name,Year,tmdbID\n" + "".join(f"Synthetic Movie {i},,{i}\n" for i in ids),
                      filename="uncached.csv")
        # More refreshes than the batches an unanswered row may stall before it is given up.
        for _ in range(IMPORT_MAX_STALLS + 2):
            r = v.get(job)
            assert r.status_code == 200, (r.status_code, r.text[:500])
            assert 'http-equiv="refresh"' in r.text
            assert "Matched <strong>0</strong> of <strong>30</strong> rows" in r.text
        assert standin_calls(standin_url, ids) == 0
        assert visitor_sees_fresh_movie(seen) == (200, True)
        assert standin_calls(standin_url, [seen]) == 1
    finally:
        redis_command("DEL", "tmdb:budget")
    preview, _, _ = run(v, job)
    assert sorted(linked_ids(section(preview.text, "matched"))) == ids
    assert "30 matched" in preview.text and '<h2 id="missing">Not found (0)</h2>' in preview.text
    # A long list folds (every row still in the page); an empty one says so, open.
    assert "<details><summary>Show all 30</summary>" in section(preview.text, "matched")
    assert "<details>" not in section(preview.text, "missing") + section(preview.text, "already")


def test_a_spent_import_share_defers_rows_while_visitors_spend_the_rest(db, standin_url):
    """The shared budget is full but imports' share of it is spent: the import waits (no TMDb call, no row
    given up), a visitor is served fresh, and the import completes when its share refills."""
    v = Visitor().signed_up()
    ids, (seen,) = fresh_synthetic(20), fresh_synthetic(1)
    freeze_budget("tmdb:budget:background", 0, 60)
    try:
        job = started(v, "Name,Year,tmdbID\n" + "".join(f"Synthetic Movie {i},,{i}\n" for i in ids))
        for _ in range(IMPORT_MAX_STALLS + 2):
            r = v.get(job)
            assert r.status_code == 200 and "Matched <strong>0</strong> of <strong>20</strong> rows" in r.text
        assert standin_calls(standin_url, ids) == 0
        assert visitor_sees_fresh_movie(seen) == (200, True)
    finally:
        redis_command("DEL", "tmdb:budget:background")
    preview, _, _ = run(v, job)
    assert sorted(linked_ids(section(preview.text, "matched"))) == ids
    assert '<h2 id="missing">Not found (0)</h2>' in preview.text


def test_a_large_uncached_import_leaves_visitors_served_and_completes(db, standin_url):
    """300 uncached titles on the stack's own budget (40 calls a second, imports 50% of it), while a
    visitor opens one uncached movie after another: every visitor page is 200 with fresh data, and
    the import completes with the right matches."""
    v = Visitor().signed_up()
    ids = fresh_synthetic(300)
    seen = iter(fresh_synthetic(200))
    job = started(v, "Name,Year,tmdbID\n" + "".join(f"Synthetic Movie {i},,{i}\n" for i in ids),
                  filename="large.csv")
    done, visits = threading.Event(), []

    def visitor():
        while not done.is_set():
            visits.append(visitor_sees_fresh_movie(next(seen)))
            time.sleep(0.5)

    t = threading.Thread(target=visitor)
    t.start()
    try:
        preview, requests_made, _ = run(v, job, limit_s=10.0)
    finally:
        done.set()
        t.join()
    # The share lets one batch make 20 calls, then 20 a second: several refreshes.
    assert requests_made >= 3, requests_made
    assert len(visits) >= 5 and visits == [(200, True)] * len(visits), visits
    # The preview shows 100 rows a page: the matches are on pages 1 to 3.
    assert "Page 1 of 3" in preview.text
    assert sorted(linked_ids(section(preview.text, "matched")) + matched_on_pages(v, job, 2, 3)) == ids
    assert "300 matched" in preview.text
