"""test_failover.py: DATABASE_URL naming a primary and its synchronous standby: the site keeps every acknowledged write through a failover and writes again within seconds, without a restart."""
# A stack of its own (its PostgreSQL is stopped here), a real streaming standby made with
# pg_basebackup -R from it, started with the same binaries on another loopback port. Writes go
# through the site's forms and the API at once; the primary is stopped (-m immediate), the
# standby promoted, and every write the site acknowledged must be on the new primary.

import os
import random
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid

import psycopg2
import pytest
import requests

from support import Browser
from test_dependency_failures import ApiUser, timed

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORKERS = 4


def pg_bin(name):
    """The newest installed PostgreSQL's program, as deploy/stack.sh picks it."""
    version = sorted(os.listdir("/usr/lib/postgresql"), key=lambda v: [int(x) for x in v.split(".")])[-1]
    return f"/usr/lib/postgresql/{version}/bin/{name}"


def owned_by_pg(path, directory):
    """A path the postgres user may write (the stack's directories belong to whoever started it)."""
    if directory:
        os.makedirs(path, mode=0o700)
    else:
        open(path, "a").close()
    if os.geteuid() == 0:
        import pwd
        pw = pwd.getpwnam("postgres")
        os.chown(path, pw.pw_uid, pw.pw_gid)


def as_pg(cmd, **kw):
    full = ["runuser", "-u", "postgres", "--"] + cmd if os.geteuid() == 0 else cmd
    return subprocess.run(full, check=True, capture_output=True, text=True, timeout=120, **kw)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stack(cmd, state_dir, **extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("SITE_URL", "DATABASE_URL", "REDIS_URL", "TMDB_BASE_URL", "SECRET_KEY",
                        "TMDB_API_KEY", "STATE_DIR")}
    env.update(STATE_DIR=state_dir, SITE_PORT="auto", PG_PORT="auto", REDIS_PORT="auto",
               TMDB_STANDIN_PORT="auto", STACK_FAST="1", WORKERS=str(WORKERS), PAGE_CACHE="0")
    env.update(extra)
    r = subprocess.run([os.path.join(ROOT, "deploy", "stack.sh"), cmd], env=env, capture_output=True,
                       text=True, timeout=180)
    assert r.returncode == 0, r.stdout + r.stderr
    return r


def stack_env(state_dir):
    with open(os.path.join(state_dir, "stack.env")) as f:
        return dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)


def psql_admin(state_dir, port, sql):
    return as_pg([pg_bin("psql"), "-X", "-At", "-h", os.path.join(state_dir, "run", "pg"), "-p", str(port),
                  "-d", "postgres", "-c", sql]).stdout.strip()


def until(fn, seconds, what):
    deadline = time.monotonic() + seconds
    while not fn():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def start_standby(state_dir, primary_port):
    """pg_basebackup -R of the primary into a private directory, started on its own port."""
    standby = os.path.join(state_dir, "standby")
    port = free_port()
    owned_by_pg(standby, True)
    owned_by_pg(os.path.join(state_dir, "log", "standby.log"), False)
    as_pg([pg_bin("pg_basebackup"), "-D", standby, "-R", "-X", "stream", "-c", "fast",
           "-h", os.path.join(state_dir, "run", "pg"), "-p", str(primary_port)])
    # Once promoted it has no standby of its own: it must not wait for one.
    as_pg(["sh", "-c", f"echo \"synchronous_standby_names = ''\" >> {standby}/postgresql.auto.conf"])
    as_pg([pg_bin("pg_ctl"), "-D", standby, "-l", os.path.join(state_dir, "log", "standby.log"),
           "-o", f"-p {port}", "-w", "-t", "60", "start"])
    return standby, port


def make_synchronous(state_dir, port):
    """A commit is acknowledged only once the standby has it (see README, PostgreSQL failover)."""
    psql_admin(state_dir, port, "ALTER SYSTEM SET synchronous_standby_names = '*'")
    psql_admin(state_dir, port, "ALTER SYSTEM SET synchronous_commit = 'on'")
    psql_admin(state_dir, port, "SELECT pg_reload_conf()")
    until(lambda: psql_admin(state_dir, port, "SELECT sync_state FROM pg_stat_replication") == "sync",
          30, "the standby never became synchronous")


def restart_workers(state_dir, database_url):
    """The workers again, now with DATABASE_URL naming both hosts (the other servers stay)."""
    pidfile = os.path.join(state_dir, "run", "fcgi.pid")
    pid = int(open(pidfile).read())
    os.kill(pid, signal.SIGTERM)
    until(lambda: not os.path.exists(f"/proc/{pid}") or
          open(f"/proc/{pid}/stat").read().split(") ")[1][0] == "Z", 15, "workers did not stop")
    os.remove(pidfile)
    stack("start", state_dir, DATABASE_URL=database_url)


