#!/usr/bin/env bash
# migrate.sh: applies db/migrations/*.sql in order, each once, each in one transaction.
# Usage: DATABASE_URL=postgresql://... db/migrate.sh
# Applied files are recorded in movies_schema_migrations (never in Django's django_migrations).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${DATABASE_URL:?DATABASE_URL must be set (a libpq URI)}"
# No session state (startup options, SET, session locks): PgBouncer's transaction pooling
# gives each transaction any server connection, and refuses the "options" startup parameter.
psql_q() { psql "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 "$@"; }

# Under the lock: concurrent CREATE TABLE IF NOT EXISTS can fail on the catalog's unique index.
psql_q <<'SQL'
BEGIN;
SET LOCAL client_min_messages = warning;
SELECT pg_advisory_xact_lock(4242424242) \gset
CREATE TABLE IF NOT EXISTS movies_schema_migrations (
    name text PRIMARY KEY,
    checksum text NOT NULL,
    applied_at timestamp with time zone NOT NULL DEFAULT now()
);
COMMIT;
SQL

applied=$(psql_q -At -c "SELECT name || ' ' || checksum FROM movies_schema_migrations")
count=0
for file in "$here"/migrations/[0-9]*.sql; do
	name=$(basename "$file")
	sum=$(sha256sum "$file" | cut -c1-64)
	recorded=$(printf '%s\n' "$applied" | awk -v n="$name" '$1 == n { print $2 }')
	if [ -n "$recorded" ]; then
		[ "$recorded" = "$sum" ] || echo "migrate: warning: $name changed after it was applied" >&2
		continue
	fi
	# One transaction; under the lock, a file another runner applied meanwhile is skipped.
	# \i reads it by its plain name (no spaces), from the migrations directory.
	result=$(cd "$here/migrations" && psql_q -At -v name="$name" -v sum="$sum" <<'SQL'
BEGIN;
SET LOCAL client_min_messages = warning;
SELECT pg_advisory_xact_lock(4242424242) \gset
SELECT EXISTS (SELECT 1 FROM movies_schema_migrations WHERE name = :'name') AS done \gset
\if :done
\echo skipped
\else
\o /dev/null
\i :name
INSERT INTO movies_schema_migrations (name, checksum) VALUES (:'name', :'sum');
\o
\echo applied
\endif
COMMIT;
SQL
)
	[ "$result" = applied ] || continue
	echo "migrate: applied $name"
	count=$((count + 1))
done
[ "$count" -gt 0 ] || echo "migrate: up to date"
