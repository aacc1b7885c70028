-- 0011: deleting an account as Django's user.delete() does also deletes the user's entries in
-- Django's admin log (django_admin_log.user_id is a CASCADE foreign key). That table exists
-- only where Django's admin was migrated, and a statement naming an absent table cannot even
-- be prepared: this function is the one place that looks it up, when it runs.
-- SECURITY DEFINER as 0003's trigger: the workers' role needs no rights on Django's admin table.
CREATE OR REPLACE FUNCTION movies_forget_admin_log(uid integer) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    n bigint := 0;
BEGIN
    IF to_regclass('django_admin_log') IS NOT NULL THEN
        EXECUTE 'DELETE FROM django_admin_log WHERE user_id = $1' USING uid;
        GET DIAGNOSTICS n = ROW_COUNT;
    END IF;
    RETURN n;
END
$$;
