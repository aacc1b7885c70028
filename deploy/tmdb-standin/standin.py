#!/usr/bin/python3
# standin.py: a local HTTP stand-in for TMDb API v3 (real shapes and error bodies) with test faults.
#
#   standin.py --host 127.0.0.1 --port PORT [--port-file FILE] [--api-key KEY]
#              [--read-token TOKEN] [--log FILE] [--image-base-url URL]
#
# Python 3 standard library only. See README.md for the routes and the /__standin/ control API.

import argparse
import hashlib
import hmac
import json
import math
import os
import re
import signal
import socket
import sys
import threading
import time
import traceback
import urllib.parse
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# No __pycache__ litter inside the repository.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import catalogue as cat  # noqa: E402

PER_PAGE = 20
MAX_PAGE = 500
MAX_APPEND = 20
MAX_LATENCY_MS = 600000
JSON_TYPE = "application/json;charset=utf-8"

ERR_KEY = (401, {"status_code": 7,
	"status_message": "Invalid API key: You must be granted a valid key.", "success": False})
ERR_NOT_FOUND = (404, {"success": False, "status_code": 34,
	"status_message": "The resource you requested could not be found."})
ERR_PAGE = (400, {"status_code": 22, "status_message": "Invalid page: Pages start at 1 and "
	"max at 500. They are expected to be an integer.", "success": False})
ERR_APPEND = (400, {"success": False, "status_code": 27, "status_message": "Too many append "
	"to response objects: The maximum number of remote calls is 20."})
ERR_QUERY = (422, {"errors": ["query must be provided"]})
ERR_INTERNAL = (500, {"success": False, "status_code": 11,
	"status_message": "Internal error: Something went wrong, contact TMDB."})
# TMDb codes for {"json": true} status faults; other statuses use code 11.
JSON_FAULTS = {
	500: (11, "Internal error: Something went wrong, contact TMDB."),
	502: (43, "Couldn't connect to the backend server."),
	503: (9, "Service offline: This service is temporarily offline, try again later."),
	504: (24, "Your request to the backend server timed out. Try again."),
}
AUTH_OK = {"success": True, "status_code": 1, "status_message": "Success."}

FAULT_KEYS = {"latency_ms", "status", "retry_after", "malformed", "drop", "path_prefix",
	"count", "json"}


class ApiError(Exception):
	"""Raised by a route to answer with one of the ERR_* (status, body) pairs."""

	def __init__(self, err):
		super().__init__(err[1])
		self.status, self.body = err


class State:
	"""Everything shared between request threads; guarded by one lock."""

	def __init__(self, api_key, read_token, log_file):
		self.api_key = api_key
		self.read_token = read_token
		self.image_base = None
		self.images = cat.image_index()
		self.lock = threading.Lock()
		self.faults = []
		self.total = 0
		self.by_path = {}
		self.log_lock = threading.Lock()
		self.log_file = log_file

	def count(self, path):
		with self.lock:
			self.total += 1
			self.by_path[path] = self.by_path.get(path, 0) + 1

	def stats(self):
		with self.lock:
			return {"total": self.total, "by_path": dict(self.by_path)}

	def reset(self):
		with self.lock:
			self.faults = []
			self.total = 0
			self.by_path = {}

	def add_faults(self, faults):
		with self.lock:
			self.faults.extend(faults)
			return [dict(f) for f in self.faults]

	def clear_faults(self):
		with self.lock:
			self.faults = []

	def list_faults(self):
		with self.lock:
			return [dict(f) for f in self.faults]

	def take_faults(self, path):
		"""The faults to apply to this request, consuming their counts.

		Every matching latency-only fault applies; of the faults that decide the answer
		(status, malformed, drop) only the first matching one applies and is consumed.
		"""
		latency = 0
		action = None
		with self.lock:
			for f in self.faults:
				if not path.startswith(f["path_prefix"]):
					continue
				if f["count"] is not None and f["count"] <= 0:
					continue
				decides = bool(f.get("status") or f.get("malformed") or f.get("drop"))
				if decides and action is not None:
					continue
				if f["count"] is not None:
					f["count"] -= 1
				latency += f.get("latency_ms", 0)
				if decides:
					action = f
			# Spent faults are dropped so the list stays readable.
			self.faults = [f for f in self.faults if f["count"] is None or f["count"] > 0]
		return latency, action

	def log(self, line):
		with self.log_lock:
			out = self.log_file or sys.stderr
			out.write(line + "\n")
			out.flush()


