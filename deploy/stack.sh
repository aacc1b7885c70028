#!/usr/bin/env bash
# stack.sh: starts, stops and follows the local stack (PostgreSQL, Redis, TMDb stand-in, FastCGI
# workers and their mailer, an SMTP sink, nginx) under one private state directory, on loopback only.
# Usage: deploy/stack.sh start|stop|run|status|migrate|check-config
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
STATE_DIR=${STATE_DIR:-$ROOT/var}
mkdir -p "$STATE_DIR"
STATE_DIR=$(cd "$STATE_DIR" && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
RUN=$STATE_DIR/run
LOG=$STATE_DIR/log
ENV_FILE=$STATE_DIR/stack.env
DEMO_USER=moviebuff
DEMO_PASSWORD=${DEMO_PASSWORD:-movienight-demo}

say() { printf 'stack: %s\n' "$*"; }
fail() { printf 'stack: error: %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }
# Servers never run as root: PostgreSQL refuses to, and the others need no privilege.
as_user() { local u=$1; shift; if is_root; then runuser -u "$u" -- "$@"; else "$@"; fi; }
PG_USER=postgres; REDIS_USER=redis; FCGI_USER=nobody; FCGI_GROUP=nogroup; NGINX_USER=www-data
is_root || { PG_USER=$(id -un); REDIS_USER=$PG_USER; FCGI_USER=$PG_USER; }

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Waits up to 10 s for a URL to answer 2xx.
poll_url() {
	for _ in $(seq 100); do
		curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# A process that exists and is not a zombie: where PID 1 does not reap orphans (some
# containers), a killed server stays a zombie that kill -0 still finds.
alive() { kill -0 "$1" 2>/dev/null && [ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)" != Z ]; }
pid_alive() { [ -f "$1" ] && alive "$(cat "$1")"; }

# What the user set wins; otherwise the previous start's settings, so a second start or a
# stop finds the same servers.
USER_TMDB_BASE_URL=${TMDB_BASE_URL:-}
load_env() {
	local key value
	[ -f "$ENV_FILE" ] || return 0
	while IFS='=' read -r key value; do
		# A port given as "auto" takes the one chosen before.
		if [ -n "$key" ] && { [ -z "${!key+set}" ] || [ "${!key}" = auto ]; }; then
			export "$key=$value"
		fi
	done < "$ENV_FILE"
	return 0
}

choose_settings() {
	SITE_HOST=${SITE_HOST:-127.0.0.1}
	SITE_PORT=${SITE_PORT:-8080}
	PG_PORT=${PG_PORT:-5544}
	REDIS_PORT=${REDIS_PORT:-6380}
	TMDB_STANDIN_PORT=${TMDB_STANDIN_PORT:-8090}
	SMTP_PORT=${SMTP_PORT:-8025}
	WORKERS=${WORKERS:-4}
	PGBOUNCER=${PGBOUNCER:-0}
	PGBOUNCER_PORT=${PGBOUNCER_PORT:-6433}
	PGBOUNCER_POOL_MODE=${PGBOUNCER_POOL_MODE:-transaction}
	PGBOUNCER_POOL_SIZE=${PGBOUNCER_POOL_SIZE:-2}
	[ "$SITE_PORT" = auto ] && SITE_PORT=$(free_port)
	[ "$PG_PORT" = auto ] && PG_PORT=$(free_port)
	[ "$REDIS_PORT" = auto ] && REDIS_PORT=$(free_port)
	[ "$TMDB_STANDIN_PORT" = auto ] && TMDB_STANDIN_PORT=$(free_port)
	[ "$SMTP_PORT" = auto ] && SMTP_PORT=$(free_port)
	[ "$PGBOUNCER_PORT" = auto ] && PGBOUNCER_PORT=$(free_port)
	if [ -z "${SECRET_KEY:-}" ]; then
		[ -s "$STATE_DIR/secret_key" ] || (umask 077; head -c 48 /dev/urandom | base64 | tr -d '/+=\n' > "$STATE_DIR/secret_key")
		SECRET_KEY=$(cat "$STATE_DIR/secret_key")
	fi
	[ -s "$STATE_DIR/db_password" ] || (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$STATE_DIR/db_password")
	DB_PASSWORD=$(cat "$STATE_DIR/db_password")
	SITE_URL="http://$SITE_HOST:$SITE_PORT/"
	DATABASE_DIRECT_URL=postgresql://movies:$DB_PASSWORD@127.0.0.1:$PG_PORT/movies
	if [ "$PGBOUNCER" = 1 ]; then
		# Everything, migrations included, goes through PgBouncer, as in a deployment that has one.
		DATABASE_URL=${DATABASE_URL:-postgresql://movies:$DB_PASSWORD@127.0.0.1:$PGBOUNCER_PORT/movies}
		# Named prepared statements do not survive transaction or statement pooling.
		[ "$PGBOUNCER_POOL_MODE" = session ] || DB_PREPARED=${DB_PREPARED:-0}
	fi
	DATABASE_URL=${DATABASE_URL:-$DATABASE_DIRECT_URL}
	DB_PREPARED=${DB_PREPARED:-1}
	REDIS_URL=${REDIS_URL:-redis://127.0.0.1:$REDIS_PORT/0}
	# Pointing TMDB_BASE_URL at the real TMDb (with TMDB_API_KEY or TMDB_READ_TOKEN) skips the stand-in.
	if [ -n "$USER_TMDB_BASE_URL" ]; then
		TMDB_STANDIN=0
		TMDB_BASE_URL=$USER_TMDB_BASE_URL
	else
		TMDB_STANDIN=1
		TMDB_BASE_URL="http://127.0.0.1:$TMDB_STANDIN_PORT/3"
		TMDB_API_KEY=standin-api-key
		# A real token would only be refused by the stand-in.
		unset TMDB_READ_TOKEN
	fi
	TMDB_API_KEY=${TMDB_API_KEY:-}
	# Static URLs carry a digest of the assets, so browsers may cache them for ever.
	STATIC_VERSION=$("$ROOT/deploy/static-version.sh")
}

write_env() {
	umask 077
	cat > "$ENV_FILE" <<ENV
SITE_URL=$SITE_URL
SITE_HOST=$SITE_HOST
SITE_PORT=$SITE_PORT
DATABASE_URL=$DATABASE_URL
DATABASE_DIRECT_URL=$DATABASE_DIRECT_URL
DB_PREPARED=$DB_PREPARED
PGBOUNCER=$PGBOUNCER
PGBOUNCER_PORT=$PGBOUNCER_PORT
PGBOUNCER_POOL_MODE=$PGBOUNCER_POOL_MODE
PGBOUNCER_POOL_SIZE=$PGBOUNCER_POOL_SIZE
REDIS_URL=$REDIS_URL
TMDB_BASE_URL=$TMDB_BASE_URL
TMDB_API_KEY=$TMDB_API_KEY
TMDB_STANDIN=$TMDB_STANDIN
SECRET_KEY=$SECRET_KEY
PG_PORT=$PG_PORT
REDIS_PORT=$REDIS_PORT
TMDB_STANDIN_PORT=$TMDB_STANDIN_PORT
SMTP_PORT=$SMTP_PORT
WORKERS=$WORKERS
STATE_DIR=$STATE_DIR
BUILD_DIR=$BUILD_DIR
ENV
	umask 022
}

# Servers running as other users must be able to walk down to the state directory and the
# checkout; add search permission (x, not read) on any ancestor that lacks it.
ensure_traversable() {
	is_root || return 0
	local d
	for start in "$STATE_DIR" "$ROOT"; do
		d=$start
		while [ "$d" != / ]; do
			if [ -d "$d" ] && ! runuser -u nobody -- test -x "$d" 2>/dev/null; then
				chmod o+x "$d" && say "gave other users search permission on $d"
			fi
			d=$(dirname "$d")
		done
	done
}

prepare_dirs() {
	mkdir -p "$RUN" "$LOG" "$STATE_DIR/pg" "$STATE_DIR/redis" "$STATE_DIR/nginx" "$RUN/pg" "$STATE_DIR/pgbouncer"
	chmod 755 "$STATE_DIR" "$RUN" "$LOG"
	touch "$LOG/postgres.log" "$LOG/redis.log" "$LOG/fcgi.log" "$LOG/tmdb-standin.log" "$LOG/pgbouncer.log" "$LOG/smtp.log"
	mkdir -p "$STATE_DIR/mail"
	is_root && chown "$FCGI_USER" "$STATE_DIR/mail" "$LOG/smtp.log"
	if is_root; then
		chown "$PG_USER" "$STATE_DIR/pg" "$RUN/pg" "$LOG/postgres.log" "$STATE_DIR/pgbouncer" "$LOG/pgbouncer.log"
		chown "$REDIS_USER" "$STATE_DIR/redis" "$LOG/redis.log"
		for t in client_body fastcgi proxy uwsgi scgi; do mkdir -p "$STATE_DIR/nginx/$t"; done
		chown -R "$NGINX_USER" "$STATE_DIR/nginx"
	fi
	chmod 700 "$STATE_DIR/pg"
}

start_postgres() {
	local bin; bin=$(pg_bin)
	[ -n "$bin" ] || fail "PostgreSQL is not installed (run make deps)"
	if [ ! -f "$STATE_DIR/pg/PG_VERSION" ]; then
		say "creating the PostgreSQL cluster in $STATE_DIR/pg"
		as_user "$PG_USER" "$bin/initdb" -D "$STATE_DIR/pg" -U "$PG_USER" -E UTF8 --locale=C.UTF-8 \
			--auth-local=peer --auth-host=scram-sha-256 >/dev/null
		cat >> "$STATE_DIR/pg/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$RUN/pg'
max_connections = 200
CONF
		if [ "${STACK_FAST:-0}" = 1 ]; then
			# Throwaway test clusters: durability is not needed, speed is.
			printf 'fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n' >> "$STATE_DIR/pg/postgresql.conf"
		fi
	fi
	if as_user "$PG_USER" "$bin/pg_ctl" -D "$STATE_DIR/pg" status >/dev/null 2>&1; then
		return 0
	fi
	as_user "$PG_USER" "$bin/pg_ctl" -D "$STATE_DIR/pg" -l "$LOG/postgres.log" -w -t 60 \
		-o "-p $PG_PORT" start >/dev/null || fail "PostgreSQL did not start; see $LOG/postgres.log"
	# The application role and database, made once with the cluster's own superuser (peer auth).
	local psql_admin=(as_user "$PG_USER" "$bin/psql" -X -q -h "$RUN/pg" -p "$PG_PORT" -U "$PG_USER" -d postgres -v ON_ERROR_STOP=1)
	if [ "$("${psql_admin[@]}" -At -c "SELECT 1 FROM pg_roles WHERE rolname = 'movies'")" != 1 ]; then
		"${psql_admin[@]}" -c "CREATE ROLE movies LOGIN CREATEDB PASSWORD '$DB_PASSWORD'"
		"${psql_admin[@]}" -c "CREATE DATABASE movies OWNER movies"
	fi
}

# PgBouncer in front of PostgreSQL (PGBOUNCER=1), in PGBOUNCER_POOL_MODE with few server
# connections, so the workers' sessions really share them. Any database name passes through.
start_pgbouncer() {
	[ "$PGBOUNCER" = 1 ] || return 0
	pid_alive "$STATE_DIR/pgbouncer/pgbouncer.pid" && return 0
	command -v pgbouncer >/dev/null || fail "pgbouncer is not installed (run make deps)"
	(umask 077
	printf '"movies" "%s"\n' "$DB_PASSWORD" > "$STATE_DIR/pgbouncer/userlist.txt"
	cat > "$STATE_DIR/pgbouncer/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=$PG_PORT

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGBOUNCER_PORT
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $STATE_DIR/pgbouncer/userlist.txt
admin_users = movies
pool_mode = $PGBOUNCER_POOL_MODE
default_pool_size = $PGBOUNCER_POOL_SIZE
max_client_conn = 500
server_reset_query = DISCARD ALL
pidfile = $STATE_DIR/pgbouncer/pgbouncer.pid
logfile = $LOG/pgbouncer.log
INI
	)
	is_root && chown "$PG_USER" "$STATE_DIR/pgbouncer"/*
	# PgBouncer refuses to run as root; -d daemonizes after it listens.
	as_user "$PG_USER" pgbouncer -d -q "$STATE_DIR/pgbouncer/pgbouncer.ini" ||
		fail "PgBouncer did not start; see $LOG/pgbouncer.log"
	for _ in $(seq 50); do pid_alive "$STATE_DIR/pgbouncer/pgbouncer.pid" && return 0; sleep 0.1; done
	fail "PgBouncer did not start; see $LOG/pgbouncer.log"
}

start_redis() {
	pid_alive "$STATE_DIR/redis/redis.pid" && return 0
	as_user "$REDIS_USER" redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$STATE_DIR/redis" \
		--save '' --appendonly no --daemonize yes --pidfile "$STATE_DIR/redis/redis.pid" \
		--logfile "$LOG/redis.log" >/dev/null
	for _ in $(seq 50); do pid_alive "$STATE_DIR/redis/redis.pid" && return 0; sleep 0.1; done
	fail "Redis did not start; see $LOG/redis.log"
}

start_standin() {
	[ "$TMDB_STANDIN" = 1 ] || { say "using TMDb at $TMDB_BASE_URL"; return 0; }
	pid_alive "$RUN/tmdb-standin.pid" && return 0
	[ -f "$ROOT/deploy/tmdb-standin/standin.py" ] || fail "the TMDb stand-in is missing"
	local drop=()
	# setpriv execs in place (runuser would fork), so the pid file names the server itself.
	is_root && drop=(setpriv --reuid="$FCGI_USER" --regid="$FCGI_GROUP" --clear-groups)
	setsid "${drop[@]}" /usr/bin/python3 "$ROOT/deploy/tmdb-standin/standin.py" \
		--host 127.0.0.1 --port "$TMDB_STANDIN_PORT" --api-key "$TMDB_API_KEY" \
		>> "$LOG/tmdb-standin.log" 2>&1 < /dev/null &
	echo $! > "$RUN/tmdb-standin.pid"
	poll_url "http://127.0.0.1:$TMDB_STANDIN_PORT/3/configuration?api_key=$TMDB_API_KEY" ||
		fail "the TMDb stand-in did not start; see $LOG/tmdb-standin.log"
}

# The mail server of the stack: every message the mailer sends lands in $STATE_DIR/mail/ as a file.
start_smtp() {
	pid_alive "$RUN/smtp.pid" && return 0
	local drop=()
	is_root && drop=(setpriv --reuid="$FCGI_USER" --regid="$FCGI_GROUP" --clear-groups)
	setsid "${drop[@]}" /usr/bin/python3 "$ROOT/deploy/smtp-sink.py" --port "$SMTP_PORT" \
		--mail-dir "$STATE_DIR/mail" >> "$LOG/smtp.log" 2>&1 < /dev/null &
	echo $! > "$RUN/smtp.pid"
	for _ in $(seq 100); do
		/usr/bin/python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' \
			"$SMTP_PORT" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "the SMTP server did not start; see $LOG/smtp.log"
}

run_migrations() {
	DATABASE_URL=$DATABASE_URL "$ROOT/db/migrate.sh"
}

load_sample_data() {
	[ -f "$STATE_DIR/sample-data-loaded" ] && return 0
	local hash
	# The demo password hashed as Django 5.1 would: pbkdf2_sha256, 870000 iterations, 22-char salt.
	hash=$(DEMO_PASSWORD=$DEMO_PASSWORD /usr/bin/python3 - <<'PY'
import base64, hashlib, os, secrets, string
chars = string.ascii_letters + string.digits
salt = "".join(secrets.choice(chars) for _ in range(22))
dk = hashlib.pbkdf2_hmac("sha256", os.environ["DEMO_PASSWORD"].encode(), salt.encode(), 870000)
print("pbkdf2_sha256$870000$%s$%s" % (salt, base64.b64encode(dk).decode()))
PY
)
	psql "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 -v password_hash="$hash" -f "$ROOT/db/sample-data.sql"
	touch "$STATE_DIR/sample-data-loaded"
}

export_program_env() {
	export SECRET_KEY DATABASE_URL REDIS_URL TMDB_BASE_URL TMDB_API_KEY WORKERS DB_PREPARED
	# The mailer sends through the stack's SMTP server unless EMAIL_HOST points elsewhere.
	export EMAIL_HOST="${EMAIL_HOST:-127.0.0.1}" EMAIL_PORT="${EMAIL_PORT:-$SMTP_PORT}"
	if [ -n "${EMAIL_RETRY_MIN_S:-}" ]; then export EMAIL_RETRY_MIN_S; fi
	if [ -n "${EMAIL_TIMEOUT:-}" ]; then export EMAIL_TIMEOUT; fi
	# Optional TMDb timeouts (the test harness shortens them); unset means the program's defaults.
	if [ -n "${TMDB_TIMEOUT_MS:-}" ]; then export TMDB_TIMEOUT_MS; fi
	if [ -n "${TMDB_CONNECT_TIMEOUT_MS:-}" ]; then export TMDB_CONNECT_TIMEOUT_MS; fi
	export TEMPLATE_DIR="$ROOT/fcgi/templates" DATA_DIR="$ROOT/common/data"
	# A frontend in development (npm start on port 3000) may call the API; set to "" for none.
	export CORS_ALLOWED_ORIGINS="${CORS_ALLOWED_ORIGINS-http://localhost:3000}"
	export STATIC_URL="/static/$STATIC_VERSION"
	# The names the site answers to (any other Host gets 400): the stack's own, unless set.
	export ALLOWED_HOSTS="${ALLOWED_HOSTS:-$SITE_HOST,localhost}"
}

start_fcgi() {
	pid_alive "$RUN/fcgi.pid" && return 0
	[ -x "$BUILD_DIR/movies-fcgi" ] || fail "$BUILD_DIR/movies-fcgi is not built (run make)"
	export_program_env
	"$BUILD_DIR/movies-fcgi" --check-config > "$STATE_DIR/effective-config.txt" \
		|| fail "the program's configuration is invalid (see above)"
	rm -f "$RUN/fcgi.sock"
	local owner=()
	is_root && owner=(-u "$FCGI_USER" -g "$FCGI_GROUP" -U "$FCGI_USER" -G "$NGINX_USER")
	# -n keeps spawn-fcgi in the foreground (it execs the master) so worker stderr reaches the log.
	setsid spawn-fcgi -n -s "$RUN/fcgi.sock" -M 0660 "${owner[@]}" -- "$BUILD_DIR/movies-fcgi" \
		>> "$LOG/fcgi.log" 2>&1 < /dev/null &
	echo $! > "$RUN/fcgi.pid"
	for _ in $(seq 50); do [ -S "$RUN/fcgi.sock" ] && return 0; sleep 0.1; done
	fail "the FastCGI workers did not start; see $LOG/fcgi.log"
}

start_nginx() {
	pid_alive "$RUN/nginx.pid" && return 0
	local user_line=""
	is_root && user_line="user $NGINX_USER;"
	sed -e "s|@USER_LINE@|$user_line|" -e "s|@RUN@|$RUN|g" -e "s|@LOG@|$LOG|g" \
	    -e "s|@NGINX@|$STATE_DIR/nginx|g" -e "s|@ROOT@|$ROOT|g" \
	    -e "s|@SITE_HOST@|$SITE_HOST|g" -e "s|@SITE_PORT@|$SITE_PORT|g" \
	    -e "s|@STATIC_VERSION@|$STATIC_VERSION|g" \
	    "$ROOT/deploy/nginx.conf.in" > "$STATE_DIR/nginx/nginx.conf"
	if [ "${PAGE_CACHE:-1}" = 1 ]; then
		# Logged-in visitors (session cookie) and API clients (token) always reach a worker.
		cat > "$STATE_DIR/nginx/page-cache.conf" <<'CONF'
fastcgi_cache pages;
fastcgi_cache_key "$scheme$request_method$host$request_uri";
fastcgi_cache_methods GET HEAD;
fastcgi_cache_bypass $cookie_sessionid $http_authorization;
fastcgi_no_cache $cookie_sessionid $http_authorization;
fastcgi_cache_lock on;
add_header X-Page-Cache $upstream_cache_status;
CONF
	else
		echo "# PAGE_CACHE=0: every page is made by a worker" > "$STATE_DIR/nginx/page-cache.conf"
	fi
	nginx -q -t -c "$STATE_DIR/nginx/nginx.conf" -p "$STATE_DIR/nginx" -e "$LOG/nginx-error.log" \
		|| fail "nginx rejected its configuration"
	nginx -c "$STATE_DIR/nginx/nginx.conf" -p "$STATE_DIR/nginx" -e "$LOG/nginx-error.log" \
		|| fail "nginx did not start; see $LOG/nginx-error.log"
}

wait_for_site() {
	poll_url "${SITE_URL}healthz" || fail "the site does not answer at $SITE_URL; see $LOG/"
}

cmd_start() {
	load_env
	choose_settings
	write_env
	ensure_traversable
	prepare_dirs
	start_postgres
	start_pgbouncer
	run_migrations >/dev/null
	start_redis
	start_standin
	start_smtp
	load_sample_data
	start_fcgi
	start_nginx
	wait_for_site
	say "the site is up at $SITE_URL"
	say "demo login: $DEMO_USER / $DEMO_PASSWORD"
	say "settings for tools and tests: $ENV_FILE; logs: $LOG/"
	say "mail: the site's mail goes to the SMTP server on 127.0.0.1:$SMTP_PORT, kept as files in $STATE_DIR/mail/"
	say "health: ${SITE_URL}healthz; Prometheus metrics: ${SITE_URL}metrics (from this machine only; make prometheus scrapes them)"
}

# Stops one pid-file process: TERM, then KILL after a grace period; its process group too.
stop_pid() {
	local name=$1 file=$2 pid
	[ -f "$file" ] || return 0
	pid=$(cat "$file")
	if alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null || true
		for _ in $(seq 150); do alive "$pid" || break; sleep 0.1; done
		if alive "$pid"; then
			say "$name did not stop in 15s; killing it"
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
	# Children left behind by a killed master (same process group, made by setsid).
	kill -KILL -- "-$pid" 2>/dev/null || true
	rm -f "$file"
}

cmd_stop() {
	load_env
	stop_pid nginx "$RUN/nginx.pid"
	stop_pid "FastCGI workers" "$RUN/fcgi.pid"
	rm -f "$RUN/fcgi.sock"
	stop_pid "TMDb stand-in" "$RUN/tmdb-standin.pid"
	stop_pid "SMTP server" "$RUN/smtp.pid"
	stop_pid redis "$STATE_DIR/redis/redis.pid"
	stop_pid pgbouncer "$STATE_DIR/pgbouncer/pgbouncer.pid"
	local bin; bin=$(pg_bin)
	if [ -f "$STATE_DIR/pg/postmaster.pid" ] && [ -n "$bin" ]; then
		as_user "$PG_USER" "$bin/pg_ctl" -D "$STATE_DIR/pg" -m fast -w -t 30 stop >/dev/null 2>&1 || true
	fi
	say "stopped"
}

cmd_status() {
	load_env
	for p in nginx fcgi tmdb-standin smtp; do
		if pid_alive "$RUN/$p.pid"; then say "$p running (pid $(cat "$RUN/$p.pid"))"; else say "$p stopped"; fi
	done
	if pid_alive "$STATE_DIR/redis/redis.pid"; then say "redis running"; else say "redis stopped"; fi
	if [ "${PGBOUNCER:-0}" = 1 ]; then
		if pid_alive "$STATE_DIR/pgbouncer/pgbouncer.pid"; then say "pgbouncer running"; else say "pgbouncer stopped"; fi
	fi
	if [ -f "$STATE_DIR/pg/postmaster.pid" ]; then say "postgres running"; else say "postgres stopped"; fi
}

cmd_run() {
	cmd_start
	say "following the logs; press Ctrl-C to stop everything"
	# A background job of a script ignores Ctrl-C, so the trap ends the log follower itself.
	tail -n 0 -F "$LOG"/*.log &
	local follower=$!
	trap 'kill "$follower" 2>/dev/null; echo; cmd_stop; exit 0' INT TERM
	wait "$follower" || true
}

cmd_migrate() {
	load_env
	if [ -z "${DATABASE_URL:-}" ]; then
		choose_settings
		write_env
		ensure_traversable
		prepare_dirs
		start_postgres
		start_pgbouncer
	fi
	run_migrations
}

cmd_check_config() {
	load_env
	choose_settings
	export_program_env
	"$BUILD_DIR/movies-fcgi" --check-config
}

case "${1:-}" in
start) cmd_start ;;
stop) cmd_stop ;;
run) cmd_run ;;
status) cmd_status ;;
migrate) cmd_migrate ;;
check-config) cmd_check_config ;;
*) echo "usage: $0 start|stop|run|status|migrate|check-config" >&2; exit 2 ;;
esac
