"""test_security_gaps.py: issue 14's last gaps, through nginx: ALLOWED_HOSTS, Set-Cookie never public,
nginx's own error pages, favicon and static caching, the opaque known_device cookie, and
nginx.conf.example itself (run on loopback with its placeholders filled).

Token revocation on a password change is in test_api.py (it needs simplejwt's real tokens).
"""
import os
import re
import shutil
import socket
import subprocess
import textwrap
import uuid
from pathlib import Path

import pytest
import requests

from accounts_support import Browser, insert_user, pbkdf2_hash, set_cookies
from conftest import env

ROOT = Path(__file__).resolve().parents[2]
SECURITY_HEADERS = ("X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options", "Content-Security-Policy")
HOST_REFUSED = ("This site does not answer to the name in the request's Host header "
                "(it is not in ALLOWED_HOSTS). Use the site's own address.")


def port_of(site):
    return int(site.rsplit(":", 1)[1])


def new_user(conn, prefix):
    username, password = f"{prefix}_{uuid.uuid4().hex[:10]}", "Pw-" + uuid.uuid4().hex
    return username, password, insert_user(conn, username, pbkdf2_hash(password))


def worker_headers(site):
    """The security headers of a page a worker made."""
    r = requests.get(site + "/login", timeout=10)
    assert r.status_code == 200
    return {h: r.headers[h] for h in SECURITY_HEADERS}


# ---- 1. ALLOWED_HOSTS ----

ROUTES = [("GET", "/"), ("GET", "/login"), ("POST", "/login"), ("GET", "/movie/550"),
          ("GET", "/search?q=x"), ("GET", "/favorites"), ("GET", "/account/password"),
          ("GET", "/no/such/page"), ("GET", "/healthz"), ("GET", "/api/v1/health-check/"),
          ("GET", "/api/v1/movies/trending/"), ("POST", "/api/v1/auth/login/"),
          ("POST", "/api/v1/auth/token/refresh/"), ("DELETE", "/api/v1/auth/favorites/550/")]


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.evil.example",
                                  "localhost.evil.example:{port}", "127.0.0.2:{port}"])
def test_unknown_host_is_400_on_every_route(site, host):
    host = host.format(port=port_of(site))
    for method, path in ROUTES:
        r = requests.request(method, site + path, headers={"Host": host}, allow_redirects=False, timeout=10)
        assert r.status_code == 400, (host, method, path, r.status_code)
        assert "Set-Cookie" not in r.headers and r.headers["Cache-Control"] == "private, no-cache"
        if path.startswith("/api/"):
            assert r.json() == {"detail": HOST_REFUSED}, path
        else:
            assert r.headers["Content-Type"] == "text/html; charset=utf-8"
            assert HOST_REFUSED.replace("'", "&#39;") in r.text, path


def test_allowed_hosts_are_served(site):
    port = port_of(site)
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST.:{port}", "localhost"):
        r = requests.get(site + "/login", headers={"Host": host}, timeout=10)
        assert r.status_code == 200, host


def test_dns_rebinding_post_is_refused_before_the_csrf_check(site):
    """Host and Origin both the attacker's name: the Origin check alone would pass it."""
    port = port_of(site)
    b = Browser(site, source_address="127.0.4.%d" % (1 + os.getpid() % 250))
    token = b.token()
    cookie = b.s.cookies.get("csrftoken")
    form = {"username": "nobody_" + uuid.uuid4().hex[:8], "password": "x", "csrfmiddlewaretoken": token}

    def post(name):
        return b.s.post(site + "/login", data=form, allow_redirects=False, timeout=10,
                        headers={"Host": name, "Origin": f"http://{name}", "Cookie": f"csrftoken={cookie}"})
    r = post(f"rebound.evil.example:{port}")
    assert r.status_code == 400 and HOST_REFUSED.replace("'", "&#39;") in r.text
    # The same form under an allowed name passes CSRF and reaches the login check.
    r = post(f"localhost:{port}")
    assert r.status_code == 400 and "CSRF" not in r.text and "ALLOWED_HOSTS" not in r.text
    assert "Please enter a correct username and password" in r.text


