"""test_scale_out.py: nginx.conf.example itself in front of two worker pools and Django's admin.

The file is run as written, with only its example values replaced (paths, the certificate, the
two worker hosts' addresses, gunicorn's): two independent spawn-fcgi masters on two TCP ports
stand for two worker hosts (same PostgreSQL, Redis and SECRET_KEY, a database of this module's
own), and Debian's Django 3.2 under gunicorn serves /admin/ (tests/integration/django_admin/).
Checks: `nginx -t` on the example and on the stack's generated configuration; a staff login on
either side counts on both, and so does a logout; one pool killed under a bounded GET load on
loopback costs no GET.
"""
import base64
import hashlib
import os
import re
import secrets
import signal
import socket
import subprocess
import threading
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import pytest
import requests

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
IS_ROOT = os.geteuid() == 0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, what, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        assert proc.poll() is None, f"{what} exited with {proc.returncode}"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{what} does not listen on {port}")


def url_with_database(url, name):
    u = urlsplit(url)
    return urlunsplit((u.scheme, u.netloc, "/" + name, u.query, u.fragment))


def django_hash(password, iterations):
    """A pbkdf2_sha256 hash as Django's make_password writes it."""
    salt = secrets.token_hex(11)
    dk = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    return "pbkdf2_sha256$%d$%s$%s" % (iterations, salt, base64.b64encode(dk).decode())


def filled_example(work, ports):
    """nginx.conf.example with its example values replaced by this test's; placeholders must all go."""
    text = open(os.path.join(ROOT, "nginx.conf.example")).read()
    replacements = [
        ("/srv/movies/django-static/", work + "/django-static/"),
        ("/srv/movies/", ROOT + "/"),
        ("/etc/letsencrypt/live/movies.example.com/", work + "/tls/"),
        ("/var/cache/nginx/movies", work + "/nginx/page-cache"),
        ("server 10.0.0.11:9000", "server 127.0.0.1:%d" % ports["pool_a"]),
        ("server 10.0.0.12:9000", "server 127.0.0.1:%d" % ports["pool_b"]),
        ("server 127.0.0.1:8000", "server 127.0.0.1:%d" % ports["admin"]),
        ("listen 443 ssl http2;", "listen 127.0.0.1:%d ssl http2;" % ports["https"]),
        ("listen 80;", "listen 127.0.0.1:%d;" % ports["http"]),
        # The default server that drops unknown names (test_security_gaps.py tests it) gets
        # ports of its own: this test calls the site by address, without a name to match.
        ("listen 443 ssl default_server;", "listen 127.0.0.1:%d ssl default_server;" % ports["drop_https"]),
        ("listen 80 default_server;", "listen 127.0.0.1:%d default_server;" % ports["drop_http"]),
        # The site's access log (token-masking format) goes where this test reads which pool served.
        ("access_log /var/log/nginx/movies-access.log movies_masked;",
         "access_log %s/log/nginx-access.log upstreams;" % work),
    ]
    for old, new in replacements:
        assert old in text, f"nginx.conf.example no longer has {old!r}: update this test"
        text = text.replace(old, new)
    # This machine may have no IPv6; the test listens on loopback only.
    text = re.sub(r"^\s*listen \[::\]:.*$", "", text, flags=re.M)
    directives = re.sub(r"#.*", "", text)
    for placeholder in ("/srv/movies", "/etc/letsencrypt", "10.0.0.11", "10.0.0.12"):
        assert placeholder not in directives, placeholder
    return text


def nginx_main_conf(work, include):
    """The http{} around the example (Debian's /etc/nginx/nginx.conf plays this part in production)."""
    return f"""{"user www-data;" if IS_ROOT else ""}
worker_processes 1;
pid {work}/nginx/nginx.pid;
daemon off;
error_log {work}/log/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    log_format upstreams '$request_method $uri $status upstream=$upstream_addr';
    access_log {work}/log/nginx-access.log upstreams;
    client_body_temp_path {work}/nginx/client_body;
    fastcgi_temp_path {work}/nginx/fastcgi;
    proxy_temp_path {work}/nginx/proxy;
    uwsgi_temp_path {work}/nginx/uwsgi;
    scgi_temp_path {work}/nginx/scgi;
    include {include};
}}
"""


