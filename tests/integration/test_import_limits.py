"""test_import_limits.py: what one user or address may cost: import jobs, bytes parked in Redis and uploads per user, blank rows counted, and one address's share of the TMDb budget."""
import hashlib
import html
import random
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from support import Visitor, favorite_ids, redis_command, user_id
from support import site as base_url
from test_import_export import LETTERBOXD, confirm, linked_ids, run, section, started, upload

# The stack runs the defaults of common/config.c.
IMPORT_MAX_JOBS = 3
IMPORT_MAX_BYTES = 8388608   # 2300 rows of 4000 bytes are past it, 1100 are not, twice they are
IMPORT_UPLOAD_LIMIT = 20
TMDB_RATE_LIMIT, TMDB_RATE_BURST, TMDB_CLIENT_SHARE = 40, 40, 50


def parked(db, v):
    """The user's job keys and slot keys in Redis."""
    uid = user_id(db, v.username)
    return (sorted(redis_command("KEYS", f"import:{uid}:*") or []),
            sorted(redis_command("KEYS", f"imports:{uid}:*") or []))


def text_of(r):
    return html.unescape(r.text)


def test_a_user_has_at_most_import_max_jobs_waiting(db):
    v = Visitor().signed_up()
    jobs = [started(v, LETTERBOXD) for _ in range(IMPORT_MAX_JOBS)]
    r = upload(v, LETTERBOXD)
    assert r.status_code == 429, (r.status_code, r.text[:500])
    assert f"You already have {IMPORT_MAX_JOBS} imports waiting to be confirmed" in text_of(r)
    assert "Nothing was saved" in r.text
    keys, slots = parked(db, v)
    assert len(keys) == IMPORT_MAX_JOBS and len(slots) == IMPORT_MAX_JOBS
    # Another user is not held back by this one's jobs.
    assert upload(Visitor().signed_up(), LETTERBOXD).status_code == 303
    # A confirmed job frees its slot: the next upload is taken.
    preview, _, _ = run(v, jobs[0])
    assert confirm(v, jobs[0], preview, {"pick3": "skip"}).status_code == 303
    keys, slots = parked(db, v)
    assert len(keys) == IMPORT_MAX_JOBS - 1 and len(slots) == IMPORT_MAX_JOBS - 1
    started(v, LETTERBOXD)
    assert [len(k) for k in parked(db, v)] == [IMPORT_MAX_JOBS, IMPORT_MAX_JOBS]
    # The slots expire with their jobs.
    uid = user_id(db, v.username)
    job_ttl = redis_command("TTL", f"import:{uid}:{jobs[1].rsplit('/', 1)[1]}")
    slot_ttls = [redis_command("TTL", k) for k in parked(db, v)[1]]
    assert all(3500 < t <= 3600 for t in slot_ttls + [job_ttl]), (slot_ttls, job_ttl)


def long_titles(rows, title_bytes):
    return "Name,Year\n" + "".join(f"{i:06d}{'x' * (title_bytes - 6)},1999\n" for i in range(rows))


def test_bytes_parked_per_user_are_bounded_and_an_upload_over_them_keeps_nothing(db):
    v = Visitor().signed_up()
    # One file under the 10 MB file limit whose rows alone are past the user's bytes.
    big = long_titles(2300, 4000)
    assert len(big) < 10 * 1024 * 1024 and len(big) > IMPORT_MAX_BYTES
    r = upload(v, big)
    assert r.status_code == 413, (r.status_code, r.text[:500])
    assert f"past {IMPORT_MAX_BYTES // 1024} KB" in text_of(r) and "Nothing was saved" in r.text
    assert parked(db, v) == ([], [])
    # Two halves: the first is kept, the second would go past the bytes.
    half = long_titles(1100, 4000)
    started(v, half)
    keys, slots = parked(db, v)
    assert len(keys) == 1 and len(slots) == 1
    # Counted: the rows as stored, and 160 bytes a row for their matches (IMPORT_RESULT_BYTES).
    counted = int(redis_command("GET", slots[0]).split(".")[1])
    assert abs(counted - 160 * 1100 - redis_command("STRLEN", keys[0])) < 64
    r = upload(v, half)
    assert r.status_code == 413
    assert [len(k) for k in parked(db, v)] == [1, 1]
    # What fits beside it is still taken.
    started(v, LETTERBOXD)
    assert [len(k) for k in parked(db, v)] == [2, 2]