def parse_fault(obj):
	"""Validate one fault object from POST /__standin/faults; returns the stored dict."""
	if not isinstance(obj, dict):
		raise ValueError("a fault must be a JSON object")
	unknown = set(obj) - FAULT_KEYS
	if unknown:
		raise ValueError("unknown fault keys: %s" % ", ".join(sorted(unknown)))
	f = {"path_prefix": "/3/", "count": None}
	if "latency_ms" in obj:
		v = obj["latency_ms"]
		if isinstance(v, bool) or not isinstance(v, (int, float)) or not \
				0 <= v <= MAX_LATENCY_MS:
			raise ValueError("latency_ms must be a number 0..%d" % MAX_LATENCY_MS)
		f["latency_ms"] = v
	if obj.get("status") is not None:
		v = obj["status"]
		if isinstance(v, bool) or not isinstance(v, int) or not 400 <= v <= 599:
			raise ValueError("status must be an integer 400..599")
		f["status"] = v
	if obj.get("retry_after") is not None:
		v = obj["retry_after"]
		if isinstance(v, bool) or not isinstance(v, (int, str)):
			raise ValueError("retry_after must be an integer or a string")
		f["retry_after"] = str(v)
	for key in ("malformed", "drop", "json"):
		if key in obj:
			if not isinstance(obj[key], bool):
				raise ValueError("%s must be true or false" % key)
			f[key] = obj[key]
	if obj.get("path_prefix") is not None:
		if not isinstance(obj["path_prefix"], str) or not obj["path_prefix"].startswith("/"):
			raise ValueError("path_prefix must be a string starting with /")
		f["path_prefix"] = obj["path_prefix"]
	if obj.get("count") is not None:
		v = obj["count"]
		if isinstance(v, bool) or not isinstance(v, int) or v < 1:
			raise ValueError("count must be a positive integer")
		f["count"] = v
	if sum(1 for k in ("status", "malformed", "drop") if f.get(k)) > 1:
		raise ValueError("status, malformed and drop exclude each other")
	return f


def first(query, name, default=None):
	vals = query.get(name)
	return vals[0] if vals else default


def flag(query, name):
	return (first(query, name, "") or "").strip().lower() == "true"


def page_param(query):
	raw = first(query, "page")
	if raw is None:
		return 1
	if not re.fullmatch(r"[0-9]{1,4}", raw.strip()):
		raise ApiError(ERR_PAGE)
	page = int(raw.strip())
	if not 1 <= page <= MAX_PAGE:
		raise ApiError(ERR_PAGE)
	return page


def paged(items, page, media_type=False):
	"""TMDb's page envelope over a list of films: 20 a page, past the end = empty."""
	total = len(items)
	start = (page - 1) * PER_PAGE
	return {
		"page": page,
		"results": [cat.list_item(f, media_type) for f in items[start:start + PER_PAGE]],
		"total_pages": max(1, math.ceil(total / PER_PAGE)),
		"total_results": total,
	}


def year_of(f):
	d = f["release_date"]
	return int(d[:4]) if d[:4].isdigit() else None


def int_param(query, name):
	raw = first(query, name)
	if raw is None or not re.fullmatch(r"-?[0-9]{1,9}", raw.strip()):
		return None
	return int(raw)


def float_param(query, name):
	raw = first(query, name)
	if raw is None:
		return None
	try:
		v = float(raw)
	except ValueError:
		return None
	return v if math.isfinite(v) else None


# ---- routes: each takes (query, match) and returns the JSON body, or raises ApiError ----

def route_configuration(st, query, m):
	base = st.image_base
	return {
		"images": {
			"base_url": base,
			"secure_base_url": base,
			"backdrop_sizes": list(cat.BACKDROP_SIZES),
			"logo_sizes": list(cat.LOGO_SIZES),
			"poster_sizes": list(cat.POSTER_SIZES),
			"profile_sizes": list(cat.PROFILE_SIZES),
			"still_sizes": list(cat.STILL_SIZES),
		},
		"change_keys": list(cat.CHANGE_KEYS),
	}


