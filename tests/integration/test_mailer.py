"""test_mailer.py: the mailer (fcgi/mailer.c) sends the outbox's rows through the stack's real SMTP
server (deploy/smtp-sink.py, which keeps each message as a file in STATE_DIR/mail/): MIME read back
with Python's email package, 4xx retried, 5xx given up, and exact books when the mailer is killed
and the SMTP server stopped mid-stream."""
import email
import email.policy
import email.utils
import glob
import os
import signal
import subprocess
import time
import uuid

import pytest
import requests

STATE = os.environ.get("STATE_DIR", "")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MAIL_DIR = os.path.join(STATE, "mail")
CONTROL = os.path.join(STATE, "mail-control")
DELAY = os.path.join(STATE, "mail-delay")


def insert(conn, to, subject="Hello", text="Hi\n", html="<p>Hi</p>"):
    """What a writer does: the four columns, nothing else."""
    with conn.cursor() as c:
        c.execute("INSERT INTO movies_outbox (to_addr, subject, body_text, body_html) "
                  "VALUES (%s, %s, %s, %s) RETURNING id", (to, subject, text, html))
        return c.fetchone()[0]


def row(conn, rid):
    with conn.cursor() as c:
        c.execute("SELECT status, attempts, last_error, sent_at FROM movies_outbox WHERE id = %s", (rid,))
        return c.fetchone()


def wait_for(what, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = what()
        if got:
            return got
        time.sleep(0.1)
    return what()


def mails():
    """Every kept message by Message-ID: a list of parsed messages each."""
    by_id = {}
    for path in glob.glob(os.path.join(MAIL_DIR, "*.eml")):
        with open(path, "rb") as f:
            m = email.message_from_binary_file(f, policy=email.policy.default)
        by_id.setdefault(m["Message-ID"], []).append(m)
    return by_id


def mails_of(rid):
    return [m for mid, ms in mails().items() if mid.startswith(f"<outbox.{rid}.") for m in ms]


def master_pid():
    with open(os.path.join(STATE, "run", "fcgi.pid")) as f:
        return int(f.read())


def mailer_pid():
    """The master's child whose fd 0 is /dev/null (the workers' is the FastCGI socket)."""
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master_pid())], capture_output=True,
                         text=True).stdout.split()
    for pid in out:
        try:
            if os.readlink(f"/proc/{pid}/fd/0") == "/dev/null":
                return int(pid)
        except OSError:
            pass
    return None


@pytest.fixture(autouse=True)
def clean_controls():
    for f in (CONTROL, DELAY):
        if os.path.exists(f):
            os.unlink(f)
    yield
    for f in (CONTROL, DELAY):
        if os.path.exists(f):
            os.unlink(f)


@pytest.mark.smoke
def test_an_idle_mailer_sleeps(conn, site_url):
    """With nothing due, the mailer waits for a NOTIFY or EMAIL_POLL_S: a few statements in 3 s, not thousands."""
    from test_site import statements
    with conn.cursor() as c:
        c.execute("SELECT count(*) FROM movies_outbox WHERE status IN ('queued', 'sending') "
                  "AND next_attempt_at <= now() + interval '5 seconds'")
        assert c.fetchone()[0] == 0, "rows are due: the mailer is busy, not idle"
    before = statements(site_url).get("outbox_claim", 0)
    time.sleep(3)
    claims = statements(site_url).get("outbox_claim", 0) - before
    assert claims <= 2, f"{claims} claims in 3 s with nothing due"


def test_a_row_is_sent_once_as_mime_that_decodes_to_the_original(conn):
    to = f"alice.{uuid.uuid4().hex[:8]}@example.com"
    subject = "Réinitialisation du mot de passe — ✓ " + "très long sujet " * 8
    text = "Bonjour Zoë,\n\nSuivez ce lien : https://example.com/reset/MQ/abc-123/\n" + "é" * 200 + "\n"
    html = "<p>Bonjour Zoë,</p>\n<p><a href=\"https://example.com/reset/MQ/abc-123/\">lien</a> = ok</p>\n"
    rid = insert(conn, to, subject, text, html)
    assert wait_for(lambda: row(conn, rid)[0] == "sent"), row(conn, rid)
    got = wait_for(lambda: mails_of(rid))
    assert len(got) == 1
    m = got[0]
    assert m["Subject"] == subject
    assert m["To"] == to
    assert m["X-Envelope-To"] == to
    assert m["MIME-Version"] == "1.0"
    assert m.get_content_type() == "multipart/alternative"
    assert email.utils.parsedate_to_datetime(m["Date"]).tzinfo is not None
    plain = m.get_body(("plain",))
    rich = m.get_body(("html",))
    assert plain.get_content() == text
    assert rich.get_content() == html
    assert plain["Content-Transfer-Encoding"] == "quoted-printable"
    # Every raw line within RFC 5322's 998 (the folded Subject within 78).
    raw = open(glob.glob(os.path.join(MAIL_DIR, "*.eml"))[0], "rb").read()
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    assert row(conn, rid)[1] == 1