def nginx_t(conf, prefix, error_log):
    return subprocess.run(["nginx", "-t", "-q", "-c", conf, "-p", prefix, "-e", error_log],
                          capture_output=True, text=True, timeout=60)


class Deployment:
    """Everything this module starts; each process in a session of its own, so a kill takes its children."""

    def __init__(self, work):
        self.work = work
        self.procs = {}
        self.commands = {}

    def start(self, name, argv, env, log):
        self.commands[name] = (argv, env, log)
        # Beside the stack's logs, where run-all.sh looks for sanitizer reports of workers.
        out = open(os.path.join(os.environ["STATE_DIR"], "log", "scale-out-" + log), "ab")
        self.procs[name] = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)
        return self.procs[name]

    def kill(self, name, sig=signal.SIGKILL):
        p = self.procs[name]
        if p.poll() is None:
            try:
                os.killpg(p.pid, sig)
            except ProcessLookupError:
                pass
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=10)

    def restart(self, name, port):
        """Stops a pool as systemd would (SIGTERM: requests in hand are finished), starts it again."""
        self.kill(name, signal.SIGTERM)
        wait_port(port, self.start(name, *self.commands[name]), name)

    def stop_all(self):
        for name in list(self.procs):
            self.kill(name, signal.SIGTERM)


@pytest.fixture(scope="module")
def deployment():
    for var in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "STATE_DIR", "BUILD_DIR", "TMDB_BASE_URL"):
        if not os.environ.get(var):
            pytest.skip(f"{var} is not set: run through tests/run-integration.sh")
    # Under the stack's state directory: nginx's and the workers' users can reach it there.
    work = os.path.join(os.environ["STATE_DIR"], "scale-out")
    subprocess.run(["rm", "-rf", work], check=True)
    for d in ("log", "tls", "nginx", "django-static"):
        os.makedirs(os.path.join(work, d))
    for d in ("client_body", "fastcgi", "proxy", "uwsgi", "scgi", "page-cache"):
        os.makedirs(os.path.join(work, "nginx", d))
    os.chmod(work, 0o755)
    if IS_ROOT:
        subprocess.run(["chown", "-R", "www-data", os.path.join(work, "nginx")], check=True)

    # A database of this module's own: migrate.sh, then Django's own migrations for the admin.
    dbname = "scaleout_" + uuid.uuid4().hex[:8]
    admin_conn = psycopg2.connect(os.environ["DATABASE_URL"])
    admin_conn.autocommit = True
    with admin_conn.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{dbname}"')
    database_url = url_with_database(os.environ["DATABASE_URL"], dbname)
    dep = Deployment(work)
    try:
        subprocess.run([os.path.join(ROOT, "db", "migrate.sh")], env=dict(os.environ, DATABASE_URL=database_url),
                       check=True, capture_output=True, timeout=120)
        ports = {k: free_port() for k in ("pool_a", "pool_b", "admin", "https", "http", "drop_https", "drop_http")}
        secret_key = "scale-out-" + secrets.token_urlsafe(32)
        common = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY=secret_key,
                      ALLOWED_HOSTS="127.0.0.1,localhost", DJANGO_STATIC_ROOT=work + "/django-static",
                      DJANGO_SETTINGS_MODULE="django_admin.settings", PYTHONPATH=HERE,
                      PYTHONDONTWRITEBYTECODE="1")

        # Django's admin: its tables (the C migrations made Django's auth and session tables, so
        # those apps are marked applied), its static files, then gunicorn.
        django_admin = ["/usr/bin/python3", "-m", "django"]
        for app in ("contenttypes", "auth", "sessions"):
            subprocess.run(django_admin + ["migrate", app, "--fake", "-v", "0"], env=common, check=True,
                           timeout=120)
        subprocess.run(django_admin + ["migrate", "-v", "0"], env=common, check=True, timeout=120)
        subprocess.run(django_admin + ["collectstatic", "--noinput", "-v", "0"], env=common, check=True,
                       timeout=120)
        gunicorn = dep.start("admin", ["/usr/bin/gunicorn", "--bind", "127.0.0.1:%d" % ports["admin"],
                                       "--workers", "2", "--chdir", HERE, "django_admin.wsgi:application"],
                             common, "gunicorn.log")

        # Two worker pools on two ports, as two hosts would run them (spawn-fcgi -a/-p).
        version = subprocess.run([os.path.join(ROOT, "deploy", "static-version.sh")], capture_output=True,
                                 text=True, check=True).stdout.strip()
        fcgi_env = dict(common, WORKERS="2", DJANGO_VERSION="3.2", TEMPLATE_DIR=ROOT + "/fcgi/templates",
                        DATA_DIR=ROOT + "/common/data", STATIC_URL="/static/" + version,
                        FCGI_WEB_SERVER_ADDRS="127.0.0.1")
        drop = ["-u", "nobody", "-g", "nogroup"] if IS_ROOT else []
        pools = {}
        for name in ("pool_a", "pool_b"):
            pools[name] = dep.start(name, ["spawn-fcgi", "-n", "-a", "127.0.0.1", "-p", str(ports[name])] + drop +
                                    ["--", os.path.join(os.environ["BUILD_DIR"], "movies-fcgi")],
                                    fcgi_env, name + ".log")

        # The certificate the example names, self-signed here.
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=movies.example.com",
                        "-addext", "subjectAltName=DNS:movies.example.com,IP:127.0.0.1", "-keyout", work + "/tls/privkey.pem",
                        "-out", work + "/tls/fullchain.pem"], check=True, capture_output=True, timeout=60)
        with open(os.path.join(work, "site.conf"), "w") as f:
            f.write(filled_example(work, ports))
        conf = os.path.join(work, "nginx.conf")
        with open(conf, "w") as f:
            f.write(nginx_main_conf(work, os.path.join(work, "site.conf")))
        checked = nginx_t(conf, work + "/nginx", work + "/log/nginx-error.log")
        nginx = dep.start("nginx", ["nginx", "-c", conf, "-p", work + "/nginx", "-e", work + "/log/nginx-error.log"],
                          os.environ, "nginx.log")

        wait_port(ports["admin"], gunicorn, "gunicorn")
        for name, p in pools.items():
            wait_port(ports[name], p, name)
        wait_port(ports["https"], nginx, "nginx")
        yield {"work": work, "ports": ports, "site": "https://127.0.0.1:%d" % ports["https"],
               "database_url": database_url, "deployment": dep, "nginx_t": checked,
               "ca": work + "/tls/fullchain.pem"}
    finally:
        dep.stop_all()
        with admin_conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        admin_conn.close()