def route_genres(st, query, m):
	return {"genres": [{"id": g, "name": n} for g, n in cat.GENRES]}


def route_authentication(st, query, m):
	return dict(AUTH_OK)


def route_trending(st, query, m):
	page = page_param(query)
	return paged([cat.FILM[i] for i in cat.TRENDING[m.group(1)]], page, media_type=True)


def _dates(min_days, max_days):
	today = cat.today()
	return {"maximum": (today + timedelta(days=max_days)).isoformat(),
		"minimum": (today + timedelta(days=min_days)).isoformat()}


def route_list(st, query, m):
	page = page_param(query)
	which = m.group(1)
	films = cat.listable_films()
	if which == "popular":
		films = sorted(films, key=lambda f: (-f["popularity"], f["id"]))
		return paged(films, page)
	if which == "top_rated":
		films = [f for f in films if f["vote_count"] >= 300]
		films.sort(key=lambda f: (-f["vote_average"], -f["vote_count"], f["id"]))
		return paged(films, page)
	if which == "now_playing":
		body = {"dates": _dates(-42, 0)}
		body.update(paged([cat.FILM[i] for i in cat.NOW_PLAYING], page))
		return body
	body = {"dates": _dates(1, 22)}
	body.update(paged([cat.FILM[i] for i in cat.UPCOMING], page))
	return body


def _film_or_404(m):
	raw = m.group(1)
	if not re.fullmatch(r"[1-9][0-9]{0,9}", raw):
		raise ApiError(ERR_NOT_FOUND)
	f = cat.get_film(int(raw))
	if f is None:
		raise ApiError(ERR_NOT_FOUND)
	return f


def _sub(f, name, page):
	if name == "credits":
		return cat.credits(f)
	if name == "videos":
		return cat.videos(f)
	if name == "recommendations":
		return paged([cat.get_film(i) for i in cat.recommendation_ids(f)], page,
			media_type=True)
	return paged([cat.get_film(i) for i in cat.similar_ids(f)], page)


def route_movie(st, query, m):
	f = _film_or_404(m)
	names = []
	raw = first(query, "append_to_response")
	if raw:
		names = [n.strip() for n in raw.split(",") if n.strip()]
		if len(names) > MAX_APPEND:
			raise ApiError(ERR_APPEND)
	wanted = [n for n in dict.fromkeys(names)
		if n in ("credits", "videos", "recommendations", "similar")]
	page = page_param(query) if any(n in ("recommendations", "similar") for n in wanted) \
		else 1
	body = cat.details(f)
	for name in wanted:
		body[name] = _sub(f, name, page)
	return body


def route_movie_sub(st, query, m):
	f = _film_or_404(m)
	name = m.group(2)
	if name in ("credits", "videos"):
		body = {"id": f["id"]}
		body.update(_sub(f, name, 1))
		return body
	# The paged sub-lists carry no top-level id, as in TMDb's recordings.
	return _sub(f, name, page_param(query))


def route_watch_providers(st, query, m):
	return cat.watch_providers(_film_or_404(m))


ERR_FIND_SOURCE = (400, {"success": False, "status_code": 5, "status_message":
	"Invalid parameters: Your request parameters are incorrect."})


def route_find(st, query, m):
	"""/find/{external_id}: TMDb's five result lists; only IMDb title ids are known here."""
	if first(query, "external_source") != "imdb_id":
		raise ApiError(ERR_FIND_SOURCE)
	films = cat.find_by_imdb(m.group(1)) if re.fullmatch(r"tt[0-9]{7,10}", m.group(1)) else []
	items = []
	for f in films:
		item = cat.list_item(f)
		item["media_type"] = "movie"
		items.append(item)
	return {"movie_results": items, "person_results": [], "tv_results": [],
		"tv_episode_results": [], "tv_season_results": []}


def route_search(st, query, m):
	q = first(query, "query")
	if q is None or not q.strip():
		raise ApiError(ERR_QUERY)
	page = page_param(query)
	needle = q.strip().casefold()
	films = [f for f in cat.listable_films(flag(query, "include_adult"))
		if needle in f["title"].casefold() or needle in f["original_title"].casefold()]
	# The import test films answer their whole title only: other searches count as before.
	films += [f for f in cat.IMPORT_FILMS if needle == f["title"].casefold()]
	for name in ("primary_release_year", "year"):
		y = int_param(query, name)
		if y is not None:
			films = [f for f in films if year_of(f) == y]
	films.sort(key=lambda f: (-f["popularity"], f["id"]))
	return paged(films, page)


