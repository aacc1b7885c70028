# test_standin.py: tests the TMDb stand-in (deploy/tmdb-standin) against TMDb's documented behaviour.
#
# Starts its own stand-in on a free port, so it needs no stack; run with
#   /usr/bin/python3 -m pytest tests/integration/test_standin.py

import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET

import pytest
import requests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STANDIN = os.path.join(ROOT, "deploy", "tmdb-standin", "standin.py")
KEY = "test-key-0123456789abcdef"
TOKEN = "test-read-token-eyJhbGciOi"
HOSTILE_TITLE = "<script>alert(\"xss\")</script> & 'Friends'"

LIST_ITEM_KEYS = {"adult", "backdrop_path", "genre_ids", "id", "original_language",
	"original_title", "overview", "popularity", "poster_path", "release_date", "title",
	"video", "vote_average", "vote_count"}
DETAIL_KEYS = {"adult", "backdrop_path", "belongs_to_collection", "budget", "genres",
	"homepage", "id", "imdb_id", "origin_country", "original_language", "original_title",
	"overview", "popularity", "poster_path", "production_companies", "production_countries",
	"release_date", "revenue", "runtime", "spoken_languages", "status", "tagline", "title",
	"video", "vote_average", "vote_count"}
CAST_KEYS = {"adult", "gender", "id", "known_for_department", "name", "original_name",
	"popularity", "profile_path", "cast_id", "character", "credit_id", "order"}
CREW_KEYS = {"adult", "gender", "id", "known_for_department", "name", "original_name",
	"popularity", "profile_path", "credit_id", "department", "job"}
VIDEO_KEYS = {"iso_639_1", "iso_3166_1", "name", "key", "site", "size", "type", "official",
	"published_at", "id"}


def start_standin(tmpdir, *extra):
	port_file = os.path.join(tmpdir, "port")
	log_file = os.path.join(tmpdir, "standin.log")
	proc = subprocess.Popen([sys.executable, STANDIN, "--host", "127.0.0.1", "--port", "0",
		"--port-file", port_file, "--api-key", KEY, "--read-token", TOKEN,
		"--log", log_file] + list(extra))
	deadline = time.monotonic() + 10
	while not os.path.exists(port_file):
		if proc.poll() is not None or time.monotonic() > deadline:
			proc.kill()
			pytest.fail("stand-in did not start")
		time.sleep(0.05)
	with open(port_file) as fh:
		port = int(fh.read().strip())
	return proc, port, log_file


@pytest.fixture(scope="module")
def standin():
	with tempfile.TemporaryDirectory() as tmpdir:
		proc, port, log_file = start_standin(tmpdir)
		base = "http://127.0.0.1:%d" % port
		requests.get(base + "/__standin/health", timeout=5).raise_for_status()
		yield {"base": base, "port": port, "log": log_file}
		proc.send_signal(signal.SIGTERM)
		try:
			proc.wait(timeout=10)
		except subprocess.TimeoutExpired:
			proc.kill()
			raise


@pytest.fixture(autouse=True)
def clean(standin):
	requests.post(standin["base"] + "/__standin/reset", timeout=5).raise_for_status()
	yield
	requests.post(standin["base"] + "/__standin/reset", timeout=5)


def api(standin, path, params=None, auth="key", **kw):
	params = dict(params or {})
	headers = kw.pop("headers", {})
	if auth == "key":
		params["api_key"] = KEY
	elif auth == "bearer":
		headers["Authorization"] = "Bearer " + TOKEN
	return requests.get(standin["base"] + "/3" + path, params=params, headers=headers,
		timeout=kw.pop("timeout", 10), **kw)


def ok(standin, path, params=None, auth="key"):
	r = api(standin, path, params, auth)
	assert r.status_code == 200, r.text
	assert r.headers["Content-Type"] == "application/json;charset=utf-8"
	return r.json()


def assert_tmdb_error(r, http, code):
	assert r.status_code == http, r.text
	assert r.headers["Content-Type"] == "application/json;charset=utf-8"
	body = r.json()
	assert body["status_code"] == code
	assert isinstance(body["status_message"], str) and body["status_message"]
	assert body.get("success") is False
	return body


