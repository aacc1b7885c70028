"""test_lifecycle.py: a second start starts nothing twice, and stop leaves no process of the stack."""
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def stack(cmd, state_dir):
    env = {k: v for k, v in os.environ.items()
           if k not in ("SITE_URL", "DATABASE_URL", "REDIS_URL", "TMDB_BASE_URL", "SECRET_KEY", "TMDB_API_KEY")}
    env.update(STATE_DIR=state_dir, SITE_PORT="auto", PG_PORT="auto", REDIS_PORT="auto",
               TMDB_STANDIN_PORT="auto", STACK_FAST="1", WORKERS="2")
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
        second = stack("start", state)
        assert second.returncode == 0, second.stdout + second.stderr
        assert "creating the PostgreSQL cluster" not in second.stdout
        assert {name: open(os.path.join(state, "run", name + ".pid")).read() for name in pids} == pids
    finally:
        stop = stack("stop", state)
    assert stop.returncode == 0
    leftovers = [p for p in every_pid if alive(p)]
    assert leftovers == [], leftovers