SORT_KEYS = {
	"popularity": lambda f: f["popularity"],
	"vote_average": lambda f: f["vote_average"],
	"vote_count": lambda f: f["vote_count"],
	"primary_release_date": lambda f: f["release_date"],
	"release_date": lambda f: f["release_date"],
	"title": lambda f: f["title"].casefold(),
	"original_title": lambda f: f["original_title"].casefold(),
	"revenue": lambda f: f["revenue"],
}


def _genre_groups(raw):
	"""'28,12' -> [{28},{12}] (AND); '28|12' -> [{28,12}] (OR); mixed = AND of ORs."""
	groups = []
	for part in raw.split(","):
		ids = {int(t) for t in part.split("|") if t.strip().isdigit()}
		if ids:
			groups.append(ids)
	return groups


def route_discover(st, query, m):
	page = page_param(query)
	films = cat.listable_films(flag(query, "include_adult"))
	raw = first(query, "with_genres")
	if raw:
		groups = _genre_groups(raw)
		films = [f for f in films if all(set(f["genre_ids"]) & g for g in groups)]
	raw = first(query, "without_genres")
	if raw:
		banned = set().union(*_genre_groups(raw.replace(",", "|")))
		films = [f for f in films if not set(f["genre_ids"]) & banned]
	for name in ("primary_release_year", "year"):
		y = int_param(query, name)
		if y is not None:
			films = [f for f in films if year_of(f) == y]
	for name, key, op in (("vote_count.gte", "vote_count", "ge"),
			("vote_count.lte", "vote_count", "le"),
			("vote_average.gte", "vote_average", "ge"),
			("vote_average.lte", "vote_average", "le"),
			("with_runtime.gte", "runtime", "ge"), ("with_runtime.lte", "runtime", "le")):
		v = float_param(query, name)
		if v is not None:
			films = [f for f in films if (f[key] >= v if op == "ge" else f[key] <= v)]
	for name, op in (("primary_release_date.gte", "ge"), ("primary_release_date.lte", "le"),
			("release_date.gte", "ge"), ("release_date.lte", "le")):
		v = first(query, name)
		if v and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
			films = [f for f in films if f["release_date"] and
				(f["release_date"] >= v if op == "ge" else f["release_date"] <= v)]
	lang = first(query, "with_original_language")
	if lang:
		films = [f for f in films if f["original_language"] == lang]
	sort_by = first(query, "sort_by", "popularity.desc") or "popularity.desc"
	field, _, direction = sort_by.partition(".")
	if field not in SORT_KEYS or direction not in ("asc", "desc"):
		field, direction = "popularity", "desc"
	films = sorted(films, key=lambda f: f["id"])
	films.sort(key=SORT_KEYS[field], reverse=(direction == "desc"))
	return paged(films, page)


ROUTES = [
	(re.compile(r"/3/configuration"), route_configuration),
	(re.compile(r"/3/genre/movie/list"), route_genres),
	(re.compile(r"/3/authentication"), route_authentication),
	(re.compile(r"/3/trending/movie/(day|week)"), route_trending),
	(re.compile(r"/3/movie/(popular|top_rated|now_playing|upcoming)"), route_list),
	(re.compile(r"/3/movie/([^/]+)"), route_movie),
	(re.compile(r"/3/movie/([^/]+)/(credits|videos|recommendations|similar)"),
		route_movie_sub),
	(re.compile(r"/3/movie/([^/]+)/watch/providers"), route_watch_providers),
	(re.compile(r"/3/search/movie"), route_search),
	(re.compile(r"/3/find/([^/]+)"), route_find),
	(re.compile(r"/3/discover/movie"), route_discover),
]

# ---- images ----

def _svg_escape(s):
	return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
		.replace('"', "&quot;").replace("'", "&#39;"))


