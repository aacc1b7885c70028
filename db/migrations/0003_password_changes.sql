-- 0003: when each user's password last changed, so API tokens issued before it are refused.
-- A table of this backend's own (Django ignores tables it did not make; no foreign key, so
-- Django's flush and user deletion never trip over it), filled by a trigger on auth_user:
-- a change made by Django beside this backend (admin, changepassword, password reset) counts
-- as much as one made here. The trigger is invisible to Django's models and migrations.
CREATE TABLE IF NOT EXISTS movies_password_change (
    user_id integer NOT NULL PRIMARY KEY,
    changed_at timestamp with time zone NOT NULL
);

-- SECURITY DEFINER: a Django that connects as another role needs no rights on this table.
-- A login re-hash (same password, new parameters) marks itself with movies.password_rehash
-- and is no change: it must not log the user's other clients out.
CREATE OR REPLACE FUNCTION movies_record_password_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    IF coalesce(current_setting('movies.password_rehash', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    INSERT INTO movies_password_change (user_id, changed_at) VALUES (NEW.id, clock_timestamp())
    ON CONFLICT (user_id) DO UPDATE SET changed_at = EXCLUDED.changed_at;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS movies_password_change ON auth_user;
CREATE TRIGGER movies_password_change AFTER UPDATE OF password ON auth_user
    FOR EACH ROW WHEN (OLD.password IS DISTINCT FROM NEW.password)
    EXECUTE FUNCTION movies_record_password_change();