def set_fault(standin, **fault):
	r = requests.post(standin["base"] + "/__standin/faults", json=fault, timeout=5)
	assert r.status_code == 200, r.text
	return r.json()


def assert_list_item(item, media_type):
	keys = set(item)
	if media_type:
		assert item["media_type"] == "movie"
		keys.discard("media_type")
	else:
		assert "media_type" not in item
	assert keys == LIST_ITEM_KEYS
	assert isinstance(item["id"], int) and isinstance(item["vote_count"], int)
	assert isinstance(item["popularity"], (int, float))
	assert isinstance(item["vote_average"], (int, float))
	assert isinstance(item["adult"], bool) and item["video"] is False
	assert all(isinstance(g, int) for g in item["genre_ids"])
	assert item["poster_path"] is None or item["poster_path"].startswith("/")
	assert item["release_date"] == "" or len(item["release_date"]) == 10


# ---- auth ----

def test_auth_api_key_and_bearer(standin):
	assert ok(standin, "/authentication") == {"success": True, "status_code": 1,
		"status_message": "Success."}
	assert ok(standin, "/authentication", auth="bearer")["success"] is True
	assert ok(standin, "/movie/550", auth="bearer")["id"] == 550


@pytest.mark.parametrize("params,headers", [
	({}, {}),
	({"api_key": "wrong"}, {}),
	({}, {"Authorization": "Bearer wrong"}),
	({}, {"Authorization": "Bearer " + KEY}),  # the v3 key is not a read token
	({}, {"Authorization": TOKEN}),  # no scheme
])
def test_auth_rejected(standin, params, headers):
	r = api(standin, "/movie/550", params, auth=None, headers=headers)
	body = assert_tmdb_error(r, 401, 7)
	assert body == {"status_code": 7, "status_message":
		"Invalid API key: You must be granted a valid key.", "success": False}


def test_log_never_contains_the_key(standin):
	ok(standin, "/movie/550")
	ok(standin, "/movie/550", auth="bearer")
	with open(standin["log"]) as fh:
		text = fh.read()
	assert "/3/movie/550" in text
	assert KEY not in text and TOKEN not in text


# ---- paging and errors ----

@pytest.mark.parametrize("page", ["0", "501", "abc", "-1", "", "1.5", "99999999999"])
def test_invalid_page(standin, page):
	r = api(standin, "/movie/popular", {"page": page})
	body = assert_tmdb_error(r, 400, 22)
	assert body["status_message"].startswith("Invalid page: Pages start at 1 and max at 500.")


@pytest.mark.parametrize("path", ["/trending/movie/week", "/search/movie",
	"/discover/movie", "/movie/550/similar", "/movie/550/recommendations"])
def test_invalid_page_everywhere(standin, path):
	assert_tmdb_error(api(standin, path, {"page": "0", "query": "a"}), 400, 22)


def test_paging_rules(standin):
	p1 = ok(standin, "/movie/popular")
	total = p1["total_results"]
	assert total > 40
	assert p1["page"] == 1 and len(p1["results"]) == 20
	assert p1["total_pages"] == math.ceil(total / 20)
	last = ok(standin, "/movie/popular", {"page": p1["total_pages"]})
	assert len(last["results"]) == total - 20 * (p1["total_pages"] - 1)
	seen = set()
	for page in range(1, p1["total_pages"] + 1):
		seen.update(i["id"] for i in ok(standin, "/movie/popular", {"page": page})["results"])
	assert len(seen) == total
	past = ok(standin, "/movie/popular", {"page": p1["total_pages"] + 1})
	assert past["results"] == [] and past["total_pages"] == p1["total_pages"]
	assert past["total_results"] == total
	p500 = ok(standin, "/movie/popular", {"page": 500})
	assert p500["page"] == 500 and p500["results"] == []


def test_empty_result_envelope(standin):
	r = api(standin, "/search/movie", {"query": "no such film zzqx"})
	assert r.json() == {"page": 1, "results": [], "total_pages": 1, "total_results": 0}


