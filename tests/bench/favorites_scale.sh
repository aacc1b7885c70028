#!/usr/bin/env bash
# favorites_scale.sh: the favorites queries on 1 million users and 20 million favorites: EXPLAIN (ANALYZE, BUFFERS).
#
# Starts a private stack (its own PostgreSQL, STACK_FAST=1) under tests/output/bench-scale, fills it
# with generate_series (once: a later run reuses the data while the directory stays), then prints the
# plans and times of the real statements of common/db.c (build/tools/sqltool prints their SQL),
# prepared as the workers prepare them: page 1 and page 50 of the favorites list (fav_list), the
# favorite state (fav_exists) and the count (fav_count).
# Knobs: SCALE_USERS (1000000), SCALE_PER_USER (20), SCALE_HEAVY (10 users with 2000 favorites each,
# so page 50 exists), SCALE_KEEP=1 leaves the stack running, SCALE_FRESH=1 regenerates the data.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
export STATE_DIR=${SCALE_STATE_DIR:-$ROOT/tests/output/bench-scale}
export BUILD_DIR=${BUILD_DIR:-$ROOT/build}
USERS=${SCALE_USERS:-1000000}
PER_USER=${SCALE_PER_USER:-20}
HEAVY=${SCALE_HEAVY:-10}
HEAVY_FAVS=2000
SQLTOOL=$BUILD_DIR/tools/sqltool

say() { printf 'scale: %s\n' "$*"; }
[ -x "$SQLTOOL" ] || { echo "scale: $SQLTOOL is not built (make all)" >&2; exit 1; }

[ "${SCALE_FRESH:-0}" = 1 ] && { deploy/stack.sh stop >/dev/null 2>&1 || true; rm -rf "$STATE_DIR"; }
if [ -f "$STATE_DIR/stack.env" ]; then deploy/stack.sh stop >/dev/null 2>&1 || true; fi
mkdir -p "$STATE_DIR"
export SITE_PORT=auto PG_PORT=auto REDIS_PORT=auto TMDB_STANDIN_PORT=auto SMTP_PORT=auto STACK_FAST=1 WORKERS=1
unset DATABASE_URL REDIS_URL TMDB_BASE_URL
[ "${SCALE_KEEP:-0}" = 1 ] || trap 'deploy/stack.sh stop >/dev/null 2>&1' EXIT
deploy/stack.sh start >/dev/null
set -a; . "$STATE_DIR/stack.env"; set +a
# Migrations go first (stack.sh start applies them), so a new index is in the plans below.
DB=${DATABASE_DIRECT_URL:-$DATABASE_URL}
psql() { command psql "$DB" -X -q -v ON_ERROR_STOP=1 "$@"; }

have=$(psql -At -c "SELECT count(*) FROM auth_user WHERE username LIKE 'scale\_%'")
if [ "$have" -lt "$USERS" ]; then
	say "generating $USERS users and about $((USERS * PER_USER / 1000000)) million favorites (takes minutes)"
	start=$(date +%s)
	# Rows in key order, so every index grows at its right edge.
	psql <<SQL
SET synchronous_commit = off;
SET maintenance_work_mem = '256MB';
DELETE FROM users_favoritemovie WHERE user_id IN (SELECT id FROM auth_user WHERE username LIKE 'scale\_%');
DELETE FROM auth_user WHERE username LIKE 'scale\_%';
INSERT INTO auth_user (password, last_login, is_superuser, username, first_name, last_name, email,
                       is_staff, is_active, date_joined)
SELECT '!unusable', NULL, false, 'scale_' || g, '', '', '', false, true, now()
FROM generate_series(1, $USERS) g;
CREATE TEMP TABLE scale_ids AS
SELECT id, row_number() OVER (ORDER BY id) AS n FROM auth_user WHERE username LIKE 'scale\_%';
-- The first HEAVY users have $HEAVY_FAVS favorites (page 50 of 20 exists), the others $PER_USER,
-- one a minute going back, distinct films.
INSERT INTO users_favoritemovie (user_id, movie_id, created_at)
SELECT s.id, 1000 + k, now() - k * interval '1 minute'
FROM scale_ids s, generate_series(1, CASE WHEN s.n <= $HEAVY THEN $HEAVY_FAVS ELSE $PER_USER END) k
ORDER BY s.id, k;
ANALYZE auth_user;
ANALYZE users_favoritemovie;
SQL
	say "generated in $(( $(date +%s) - start )) s"
fi
psql -At -c "SELECT 'users ' || (SELECT count(*) FROM auth_user) || ', favorites ' || (SELECT count(*) FROM users_favoritemovie) || ', orphans ' || (SELECT count(*) FROM users_favoritemovie f WHERE NOT EXISTS (SELECT 1 FROM auth_user u WHERE u.id = f.user_id)) || ', database ' || pg_size_pretty(pg_database_size(current_database()))"
HEAVY_ID=$(psql -At -c "SELECT id FROM auth_user WHERE username = 'scale_1'")
TYPICAL_ID=$(psql -At -c "SELECT id FROM auth_user WHERE username = 'scale_$((USERS / 2))'")
say "indexes on users_favoritemovie:"
psql -At -c "SELECT '  ' || indexdef FROM pg_indexes WHERE tablename = 'users_favoritemovie' ORDER BY indexname"

# explain NAME STATEMENT ARGS...: the statement prepared as a worker prepares it, run once to
# warm the cache, then EXPLAIN (ANALYZE, BUFFERS) of EXECUTE, then the mean of 200 EXECUTEs.
explain() {
	local title=$1 stmt=$2 args=$3
	echo
	echo "== $title: EXECUTE $stmt($args) =="
	"$SQLTOOL" "$stmt" | sed 's/^/   /'
	psql <<SQL
PREPARE $stmt AS $("$SQLTOOL" "$stmt");
EXECUTE $stmt($args);
\\o /dev/null
EXECUTE $stmt($args);
\\o
EXPLAIN (ANALYZE, BUFFERS) EXECUTE $stmt($args);
DO \$\$
DECLARE t0 timestamptz; n int := 200;
BEGIN
    t0 := clock_timestamp();
    FOR i IN 1..n LOOP EXECUTE 'EXECUTE $stmt($args)'; END LOOP;
    RAISE NOTICE 'mean of % executions: % ms', n,
        round((extract(epoch FROM clock_timestamp() - t0) * 1000 / n)::numeric, 4);
END \$\$;
SQL
}
explain "favorites page 1 of a user with $HEAVY_FAVS" fav_list "$HEAVY_ID, 20, 0"
explain "favorites page 50 of a user with $HEAVY_FAVS" fav_list "$HEAVY_ID, 20, 980"
explain "favorites page 1 of a typical user ($PER_USER)" fav_list "$TYPICAL_ID, 20, 0"
explain "favorite state (movie page)" fav_exists "$HEAVY_ID, 1500"
[ "${SCALE_KEEP:-0}" = 1 ] && say "SCALE_KEEP=1: stop it with STATE_DIR=$STATE_DIR deploy/stack.sh stop"
exit 0