class Client:
    """A browser-like HTTPS client of the deployment; it trusts the test's certificate."""

    def __init__(self, deployment):
        self.site, self.ca = deployment["site"], deployment["ca"]
        self.s = requests.Session()
        self.s.headers["User-Agent"] = "integration-tests (scale-out)"

    def get(self, path, **kw):
        kw.setdefault("allow_redirects", False)
        return self.s.get(self.site + path, timeout=30, verify=self.ca, **kw)

    def post(self, path, data, referer=None):
        h = {"Origin": self.site, "Referer": self.site + (referer or path)}
        return self.s.post(self.site + path, data=data, headers=h, allow_redirects=False, timeout=60,
                           verify=self.ca)

    def form_token(self, path):
        r = self.get(path)
        assert r.status_code == 200, (path, r.status_code)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.text).group(1)

    def site_login(self, username, password):
        return self.post("/login", {"username": username, "password": password,
                                    "csrfmiddlewaretoken": self.form_token("/login")})

    def site_logout(self):
        return self.post("/logout", {"csrfmiddlewaretoken": self.form_token("/")}, referer="/")

    def admin_login(self, username, password):
        return self.post("/admin/login/", {"username": username, "password": password, "next": "/admin/",
                                           "csrfmiddlewaretoken": self.form_token("/admin/login/")})

    def signed_in_on_site(self):
        m = re.search(r"Signed in as <strong>([^<]*)</strong>", self.get("/login").text)
        return m and m.group(1)

    def admin_index(self):
        return self.get("/admin/")