@pytest.mark.parametrize("path", ["/movie/99999999", "/movie/abc", "/movie/0",
	"/movie/2000000", "/nothing/here", "/trending/movie/month", "/movie/550/keywords",
	"/tv/popular"])
def test_not_found(standin, path):
	body = assert_tmdb_error(api(standin, path), 404, 34)
	assert body["status_message"] == "The resource you requested could not be found."


def test_outside_api_prefix_is_404(standin):
	r = requests.get(standin["base"] + "/4/list/1", timeout=5)
	assert r.status_code == 404


def test_non_get_is_rejected(standin):
	r = requests.post(standin["base"] + "/3/movie/550", params={"api_key": KEY}, timeout=5)
	assert r.status_code == 405
	assert "GET" in r.headers["Allow"]
	assert r.json()["success"] is False


def test_head(standin):
	r = requests.head(standin["base"] + "/3/movie/550", params={"api_key": KEY}, timeout=5)
	assert r.status_code == 200 and r.content == b""
	assert int(r.headers["Content-Length"]) > 100


def test_language_is_accepted(standin):
	assert ok(standin, "/movie/550", {"language": "de-DE"})["title"] == "Fight Club"
	assert ok(standin, "/genre/movie/list", {"language": "de"})["genres"][0] == \
		{"id": 28, "name": "Action"}


# ---- configuration, genres ----

def test_configuration_points_at_itself(standin):
	conf = ok(standin, "/configuration")
	images = conf["images"]
	assert images["base_url"] == standin["base"] + "/t/p/"
	assert images["secure_base_url"] == standin["base"] + "/t/p/"
	assert images["poster_sizes"] == ["w92", "w154", "w185", "w342", "w500", "w780",
		"original"]
	assert images["profile_sizes"] == ["w45", "w185", "h632", "original"]
	assert "videos" in conf["change_keys"]
	poster = ok(standin, "/movie/550")["poster_path"]
	r = requests.get(images["secure_base_url"] + "w500" + poster, timeout=5)
	assert r.status_code == 200 and r.headers["Content-Type"] == "image/svg+xml"


def test_genres(standin):
	genres = ok(standin, "/genre/movie/list")["genres"]
	assert len(genres) == 19
	assert {"id": 878, "name": "Science Fiction"} in genres


# ---- details ----

def test_details_fight_club(standin):
	d = ok(standin, "/movie/550")
	assert set(d) == DETAIL_KEYS
	assert d["title"] == "Fight Club" and d["release_date"] == "1999-10-15"
	assert d["runtime"] == 139 and d["genres"] == [{"id": 18, "name": "Drama"}]
	assert d["imdb_id"] == "tt0137523" and d["belongs_to_collection"] is None
	assert d["origin_country"] == ["US"] and d["status"] == "Released"
	for key in ("credits", "videos", "recommendations", "similar"):
		assert key not in d


@pytest.mark.parametrize("fid,title,date,runtime,genres", [
	(680, "Pulp Fiction", "1994-09-10", 154, [53, 80]),
	(13, "Forrest Gump", "1994-06-23", 142, [35, 18, 10749]),
	(155, "The Dark Knight", "2008-07-16", 152, [18, 28, 80, 53]),
	(27205, "Inception", "2010-07-15", 148, [28, 878, 12]),
	(603, "The Matrix", "1999-03-31", 136, [28, 878]),
	(278, "The Shawshank Redemption", "1994-09-23", 142, [18, 80]),
	(238, "The Godfather", "1972-03-14", 175, [18, 80]),
	(157336, "Interstellar", "2014-11-05", 169, [12, 18, 878]),
	(11, "Star Wars", "1977-05-25", 121, [12, 28, 878]),
])
def test_catalogue_facts(standin, fid, title, date, runtime, genres):
	d = ok(standin, "/movie/%d" % fid)
	assert (d["title"], d["release_date"], d["runtime"]) == (title, date, runtime)
	assert [g["id"] for g in d["genres"]] == genres