# ---- 3. Set-Cookie is never public ----

def test_stale_session_on_a_public_page_is_not_publicly_cacheable(site, conn):
    for path in ("/", "/movie/550"):
        username, password, uid = new_user(conn, "stale")
        b = Browser(site)
        assert b.login(username, password).status_code == 303
        # The password changes elsewhere: the session is stale, and the next page deletes it.
        with conn.cursor() as cur:
            cur.execute("UPDATE auth_user SET password = %s WHERE id = %s", (pbkdf2_hash("other-" + password), uid))
        r = requests.get(site + path, headers={"Cookie": f"sessionid={b.sessionid}"}, timeout=30)
        assert r.status_code == 200
        assert "sessionid" in set_cookies(r), path
        assert r.headers["Cache-Control"] == "private, no-cache", path
        assert "ETag" not in r.headers
    # Without the cookie the same page is public, as before.
    r = requests.get(site + "/", timeout=30)
    assert r.headers["Cache-Control"] == "public, max-age=60" and "Set-Cookie" not in r.headers


# ---- 4. nginx's own answers ----

def raw_request(site, data, source=None):
    """Sends raw bytes to nginx (from loopback address source if given); returns (status, headers dict, body)."""
    host, port = site.split("//", 1)[1].split(":")
    with socket.create_connection((host, int(port)), timeout=10,
                                  source_address=(source, 0) if source else None) as s:
        s.sendall(data)
        chunks = []
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


def assert_nginx_error_page(status, headers, body, expected_status, words, worker):
    assert status == expected_status
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    for h in SECURITY_HEADERS:
        assert headers.get(h) == worker[h], h
    assert headers["Cache-Control"] == "no-store"
    assert words.encode() in body and b"<title>" in body


