"""mail_support.py: the mails the site sent, as the tests read them.

Until the mailer runs in the stack, a mail is its row in the outbox (movies_outbox, 0007),
written by the same statement as the change it goes with. latest_mail is the one place that
knows where mail is: point it at the mailer's files when the two meet.
"""
import os
import re

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


def latest_mail(to_addr):
    """The newest mail to to_addr as {"id", "to", "subject", "text", "html"}, or None."""
    rows = _query("SELECT id, to_addr, subject, body_text, body_html FROM movies_outbox "
                  "WHERE to_addr = %s ORDER BY id DESC LIMIT 1", (to_addr,))
    if not rows:
        return None
    return dict(zip(("id", "to", "subject", "text", "html"), rows[0]))


def mail_count(to_addr):
    """How many mails were sent to to_addr."""
    return _query("SELECT count(*) FROM movies_outbox WHERE to_addr = %s", (to_addr,))[0][0]


def link_in(mail, path):
    """The first absolute link to path (e.g. "/account/email/confirm") in the mail's text, or None."""
    m = re.search(r"https?://[^/\s]+(%s[^\s]*)" % re.escape(path), mail["text"])
    return m and m.group(1)