def test_append_to_response(standin):
	d = ok(standin, "/movie/550",
		{"append_to_response": "credits,videos,recommendations,similar,keywords"})
	assert set(d) == DETAIL_KEYS | {"credits", "videos", "recommendations", "similar"}
	credits = d["credits"]
	assert set(credits) == {"cast", "crew"}  # appended objects carry no id
	assert all(set(c) == CAST_KEYS for c in credits["cast"])
	assert all(set(c) == CREW_KEYS for c in credits["crew"])
	lead = credits["cast"][0]
	assert (lead["name"], lead["character"], lead["order"]) == ("Edward Norton", "Narrator", 0)
	assert any(c["name"] == "Brad Pitt" and c["character"] == "Tyler Durden"
		for c in credits["cast"])
	director = [c for c in credits["crew"] if c["job"] == "Director"]
	assert director and director[0]["name"] == "David Fincher"
	assert director[0]["department"] == "Directing"
	assert set(d["videos"]) == {"results"}
	trailer = [v for v in d["videos"]["results"] if v["type"] == "Trailer"]
	assert trailer and trailer[0]["site"] == "YouTube" and len(trailer[0]["key"]) == 11
	assert all(set(v) == VIDEO_KEYS for v in d["videos"]["results"])
	recs = d["recommendations"]
	assert set(recs) == {"page", "results", "total_pages", "total_results"}
	assert 680 in [i["id"] for i in recs["results"]]
	for item in recs["results"]:
		assert_list_item(item, media_type=True)
	for item in d["similar"]["results"]:
		assert_list_item(item, media_type=False)


def test_append_limit(standin):
	names = ",".join(["credits"] * 21)
	body = assert_tmdb_error(api(standin, "/movie/550", {"append_to_response": names}), 400, 27)
	assert "20" in body["status_message"]
	ok(standin, "/movie/550", {"append_to_response": ",".join(["credits"] * 20)})


def test_every_film_has_a_director_and_trailer(standin):
	for fid in (13, 155, 27205, 603, 278, 238, 157336, 120, 11, 496243, 129):
		d = ok(standin, "/movie/%d" % fid, {"append_to_response": "credits,videos"})
		assert d["credits"]["cast"], fid
		assert any(c["job"] == "Director" for c in d["credits"]["crew"]), fid
		assert any(v["type"] == "Trailer" and v["site"] == "YouTube" and v["key"]
			for v in d["videos"]["results"]), fid


def test_nullable_fields(standin):
	sw = ok(standin, "/movie/11")
	assert sw["belongs_to_collection"]["id"] == 10
	assert sw["belongs_to_collection"]["name"] == "Star Wars Collection"
	assert ok(standin, "/movie/680")["homepage"] == ""
	odd = ok(standin, "/movie/666003")
	assert odd["poster_path"] is None and odd["backdrop_path"] is None
	assert odd["imdb_id"] is None and odd["release_date"] == ""
	assert "origin_country" not in odd
	assert odd["homepage"] == "" and odd["runtime"] == 0
	recs = ok(standin, "/movie/550/recommendations")["results"]
	blank = [i for i in recs if i["id"] == 666003]
	assert blank and blank[0]["release_date"] == "" and blank[0]["poster_path"] is None
	credits = ok(standin, "/movie/62/credits")
	assert any(c["profile_path"] is None for c in credits["cast"])


def test_unicode_titles(standin):
	assert ok(standin, "/movie/129")["original_title"] == "千と千尋の神隠し"
	assert ok(standin, "/movie/496243")["original_title"] == "기생충"
	assert ok(standin, "/movie/10681")["title"] == "WALL·E"


def test_hostile_film(standin):
	d = ok(standin, "/movie/666001", {"append_to_response": "credits"})
	assert d["title"] == HOSTILE_TITLE
	assert "<img src=x onerror=alert(1)>" in d["overview"]
	assert any("<" in c["character"] for c in d["credits"]["cast"])