def test_nginx_error_pages_carry_the_worker_headers(site):
    worker = worker_headers(site)
    host = site.split("//", 1)[1]
    cases = [
        (b"TRACE / HTTP/1.1\r\nHost: " + host.encode() + b"\r\nConnection: close\r\n\r\n", 405,
         "Method not allowed"),
        (b"POST /login HTTP/1.1\r\nHost: " + host.encode() + b"\r\nContent-Length: 70000\r\n"
         b"Connection: close\r\n\r\n", 413, "Request too large"),
        (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: " + host.encode() + b"\r\nConnection: close\r\n\r\n",
         414, "Address too long"),
        (b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n", 400, "Bad request"),
        (b"GET / HTTP/1.1\r\nHost: " + host.encode() + b"\r\nCookie: " + b"c" * 9000 +
         b"\r\nConnection: close\r\n\r\n", 400, "Bad request"),
        (b"GET /static/nothing-here HTTP/1.1\r\nHost: " + host.encode() + b"\r\nConnection: close\r\n\r\n",
         404, "Page not found"),
        (b"GET /__errors/400.html HTTP/1.1\r\nHost: " + host.encode() + b"\r\nConnection: close\r\n\r\n",
         404, "Page not found"),
        (b"POST /login HTTP/1.1\r\nHost: " + host.encode() + b"\r\nTransfer-Encoding: gzip\r\n"
         b"Connection: close\r\n\r\n", 501, "Not implemented"),
    ]
    for data, status, words in cases:
        assert_nginx_error_page(*raw_request(site, data), status, words, worker)


def test_nginx_deny_of_the_probes_carries_the_worker_headers(site):
    worker = worker_headers(site)
    host = site.split("//", 1)[1]
    for path in ("/metrics", "/healthz"):
        data = b"GET " + path.encode() + b" HTTP/1.1\r\nHost: " + host.encode() + b"\r\nConnection: close\r\n\r\n"
        # From another loopback address: not one the probes allow.
        assert_nginx_error_page(*raw_request(site, data, source="127.0.0.2"), 403, "Forbidden", worker)
        assert raw_request(site, data)[0] == 200, path


def test_nginx_redirects_carry_the_worker_headers(site):
    worker = worker_headers(site)
    for path in ("/api/docs", "/api/redoc"):
        r = requests.get(site + path, timeout=10, allow_redirects=False)
        assert r.status_code == 301, path
        for h in SECURITY_HEADERS:
            assert r.headers.get(h) == worker[h], (path, h)


def test_nginx_error_pages_are_valid_html():
    from test_html_valid import tidy_problems
    pages = sorted((ROOT / "fcgi" / "static" / "errors").glob("*.html")) + [ROOT / "fcgi" / "static" / "unavailable.html"]
    assert len(pages) == 9
    for page in pages:
        assert tidy_problems(page.read_text()) == [], page.name


def test_favicon_is_svg_with_nosniff(site):
    r = requests.get(site + "/favicon.ico", timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "image/svg+xml"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.content == (ROOT / "fcgi" / "static" / "icon.svg").read_bytes()


def static_version():
    return subprocess.run([str(ROOT / "deploy" / "static-version.sh")], capture_output=True, text=True,
                          check=True).stdout.strip()


def test_only_the_current_static_version_is_immutable(site):
    current = static_version()
    r = requests.get(f"{site}/static/{current}/style.css", timeout=10)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    other = "0123456789ab" if current != "0123456789ab" else "ba9876543210"
    r = requests.get(f"{site}/static/{other}/style.css", timeout=10)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "public, max-age=300"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    for path in (f"/static/{other}/nope.css", "/static/style.css", f"/static/{current}/errors"):
        assert requests.get(site + path, timeout=10).status_code == 404, path


# ---- 5. the known_device cookie ----

OLD_DEVICE_COOKIE = textwrap.dedent("""
    import sys, urllib.parse
    from django.conf import settings
    settings.configure(SECRET_KEY=sys.argv[1])
    from django.core.signing import Signer
    print(urllib.parse.quote(Signer(salt="movies.auth.known_device").sign(sys.argv[2]), safe=""))
""")


def test_known_device_cookie_is_opaque_and_still_exempts(site, conn):
    username, password, _ = new_user(conn, "Dévice")
    address = "127.0.5.%d" % (1 + os.getpid() % 250)
    known = Browser(site, source_address=address)
    r = known.login(username, password)
    assert r.status_code == 303
    value = set_cookies(r)["known_device"].split(";", 1)[0].split("=", 1)[1]
    assert re.fullmatch(r"[0-9a-f]{32}\.[0-9a-f]{64}", value), value
    for form in (username, requests.utils.quote(username, safe=""), username.encode().hex()):
        assert form.lower() not in value.lower()
    # The cookie the previous version set (the name, signed): it no longer counts.
    p = subprocess.run(["/usr/bin/python3", "-c", OLD_DEVICE_COOKIE, env("SECRET_KEY"), username],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    old = Browser(site, source_address=address)
    old.set_cookie("known_device", p.stdout.strip())
    attacker = Browser(site, source_address=address)
    for i in range(10):
        assert attacker.login(username, f"wrong {i}").status_code == 400
    assert old.login(username, password).status_code == 429
    # The opaque cookie still proves this browser logged in as the user before.
    assert known.login(username, password).status_code == 303


# ---- 1 and 4: nginx.conf.example, run on loopback ----

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def example_nginx():
    """nginx.conf.example with its placeholders filled, started on two loopback ports.

    Its upstream sockets do not exist, so every page is the 502 page: what is tested here is
    what nginx itself answers (and nothing is sent to the example's worker addresses)."""
    out = Path(os.environ.get("TEST_OUTPUT", ROOT / "tests" / "output")) / "example-nginx"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    http, https = free_port(), free_port()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(out / "key.pem"), "-out", str(out / "cert.pem"),
                    "-subj", "/CN=movies.example.com", "-addext", "subjectAltName=DNS:movies.example.com"],
                   check=True, capture_output=True)
    text = (ROOT / "nginx.conf.example").read_text()
    text = "\n".join(line for line in text.splitlines() if "listen [::]" not in line)
    for old, new in (("listen 80", f"listen 127.0.0.1:{http}"), ("listen 443", f"listen 127.0.0.1:{https}"),
                     ("/etc/letsencrypt/live/movies.example.com/fullchain.pem", str(out / "cert.pem")),
                     ("/etc/letsencrypt/live/movies.example.com/privkey.pem", str(out / "key.pem")),
                     ("/var/cache/nginx/movies", str(out / "cache")),
                     ("server 10.0.0.11:9000", f"server unix:{out / 'no-workers.sock'}"),
                     ("server 10.0.0.12:9000", f"server unix:{out / 'no-workers-either.sock'}"),
                     ("/srv/movies", str(ROOT)), ("0123456789ab", static_version())):
        assert old in text, old
        text = text.replace(old, new)
    (out / "site.conf").write_text(text)
    temp = "\n".join(f"    {t}_temp_path {out}/{t};" for t in ("client_body", "fastcgi", "proxy", "uwsgi", "scgi"))
    (out / "nginx.conf").write_text(f"""
{"user www-data;" if os.geteuid() == 0 else ""}
pid {out}/nginx.pid;
error_log {out}/error.log warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
{temp}
    include {out}/site.conf;
}}
""")
    (out / "big-body").write_bytes(b"a" * 70000)
    if os.geteuid() == 0:
        shutil.chown(out, "www-data")
    base = ["nginx", "-c", str(out / "nginx.conf"), "-p", str(out), "-e", str(out / "error.log")]
    t = subprocess.run(base + ["-t"], capture_output=True, text=True)
    assert t.returncode == 0, t.stderr
    subprocess.run(base, check=True)
    try:
        yield {"http": http, "https": https, "big_body": out / "big-body"}
    finally:
        subprocess.run(base + ["-s", "stop"], capture_output=True)


def curl(name, port, path="/", scheme="https", method="GET", extra=()):
    """(curl exit code, status, headers {lowercase name: value}, body) for a request to name:port on 127.0.0.1."""
    p = subprocess.run(["curl", "-sk", "--max-time", "10", "-X", method, "--resolve", f"{name}:{port}:127.0.0.1",
                        "-D", "-", "-o", "/dev/stderr", *extra, f"{scheme}://{name}:{port}{path}"],
                       capture_output=True, timeout=20)
    head = p.stdout.decode("latin-1").split("\r\n\r\n")[0].split("\r\n")
    if p.returncode != 0 or not head[0]:
        return p.returncode, None, {}, b""
    headers = {}
    for line in head[1:]:
        k, _, v = line.partition(": ")
        headers.setdefault(k.lower(), v)
    return 0, int(head[0].split()[1]), headers, p.stderr


HSTS = "max-age=31536000"


def test_example_drops_unknown_hosts(example_nginx):
    # Plain HTTP with another name: no answer at all (444).
    code, *_ = curl("evil.example", example_nginx["http"], scheme="http")
    assert code == 52, code     # curl: empty reply from server
    # TLS for another name: the handshake is refused.
    code, *_ = curl("evil.example", example_nginx["https"])
    assert code == 35, code     # curl: SSL connect error
    # The site's own name: HTTP is sent to HTTPS.
    code, status, headers, _ = curl("movies.example.com", example_nginx["http"], scheme="http")
    assert status == 301 and headers["location"].startswith("https://movies.example.com")
    assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"


def test_example_static_favicon_and_error_pages(example_nginx, site):
    worker = {k.lower(): v for k, v in worker_headers(site).items()}
    port, name = example_nginx["https"], "movies.example.com"
    _, status, h, body = curl(name, port, f"/static/{static_version()}/style.css")
    assert status == 200 and h["strict-transport-security"] == HSTS
    assert h["cache-control"] == "public, max-age=31536000, immutable" and h["x-content-type-options"] == "nosniff"
    _, status, h, _ = curl(name, port, "/static/0123456789ab/style.css"
                           if static_version() != "0123456789ab" else "/static/ba9876543210/style.css")
    assert status == 200 and h["cache-control"] == "public, max-age=300" and h["strict-transport-security"] == HSTS
    _, status, h, body = curl(name, port, "/favicon.ico")
    assert status == 200 and h["content-type"] == "image/svg+xml" and h["x-content-type-options"] == "nosniff"
    assert h["strict-transport-security"] == HSTS and body.startswith(b"<svg")
    cases = [("/", "GET", (), 502, "temporarily unavailable"),
             ("/", "TRACE", (), 405, "Method not allowed"),
             ("/login", "POST", ("--data-binary", f"@{example_nginx['big_body']}"), 413, "Request too large"),
             # Over HTTP/2 a long path is within http2's header limits; HTTP/1.1 has 8k buffers.
             ("/" + "a" * 9000, "GET", ("--http1.1",), 414, "Address too long"),
             ("/static/nothing-here", "GET", (), 404, "Page not found"),
             # The probes from an address the example does not allow.
             ("/metrics", "GET", ("--interface", "127.0.0.2"), 403, "Forbidden")]
    for path, method, extra, expected, words in cases:
        _, status, h, body = curl(name, port, path, method=method, extra=extra)
        assert status == expected, (path, method, status)
        assert h["content-type"] == "text/html; charset=utf-8", path
        assert h["strict-transport-security"] == HSTS, path
        for k in (x.lower() for x in SECURITY_HEADERS):
            assert h.get(k) == worker[k], (path, k)
        assert words.encode() in body, path


def known_browser(site, conn, subnet):
    """A new user logged in from a browser on 127.0.<subnet>.x: (username, password, id, address, browser)."""
    username, password, user_id = new_user(conn, "device")
    address = "127.0.%d.%d" % (subnet, 1 + os.getpid() % 250)
    known = Browser(site, source_address=address)
    assert known.login(username, password).status_code == 303
    return username, password, user_id, address, known


def lock_out_address(site, address, username):
    """Ten wrong passwords for username from address: its (user, address) limit is reached."""
    attacker = Browser(site, source_address=address)
    for i in range(10):
        assert attacker.login(username, f"wrong {i}").status_code == 400
    return attacker


def test_known_device_cookie_dies_with_a_password_change(site, conn):
    username, password, user_id, address, known = known_browser(site, conn, 6)
    cookie = known.s.cookies.get("known_device")
    assert lock_out_address(site, address, username).login(username, password).status_code == 429
    # Before the change the cookie exempts its browser from the (user, address) limit...
    assert known.login(username, password).status_code == 303
    # ... a password change (as Django's would: a new hash, a new salt) ends that.
    new = "Nw-" + uuid.uuid4().hex
    with conn.cursor() as cur:
        cur.execute("UPDATE auth_user SET password = %s WHERE id = %s", (pbkdf2_hash(new), user_id))
    conn.commit()
    stale = Browser(site, source_address=address)
    stale.set_cookie("known_device", cookie)
    assert stale.login(username, new).status_code == 429
    # Another device's id under the same proof is no better.
    forged = Browser(site, source_address=address)
    forged.set_cookie("known_device", "0" * 32 + cookie[32:])
    assert forged.login(username, new).status_code == 429


def test_a_password_change_on_the_site_renews_this_browsers_cookie_only(site, conn):
    username, password, _, address, mine = known_browser(site, conn, 7)
    before = mine.s.cookies.get("known_device")
    new = "Nw-" + uuid.uuid4().hex
    r = mine.post("/account/password", {"old_password": password, "new_password1": new, "new_password2": new})
    assert r.status_code == 303, r.status_code
    after = mine.s.cookies.get("known_device")
    assert after != before and after[:32] == before[:32]     # the same device, a new proof
    lock_out_address(site, address, username)
    stale = Browser(site, source_address=address)
    stale.set_cookie("known_device", before)
    assert stale.login(username, new).status_code == 429
    assert mine.login(username, new).status_code == 303