def staff_user(database_url):
    """A staff superuser with a Django 3.2 hash (the admin's Django; the pools run DJANGO_VERSION=3.2)."""
    username, password = "staff_" + uuid.uuid4().hex[:8], secrets.token_urlsafe(12)
    conn = psycopg2.connect(database_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("INSERT INTO auth_user (password, last_login, is_superuser, username, first_name, "
                    "last_name, email, is_staff, is_active, date_joined) "
                    "VALUES (%s, NULL, true, %s, '', '', %s, true, true, now())",
                    (django_hash(password, 260000), username, username + "@example.com"))
    return conn, username, password


def session_rows(conn, key):
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM django_session WHERE session_key = %s", (key,))
        return cur.fetchone()[0]


def test_nginx_t_passes_on_the_example(deployment):
    r = deployment["nginx_t"]
    assert r.returncode == 0, r.stderr


def test_nginx_t_passes_on_the_stacks_generated_configuration():
    state = os.environ["STATE_DIR"]
    r = nginx_t(os.path.join(state, "nginx", "nginx.conf"), os.path.join(state, "nginx"),
                os.path.join(state, "log", "nginx-error.log"))
    assert r.returncode == 0, r.stderr


def test_plain_http_is_sent_to_https(deployment):
    r = requests.get("http://127.0.0.1:%d/login" % deployment["ports"]["http"], allow_redirects=False,
                     timeout=30)
    assert r.status_code == 301
    assert r.headers["Location"].startswith("https://")


def test_admin_and_its_static_files_come_from_django(deployment):
    c = Client(deployment)
    r = c.get("/admin/")
    assert r.status_code == 302
    assert r.headers["Location"] == "/admin/login/?next=/admin/"
    page = c.get("/admin/login/")
    assert page.status_code == 200 and "Django administration" in page.text
    css = c.get("/static/admin/css/base.css")
    assert css.status_code == 200
    assert css.headers["Content-Type"].startswith("text/css")
    # The rest is the C site's.
    assert "Trending movies" in c.get("/").text


def test_site_login_counts_on_the_admin_and_site_logout_ends_both(deployment):
    conn, username, password = staff_user(deployment["database_url"])
    c = Client(deployment)
    r = c.site_login(username, password)
    assert r.status_code in (302, 303), r.text[:300]
    key = c.s.cookies.get("sessionid")
    assert key and session_rows(conn, key) == 1
    index = c.admin_index()
    assert index.status_code == 200
    assert "Site administration" in index.text and username in index.text
    # Django read the C program's session as is: same cookie, same row.
    assert c.s.cookies.get("sessionid") == key and session_rows(conn, key) == 1
    assert c.signed_in_on_site() == username

    assert c.site_logout().status_code in (302, 303)
    assert session_rows(conn, key) == 0
    assert c.admin_index().status_code == 302
    assert c.signed_in_on_site() is None
    conn.close()


def test_admin_login_counts_on_the_site_and_admin_logout_ends_both(deployment):
    conn, username, password = staff_user(deployment["database_url"])
    c = Client(deployment)
    r = c.admin_login(username, password)
    assert r.status_code == 302 and r.headers["Location"] == "/admin/", r.text[:300]
    key = c.s.cookies.get("sessionid")
    assert key and session_rows(conn, key) == 1
    assert c.signed_in_on_site() == username
    assert c.admin_index().status_code == 200
    with conn.cursor() as cur:
        cur.execute("SELECT password FROM auth_user WHERE username = %s", (username,))
        assert cur.fetchone()[0].startswith("pbkdf2_sha256$260000$")   # nobody re-hashed it

    # Django 3.2's admin logs out on GET (4.1+ wants a POST).
    assert c.get("/admin/logout/").status_code == 200
    assert session_rows(conn, key) == 0
    assert c.signed_in_on_site() is None
    assert c.admin_index().status_code == 302
    conn.close()


def gets_under_load(deployment, during):
    """GETs from 4 threads while during() runs; [(time, path, status)].

    Bounded: at most 40 s and, paced at 50 a second per thread, 8000 requests; the pace keeps
    the load going for as long as during() needs (nginx's fail_timeout, restarts)."""
    site = deployment["site"]
    # A session cookie makes nginx bypass its page cache, so every GET reaches a worker.
    bypass = {"Cookie": "sessionid=" + "x" * 32}
    paths = ["/", "/login", "/movie/550", "/api/v1/health-check/", "/api/v1/movies/550/"]
    results, lock = [], threading.Lock()
    stop = threading.Event()
    deadline = time.time() + 40

    def load(n):
        s = requests.Session()
        i = n
        while not stop.is_set() and time.time() < deadline:
            with lock:
                if len(results) >= 8000:
                    return
            path = paths[i % len(paths)]
            i += 1
            try:
                status = s.get(site + path, headers=bypass, timeout=30, allow_redirects=False,
                               verify=deployment["ca"]).status_code
            except requests.RequestException as e:
                status = repr(e)
            with lock:
                results.append((time.time(), path, status))
            time.sleep(0.02)

    threads = [threading.Thread(target=load, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    try:
        time.sleep(1)
        during()
        time.sleep(1)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
    return results


def access_log_lines(deployment, since):
    with open(os.path.join(deployment["work"], "log", "nginx-access.log")) as f:
        f.seek(since)
        return f.read().splitlines()


def access_log_size(deployment):
    return os.path.getsize(os.path.join(deployment["work"], "log", "nginx-access.log"))


def wait_until_served_by(deployment, pool):
    """Waits (at most 15 s, while a load runs) until nginx's log shows a GET served by pool alone."""
    since = access_log_size(deployment)
    served = "upstream=127.0.0.1:%d" % deployment["ports"][pool]
    for _ in range(150):
        if any(line.endswith(served) for line in access_log_lines(deployment, since)):
            return
        time.sleep(0.1)
    raise AssertionError(pool + " did not serve within 15 s")


def test_sighup_replaces_the_workers_without_a_failed_get(deployment):
    master = deployment["deployment"].procs["pool_b"]
    # spawn-fcgi -n execs the master in place: the process started is the master.
    def workers():
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master.pid)], capture_output=True, text=True)
        return set(out.stdout.split())
    before = workers()

    def reload():
        master.send_signal(signal.SIGHUP)
        time.sleep(2)
    results = gets_under_load(deployment, reload)
    assert [r for r in results if r[2] != 200] == []
    assert len(results) >= 20
    after = workers()
    # Both workers are new; the mailer (the third child) is left alone by a reload.
    assert len(after) == 3 and len(after & before) == 1