def test_synthetic_movies(standin):
	d = ok(standin, "/movie/1234567", {"append_to_response": "credits,recommendations"})
	assert d["title"] == "Synthetic Movie 1234567" and d["imdb_id"] is None
	assert d["runtime"] > 0 and d["genres"] and d["poster_path"]
	assert d == ok(standin, "/movie/1234567", {"append_to_response": "credits,recommendations"})
	rec_ids = [i["id"] for i in d["recommendations"]["results"]]
	assert 6 <= len(rec_ids) <= 12 and all(abs(i - 1234567) <= 20 for i in rec_ids)
	assert ok(standin, "/movie/1000000")["id"] == 1000000
	assert ok(standin, "/movie/1999999")["id"] == 1999999
	assert ok(standin, "/search/movie", {"query": "Synthetic"})["total_results"] == 0
	trending = ok(standin, "/trending/movie/week")["results"]
	assert all(i["id"] < 1000000 for i in trending)


# ---- sub-resources ----

def test_standalone_subresources(standin):
	credits = ok(standin, "/movie/680/credits")
	assert credits["id"] == 680 and set(credits) == {"id", "cast", "crew"}
	assert any(c["name"] == "Quentin Tarantino" and c["job"] == "Director"
		for c in credits["crew"])
	videos = ok(standin, "/movie/550/videos")
	assert videos["id"] == 550 and videos["results"][0]["key"] == "dfeUzm6KF4g"
	recs = ok(standin, "/movie/550/recommendations")
	assert set(recs) == {"page", "results", "total_pages", "total_results"}
	ids = [i["id"] for i in recs["results"]]
	assert 680 in ids and 550 not in ids and 6 <= len(ids) <= 12
	for item in recs["results"]:
		assert_list_item(item, media_type=True)
	similar = ok(standin, "/movie/550/similar")
	assert similar["total_results"] > 20 and len(similar["results"]) == 20
	assert ok(standin, "/movie/550/similar", {"page": 2})["results"]
	for item in similar["results"]:
		assert_list_item(item, media_type=False)
	assert_tmdb_error(api(standin, "/movie/31337/credits"), 404, 34)


def test_recommendations_are_catalogue_films(standin):
	for fid in (550, 680, 13, 155, 27205, 603, 278, 238, 157336, 120, 11):
		recs = ok(standin, "/movie/%d/recommendations" % fid)
		assert 6 <= recs["total_results"] <= 12, fid
		for item in recs["results"]:
			assert item["id"] != fid
			assert ok(standin, "/movie/%d" % item["id"])["title"] == item["title"]


# ---- lists, trending ----

def test_trending_day_and_week_differ(standin):
	day = ok(standin, "/trending/movie/day")
	week = ok(standin, "/trending/movie/week")
	day_ids = [i["id"] for i in day["results"]]
	week_ids = [i["id"] for i in week["results"]]
	assert day_ids != week_ids
	for item in day["results"] + week["results"]:
		assert_list_item(item, media_type=True)
	assert day["total_pages"] == 2
	day2 = ok(standin, "/trending/movie/day", {"page": 2})
	assert not set(day_ids) & {i["id"] for i in day2["results"]}


def test_movie_lists(standin):
	popular = ok(standin, "/movie/popular")["results"]
	pops = [i["popularity"] for i in popular]
	assert pops == sorted(pops, reverse=True)
	for item in popular:
		assert_list_item(item, media_type=False)
	top = ok(standin, "/movie/top_rated")["results"]
	votes = [i["vote_average"] for i in top]
	assert votes == sorted(votes, reverse=True) and top[0]["id"] == 278
	for name in ("now_playing", "upcoming"):
		body = ok(standin, "/movie/" + name)
		assert set(body["dates"]) == {"maximum", "minimum"}
		assert body["dates"]["minimum"] <= body["dates"]["maximum"]
		assert body["results"]
	assert "dates" not in ok(standin, "/movie/popular")


# ---- search ----

def test_search(standin):
	r = ok(standin, "/search/movie", {"query": "dark KNIGHT"})
	assert [i["id"] for i in r["results"]] == [155]
	for item in r["results"]:
		assert_list_item(item, media_type=False)
	ids = {i["id"] for i in ok(standin, "/search/movie", {"query": "godfather"})["results"]}
	assert ids == {238, 240}
	assert [i["id"] for i in ok(standin, "/search/movie", {"query": "千と千尋"})["results"]] \
		== [129]
	lotr = ok(standin, "/search/movie", {"query": "lord of the rings"})
	assert {i["id"] for i in lotr["results"]} == {120, 121, 122}


