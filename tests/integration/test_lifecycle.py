"""test_lifecycle.py: a second start starts nothing twice, and stop leaves no process of the stack."""
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def stack(cmd, state_dir, **extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("SITE_URL", "DATABASE_URL", "REDIS_URL", "TMDB_BASE_URL", "SECRET_KEY", "TMDB_API_KEY")}
    env.update(STATE_DIR=state_dir, SITE_PORT="auto", PG_PORT="auto", REDIS_PORT="auto",
               TMDB_STANDIN_PORT="auto", SMTP_PORT="auto", STACK_FAST="1", WORKERS="2", PAGE_CACHE="1")
    env.update(extra)
    return subprocess.run([os.path.join(ROOT, "deploy", "stack.sh"), cmd], env=env,
                          capture_output=True, text=True, timeout=180)


def children(pid):
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def stack_pids(state_dir):
    """The pid of every server of the stack and of each server's children."""
    files = [os.path.join(state_dir, "run", n + ".pid") for n in ("fcgi", "nginx", "tmdb-standin")]
    files.append(os.path.join(state_dir, "redis", "redis.pid"))
    pids = [int(open(f).read().split()[0]) for f in files]
    pids.append(int(open(os.path.join(state_dir, "pg", "postmaster.pid")).readline()))
    return pids + [c for p in list(pids) for c in children(p)]


def alive(pid):
    try:
        return open(f"/proc/{pid}/stat").read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


def check_page_cache(site):
    """make start's default: nginx keeps anonymous public pages, never a logged-in visitor's."""
    import requests
    first = requests.get(site + "movie/550")
    again = requests.get(site + "movie/550")
    assert first.status_code == again.status_code == 200
    assert first.headers["X-Page-Cache"] in ("MISS", "EXPIRED")
    assert again.headers["X-Page-Cache"] == "HIT"
    assert again.text == first.text
    # A session cookie or a token always reaches a worker.
    with_session = requests.get(site + "movie/550", cookies={"sessionid": "x" * 32})
    assert with_session.headers["X-Page-Cache"] == "BYPASS"
    with_token = requests.get(site + "api/v1/movies/550/", headers={"Authorization": "Bearer x"})
    assert with_token.headers["X-Page-Cache"] == "BYPASS"
    # Pages that are not public (a form with a CSRF cookie) are never stored.
    requests.get(site + "login")
    assert requests.get(site + "login").headers["X-Page-Cache"] != "HIT"
    # The API's public answers vary by Origin (CORS): a copy stored for an allowed origin is
    # never served to another, and the other way round.
    url, allowed = site + "api/v1/movies/trending/", {"Origin": "http://localhost:3000"}
    first = requests.get(url, headers=allowed)
    assert first.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    plain = requests.get(url)
    assert "Access-Control-Allow-Origin" not in plain.headers and plain.headers["X-Page-Cache"] != "HIT"
    again = requests.get(url, headers=allowed)
    assert again.headers["X-Page-Cache"] == "HIT"
    assert again.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert "Access-Control-Allow-Origin" not in requests.get(url, headers={"Origin": "http://evil.example"}).headers


def test_start_twice_then_stop(tmp_path):
    state = str(tmp_path / "stack")
    first = stack("start", state)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "the site is up at http://127.0.0.1:" in first.stdout
    assert "moviebuff / movienight-demo" in first.stdout
    pids = {name: open(os.path.join(state, "run", name + ".pid")).read() for name in ("fcgi", "nginx")}
    every_pid = stack_pids(state)
    assert len(every_pid) >= 5 + 2  # five servers, two workers at least
    try:
        site = [line for line in first.stdout.splitlines() if "the site is up at" in line][0].split()[-1]
        check_page_cache(site)
        second = stack("start", state)
        assert second.returncode == 0, second.stdout + second.stderr
        assert "creating the PostgreSQL cluster" not in second.stdout
        assert {name: open(os.path.join(state, "run", name + ".pid")).read() for name in pids} == pids
    finally:
        stop = stack("stop", state)
    assert stop.returncode == 0
    leftovers = [p for p in every_pid if alive(p)]
    assert leftovers == [], leftovers

    # The user's setting wins over the previous start's: here, another TMDb than the stand-in.
    other = stack("start", state, TMDB_BASE_URL="http://127.0.0.1:9/3", TMDB_API_KEY="k" * 32)
    try:
        assert other.returncode == 0, other.stdout + other.stderr
        assert "using TMDb at http://127.0.0.1:9/3" in other.stdout
        config = open(os.path.join(state, "effective-config.txt")).read()
        assert "TMDB_BASE_URL=http://127.0.0.1:9/3\n" in config
        assert not os.path.exists(os.path.join(state, "run", "tmdb-standin.pid"))
    finally:
        assert stack("stop", state).returncode == 0


def test_run_follows_the_logs_and_ctrl_c_stops_everything(tmp_path):
    import signal
    import time
    state = str(tmp_path / "run")
    env = {k: v for k, v in os.environ.items()
           if k not in ("SITE_URL", "DATABASE_URL", "REDIS_URL", "TMDB_BASE_URL", "SECRET_KEY", "TMDB_API_KEY")}
    env.update(STATE_DIR=state, SITE_PORT="auto", PG_PORT="auto", REDIS_PORT="auto",
               TMDB_STANDIN_PORT="auto", SMTP_PORT="auto", STACK_FAST="1", WORKERS="2")
    log = tmp_path / "run.log"
    # As a terminal would: its own process group, Ctrl-C (SIGINT) delivered to the whole group.
    p = subprocess.Popen([os.path.join(ROOT, "deploy", "stack.sh"), "run"], env=env, start_new_session=True,
                         stdout=open(log, "w"), stderr=subprocess.STDOUT,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        for _ in range(600):
            if "press Ctrl-C" in log.read_text():
                break
            time.sleep(0.2)
        assert "press Ctrl-C" in log.read_text()
        every_pid = stack_pids(state)
        site = [line for line in log.read_text().splitlines() if "the site is up at" in line][0].split()[-1]
        import requests
        assert requests.get(site + "healthz").status_code == 200
        # The request shows up in the followed logs.
        for _ in range(50):
            if "GET /healthz 200" in log.read_text():
                break
            time.sleep(0.1)
        assert "GET /healthz 200" in log.read_text()
    finally:
        os.killpg(p.pid, signal.SIGINT)
        p.wait(timeout=60)
    assert "stack: stopped" in log.read_text()
    time.sleep(0.5)
    assert [pid for pid in every_pid if alive(pid)] == []
    out = subprocess.run(["pgrep", "-f", state], capture_output=True, text=True).stdout.split()
    assert out == []