def test_a_5xx_answer_gives_up_at_once(conn):
    rid = insert(conn, f"bounce.{uuid.uuid4().hex[:8]}@example.com")
    assert wait_for(lambda: row(conn, rid)[0] == "failed"), row(conn, rid)
    status, attempts, last_error, sent_at = row(conn, rid)
    assert attempts == 1 and sent_at is None
    assert "550" in last_error
    assert mails_of(rid) == []


def test_a_row_that_cannot_be_composed_fails_without_sending(conn):
    rid = insert(conn, "not an address")
    assert wait_for(lambda: row(conn, rid)[0] == "failed"), row(conn, rid)
    assert "composed" in row(conn, rid)[2]
    assert mails_of(rid) == []


def test_a_4xx_answer_is_retried_with_backoff_until_accepted(conn):
    with open(CONTROL, "w") as f:
        f.write("451")
    ids = [insert(conn, f"retry{i}.{uuid.uuid4().hex[:6]}@example.com") for i in range(3)]
    # Deferred, and tried again (EMAIL_RETRY_MIN_S=1 in the test stack: 1 s, then 2 s).
    assert wait_for(lambda: all(row(conn, i)[1] >= 2 for i in ids), 30), [row(conn, i) for i in ids]
    for i in ids:
        status, attempts, last_error, _ = row(conn, i)
        assert status in ("queued", "sending") and "451" in last_error
        assert mails_of(i) == []
    os.unlink(CONTROL)
    assert wait_for(lambda: all(row(conn, i)[0] == "sent" for i in ids), 30)
    for i in ids:
        assert len(mails_of(i)) == 1
        assert row(conn, i)[2] is None


def kill_smtp():
    with open(os.path.join(STATE, "run", "smtp.pid")) as f:
        pid = int(f.read())
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: not os.path.exists(f"/proc/{pid}") or
             open(f"/proc/{pid}/stat").read().split(") ")[1][0] == "Z", 10)


def start_smtp():
    subprocess.run([os.path.join(ROOT, "deploy", "stack.sh"), "start"], check=True,
                   capture_output=True, env=dict(os.environ))


def test_killing_the_mailer_and_the_smtp_server_mid_stream_loses_nothing(conn):
    with open(DELAY, "w") as f:
        f.write("100")
    ids = [insert(conn, f"books{i}.{uuid.uuid4().hex[:6]}@example.com") for i in range(30)]
    kills = 0
    for _ in range(3):
        # Mid-stream: some sent, some not.
        wait_for(lambda: sum(row(conn, i)[0] == "sent" for i in ids) >= 3 * (kills + 1), 30)
        pid = mailer_pid()
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        kills += 1
        assert wait_for(lambda: mailer_pid() not in (None, pid), 15), "the master respawns the mailer"
    wait_for(lambda: sum(row(conn, i)[0] == "sent" for i in ids) >= 15, 30)
    kill_smtp()
    kills += 1
    time.sleep(1.5)
    start_smtp()
    assert wait_for(lambda: all(row(conn, i)[0] == "sent" for i in ids), 60), \
        [row(conn, i) for i in ids if row(conn, i)[0] != "sent"]
    counts = {i: len(mails_of(i)) for i in ids}
    assert all(n >= 1 for n in counts.values()), "lost: %s" % [i for i, n in counts.items() if n == 0]
    # A copy twice only in the window between a 250 and its record (README, Operations: mail):
    # at most one per kill, and then with the same Message-ID.
    dups = sum(n - 1 for n in counts.values())
    assert dups <= kills, counts
    print(f"books: {len(ids)} rows, {len(ids) + dups} messages kept, {dups} duplicates after {kills} kills")


def test_metrics_count_the_mail(conn, site_url):
    rid = insert(conn, f"bounce.m{uuid.uuid4().hex[:6]}@example.com")
    assert wait_for(lambda: row(conn, rid)[0] == "failed")
    text = requests.get(site_url + "/metrics", timeout=10).text
    for name in ("movies_mail_sent_total", "movies_mail_failed_total", "movies_mail_deferred_total",
                 "movies_mail_queued", "movies_mail_oldest_unsent_age_seconds"):
        assert f"\n{name} " in text, name
    failed = [l for l in text.splitlines() if l.startswith("movies_mail_failed_total ")]
    assert float(failed[0].split()[1]) >= 1