def test_search_year_filters(standin):
	for name in ("year", "primary_release_year"):
		r = ok(standin, "/search/movie", {"query": "the", name: "1994"})
		ids = {i["id"] for i in r["results"]}
		assert 278 in ids
		assert all(i["release_date"].startswith("1994") for i in r["results"])
	r = ok(standin, "/search/movie", {"query": "lord of the rings", "year": "2002"})
	assert [i["id"] for i in r["results"]] == [121]


@pytest.mark.parametrize("params", [{}, {"query": ""}, {"query": "   "}])
def test_search_requires_query(standin, params):
	r = api(standin, "/search/movie", params)
	assert r.status_code == 422
	assert r.json() == {"errors": ["query must be provided"]}


def test_search_hides_adult(standin):
	plain = ok(standin, "/search/movie", {"query": "matrix"})
	assert [i["id"] for i in plain["results"]] == [603]
	adult = ok(standin, "/search/movie", {"query": "matrix", "include_adult": "true"})
	items = {i["id"]: i for i in adult["results"]}
	assert set(items) == {603, 666002} and items[666002]["adult"] is True
	assert ok(standin, "/search/movie", {"query": "matrix", "include_adult": "false"}) == plain


def test_search_finds_hostile_title(standin):
	r = ok(standin, "/search/movie", {"query": "<script>"})
	assert [i["title"] for i in r["results"]] == [HOSTILE_TITLE]


# ---- discover ----

def test_discover_genres_and_or(standin):
	both = ok(standin, "/discover/movie", {"with_genres": "16,10751"})["results"]
	assert both and all({16, 10751} <= set(i["genre_ids"]) for i in both)
	either = ok(standin, "/discover/movie", {"with_genres": "16|36"})
	assert all({16, 36} & set(i["genre_ids"]) for i in either["results"])
	assert 424 in {i["id"] for i in either["results"]}  # history, no animation
	assert either["total_results"] > len(both)
	none = ok(standin, "/discover/movie", {"with_genres": "16,37"})
	assert none["total_results"] == 0 and none["total_pages"] == 1
	for item in either["results"]:
		assert_list_item(item, media_type=False)


def test_discover_sort_and_filters(standin):
	r = ok(standin, "/discover/movie")["results"]
	assert [i["popularity"] for i in r] == sorted((i["popularity"] for i in r), reverse=True)
	r = ok(standin, "/discover/movie", {"sort_by": "vote_average.desc"})["results"]
	assert [i["vote_average"] for i in r] == sorted((i["vote_average"] for i in r),
		reverse=True)
	r = ok(standin, "/discover/movie", {"sort_by": "popularity.asc"})["results"]
	assert [i["popularity"] for i in r] == sorted(i["popularity"] for i in r)
	r = ok(standin, "/discover/movie", {"sort_by": "title.asc"})["results"]
	assert [i["title"].casefold() for i in r] == sorted(i["title"].casefold() for i in r)
	r = ok(standin, "/discover/movie", {"sort_by": "primary_release_date.desc",
		"vote_count.gte": "1"})["results"]
	dates = [i["release_date"] for i in r]
	assert dates == sorted(dates, reverse=True)
	r = ok(standin, "/discover/movie", {"primary_release_year": "1994"})
	assert {i["id"] for i in r["results"]} == {13, 278, 680}
	r = ok(standin, "/discover/movie", {"vote_count.gte": "25000"})["results"]
	assert r and all(i["vote_count"] >= 25000 for i in r)
	all_films = ok(standin, "/discover/movie")
	assert all_films["total_results"] > 40
	assert 666002 not in {i["id"] for p in (1, 2, 3)
		for i in ok(standin, "/discover/movie", {"page": p})["results"]}


# ---- images ----