def test_uploads_per_user_are_throttled_and_counted_whatever_their_outcome(db):
    v = Visitor().signed_up()
    for n in range(IMPORT_UPLOAD_LIMIT):
        r = upload(v, "Title,Director\nFight Club,David Fincher\n")
        assert r.status_code == 400, (n, r.status_code)
    r = upload(v, LETTERBOXD)
    assert r.status_code == 429, (r.status_code, r.text[:500])
    assert f"an account may upload {IMPORT_UPLOAD_LIMIT} files every 60 minutes" in text_of(r)
    assert 3500 < int(r.headers["Retry-After"]) <= 3600
    assert parked(db, v) == ([], [])
    assert favorite_ids(db, v.username) == []
    # Per user: another account uploads as before.
    assert upload(Visitor().signed_up(), LETTERBOXD).status_code == 303


def test_blank_rows_count_toward_the_row_limit(db):
    v = Visitor().signed_up()
    r = upload(v, "Name,Year\nFight Club,1999\n" + "\n" * 5000)
    assert r.status_code == 400
    assert "The file has more than 5000 rows" in r.text
    r = upload(v, ",,,,,,,,\n" * 6000 + "Name,Year\nFight Club,1999\n")
    assert r.status_code == 400 and "The file has more than 5000 rows" in r.text
    assert parked(db, v) == ([], [])
    # Up to the limit, blank rows and rows together are fine.
    job = started(v, "Name,Year\n" + "\n" * 4000 + "Fight Club,1999\n" * 999)
    preview, _, _ = run(v, job)
    assert "999 rows" in preview.text


# ---------- one address's share of the TMDb budget ----------

def client_bucket(address):
    return "tmdb:budget:client:" + hashlib.sha1(address.encode()).hexdigest()[:32]


def freeze_budget(key, tokens, for_s):
    sec, usec = redis_command("TIME")
    now_ms = int(sec) * 1000 + int(usec) // 1000
    redis_command("HSET", key, "tokens", str(tokens), "ts", str(now_ms + for_s * 1000))


def fresh_synthetic(n):
    start = random.randint(1_100_000, 1_999_000 - n)
    return list(range(start, start + n))


def unknown_ids(n):
    """Ids neither TMDb's stand-in catalogue nor its synthetic range (1,000,000-1,999,999) holds."""
    start = random.randint(3_000_000, 9_000_000)
    return list(range(start, start + n))


def standin_calls(standin_url, ids):
    by_path = requests.get(standin_url + "/__standin/stats", timeout=5).json()["by_path"]
    return sum(by_path.get(f"/3/movie/{i}", 0) for i in ids)


def test_a_spent_address_share_refuses_only_that_address(standin_url):
    """127.0.0.2's share is spent (none added for a while): its uncached page is a 503 without a TMDb
    call, while 127.0.0.3's uncached page is served from TMDb."""
    a, b = Visitor(source_address="127.0.0.2"), Visitor(source_address="127.0.0.3")
    mine, theirs = fresh_synthetic(1)[0], fresh_synthetic(1)[0]
    freeze_budget(client_bucket("127.0.0.2"), 0, 60)
    try:
        assert a.get(f"/movie/{mine}").status_code == 503
        assert standin_calls(standin_url, [mine]) == 0
        r = b.get(f"/movie/{theirs}")
        assert r.status_code == 200 and f"Synthetic Movie {theirs}" in r.text
        assert standin_calls(standin_url, [theirs]) == 1
    finally:
        redis_command("DEL", client_bucket("127.0.0.2"))