def test_a_rolling_restart_of_the_pools_costs_no_get(deployment):
    """A new version goes out one pool at a time (README: deploying a new version)."""
    dep, ports = deployment["deployment"], deployment["ports"]
    since = access_log_size(deployment)

    def roll():
        # nginx tries a host that failed again after fail_timeout: a pool goes only once the
        # other serves, or both would be out of nginx's rotation at once.
        for name, other in (("pool_a", "pool_b"), ("pool_b", "pool_a")):
            wait_until_served_by(deployment, other)
            dep.restart(name, ports[name])
        wait_until_served_by(deployment, "pool_a")
    results = gets_under_load(deployment, roll)
    assert [r for r in results if r[2] != 200] == []
    assert len(results) >= 20
    lines = access_log_lines(deployment, since)
    assert all(" 200 " in line for line in lines if line.startswith("GET "))


def test_a_pool_killed_under_load_costs_no_get(deployment):
    dep, ports = deployment["deployment"], deployment["ports"]
    since = access_log_size(deployment)
    killed = []

    def kill():
        wait_until_served_by(deployment, "pool_a")
        wait_until_served_by(deployment, "pool_b")
        killed.append(time.time())
        dep.kill("pool_a")               # the master and its workers at once, as a host dies
        time.sleep(2)
    results = gets_under_load(deployment, kill)

    failed = [r for r in results if r[2] != 200]
    assert failed == [], failed[:10]
    assert len([r for r in results if r[0] < killed[0]]) >= 10
    assert len([r for r in results if r[0] > killed[0] + 0.5]) >= 10
    lines = access_log_lines(deployment, since)
    a, b = "127.0.0.1:%d" % ports["pool_a"], "127.0.0.1:%d" % ports["pool_b"]
    # Both pools served before the kill; after it, GETs that met pool A were passed on to B.
    assert any(line.endswith("upstream=" + a) for line in lines)
    assert any(line.endswith("upstream=" + b) for line in lines)
    assert all(" 200 " in line for line in lines if line.startswith("GET "))
