"""mail_support.py: the mails the site sent, as the tests read them: as delivered by the mailer to the stack's SMTP server (STATE_DIR/mail/*.eml).

A mail is first its row in the outbox (movies_outbox, 0007), written by the same statement as
the change it goes with; the mailer then sends it, with a Message-ID made of the row's id.
latest_mail finds the newest row for an address and waits for that very message to arrive.
"""
import email
import email.policy
import glob
import os
import re
import time

import psycopg2


def _query(sql, params):
    conn = psycopg2.connect(os.environ["DATABASE_URL"])
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()
    finally:
        conn.close()


def _delivered(row_id):
    """The message of outbox row row_id as the SMTP server kept it, or None (not yet there)."""
    prefix = "<outbox.%d." % row_id
    for path in glob.glob(os.path.join(os.environ["STATE_DIR"], "mail", "*.eml")):
        with open(path, "rb") as f:
            m = email.message_from_binary_file(f, policy=email.policy.default)
        if (m["Message-ID"] or "").startswith(prefix):
            return m
    return None


def latest_mail(to_addr, timeout=30):
    """The newest mail to to_addr, as delivered: {"id", "to", "subject", "text", "html"}, or None if none was queued."""
    rows = _query("SELECT id FROM movies_outbox WHERE to_addr = %s ORDER BY id DESC LIMIT 1", (to_addr,))
    if not rows:
        return None
    deadline = time.monotonic() + timeout
    while (m := _delivered(rows[0][0])) is None:
        assert time.monotonic() < deadline, f"outbox row {rows[0][0]} to {to_addr} was not delivered in {timeout} s"
        time.sleep(0.1)
    return {"id": rows[0][0], "to": m["To"], "subject": str(m["Subject"]),
            "text": m.get_body(("plain",)).get_content(), "html": m.get_body(("html",)).get_content()}


def mail_count(to_addr):
    """How many mails were queued to to_addr (the outbox: a mail not yet delivered counts too)."""
    return _query("SELECT count(*) FROM movies_outbox WHERE to_addr = %s", (to_addr,))[0][0]


def link_in(mail, path):
    """The first absolute link to path (e.g. "/account/email/confirm") in the mail's text, or None."""
    m = re.search(r"https?://[^/\s]+(%s[^\s]*)" % re.escape(path), mail["text"])
    return m and m.group(1)