@pytest.fixture(scope="module")
def failover_stack():
    state_dir = os.path.join(os.environ.get("TEST_OUTPUT", "/tmp"), "stack-failover-" + uuid.uuid4().hex[:6])
    os.makedirs(state_dir)
    standby = None
    try:
        stack("start", state_dir)
        env = stack_env(state_dir)
        primary_port = int(env["PG_PORT"])
        standby, standby_port = start_standby(state_dir, primary_port)
        make_synchronous(state_dir, primary_port)
        password = open(os.path.join(state_dir, "db_password")).read().strip()
        url = (f"postgresql://movies:{password}@127.0.0.1:{primary_port},127.0.0.1:{standby_port}"
               "/movies?target_session_attrs=read-write")
        restart_workers(state_dir, url)
        yield {"dir": state_dir, "site": env["SITE_URL"].rstrip("/"), "primary_port": primary_port,
               "standby": standby, "standby_port": standby_port, "password": password}
    finally:
        if standby:
            subprocess.run(["runuser", "-u", "postgres", "--", pg_bin("pg_ctl"), "-D", standby,
                            "-m", "immediate", "stop"], capture_output=True, timeout=60)
        subprocess.run([os.path.join(ROOT, "deploy", "stack.sh"), "stop"],
                       env=dict(os.environ, STATE_DIR=state_dir), capture_output=True, timeout=120)
        shutil.rmtree(state_dir, ignore_errors=True)


def writer(add, ids, log, stop):
    """Adds movie after movie until stopped: (movie, acknowledged, seconds taken, finished at)."""
    for movie in ids:
        if stop.is_set():
            return
        try:
            ok, took = timed(add, movie)
        except requests.RequestException:
            ok, took = False, 0.0
        log.append((movie, ok, took, time.monotonic()))


def test_failover_keeps_every_acknowledged_write_and_writes_again(failover_stack):
    fs = failover_stack
    site = fs["site"]
    config = dict(line.strip().split("=", 1) for line in open(os.path.join(fs["dir"], "effective-config.txt"))
                  if "=" in line)
    # A request's longest honest wait: a statement's deadline, a connect, TMDb, scheduling.
    bound = (int(config["DB_STATEMENT_TIMEOUT_MS"]) + 500 + 2 * int(config["DB_CONNECT_TIMEOUT_MS"]) +
             2 * int(config["TMDB_TIMEOUT_MS"])) / 1000 + 2
    b = Browser(site)
    name, password = "fo_" + uuid.uuid4().hex[:10], "Pw-" + uuid.uuid4().hex
    assert b.register(name, password).status_code == 303
    assert b.login(name, password).status_code == 303
    token = b.token("/favorites")
    api = ApiUser(site)
    base = random.randint(1_100_000, 1_800_000)      # movies the stand-in makes up, unique here

    def site_add(movie):
        lst = "favorites" if movie % 2 else "watchlist"
        r = b.post(f"/{lst}/{movie}", {"next": f"/{lst}"}, token=token, timeout=60)
        return r.status_code == 303 and r.headers.get("Location", "").endswith(f"/{lst}")

    def api_add(movie):
        return api.add(movie).status_code == 201

    logs = {"site": [], "api": []}
    stop = threading.Event()
    threads = [threading.Thread(target=writer, args=(site_add, range(base, base + 5000), logs["site"], stop)),
               threading.Thread(target=writer, args=(api_add, range(base + 5000, base + 10000), logs["api"], stop))]
    for t in threads:
        t.start()
    try:
        time.sleep(2)
        as_pg([pg_bin("pg_ctl"), "-D", os.path.join(fs["dir"], "pg"), "-m", "immediate", "stop"])
        stopped_at = time.monotonic()
        time.sleep(0.5)
        as_pg([pg_bin("pg_ctl"), "-D", fs["standby"], "-w", "-t", "60", "promote"])
        promoted_at = time.monotonic()
        # Writes again, through both, without a restart.
        until(lambda: any(ok and at > promoted_at for _, ok, _, at in logs["site"]) and
              any(ok and at > promoted_at for _, ok, _, at in logs["api"]), 30, "no write after the promotion")
        first_ok = min(at for log in logs.values() for _, ok, _, at in log if ok and at > promoted_at)
        time.sleep(1)
    finally:
        stop.set()
        for t in threads:
            t.join(120)
    everything = logs["site"] + logs["api"]
    print(f"failover: {len(everything)} writes ({sum(ok for _, ok, _, _ in everything)} acknowledged); "
          f"primary stopped, standby promoted {promoted_at - stopped_at:.2f} s later; first write "
          f"acknowledged {first_ok - promoted_at:.2f} s after the promotion; slowest request "
          f"{max(took for _, _, took, _ in everything):.2f} s (bound {bound:.1f} s)")
    assert first_ok - promoted_at < 15
    assert max(took for _, _, took, _ in everything) < bound
    assert sum(1 for _, ok, _, at in everything if ok and at < stopped_at) > 5
    conn = psycopg2.connect(host="127.0.0.1", port=fs["standby_port"], dbname="movies", user="movies",
                            password=fs["password"])
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_is_in_recovery()")
            assert cur.fetchone()[0] is False
            cur.execute("SELECT movie_id FROM users_favoritemovie WHERE movie_id BETWEEN %s AND %s "
                        "UNION ALL SELECT movie_id FROM users_watchlistmovie WHERE movie_id BETWEEN %s AND %s",
                        (base, base + 10000, base, base + 10000))
            kept = {row[0] for row in cur.fetchall()}
    finally:
        conn.close()
    lost = sorted(m for m, ok, _, _ in everything if ok and m not in kept)
    assert not lost, f"acknowledged writes missing on the new primary: {lost[:20]}"
