-- 0008: what the mailer needs besides 0007's columns: who holds a row it is sending (so a
-- respawned mailer takes its own unfinished rows back at once, while another machine's mailer
-- waits for the lease in next_attempt_at to run out), and a NOTIFY on every insert, so the
-- mailer wakes at once whoever wrote the row (writers keep inserting the four columns only).
ALTER TABLE movies_outbox ADD COLUMN IF NOT EXISTS claimed_by text;

CREATE OR REPLACE FUNCTION movies_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('movies_outbox', '');
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS movies_outbox_notify ON movies_outbox;
CREATE TRIGGER movies_outbox_notify AFTER INSERT ON movies_outbox
    FOR EACH STATEMENT EXECUTE FUNCTION movies_outbox_notify();