def test_image_placeholder_escapes_title(standin):
	r = requests.get(standin["base"] + "/t/p/w185/hostile666001.jpg", timeout=5)
	assert r.status_code == 200
	assert r.headers["Content-Type"] == "image/svg+xml"
	assert r.headers["Cache-Control"] == "public, max-age=86400"
	assert "<script>" not in r.text and "&lt;script&gt;" in r.text
	root = ET.fromstring(r.content)  # well-formed XML despite the hostile title
	assert root.get("width") == "185" and root.get("height") == "278"
	title = root.find("{http://www.w3.org/2000/svg}title")
	assert title.text == HOSTILE_TITLE


def test_image_sizes_and_misses(standin):
	d = ok(standin, "/movie/550", {"append_to_response": "credits"})
	base = standin["base"] + "/t/p/"
	for size, w, h in (("w92", "92", "138"), ("w500", "500", "750"), ("original", None, None)):
		r = requests.get(base + size + d["poster_path"], timeout=5)
		assert r.status_code == 200
		root = ET.fromstring(r.content)
		if w:
			assert (root.get("width"), root.get("height")) == (w, h)
		assert "Fight Club" in r.text
	r = requests.get(base + "w1280" + d["backdrop_path"], timeout=5)
	assert r.status_code == 200 and ET.fromstring(r.content).get("width") == "1280"
	profile = d["credits"]["cast"][0]["profile_path"]
	r = requests.get(base + "h632" + profile, timeout=5)
	assert r.status_code == 200 and ET.fromstring(r.content).get("height") == "632"
	syn = ok(standin, "/movie/1234567")["poster_path"]
	assert requests.get(base + "w342" + syn, timeout=5).status_code == 200
	assert requests.get(base + "w185/nope.jpg", timeout=5).status_code == 404
	assert requests.get(base + "w999" + d["poster_path"], timeout=5).status_code == 404
	r = requests.head(base + "w185" + d["poster_path"], timeout=5)
	assert r.status_code == 200 and r.content == b""


def test_every_list_poster_is_served(standin):
	base = standin["base"] + "/t/p/w92"
	for item in ok(standin, "/trending/movie/week")["results"]:
		assert requests.get(base + item["poster_path"], timeout=5).status_code == 200


# ---- faults ----

def test_latency_does_not_block_others(standin):
	set_fault(standin, latency_ms=800, path_prefix="/3/movie/550")
	result = {}

	def slow():
		t0 = time.monotonic()
		result["r"] = api(standin, "/movie/550")
		result["t"] = time.monotonic() - t0

	th = threading.Thread(target=slow)
	th.start()
	time.sleep(0.1)
	t0 = time.monotonic()
	ok(standin, "/movie/680")
	fast = time.monotonic() - t0
	th.join()
	assert result["r"].status_code == 200 and result["t"] >= 0.75
	assert fast < 0.5


def test_fault_429_retry_after(standin):
	set_fault(standin, status=429, retry_after=2, count=1)
	r = api(standin, "/movie/550")
	assert r.status_code == 429 and r.headers["Retry-After"] == "2"
	body = r.json()
	assert body["status_code"] == 25 and "over the allowed limit" in body["status_message"]
	assert api(standin, "/movie/550").status_code == 200


def test_fault_429_without_retry_after(standin):
	set_fault(standin, status=429, count=1)
	r = api(standin, "/movie/550")
	assert r.status_code == 429 and "Retry-After" not in r.headers


@pytest.mark.parametrize("status", [500, 503])
def test_fault_5xx_plain_text(standin, status):
	set_fault(standin, status=status, count=1)
	r = api(standin, "/configuration")
	assert r.status_code == status
	assert r.headers["Content-Type"].startswith("text/plain")
	with pytest.raises(ValueError):
		json.loads(r.text)


def test_fault_503_json(standin):
	set_fault(standin, status=503, json=True, retry_after=1, count=1)
	r = api(standin, "/configuration")
	assert_tmdb_error(r, 503, 9)
	assert r.headers["Retry-After"] == "1"


def test_fault_malformed(standin):
	set_fault(standin, malformed=True, count=1)
	r = api(standin, "/movie/550")
	assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
	assert len(r.content) > 10
	with pytest.raises(ValueError):
		json.loads(r.text)
	assert ok(standin, "/movie/550")["id"] == 550


