-- 0007: the outbox: every email the site sends is first a row here, written by the same
-- statement (so the same transaction) as the change it goes with; the mailer process sends it.
-- A table of this backend's own, like movies_password_change: no foreign key to auth_user, so
-- a user deleted by Django (or here) still gets the mail that confirms it.
-- Writers insert to_addr, subject, body_text and body_html only; the mailer owns the rest:
-- it composes the MIME message (Date, Message-ID from the row's id) when it sends.
CREATE TABLE IF NOT EXISTS movies_outbox (
    id bigserial PRIMARY KEY,
    created_at timestamp with time zone NOT NULL DEFAULT now(),
    to_addr text NOT NULL CHECK (length(to_addr) BETWEEN 3 AND 254 AND to_addr !~ '[\r\n]'),
    subject text NOT NULL CHECK (length(subject) <= 998 AND subject !~ '[\r\n]'),
    body_text text NOT NULL,
    body_html text NOT NULL,
    -- queued: waiting (next_attempt_at says when); sending: handed to the SMTP server, outcome
    -- not yet recorded; sent: the server acknowledged it; failed: a permanent (5xx) refusal or
    -- too many attempts.
    status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamp with time zone NOT NULL DEFAULT now(),
    sent_at timestamp with time zone,
    last_error text
);

-- The mailer's next batch, and the metrics' "oldest unsent", read only the unsent rows.
CREATE INDEX IF NOT EXISTS movies_outbox_unsent ON movies_outbox (next_attempt_at)
    WHERE status IN ('queued', 'sending');
