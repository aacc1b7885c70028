"""support.py: what the black-box tests share: the site's URL, unique names, the browser-like client, rows, Redis."""
import html
import os
import re
import shutil
import subprocess
import uuid

import pytest
import requests

from redis_client import Redis

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')
HOSTILE_QUERY = '"><script>alert(1)</script>'
DEMO = ("moviebuff", "movienight-demo")


def site():
    url = os.environ.get("SITE_URL")
    if not url:
        pytest.skip("SITE_URL is not set: run through tests/run-integration.sh")
    return url.rstrip("/")


def npm_ci(directory, marker):
    """Installs a directory's pinned npm packages (package-lock.json) unless node_modules/marker is there."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed (make deps)")
    if not (directory / "node_modules" / marker).exists():
        npm = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=directory,
                             env=dict(os.environ, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD="1"),
                             capture_output=True, text=True, timeout=600)
        assert npm.returncode == 0, f"npm ci in {directory} failed:\n{npm.stdout}\n{npm.stderr}"


def unique(prefix="site"):
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def token_in(text):
    m = CSRF_RE.search(text)
    assert m, "page has no CSRF token"
    return m.group(1)


csrf_from = token_in


def html_unescape(s):
    return html.unescape(s)


def redis_command(*args):
    """One command to the stack's Redis; the decoded reply."""
    return Redis(os.environ["REDIS_URL"]).cmd(*args)


class SourceAddressAdapter(requests.adapters.HTTPAdapter):
    def __init__(self, address):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kw):
        kw["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kw)


class Browser:
    """A cookie-keeping client that behaves like a browser: Origin on POSTs, tokens from forms."""

    def __init__(self, site_url, source_address=None):
        self.site = site_url.rstrip("/")
        self.s = requests.Session()
        self.s.headers["User-Agent"] = "integration-tests (accounts)"
        if source_address:
            # Another loopback address (127.0.0.2...): the site sees another client address.
            adapter = SourceAddressAdapter(source_address)
            self.s.mount("http://", adapter)
            self.s.mount("https://", adapter)

    def get(self, path, **kw):
        kw.setdefault("allow_redirects", False)
        kw.setdefault("timeout", 30)
        return self.s.get(self.site + path, **kw)

    def token(self, path="/login"):
        r = self.get(path)
        assert r.status_code == 200, (path, r.status_code)
        return token_in(r.text)

    def post(self, path, data, token=True, origin=True, headers=None, form_page=None, **kw):
        """POSTs a form; token=True fetches one from form_page (default: path), a str is sent as is."""
        data = dict(data) if isinstance(data, dict) else data
        if token is True:
            data["csrfmiddlewaretoken"] = self.token(form_page or path)
        elif isinstance(token, str):
            data["csrfmiddlewaretoken"] = token
        h = {}
        if origin is True:
            h["Origin"] = self.site
        elif isinstance(origin, str):
            h["Origin"] = origin
        h.update(headers or {})
        kw.setdefault("allow_redirects", False)
        kw.setdefault("timeout", 60)
        return self.s.post(self.site + path, data=data, headers=h, **kw)

    def post_raw(self, path, body, token=True, form_page="/login"):
        """POSTs an already url-encoded body (for %00, %FF); the token is appended when asked."""
        if token:
            body += "&csrfmiddlewaretoken=" + self.token(form_page)
        return self.s.post(self.site + path, data=body.encode("ascii"), allow_redirects=False,
                           headers={"Origin": self.site,
                                    "Content-Type": "application/x-www-form-urlencoded"},
                           timeout=60)

    def login(self, username, password, next_url=None):
        data = {"username": username, "password": password}
        if next_url is not None:
            data["next"] = next_url
        return self.post("/login", data)

    def register(self, username, password, email=None, password2=None):
        return self.post("/register", {"username": username, "password1": password,
                                       "password2": password if password2 is None else password2,
                                       "email": email if email is not None else
                                       f"{uuid.uuid4().hex[:8]}@example.com"})

    def signed_in_as(self):
        """The username the page header shows, or None for an anonymous visitor."""
        r = self.get("/login")
        m = re.search(r"Signed in as <strong>([^<]*)</strong>", r.text)
        return m and html_unescape(m.group(1))

    @property
    def sessionid(self):
        return self.s.cookies.get("sessionid")

    def set_cookie(self, name, value):
        host = self.site.split("//", 1)[1].split(":")[0]
        self.s.cookies.set(name, value, domain=host, path="/")


class Visitor(Browser):
    """A Browser for the site's page tests: the stack's URL by default, logins that must succeed."""

    def __init__(self, base=None, source_address=None):
        super().__init__(base or site(), source_address)
        self.s.headers["User-Agent"] = "integration-tests (site)"
        self.username = None

    @property
    def base(self):
        return self.site

    def post(self, path, data=None, form_page=None, token=None, headers=None, **kw):
        """token None fetches one from form_page (default: path); "" sends none; a str is sent as is."""
        return super().post(path, dict(data or {}), token=True if token is None else (token or False),
                            headers=headers, form_page=form_page, **kw)

    def register(self, username=None, email=None, password=None):
        username = username or unique()
        password = password or "Pw-" + uuid.uuid4().hex
        r = super().register(username, password, email)
        assert r.status_code == 303, (r.status_code, r.text[:2000])
        assert r.headers["Location"] == "/"
        return username, password

    def login(self, username, password, next_="/"):
        r = super().login(username, password, next_)
        assert r.status_code == 303, (r.status_code, r.text[:2000])
        self.username = username
        return r

    def signed_up(self, username=None, email=None):
        u, p = self.register(username, email)
        self.login(u, p)
        return self

    def add_favorite(self, movie_id, json_=False):
        headers = {"Accept": "application/json"} if json_ else None
        return self.post(f"/favorites/{movie_id}", {"next": f"/movie/{movie_id}"},
                         form_page=f"/movie/{movie_id}", headers=headers)

    def remove_favorite(self, movie_id, json_=False):
        headers = {"Accept": "application/json"} if json_ else None
        return self.post(f"/favorites/{movie_id}/delete", {"next": "/favorites"},
                         form_page="/favorites", headers=headers)


def user_id(db, username):
    with db.cursor() as cur:
        cur.execute("SELECT id FROM auth_user WHERE username = %s", (username,))
        return cur.fetchone()[0]


def favorite_ids(db, username):
    with db.cursor() as cur:
        cur.execute("SELECT f.movie_id FROM users_favoritemovie f JOIN auth_user u ON u.id = f.user_id "
                    "WHERE u.username = %s ORDER BY f.created_at DESC, f.id DESC", (username,))
        return [row[0] for row in cur.fetchall()]


def watchlist_ids(db, username):
    with db.cursor() as cur:
        cur.execute("SELECT w.movie_id FROM users_watchlistmovie w JOIN auth_user u ON u.id = w.user_id "
                    "WHERE u.username = %s ORDER BY w.created_at DESC, w.id DESC", (username,))
        return [row[0] for row in cur.fetchall()]