def test_fault_drop(standin):
	set_fault(standin, drop=True, count=1)
	with pytest.raises(requests.ConnectionError):
		api(standin, "/movie/550")
	assert ok(standin, "/movie/550")["id"] == 550


def test_fault_count_and_prefix(standin):
	set_fault(standin, status=500, count=2, path_prefix="/3/movie/550")
	assert ok(standin, "/movie/680")["id"] == 680  # other paths untouched
	assert api(standin, "/movie/550").status_code == 500
	assert api(standin, "/movie/550/credits").status_code == 500
	assert api(standin, "/movie/550").status_code == 200
	faults = requests.get(standin["base"] + "/__standin/faults", timeout=5).json()
	assert faults == {"faults": []}


def test_several_faults_and_delete(standin):
	r = requests.post(standin["base"] + "/__standin/faults", json=[
		{"status": 503, "path_prefix": "/3/trending"},
		{"latency_ms": 300, "path_prefix": "/3/genre"},
	], timeout=5)
	assert r.status_code == 200 and len(r.json()["faults"]) == 2
	assert api(standin, "/trending/movie/day").status_code == 503
	assert api(standin, "/trending/movie/day").status_code == 503  # unlimited
	t0 = time.monotonic()
	ok(standin, "/genre/movie/list")
	assert time.monotonic() - t0 >= 0.28
	assert requests.delete(standin["base"] + "/__standin/faults", timeout=5).ok
	assert api(standin, "/trending/movie/day").status_code == 200


def test_latency_then_status_in_one_fault(standin):
	set_fault(standin, latency_ms=300, status=500, count=1)
	t0 = time.monotonic()
	r = api(standin, "/movie/550")
	assert r.status_code == 500 and time.monotonic() - t0 >= 0.28


@pytest.mark.parametrize("bad", [{"status": "500"}, {"status": 200}, {"count": 0},
	{"latency_ms": -1}, {"drop": "yes"}, {"bogus": 1}, {"status": 500, "drop": True}])
def test_fault_validation(standin, bad):
	r = requests.post(standin["base"] + "/__standin/faults", json=bad, timeout=5)
	assert r.status_code == 400


# ---- stats and reset ----

def test_stats_and_reset(standin):
	base = standin["base"]
	assert requests.get(base + "/__standin/stats", timeout=5).json() == \
		{"total": 0, "by_path": {}}
	ok(standin, "/movie/550")
	ok(standin, "/movie/550", {"language": "en-US"})
	ok(standin, "/trending/movie/day")
	api(standin, "/movie/550", auth=None)  # refused calls count too
	requests.get(base + "/t/p/w92/hostile666001.jpg", timeout=5)  # images are not /3/
	stats = requests.get(base + "/__standin/stats", timeout=5).json()
	assert stats == {"total": 4, "by_path": {"/3/movie/550": 3, "/3/trending/movie/day": 1}}
	set_fault(standin, status=500)
	assert requests.post(base + "/__standin/reset", timeout=5).ok
	assert requests.get(base + "/__standin/stats", timeout=5).json() == \
		{"total": 0, "by_path": {}}
	assert ok(standin, "/movie/550")["id"] == 550  # the fault is gone too


def test_concurrent_requests_are_counted(standin):
	def worker():
		for _ in range(10):
			ok(standin, "/movie/1000001")

	threads = [threading.Thread(target=worker) for _ in range(8)]
	for t in threads:
		t.start()
	for t in threads:
		t.join()
	stats = requests.get(standin["base"] + "/__standin/stats", timeout=5).json()
	assert stats["by_path"]["/3/movie/1000001"] == 80 and stats["total"] == 80


# ---- process ----

def test_sigterm_clean_shutdown():
	with tempfile.TemporaryDirectory() as tmpdir:
		proc, port, _ = start_standin(tmpdir)
		base = "http://127.0.0.1:%d" % port
		s = requests.Session()  # leaves a kept-alive connection open
		assert s.get(base + "/__standin/health", timeout=5).ok
		proc.send_signal(signal.SIGTERM)
		assert proc.wait(timeout=10) == 0
		with pytest.raises(requests.ConnectionError):
			requests.get(base + "/__standin/health", timeout=2)