def check_config(**env):
    program = os.path.join(os.environ.get("BUILD_DIR", os.path.join(ROOT, "build")), "movies-fcgi")
    return subprocess.run([program, "--check-config"], capture_output=True, text=True, timeout=30,
                          env=dict(os.environ, **env))


def test_email_settings_are_checked_and_the_password_redacted():
    both = check_config(EMAIL_USE_TLS="1", EMAIL_USE_SSL="1")
    assert both.returncode == 1 and "EMAIL_USE_TLS/EMAIL_USE_SSL are mutually exclusive" in both.stderr
    bad_from = check_config(DEFAULT_FROM_EMAIL="Site <not an address>")
    assert bad_from.returncode == 1 and "DEFAULT_FROM_EMAIL" in bad_from.stderr
    ok = check_config(EMAIL_HOST_PASSWORD="hunter2-smtp", EMAIL_HOST_USER="mailer",
                      DEFAULT_FROM_EMAIL="Movie Night <noreply@example.com>")
    assert ok.returncode == 0, ok.stderr
    assert "EMAIL_HOST_PASSWORD=<redacted>\n" in ok.stdout and "hunter2-smtp" not in ok.stdout
    assert "EMAIL_HOST_USER=mailer\n" in ok.stdout
    assert "DEFAULT_FROM_EMAIL=Movie Night <noreply@example.com>\n" in ok.stdout


@pytest.fixture(scope="module")
def secure_sinks(tmp_path_factory):
    """Two more SMTP servers on loopback: STARTTLS required, and TLS from the first byte; both
    require AUTH. Their certificate (for 127.0.0.1) is the CA the client is given."""
    work = tmp_path_factory.mktemp("smtp-tls")
    cert, key = str(work / "cert.pem"), str(work / "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-keyout", key,
                    "-out", cert, "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    sinks, procs = {}, []
    for mode in ("tls", "ssl"):
        import socket
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        mail = work / ("mail-" + mode)
        argv = ["/usr/bin/python3", os.path.join(ROOT, "deploy", "smtp-sink.py"), "--port", str(port),
                "--mail-dir", str(mail), "--tls-cert", cert, "--tls-key", key, "--auth", "mailer:s3cret"]
        procs.append(subprocess.Popen(argv + (["--implicit-tls"] if mode == "ssl" else []),
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        sinks[mode] = (port, mail)
    time.sleep(1.5)
    yield sinks, cert
    for p in procs:
        p.terminate()
        p.wait(10)


def smtptool(port, mode, user, password, cafile, to):
    tool = os.path.join(os.environ.get("BUILD_DIR", os.path.join(ROOT, "build")), "tools", "smtptool")
    return subprocess.run([tool, "127.0.0.1", str(port), mode, user, password, cafile, to],
                          capture_output=True, text=True, timeout=60)


def test_starttls_smtps_and_auth_against_a_real_server(secure_sinks):
    sinks, cert = secure_sinks
    for mode in ("tls", "ssl"):
        port, mail = sinks[mode]
        ok = smtptool(port, mode, "mailer", "s3cret", cert, f"{mode}@example.com")
        assert ok.returncode == 0 and ok.stdout.startswith("sent"), (mode, ok.stdout, ok.stderr)
        assert len(glob.glob(os.path.join(str(mail), "*.eml"))) == 1
        # A wrong password: kept for later (the configuration's fault), nothing delivered. (With
        # aiosmtpd the refused login ends in a timeout after its 334, not a 535: still transient.)
        bad = smtptool(port, mode, "mailer", "wrong", cert, f"{mode}@example.com")
        assert bad.returncode != 0 and bad.stdout.startswith("transient"), bad.stdout
        # A server whose certificate the client cannot verify is refused.
        untrusted = smtptool(port, mode, "mailer", "s3cret", "/etc/ssl/certs/ca-certificates.crt",
                             f"{mode}@example.com")
        assert untrusted.returncode != 0
        assert len(glob.glob(os.path.join(str(mail), "*.eml"))) == 1
    # STARTTLS is required by the client: a plain session to the STARTTLS server sends nothing
    # in the clear (the server refuses AUTH and MAIL before STARTTLS).
    plain = smtptool(sinks["tls"][0], "plain", "mailer", "s3cret", cert, "plain@example.com")
    assert plain.returncode != 0
    assert len(glob.glob(os.path.join(str(sinks["tls"][1]), "*.eml"))) == 1