def _wrap(text, width):
	lines, cur = [], ""
	for word in text.split():
		while len(word) > width:
			if cur:
				lines.append(cur)
				cur = ""
			lines.append(word[:width])
			word = word[width:]
		if cur and len(cur) + 1 + len(word) > width:
			lines.append(cur)
			cur = word
		else:
			cur = (cur + " " + word).strip()
	if cur:
		lines.append(cur)
	return lines[:6]


def image_size(kind, size):
	"""Pixel (width, height) for a size name such as w185 or h632, by image kind."""
	ratio = {"poster": 1.5, "profile": 1.5, "backdrop": 9 / 16, "still": 9 / 16,
		"logo": 0.5}[kind]
	if size == "original":
		w = {"poster": 2000, "profile": 1000, "backdrop": 3840, "still": 1920,
			"logo": 1000}[kind]
		return w, int(w * ratio + 0.5)
	n = int(size[1:])
	if size[0] == "h":
		return max(1, int(n / ratio + 0.5)), n
	return n, max(1, int(n * ratio + 0.5))


def placeholder_svg(kind, label, sub, size, path):
	w, h = image_size(kind, size)
	hue = int(hashlib.sha1(path.encode()).hexdigest()[:4], 16) % 360
	font = max(8, w // 12)
	lines = _wrap(label, max(8, int(w / (font * 0.6))))
	texts = []
	y0 = h / 2 - (len(lines) - 1) * font * 0.6
	for i, line in enumerate(lines):
		texts.append('<text x="%d" y="%d" font-size="%d" text-anchor="middle" '
			'fill="#fff">%s</text>' % (w // 2, int(y0 + i * font * 1.2), font,
			_svg_escape(line)))
	if sub:
		texts.append('<text x="%d" y="%d" font-size="%d" text-anchor="middle" '
			'fill="#ddd">%s</text>' % (w // 2, int(h - font * 1.5), max(6, font * 2 // 3),
			_svg_escape(sub)))
	return ('<?xml version="1.0" encoding="UTF-8"?>\n'
		'<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
		'viewBox="0 0 %d %d" font-family="sans-serif">'
		'<title>%s</title>'
		'<rect width="100%%" height="100%%" fill="hsl(%d,45%%,30%%)"/>%s'
		'<text x="%d" y="%d" font-size="%d" text-anchor="middle" fill="#bbb">'
		'TMDb stand-in %s</text></svg>\n') % (
		w, h, w, h, _svg_escape(label), hue, "".join(texts), w // 2, max(8, font // 2 + 4),
		max(6, font // 2), _svg_escape(size))


def lookup_image(st, file_path):
	"""(kind, label, sublabel) for an image path, or None."""
	if file_path in st.images:
		return st.images[file_path]
	m = re.fullmatch(r"/synthetic([0-9]{7})([pb])\.jpg", file_path)
	if m and cat.is_synthetic(int(m.group(1))):
		f = cat.synthetic_film(int(m.group(1)))
		return ("poster" if m.group(2) == "p" else "backdrop", f["title"],
			f["release_date"][:4])
	return None


# ---- HTTP ----

class Handler(BaseHTTPRequestHandler):
	protocol_version = "HTTP/1.1"
	server_version = "tmdb-standin/1.0"
	timeout = 120  # closes idle keep-alive connections eventually

	def version_string(self):
		return self.server_version

	def log_message(self, fmt, *args):  # the default access log is replaced by _log_request
		pass

	def log_error(self, fmt, *args):
		self.server.state.log("error %s" % (fmt % args))

	# All methods go through one dispatcher.
	def do_GET(self):
		self._dispatch()

	do_HEAD = do_POST = do_DELETE = do_PUT = do_PATCH = do_OPTIONS = do_GET

	def _dispatch(self):
		st = self.server.state
		self._t0 = time.monotonic()
		self._note = ""
		self._status = 0
		self._sent = 0
		split = urllib.parse.urlsplit(self.path)
		path = split.path
		query = urllib.parse.parse_qs(split.query, keep_blank_values=True)
		try:
			body = self._read_body()
			if path.startswith("/__standin/"):
				self._control(st, path, body)
			else:
				self._public(st, path, query)
		except (BrokenPipeError, ConnectionResetError):
			self.close_connection = True
			self._note = "client went away"
		except Exception:
			st.log("error: %s" % traceback.format_exc().strip().replace("\n", " | "))
			if not self._status:
				self._json(*ERR_INTERNAL)
		self._log_request(split)

	def _read_body(self):
		n = self.headers.get("Content-Length")
		if n is None or not n.strip().isdigit():
			return b""
		n = int(n)
		if n > 1 << 20:
			raise ValueError("request body too large")
		return self.rfile.read(n)

	def _log_request(self, split):
		# Never log credentials: the api_key value is redacted, headers are not logged.
		q = re.sub(r"(^|&)(api_key=)[^&]*", r"\1\2REDACTED", split.query)
		shown = split.path + ("?" + q if q else "")
		ms = (time.monotonic() - self._t0) * 1000
		self.server.state.log("%s %s %s %s %s %dB %.1fms%s" % (
			datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
			self.client_address[0], self.command, shown, self._status or "-",
			self._sent, ms, (" " + self._note) if self._note else ""))

	def _send(self, status, ctype, body, headers=()):
		self._status = status
		self.send_response(status)
		self.send_header("Content-Type", ctype)
		self.send_header("Content-Length", str(len(body)))
		for k, v in headers:
			self.send_header(k, v)
		self.end_headers()
		if self.command != "HEAD":
			self.wfile.write(body)
			self._sent = len(body)

	def _json(self, status, obj, headers=()):
		body = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
		self._send(status, JSON_TYPE, body, headers)

	def _control(self, st, path, body):
		cmd = self.command
		if path == "/__standin/faults" and cmd == "POST":
			try:
				obj = json.loads(body.decode("utf-8") or "null")
				items = obj if isinstance(obj, list) else [obj]
				faults = [parse_fault(o) for o in items]
			except (ValueError, UnicodeDecodeError) as e:
				self._json(400, {"error": str(e)})
				return
			self._json(200, {"faults": st.add_faults(faults)})
		elif path == "/__standin/faults" and cmd == "DELETE":
			st.clear_faults()
			self._json(200, {"faults": []})
		elif path == "/__standin/faults" and cmd in ("GET", "HEAD"):
			self._json(200, {"faults": st.list_faults()})
		elif path == "/__standin/stats" and cmd in ("GET", "HEAD"):
			self._json(200, st.stats())
		elif path == "/__standin/reset" and cmd == "POST":
			st.reset()
			self._json(200, {"ok": True})
		elif path == "/__standin/health" and cmd in ("GET", "HEAD"):
			self._json(200, {"ok": True})
		elif path in ("/__standin/faults", "/__standin/stats", "/__standin/reset",
				"/__standin/health"):
			self._json(405, {"error": "method not allowed"}, [("Allow", "GET, HEAD, POST, "
				"DELETE")])
		else:
			self._json(404, {"error": "no such control endpoint"})

	def _public(self, st, path, query):
		if path.startswith("/3/"):
			st.count(path)
		latency, action = st.take_faults(path)
		if latency:
			time.sleep(latency / 1000.0)
		if action is not None:
			if action.get("drop"):
				self._drop()
				return
			if action.get("status"):
				self._fault_status(action)
				return
		if path.startswith("/t/p/"):
			self._image(st, path)
			return
		status, obj, headers = self._api(st, path, query)
		if action is not None and action.get("malformed"):
			self._note = "fault:malformed"
			body = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()
			# Cut before the closing brace, so the text can never parse.
			self._send(200, JSON_TYPE, body[:max(1, len(body) // 2)])
			return
		self._json(status, obj, headers)

	def _api(self, st, path, query):
		if not path.startswith("/3/"):
			return ERR_NOT_FOUND[0], ERR_NOT_FOUND[1], []
		if self.command not in ("GET", "HEAD"):
			return 405, ERR_NOT_FOUND[1], [("Allow", "GET, HEAD")]
		if not self._authorised(st, query):
			return ERR_KEY[0], ERR_KEY[1], []
		for rx, fn in ROUTES:
			m = rx.fullmatch(path)
			if m:
				try:
					return 200, fn(st, query, m), [("Cache-Control", "public, max-age=28800")]
				except ApiError as e:
					return e.status, e.body, []
		return ERR_NOT_FOUND[0], ERR_NOT_FOUND[1], []

	def _authorised(self, st, query):
		key = first(query, "api_key")
		if key is not None and hmac.compare_digest(key.encode(), st.api_key.encode()):
			return True
		auth = self.headers.get("Authorization", "")
		if auth[:7].lower() == "bearer ":
			return hmac.compare_digest(auth[7:].strip().encode(), st.read_token.encode())
		return False

	def _drop(self):
		self._note = "fault:drop"
		self.close_connection = True
		try:
			self.wfile.flush()
			self.connection.shutdown(socket.SHUT_RDWR)
		except OSError:
			pass

	def _fault_status(self, f):
		status = f["status"]
		self._note = "fault:%d" % status
		headers = []
		if f.get("retry_after") is not None:
			headers.append(("Retry-After", f["retry_after"]))
		if status == 429:
			self._json(429, {"success": False, "status_code": 25, "status_message":
				"Your request count (41) is over the allowed limit of 40."}, headers)
		elif f.get("json"):
			code, msg = JSON_FAULTS.get(status, JSON_FAULTS[500])
			self._json(status, {"success": False, "status_code": code,
				"status_message": msg}, headers)
		else:
			# Upstream proxies answer 5xx in plain text; clients must cope with non-JSON.
			text = "%d %s (stand-in fault)\n" % (status, self.responses.get(status,
				("Error",))[0])
			self._send(status, "text/plain; charset=utf-8", text.encode(), headers)

	def _image(self, st, path):
		if self.command not in ("GET", "HEAD"):
			self._send(405, "text/plain; charset=utf-8", b"method not allowed\n",
				[("Allow", "GET, HEAD")])
			return
		m = re.fullmatch(r"/t/p/([a-z0-9]+)(/[^/]+)", path)
		found = None
		if m and m.group(1) in cat.ALL_SIZES:
			found = lookup_image(st, m.group(2))
		if found is None:
			self._send(404, "text/plain; charset=utf-8", b"Not Found\n")
			return
		kind, label, sub = found
		svg = placeholder_svg(kind, label, sub, m.group(1), m.group(2))
		self._send(200, "image/svg+xml", svg.encode("utf-8"),
			[("Cache-Control", "public, max-age=86400")])


class Server(ThreadingHTTPServer):
	daemon_threads = True
	request_queue_size = 256
	allow_reuse_address = True


class Server6(Server):
	address_family = socket.AF_INET6


def main(argv=None):
	ap = argparse.ArgumentParser(description="TMDb API v3 stand-in for tests")
	ap.add_argument("--host", default="127.0.0.1")
	ap.add_argument("--port", type=int, required=True)
	ap.add_argument("--port-file")
	ap.add_argument("--api-key", default="standin-api-key")
	ap.add_argument("--read-token", default="standin-read-token")
	ap.add_argument("--log")
	ap.add_argument("--image-base-url",
		help="images.base_url to advertise (default http://HOST:PORT/t/p/)")
	args = ap.parse_args(argv)

	log_file = open(args.log, "a", encoding="utf-8") if args.log else None
	state = State(args.api_key, args.read_token, log_file)
	cls = Server6 if ":" in args.host else Server
	httpd = cls((args.host, args.port), Handler)
	httpd.state = state
	port = httpd.server_address[1]
	shown_host = args.host
	if shown_host in ("0.0.0.0", "::", ""):
		shown_host = "127.0.0.1"
	elif ":" in shown_host:
		shown_host = "[%s]" % shown_host
	state.image_base = args.image_base_url or "http://%s:%d/t/p/" % (shown_host, port)

	if args.port_file:
		tmp = args.port_file + ".tmp"
		with open(tmp, "w") as fh:
			fh.write("%d\n" % port)
		os.replace(tmp, args.port_file)

	def stop(signum, frame):
		# shutdown() waits for serve_forever() to return, so it must run on another thread.
		threading.Thread(target=httpd.shutdown, daemon=True).start()

	signal.signal(signal.SIGTERM, stop)
	signal.signal(signal.SIGINT, stop)
	state.log("tmdb-standin listening on %s:%d (pid %d)" % (args.host, port, os.getpid()))
	try:
		httpd.serve_forever(poll_interval=0.2)
	finally:
		httpd.server_close()
		state.log("tmdb-standin stopped")
		if log_file:
			log_file.close()
	return 0


if __name__ == "__main__":
	sys.exit(main())