def test_one_address_flooding_unknown_ids_leaves_another_address_its_misses(standin_url):
    """127.0.0.2 asks for 300 unknown ids, 32 at a time; meanwhile every uncached page 127.0.0.3 asks for
    is served. The flood's TMDb calls stay within its share (burst plus rate over the time it ran)."""
    flood_ids, served = unknown_ids(300), fresh_synthetic(8)
    statuses, done = [], threading.Event()
    t0 = time.monotonic()

    def flood():
        s = requests.Session()
        s.mount("http://", __import__("support").SourceAddressAdapter("127.0.0.2"))
        with ThreadPoolExecutor(32) as pool:
            statuses.extend(pool.map(lambda i: s.get(f"{base_url()}/movie/{i}", timeout=60).status_code,
                                     flood_ids))
        done.set()

    flooder = threading.Thread(target=flood)
    flooder.start()
    b = Visitor(source_address="127.0.0.3")
    theirs = []
    try:
        for movie in served:
            time.sleep(0.05)
            r = b.get(f"/movie/{movie}")
            theirs.append((movie, r.status_code, f"Synthetic Movie {movie}" in r.text))
    finally:
        flooder.join()
    elapsed = time.monotonic() - t0
    assert theirs == [(m, 200, True) for m in served]
    assert set(statuses) <= {404, 503}, set(statuses)
    assert statuses.count(503) > 0
    share_rate = TMDB_RATE_LIMIT * TMDB_CLIENT_SHARE // 100
    share_burst = TMDB_RATE_BURST * TMDB_CLIENT_SHARE // 100
    assert standin_calls(standin_url, flood_ids) <= share_burst + share_rate * (elapsed + 1)
    assert statuses.count(404) == standin_calls(standin_url, flood_ids)


# ---------- the preview: built once, one page at a time ----------

def test_the_preview_is_built_once_and_shown_a_page_at_a_time(db):
    v = Visitor().signed_up()
    assert v.add_favorite(680).status_code == 303
    ids = fresh_synthetic(50)
    rows = "".join(f"Synthetic Movie {ids[i % 50]},,{ids[i % 50]}\n" for i in range(245))
    job = started(v, "Name,Year,tmdbID\n" + rows + "Fight Club,1999,680\nNowhere,2001,1\n")
    preview, _, _ = run(v, job)
    uid, job_id = user_id(db, v.username), job.rsplit("/", 1)[1]
    # The summary keeps counts only; the rows are on three pages of 100.
    summary = redis_command("GET", f"import:{uid}:{job_id}")
    assert len(summary) < 300 and '"rows"' not in summary, summary
    assert sorted(redis_command("KEYS", f"import:{uid}:{job_id}:*")) == \
        [f"import:{uid}:{job_id}:{p}" for p in (1, 2, 3)]
    text = preview.text
    assert "247 rows" in text and "245 matched, 0 to choose, 1 not found, 1 already in the list" in text
    assert "Page 1 of 3" in text and f'href="{job}?page=2" rel="next"' in text
    assert len(linked_ids(section(text, "matched"))) == 100
    assert "<details><summary>Show these 100 of 245</summary>" in section(text, "matched")
    second, third = v.get(f"{job}?page=2"), v.get(f"{job}?page=3")
    assert second.status_code == 200 and len(linked_ids(section(second.text, "matched"))) == 100
    assert third.status_code == 200 and len(linked_ids(section(third.text, "matched"))) == 45
    assert linked_ids(section(third.text, "already")) == [680]
    assert "Line 248: Nowhere (TMDb id 1)" in section(third.text, "missing")
    # Every page carries the same counts and the confirm form.
    for page in (second, third):
        assert "245 matched, 0 to choose, 1 not found, 1 already in the list" in page.text
        assert 'action="' + job + '/confirm"' in page.text
    # The page number is checked as every page's is.
    assert v.get(f"{job}?page=0").status_code == 400
    assert v.get(f"{job}?page=x").status_code == 400
    r = v.get(f"{job}?page=4")
    assert r.status_code == 404 and "the list ends at page 3" in r.text
    # Confirming from any page saves every match (the 50 distinct ones) and forgets every page.
    r = confirm(v, job, third)
    assert r.status_code == 303 and r.headers["Location"] == "/favorites?imported=50"
    assert sorted(favorite_ids(db, v.username)) == sorted(ids + [680])
    assert parked(db, v) == ([], [])
