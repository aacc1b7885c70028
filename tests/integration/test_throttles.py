"""test_throttles.py: limits on costly actions per client address, and login throttling nobody can turn against a user."""
# Runs under tests/run-integration.sh. Each test speaks from its own loopback addresses
# (127.0.3.x and up, picked per process), so the site sees distinct clients; the suite's own
# address 127.0.0.1 is in THROTTLE_EXEMPT_ADDRS there, which is why none of these use it.

import hashlib
import os
import threading
import uuid

import requests

from accounts_support import Browser, SourceAddressAdapter
from redis_client import Redis
from stack_control import setting

API = "/api/v1"
_next = [0]


def fresh_address():
    """A loopback address no other test (nor an earlier run of this one) throttled."""
    _next[0] += 1
    return "127.%d.%d.%d" % (3 + _next[0], os.getpid() % 250 + 1, uuid.uuid4().int % 250 + 1)


class Api:
    def __init__(self, site, address):
        self.base = site + API
        self.s = requests.Session()
        adapter = SourceAddressAdapter(address)
        self.s.mount("http://", adapter)

    def post(self, path, body):
        return self.s.post(self.base + path, json=body, timeout=60)

    def register(self, password=None, password2=None):
        password = password or "Pw-" + uuid.uuid4().hex
        return self.post("/auth/register/", {
            "username": "thr_" + uuid.uuid4().hex[:10], "password": password,
            "password2": password if password2 is None else password2,
            "email": f"{uuid.uuid4().hex[:8]}@example.com"}), password

    def login(self, username, password):
        return self.post("/auth/login/", {"username": username, "password": password})


def test_registrations_from_one_address_are_limited_and_others_are_not(site):
    limit = setting("REGISTER_LIMIT", 20)
    a = Api(site, fresh_address())
    codes = []
    for i in range(max(30, limit + 5)):
        # Two real registrations, then cheap invalid ones: every attempt counts.
        r, _ = a.register(password2=None if i < 2 else "does not match")
        codes.append(r.status_code)
    assert codes[:2] == [201, 201] and set(codes[2:limit]) == {400}, codes
    assert set(codes[limit:]) == {429}, codes
    assert 0 < int(r.headers["Retry-After"]) <= setting("REGISTER_WINDOW", 3600)
    # The site's form shares the limit of that address...
    b = Browser(site, source_address=a.s.get_adapter("http://").address)
    name, password = "thr_" + uuid.uuid4().hex[:10], "Pw-" + uuid.uuid4().hex
    r = b.register(name, password)
    assert r.status_code == 429 and "Too many registrations" in r.text and "Retry-After" in r.headers
    # ... and another address is not affected, on the API or the site.
    assert Api(site, fresh_address()).register()[0].status_code == 201
    assert Browser(site, source_address=fresh_address()).register(name, password).status_code == 303


def test_password_change_attempts_are_limited_per_address(site):
    limit = setting("PASSWORD_CHECK_LIMIT", 10)
    address = fresh_address()
    b = Browser(site, source_address=address)
    name, password = "thr_" + uuid.uuid4().hex[:10], "Pw-" + uuid.uuid4().hex
    assert b.register(name, password).status_code == 303
    assert b.login(name, password).status_code == 303
    token = b.token("/account/password")
    form = {"new_password1": "Nw-" + uuid.uuid4().hex, "new_password2": "x"}
    codes = [b.post("/account/password", dict(form, old_password=f"wrong {i}"), token=token).status_code
             for i in range(limit + 2)]
    assert set(codes[:limit]) == {400} and set(codes[limit:]) == {429}, codes


def test_wrong_api_passwords_from_one_address_do_not_lock_out_another(site):
    owner = Api(site, fresh_address())
    r, password = owner.register()
    username = r.json()["user"]["username"]
    guesser = Api(site, fresh_address())
    limit = setting("LOGIN_FAIL_LIMIT", 10)
    for i in range(limit):
        assert guesser.login(username, f"wrong {i}").status_code == 401
    assert guesser.login(username, password).status_code == 429       # that address is slowed
    assert owner.login(username, password).status_code == 200         # the owner is not
    b = Browser(site, source_address=fresh_address())                  # nor a new browser
    assert b.login(username, password).status_code == 303


