"""stack_control.py: stops, pauses and restarts the private stack's own PostgreSQL and Redis (never anyone else's)."""
# Every process is found through the stack's own pid files under STATE_DIR, so a test can
# only touch the servers deploy/stack.sh started for it.

import os
import signal
import subprocess
import time


def state_dir():
    return os.environ["STATE_DIR"]


def _as_user(user, cmd):
    return ["runuser", "-u", user, "--"] + cmd if os.geteuid() == 0 else cmd


def postgres_pids():
    """The stack's postmaster and all its children (backends, checkpointer...)."""
    with open(os.path.join(state_dir(), "pg", "postmaster.pid")) as f:
        master = int(f.readline().strip())
    kids = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True,
                          text=True).stdout.split()
    return [master] + [int(k) for k in kids]


def pause_postgres():
    """SIGSTOPs the stack's PostgreSQL (a hung host, as a client sees it); returns the pids."""
    pids = postgres_pids()
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    return pids


def resume_postgres(pids):
    for pid in pids:
        try:
            os.kill(pid, signal.SIGCONT)
        except ProcessLookupError:
            pass


def restart_postgres():
    """pg_ctl restart -m fast of the stack's cluster (its port is kept in postmaster.opts)."""
    bindir = sorted(d for d in os.listdir("/usr/lib/postgresql"))[-1]
    pg_ctl = f"/usr/lib/postgresql/{bindir}/bin/pg_ctl"
    subprocess.run(_as_user("postgres", [pg_ctl, "-D", os.path.join(state_dir(), "pg"), "-m", "fast",
                                         "-w", "-t", "60", "restart"]),
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=90)


def redis_pidfile():
    return os.path.join(state_dir(), "redis", "redis.pid")


def redis_pid():
    with open(redis_pidfile()) as f:
        return int(f.read().strip())


def process_gone(pid):
    """The process has exited: no such pid, or a zombie nobody reaped yet (a container's PID 1
    may not reap orphans such as a daemonized Redis)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(") ", 1)[1][0] == "Z"
    except (FileNotFoundError, ProcessLookupError):
        return True


def stop_redis():
    pid = redis_pid()
    os.kill(pid, signal.SIGTERM)
    for _ in range(100):
        if process_gone(pid):
            return
        time.sleep(0.1)
    raise AssertionError("Redis did not stop")


def start_redis():
    """Starts Redis again exactly as deploy/stack.sh does; returns its port once it answers."""
    state = state_dir()
    port = os.environ["REDIS_URL"].rsplit(":", 1)[1].split("/")[0]
    cmd = ["redis-server", "--bind", "127.0.0.1", "--port", port, "--dir", f"{state}/redis",
           "--save", "", "--appendonly", "no", "--daemonize", "yes",
           "--pidfile", redis_pidfile(), "--logfile", f"{state}/log/redis.log"]
    subprocess.run(_as_user("redis", cmd), check=True, stdout=subprocess.DEVNULL, timeout=30)
    for _ in range(100):
        r = subprocess.run(["redis-cli", "-p", port, "ping"], capture_output=True, text=True)
        if r.stdout.strip() == "PONG":
            return port
        time.sleep(0.1)
    raise AssertionError("Redis did not come back")


def setting(name, default):
    """The workers' value as --check-config printed it at start, else the default."""
    try:
        with open(os.path.join(state_dir(), "effective-config.txt")) as f:
            for line in f:
                if line.startswith(name + "="):
                    return int(line.split("=", 1)[1])
    except OSError:
        pass
    return int(os.environ.get(name, default))
