# login_flood.py: what a flood of correct logins from one address costs a logged-in visitor's page.
#
# Issue 21: 12 parallel loops of POST /api/v1/auth/login/ with the right password, from one
# address, used to take every worker (each login a full PBKDF2 hash) and a logged-in
# GET /movie/550 went from 2 ms to over a second. This floods the same way while one logged-in
# visitor (another loopback address) reads /movie/550 in a loop, and prints the page's
# median and p90 before and during the flood, and what the flood got back (200 / 429).
# Usage (a running stack: tests/bench/login_flood.sh starts a private one):
#   /usr/bin/python3 tests/bench/login_flood.py --site URL [--loops 12] [--seconds 10]
#       [--flood-from 127.0.0.2] [--reader-from 127.0.0.3]
# Prints "figures" lines; no pass or fail (goal: median under 50 ms during the flood).
import argparse
import collections
import os
import statistics
import sys
import threading
import time
import uuid

import requests

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from support import Browser, SourceAddressAdapter  # noqa: E402


def api_session(address):
	s = requests.Session()
	s.mount("http://", SourceAddressAdapter(address))
	return s


def page_times(reader, seconds):
	"""Milliseconds of each logged-in GET /movie/550 for seconds, and their statuses."""
	times, statuses, end = [], collections.Counter(), time.time() + seconds
	while time.time() < end:
		start = time.perf_counter()
		r = reader.get("/movie/550")
		times.append(1000 * (time.perf_counter() - start))
		statuses[r.status_code] += 1
	return times, statuses


def summary(name, times, statuses):
	times = sorted(times)
	p90 = times[max(0, int(round(0.9 * len(times))) - 1)]
	print("figures %s: n=%d median_ms=%.1f p90_ms=%.1f max_ms=%.1f statuses=%s" % (
		name, len(times), statuses and statistics.median(times), p90, times[-1], dict(statuses)))


def main():
	ap = argparse.ArgumentParser()
	ap.add_argument("--site", required=True)
	ap.add_argument("--loops", type=int, default=12)
	ap.add_argument("--seconds", type=float, default=10.0)
	ap.add_argument("--flood-from", default="127.0.0.2")
	ap.add_argument("--reader-from", default="127.0.0.3")
	a = ap.parse_args()
	site = a.site.rstrip("/")
	username, password = "flood_" + uuid.uuid4().hex[:10], "Pw-" + uuid.uuid4().hex
	r = api_session(a.reader_from).post(site + "/api/v1/auth/register/", json={
		"username": username, "password": password, "password2": password,
		"email": username + "@example.com"}, timeout=60)
	assert r.status_code == 201, (r.status_code, r.text)
	reader = Browser(site, source_address=a.reader_from)
	assert reader.login(username, password).status_code == 303
	reader.get("/movie/550")	# warm the caches
	summary("before_flood", *page_times(reader, 3))

	stop, answers, lock = threading.Event(), collections.Counter(), threading.Lock()

	def loop():
		s = api_session(a.flood_from)
		while not stop.is_set():
			r = s.post(site + "/api/v1/auth/login/", json={"username": username, "password": password}, timeout=60)
			with lock:
				answers[r.status_code] += 1

	threads = [threading.Thread(target=loop) for _ in range(a.loops)]
	started = time.time()
	for t in threads:
		t.start()
	try:
		times, statuses = page_times(reader, a.seconds)
	finally:
		stop.set()
		for t in threads:
			t.join(60)
	summary("during_flood", times, statuses)
	print("figures flood: loops=%d seconds=%.1f answers=%s logins_ok=%d" % (
		a.loops, time.time() - started, dict(answers), answers[200]))


if __name__ == "__main__":
	main()