def test_username_ceiling_slows_a_guesser_spread_over_many_addresses(site):
    owner = Api(site, fresh_address())
    r, password = owner.register()
    username = r.json()["user"]["username"]
    ceiling = setting("LOGIN_USER_FAIL_CEILING", 100)
    # The failures of ceiling - 1 other addresses, counted where the workers count them.
    key = "throttle:login:user:" + hashlib.sha256(username.encode()).hexdigest()[:32]
    redis = Redis(os.environ["REDIS_URL"])
    redis.cmd("SET", key, ceiling - 1, "EX", 600)
    assert Api(site, fresh_address()).login(username, "one more guess").status_code == 401
    r = owner.login(username, password)
    assert r.status_code == 429 and 0 < int(r.headers["Retry-After"]) <= 600
    # A browser that logged in as the user before stays exempt.
    redis.cmd("DEL", key)
    b = Browser(site, source_address=fresh_address())
    assert b.login(username, password).status_code == 303
    redis.cmd("SET", key, ceiling, "EX", 600)
    assert b.login(username, password).status_code == 303
    redis.cmd("DEL", key)


# ---- the password-hash budget: every hash counts, success included ----

def registered(site):
    """A new user's API client (from a fresh address), username and password."""
    owner = Api(site, fresh_address())
    r, password = owner.register()
    return owner, r.json()["user"]["username"], password


def spent(kind, who, count):
    """Sets who's counter of kind to count, as the workers count it; returns a function that deletes it."""
    redis = Redis(os.environ["REDIS_URL"])
    key = f"throttle:{kind}:" + hashlib.sha256(who.encode()).hexdigest()[:32]
    redis.cmd("SET", key, count, "EX", 600)
    return lambda: redis.cmd("DEL", key)


def assert_budget_spent(r):
    assert r.status_code == 429 and 0 < int(r.headers["Retry-After"]) <= 600, (r.status_code, r.text)


def test_successful_logins_draw_from_the_address_budget(site):
    owner, username, password = registered(site)
    flooder = Api(site, fresh_address())
    # HASH_ADDR_LIMIT - 2 earlier hashes of that address.
    forget = spent("hash:addr", flooder.s.get_adapter("http://").address, setting("HASH_ADDR_LIMIT", 60) - 2)
    assert flooder.login(username, password).status_code == 200
    assert flooder.login(username, "a wrong one").status_code == 401     # any outcome counts
    assert_budget_spent(flooder.login(username, password))
    # The site's form and registration share that address's budget...
    b = Browser(site, source_address=flooder.s.get_adapter("http://").address)
    assert b.login(username, password).status_code == 429
    assert flooder.register()[0].status_code == 429
    # ... another address is not affected.
    assert owner.login(username, password).status_code == 200
    forget()


def test_user_budget_spares_a_known_device_browser(site):
    owner, username, password = registered(site)
    known = Browser(site, source_address=fresh_address())
    assert known.login(username, password).status_code == 303
    # The hashes of many other addresses have spent the user's budget.
    forget = spent("hash:user", username, setting("HASH_USER_LIMIT", 100))
    assert_budget_spent(owner.login(username, password))
    assert Browser(site, source_address=fresh_address()).login(username, password).status_code == 429
    # The user's own browser (a valid known_device cookie) is never refused by it.
    assert known.login(username, password).status_code == 303
    assert known.login(username, password).status_code == 303
    forget()


def test_hashes_never_take_every_worker(site):
    """Logins from many addresses at once: the ones past the cap get 429 at once, pages keep flowing."""
    _, username, password = registered(site)
    reader = Browser(site, source_address=fresh_address())
    assert reader.login(username, password).status_code == 303
    stop, codes, pages, lock = threading.Event(), [], [], threading.Lock()

    def flood():
        a = Api(site, fresh_address())
        while not stop.is_set():
            r = a.login(username, password)
            with lock:
                codes.append((r.status_code, r.headers.get("Retry-After")))

    threads = [threading.Thread(target=flood) for _ in range(12)]
    for t in threads:
        t.start()
    try:
        for _ in range(20):
            r = reader.get("/movie/550")
            pages.append((r.status_code, r.elapsed.total_seconds()))
    finally:
        stop.set()
        for t in threads:
            t.join(60)
    assert (429, "1") in codes, codes          # the cap on hashes at once refused some...
    assert (200, None) in codes                 # ...while others were served
    assert {status for status, _ in pages} == {200}, pages
