"""test_html_valid.py: every page the site can show (anonymous, signed in, errors, forms with errors) is valid HTML."""
import hashlib
import html.parser
import re
import shutil
import subprocess
import urllib.parse
import uuid

import pytest
import requests

from support import HOSTILE_QUERY, Visitor, redis_command, site, unique

TIDY = shutil.which("tidy") or "/usr/bin/tidy"
# tidy 5.6 predates these HTML5/ARIA attributes and calls them "proprietary"; they are valid. Every
# other warning fails the test: missing alt, duplicate ids, unescaped &, bad nesting, empty elements
# (a template printing a wrapper with nothing in it), unknown elements, missing title, and so on.
KNOWN_VALID_ATTRIBUTES = {"loading", "aria-current", "inputmode", "autocapitalize"}
MESSAGE_RE = re.compile(r"^line (\d+) column (\d+) - (Warning|Error|Info|Access): (.*)$")


def tidy_problems(text):
    p = subprocess.run([TIDY, "-q", "-e", "--show-warnings", "yes", "--show-info", "no",
                        "--gnu-emacs", "no", "-utf8"], input=text.encode(), capture_output=True, timeout=30)
    problems = []
    for line in p.stderr.decode("utf-8", "replace").splitlines():
        m = MESSAGE_RE.match(line.strip())
        if not m:
            if line.strip():
                problems.append(line.strip())
            continue
        msg = m.group(4)
        attr = re.match(r'<\w+> proprietary attribute "([\w-]+)"', msg)
        if m.group(3) == "Warning" and attr and attr.group(1) in KNOWN_VALID_ATTRIBUTES:
            continue
        problems.append(line.strip())
    assert p.returncode in (0, 1, 2), p.stderr
    if p.returncode == 2:
        assert problems, "tidy reports errors"
    return problems


class Structure(html.parser.HTMLParser):
    """What tidy does not check: id references, alt text, labels, form tokens."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.dup_ids, self.refs, self.problems = set(), set(), [], []
        self.forms = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            (self.dup_ids if a["id"] in self.ids else self.ids).add(a["id"])
        for name in ("aria-describedby", "aria-labelledby"):
            for ref in (a.get(name) or "").split():
                self.refs.append((name, ref))
        if tag == "label" and "for" in a:
            self.refs.append(("label for", a["for"]))
        if tag == "a" and a.get("href", "").startswith("#") and len(a["href"]) > 1:
            self.refs.append(("href", a["href"][1:]))
        if tag == "img":
            if not (a.get("alt") or "").strip():
                self.problems.append(f"<img src={a.get('src')!r}> has no alt text")
            if not a.get("width") or not a.get("height"):
                self.problems.append(f"<img src={a.get('src')!r}> has no width/height (layout shift)")
        if tag == "form":
            self.forms.append({"method": (a.get("method") or "get").lower(), "action": a.get("action"),
                               "token": False})
        if tag == "input" and self.forms and a.get("name") == "csrfmiddlewaretoken" and a.get("value"):
            self.forms[-1]["token"] = True
        if tag == "input" and a.get("type") not in ("hidden", "submit") and "id" not in a:
            self.problems.append(f"<input name={a.get('name')!r}> has no id for a label")

    def check(self, text):
        self.feed(text)
        self.close()
        out = list(self.problems)
        out += [f"duplicate id {i!r}" for i in sorted(self.dup_ids)]
        out += [f"{kind} points at a missing id {ref!r}" for kind, ref in self.refs if ref not in self.ids]
        out += [f"POST form to {f['action']} has no CSRF token" for f in self.forms
                if f["method"] == "post" and not f["token"]]
        return out


def check_page(label, r, expect_status):
    assert r.status_code == expect_status, (label, r.status_code, r.text[:500])
    assert r.headers["Content-Type"] == "text/html; charset=utf-8", label
    problems = tidy_problems(r.text) + Structure().check(r.text)
    return [f"{label}: {p}" for p in problems]


@pytest.fixture(scope="module")
def member():
    v = Visitor().signed_up(unique("html+v@a.b"))
    token = v.token("/favorites")
    for movie in (550, 666001, 666003, 13):
        assert v.post(f"/favorites/{movie}", {"next": "/favorites"}, token=token).status_code == 303
    # The watchlist: a hostile title among them; 603's page shows the "watched" forms.
    for movie in (603, 666001, 680):
        assert v.post(f"/watchlist/{movie}", {"next": "/watchlist"}, token=token).status_code == 303
    return v


ANONYMOUS_PAGES = [
    ("/", 200), ("/?window=week", 200), ("/?window=week&page=2", 200),
    ("/movie/550", 200), ("/movie/666001", 200), ("/movie/666003", 200), ("/movie/603", 200),
    ("/movie/1000042", 200),
    ("/search", 200), ("/search?q=e", 200), ("/search?q=e&page=2", 200), ("/search?q=fight&year=1999", 200),
    ("/search?q=fight&year=2005", 200), ("/search?q=" + urllib.parse.quote(HOSTILE_QUERY), 200),
    ("/search?q=Friends", 200),
    ("/genre/18", 200), ("/genre/99", 200), ("/genre/18?page=2", 404), ("/?page=400", 404),
    ("/login", 200), ("/login?registered=1", 200), ("/login?next=/favorites", 200), ("/register", 200), ("/watch-region?next=/movie/550", 200),
    ("/register?next=/favorites", 200), ("/account/closed", 200), ("/account/email/confirm?token=forged", 400),
    # error pages
    ("/nope", 404), ("/movie/999999999", 404), ("/genre/424242", 404), ("/?window=month", 400),
    ("/?page=0", 400), ("/search?q=x&year=12", 400), ("/search?q=%ff", 400),
]

MEMBER_PAGES = [
    ("/", 200), ("/movie/550", 200), ("/movie/680", 200), ("/movie/666001", 200), ("/movie/666003", 200),
    ("/favorites", 200), ("/for-you", 200), ("/account/password", 200), ("/search?q=e", 200),
    ("/genre/18", 200), ("/nope", 404), ("/?window=month", 400), ("/watchlist", 200), ("/movie/603", 200),
    ("/import", 200), ("/import?list=watchlist", 200), ("/import/12345", 404), ("/favorites?imported=3", 200),
    ("/favorites?imported=1", 200), ("/watchlist?imported=2", 200),
    ("/account/email", 200), ("/account/email?sent=1", 200), ("/account/delete", 200),
]


@pytest.mark.smoke
def test_html_anonymous_pages_are_valid():
    v = Visitor()
    problems = []
    for path, status in ANONYMOUS_PAGES:
        problems += check_page(path, v.get(path), status)
    assert not problems, "\n".join(problems)


def test_html_member_pages_are_valid(member):
    problems = []
    for path, status in MEMBER_PAGES:
        problems += check_page("member " + path, member.get(path), status)
    empty = Visitor().signed_up()
    for path in ("/favorites", "/for-you", "/watchlist"):
        problems += check_page("empty " + path, empty.get(path), 200)
    assert not problems, "\n".join(problems)


def test_html_forms_with_errors_are_valid(member):
    problems = []
    v = Visitor()
    # Login: wrong password, missing fields, a hostile username echoed back.
    for data, label in (({"username": unique("nobody"), "password": "wrong-password"}, "bad login"),
                        ({"username": "", "password": ""}, "empty login"),
                        ({"username": '"><b>x</b>&amp;', "password": "x"}, "hostile login")):
        problems += check_page(label, v.post("/login", data, form_page="/login"), 400)
    # Registration: every field wrong at once; mismatch; taken name; hostile input.
    for data, label in (({"username": "", "email": "", "password1": "", "password2": ""}, "empty register"),
                        ({"username": "bad name!", "email": "not-an-email", "password1": "123",
                          "password2": "456"}, "bad register"),
                        ({"username": "moviebuff", "email": "x@example.com", "password1": "Pw-" + uuid.uuid4().hex,
                          "password2": "Pw-" + uuid.uuid4().hex}, "taken register"),
                        ({"username": '"><script>x</script>', "email": "<a>@b.c", "password1": "password",
                          "password2": "password"}, "hostile register")):
        r = v.post("/register", data, form_page="/register")
        assert r.status_code in (200, 400), (label, r.status_code)
        problems += check_page(label, r, r.status_code)
    # Password change with errors (signed in).
    for data, label in (({"old_password": "wrong", "new_password1": "a", "new_password2": "b"}, "bad password"),
                        ({"old_password": "", "new_password1": "", "new_password2": ""}, "empty password")):
        r = member.post("/account/password", data, form_page="/account/password")
        assert r.status_code in (200, 400), (label, r.status_code)
        problems += check_page(label, r, r.status_code)
    # The email change and closing the account with errors (nothing changes).
    for path, data, label in (("/account/email", {"email": '"><b>x</b>@x', "password": "wrong"}, "bad email"),
                              ("/account/delete", {"password": "wrong"}, "bad delete")):
        r = member.post(path, data, form_page=path)
        assert r.status_code == 400, (label, r.status_code)
        problems += check_page(label, r, r.status_code)
    assert not problems, "\n".join(problems)


def test_html_error_pages_are_valid(member, standin_url):
    problems = []
    # 403: CSRF failure (anonymous and signed in)
    problems += check_page("403 anon", Visitor().post("/login", {"username": "x", "password": "y"}, token=""), 403)
    problems += check_page("403 member", member.post("/favorites/550", {}, token=""), 403)
    # 404 for saving an unknown movie
    problems += check_page("404 favorite", member.post("/favorites/999999999", {}, form_page="/favorites"), 404)
    problems += check_page("400 watched", member.post("/watchlist/603/watched", {}, form_page="/watchlist"), 400)
    # 405
    problems += check_page("405", requests.delete(site() + "/", timeout=10), 405)
    problems += check_page("405 member", member.s.put(site() + "/favorites", timeout=10), 405)
    # 429
    name = unique("throttled")
    key = "throttle:login:user:" + hashlib.sha256(name.encode()).hexdigest()[:32]
    redis_command("SET", key, "1000", "EX", "60")
    try:
        problems += check_page("429", Visitor().post("/login", {"username": name, "password": "x"},
                                                      form_page="/login"), 429)
    finally:
        redis_command("DEL", key)
    # 503
    movie = 1000000 + uuid.uuid4().int % 900000
    requests.post(standin_url + "/__standin/faults", json={"status": 503, "path_prefix": f"/3/movie/{movie}"},
                  timeout=10).raise_for_status()
    try:
        problems += check_page("503", Visitor().get(f"/movie/{movie}"), 503)
    finally:
        requests.delete(standin_url + "/__standin/faults", timeout=10)
    assert not problems, "\n".join(problems)


def test_html_checker_catches_real_problems():
    """The checks themselves: a page with the faults they exist for must fail them."""
    bad = ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title></head><body>'
           '<p id="a">AT&T</p><p id="a"><img src="x.png"></p><label for="nope">x</label></body></html>')
    problems = tidy_problems(bad) + Structure().check(bad)
    text = "\n".join(problems)
    assert "unescaped &" in text
    assert "duplicate id 'a'" in text or 'anchor "a" already defined' in text
    assert "alt" in text
    assert "missing id 'nope'" in text
    ok = ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title></head><body>'
          '<p><img src="x.png" alt="x" width="1" height="1" loading="lazy"></p></body></html>')
    assert tidy_problems(ok) + Structure().check(ok) == []


def test_html_import_progress_and_preview_pages_are_valid(member):
    """The matching page (with its refresh) and a preview with every section filled."""
    rows = "".join(f"M,,{1000000 + i}\n" for i in range(200))
    body = ("Name,Year,tmdbID\n" + rows).encode()
    problems = []
    for content in (body, ("Name,Year\nFight Club,1999\nTwin Stand-in,2011\nNowhere At All,1990\n"
                           "Pulp Fiction,1994\n").encode()):
        r = member.s.post(member.site + "/import", data={"list": "favorites",
                          "csrfmiddlewaretoken": member.token("/import")},
                          files={"file": ("list.csv", content, "text/csv")},
                          headers={"Origin": member.site}, allow_redirects=False, timeout=60)
        assert r.status_code == 303, r.text[:500]
        for _ in range(50):
            page = member.get(r.headers["Location"])
            problems += check_page("import " + r.headers["Location"], page, 200)
            if 'http-equiv="refresh"' not in page.text:
                break
    problems += check_page("import 400", member.s.post(member.site + "/import", data={
        "list": "favorites", "csrfmiddlewaretoken": member.token("/import")},
        files={"file": ("x.csv", b"Title\nx\n", "text/csv")}, headers={"Origin": member.site}, timeout=30), 400)
    assert not problems, "\n".join(problems)
