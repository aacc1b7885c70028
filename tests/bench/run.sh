#!/usr/bin/env bash
# run.sh: `make bench`: starts a private stack, measures login and page throughput against baselines, prints a table.
#
# Figures, not pass/fail: the exit status is 0 whenever the benchmarks ran. See tests/bench/README.md.
# Knobs (environment): BENCH_WORKERS (nproc), BENCH_SECONDS (10), BENCH_LOGIN_SECONDS (8), BENCH_LOGIN_ROUNDS (2),
# BENCH_THREADS (2), BENCH_CONNECTIONS (16), BENCH_P99_CONNECTIONS (64), BENCH_RSS_REQUESTS (100000),
# BENCH_MINIMAL_BIN ($BUILD_DIR/minimal-fcgi), BENCH_SKIP_LOGIN=1 skips the login runs,
# BENCH_SKIP_MOVIES=1 skips movies_bench.sh, BENCH_KEEP=1 leaves the stack running (for perf).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
BENCH=$ROOT/tests/bench
export STATE_DIR=${BENCH_STATE_DIR:-$ROOT/tests/output/bench-stack}
export BUILD_DIR=${BUILD_DIR:-$ROOT/build}
NPROC=$(nproc)
export WORKERS=${BENCH_WORKERS:-$NPROC}
# As make run deploys it: nginx keeps anonymous public pages (the worker path is measured too).
export PAGE_CACHE=1
SECONDS_EACH=${BENCH_SECONDS:-10}
LOGIN_SECONDS=${BENCH_LOGIN_SECONDS:-8}
LOGIN_ROUNDS=${BENCH_LOGIN_ROUNDS:-2}
THREADS=${BENCH_THREADS:-2}
CONNS=${BENCH_CONNECTIONS:-16}
P99_CONNS=${BENCH_P99_CONNECTIONS:-64}
RSS_REQUESTS=${BENCH_RSS_REQUESTS:-100000}
# The same workers serve every run, so their memory after RSS_REQUESTS requests is measurable.
export MAX_REQUESTS=0
# The login runs measure what hashing costs the stack against raw PBKDF2, so neither the
# per-address hash budget nor the cap on hashes at once (issue 21; tests/bench/login_flood.sh
# measures those) may stop them.
export THROTTLE_EXEMPT_ADDRS=127.0.0.1 HASH_CONCURRENCY=${BENCH_HASH_CONCURRENCY:-$WORKERS}
# Enough logins in flight that no worker waits for work, few enough that none time out.
LOGIN_CONNS=$((2 * WORKERS))
LOGIN_THREADS=$((THREADS < LOGIN_CONNS ? THREADS : LOGIN_CONNS))
ITERATIONS=870000	# Django 5.1's PBKDF2 default, what the stack's hashes use
# 20 films of the TMDb stand-in's catalogue (real TMDb ids).
FAV_IDS=(11 12 13 62 77 78 85 98 105 120 121 122 129 155 218 238 240 272 274 278)

say() { printf 'bench: %s\n' "$*"; }
fail() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

for tool in wrk spawn-fcgi curl psql; do
	command -v "$tool" >/dev/null || fail "$tool is not installed (make deps)"
done
MINIMAL_BIN=${BENCH_MINIMAL_BIN:-$BUILD_DIR/minimal-fcgi}
for bin in "$BUILD_DIR/movies-fcgi" "$MINIMAL_BIN" "$BUILD_DIR/tools/movietool"; do
	[ -x "$bin" ] || fail "$bin is not built (make all)"
done

RUN=$STATE_DIR/run
MINIMAL_PIDS=$RUN/minimal.pid

stop_minimal() {
	local pid
	[ -f "$MINIMAL_PIDS" ] || return 0
	# spawn-fcgi writes one pid a line, the last without a newline.
	while read -r pid || [ -n "$pid" ]; do
		[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
	done < "$MINIMAL_PIDS"
	rm -f "$MINIMAL_PIDS" "$RUN/minimal.sock"
}
cleanup() {
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		say "BENCH_KEEP=1: the stack is still running; stop it with: STATE_DIR=$STATE_DIR deploy/stack.sh stop; kill \$(cat $MINIMAL_PIDS)"
		return
	fi
	stop_minimal
	deploy/stack.sh stop >/dev/null 2>&1
}
# A fresh stack on free ports every run, so this runs beside `make run` and the tests; a
# previous BENCH_KEEP=1 run's servers go first.
stop_minimal
if [ -f "$STATE_DIR/stack.env" ]; then deploy/stack.sh stop >/dev/null 2>&1 || true; fi
rm -rf "$STATE_DIR"
mkdir -p "$STATE_DIR"
export SITE_PORT=auto PG_PORT=auto REDIS_PORT=auto TMDB_STANDIN_PORT=auto SMTP_PORT=auto STACK_FAST=1
unset TMDB_BASE_URL TMDB_API_KEY TMDB_READ_TOKEN DATABASE_URL REDIS_URL SECRET_KEY
trap cleanup EXIT
trap 'exit 130' INT TERM

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
say "starting a private stack in $STATE_DIR ($WORKERS workers)"
deploy/stack.sh start >/dev/null || { tail -n 30 "$STATE_DIR"/log/*.log; fail "the stack did not start"; }
set -a; . "$STATE_DIR/stack.env"; set +a
ORIGIN=${SITE_URL%/}

# ---- the baseline responder, behind the same nginx (deploy/nginx.conf.in includes extra-*.conf) ----

start_minimal() {
	local owner=()
	[ "$(id -u)" -eq 0 ] && owner=(-u nobody -g nogroup -U nobody -G www-data)
	rm -f "$RUN/minimal.sock"
	# Without -n, spawn-fcgi forks -F children, writes their pids to -P and exits.
	spawn-fcgi -s "$RUN/minimal.sock" -M 0660 -F "$WORKERS" -P "$MINIMAL_PIDS" "${owner[@]}" \
		-- "$MINIMAL_BIN" >/dev/null || fail "spawn-fcgi could not start the minimal responder"
	cat > "$STATE_DIR/nginx/extra-minimal.conf" <<CONF
# The benchmarks' baseline FastCGI responder (tests/bench/minimal.c).
location = /__minimal {
    include $ROOT/deploy/fastcgi_params;
    fastcgi_pass unix:$RUN/minimal.sock;
}
CONF
	nginx -q -t -c "$STATE_DIR/nginx/nginx.conf" -p "$STATE_DIR/nginx" -e "$STATE_DIR/log/nginx-error.log" \
		|| fail "nginx rejected the minimal responder's location"
	nginx -c "$STATE_DIR/nginx/nginx.conf" -p "$STATE_DIR/nginx" -e "$STATE_DIR/log/nginx-error.log" -s reload \
		|| fail "nginx did not reload"
	for _ in $(seq 100); do
		curl -fsS "${SITE_URL}__minimal" 2>/dev/null | grep -q minimal && return 0
		sleep 0.1
	done
	fail "the minimal responder ($MINIMAL_BIN) does not answer at ${SITE_URL}__minimal; see $STATE_DIR/log/nginx-error.log"
}

# ---- bench users: one that logs in over and over, one with exactly 20 favorites ----

django_hash() {	# the password hashed as Django 5.1 would (as deploy/stack.sh does)
	PW=$1 /usr/bin/python3 - <<'PY'
import base64, hashlib, os, secrets, string
chars = string.ascii_letters + string.digits
salt = "".join(secrets.choice(chars) for _ in range(22))
dk = hashlib.pbkdf2_hmac("sha256", os.environ["PW"].encode(), salt.encode(), 870000)
print("pbkdf2_sha256$870000$%s$%s" % (salt, base64.b64encode(dk).decode()))
PY
}

create_users() {
	LOGIN_USER=benchlogin
	FAV_USER=benchfav
	LOGIN_PW="bench-$(head -c 9 /dev/urandom | od -An -tx1 | tr -d ' \n')"
	FAV_PW="bench-$(head -c 9 /dev/urandom | od -An -tx1 | tr -d ' \n')"
	local ids
	ids=$(IFS=,; echo "${FAV_IDS[*]}")
	psql "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 \
		-v login_user="$LOGIN_USER" -v login_hash="$(django_hash "$LOGIN_PW")" \
		-v fav_user="$FAV_USER" -v fav_hash="$(django_hash "$FAV_PW")" -v ids="{$ids}" <<'SQL' \
		|| fail "could not create the bench users"
INSERT INTO auth_user (password, last_login, is_superuser, username, first_name, last_name, email,
                       is_staff, is_active, date_joined)
VALUES (:'login_hash', NULL, false, :'login_user', '', '', 'login@bench.invalid', false, true, now()),
       (:'fav_hash', NULL, false, :'fav_user', '', '', 'fav@bench.invalid', false, true, now());
INSERT INTO users_favoritemovie (user_id, movie_id, created_at)
SELECT u.id, m.id, now() - m.ord * interval '1 minute'
FROM auth_user u, unnest(:'ids'::int[]) WITH ORDINALITY AS m (id, ord)
WHERE u.username = :'fav_user';
SQL
}

# Cookie header ("a=1; b=2") from a curl cookie jar (HttpOnly cookies are "#HttpOnly_" lines).
jar_cookies() {
	awk -F'\t' '{ sub(/^#HttpOnly_/, "", $1) } !/^#/ && NF >= 7 { printf "%s%s=%s", sep, $6, $7; sep = "; " }' "$1"
}

# Fetches the login form into jar $1; prints its CSRF token.
login_form_token() {
	curl -fsS -c "$1" -b "$1" "${SITE_URL}login" \
		| sed -n 's/.*name="csrfmiddlewaretoken" value="\([^"]*\)".*/\1/p' | head -n 1
}

# The URL-encoded body of a login POST.
login_body() {	# user password token
	U=$1 P=$2 T=$3 /usr/bin/python3 -c 'import os, urllib.parse as u; print(u.urlencode({"csrfmiddlewaretoken": os.environ["T"], "username": os.environ["U"], "password": os.environ["P"], "next": "/"}), end="")'
}

# ---- measurements ----

# run_wrk LABEL CONNS THREADS SECONDS URL: prints wrk's "BENCH ..." line plus " cpu_us=..." (the
# stack's CPU per completed request, by process tree); the request comes from BENCH_* variables.
run_wrk() {
	local label=$1 conns=$2 threads=$3 secs=$4 url=$5 out before after line
	before=$(cpu_now)
	out=$(wrk -t "$threads" -c "$conns" -d "${secs}s" --timeout 10s -s "$BENCH/wrk.lua" "$url" 2>&1)
	after=$(cpu_now)
	printf '%s\n' "$out" > "$STATE_DIR/wrk-$label.txt"
	line=$(grep '^BENCH ' <<<"$out") || { printf '%s\n' "$out" >&2; fail "wrk gave no summary for $label"; }
	printf '%s%s\n' "$line" "$(cpu_delta "$before" "$after" "$(field requests "$line")")"
}

# CPU seconds so far of each part of the stack (tests/bench/cpu.py), as "name=s name=s ...".
cpu_now() {
	/usr/bin/python3 "$BENCH/cpu.py" "nginx=$(cat "$RUN/nginx.pid")" "fcgi=$(cat "$RUN/fcgi.pid")" \
		"pg=$(head -n 1 "$STATE_DIR/pg/postmaster.pid")" "redis=$(cat "$STATE_DIR/redis/redis.pid")" \
		"minimal=$(paste -sd, "$MINIMAL_PIDS")"
}

# " cpu_nginx_us=.. cpu_fcgi_us=.. ... cpu_us=TOTAL": microseconds of CPU per request.
cpu_delta() {	# before after requests
	paste -d' ' <(tr ' ' '\n' <<<"$1") <(tr ' ' '\n' <<<"$2") | awk -v n="$3" '
		{ split($1, a, "="); split($2, b, "="); d = (b[2] - a[2]) * 1e6 / (n > 0 ? n : 1); t += d
		  printf " cpu_%s_us=%.1f", a[1], d }
		END { printf " cpu_us=%.1f", t }'
}

field() {	# field NAME "BENCH line"
	sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"
}

pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", 100 * a / b; else print "n/a" }'; }
meets() { awk -v r="$1" -v g="$2" 'BEGIN { print (r != "n/a" && r + 0 >= g) ? "ok" : "MISSED" }'; }
mean() { printf '%s\n' "$@" | awk '{ s += $1; n++ } END { printf "%.3f", n ? s / n : 0 }'; }
standin_calls() { curl -fsS "${TMDB_BASE_URL%/3}/__standin/stats" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])'; }

start_minimal
create_users
say "site $SITE_URL, $WORKERS site workers, $WORKERS minimal responders, nproc $NPROC"

# 1. Login throughput against the raw PBKDF2 rate. Other load on the machine moves both, so
# they alternate (raw, login, raw, login, raw) and each login run is set against the mean of
# the raw runs either side of it.
if [ "${BENCH_SKIP_LOGIN:-0}" = 1 ]; then
	say "login: skipped (BENCH_SKIP_LOGIN=1)"
	LOGIN_RATE=0 RAW_RATE=0 LOGIN_PCT=n/a LOGIN_CPU_MS=0 RAW_CPU_MS=0 LOGIN_WORKER_MS=0 LOGIN_CPU_PCT=n/a
	LOGIN_RATIOS=(n/a)
else
LJAR=$STATE_DIR/login-cookies.txt
LTOKEN=$(login_form_token "$LJAR")
[ -n "$LTOKEN" ] || fail "no CSRF token on the login form"
LBODY=$(login_body "$LOGIN_USER" "$LOGIN_PW" "$LTOKEN")
LCOOKIE=$(jar_cookies "$LJAR")
code=$(curl -sS -o /dev/null -w '%{http_code}' -H "Origin: $ORIGIN" -H "Cookie: $LCOOKIE" \
	-H 'Content-Type: application/x-www-form-urlencoded' --data-binary "$LBODY" "${SITE_URL}login")
[ "$code" = 303 ] || fail "a bench login answered $code, not 303"

raw_run() {
	/usr/bin/python3 "$BENCH/pbkdf2_rate.py" --iterations "$ITERATIONS" --procs "$NPROC" --seconds "$LOGIN_SECONDS" \
		|| fail "the PBKDF2 measurement failed"
}
say "login: raw PBKDF2 ($ITERATIONS iterations, $NPROC processes) alternating with wrk -t$LOGIN_THREADS -c$LOGIN_CONNS POST /login, ${LOGIN_SECONDS}s each, $LOGIN_ROUNDS rounds"
RAW_PREV=$(raw_run); echo "  raw    $RAW_PREV"
RAW_RATES=("$(field rate "$RAW_PREV")"); RAW_CPU=("$(field cpu_ms_per_hash "$RAW_PREV")")
LOGIN_RATES=(); LOGIN_RATIOS=(); LOGIN_CPU=(); LOGIN_WORKER_CPU=()
for round in $(seq "$LOGIN_ROUNDS"); do
	LOGIN=$(BENCH_METHOD=POST BENCH_BODY=$LBODY BENCH_COOKIE=$LCOOKIE BENCH_ORIGIN=$ORIGIN BENCH_COUNT_STATUS=303 \
		run_wrk "login$round" "$LOGIN_CONNS" "$LOGIN_THREADS" "$LOGIN_SECONDS" "${SITE_URL}login")
	echo "  login  $LOGIN"
	RAW_NEXT=$(raw_run); echo "  raw    $RAW_NEXT"
	RAW_RATES+=("$(field rate "$RAW_NEXT")"); RAW_CPU+=("$(field cpu_ms_per_hash "$RAW_NEXT")")
	rate=$(field counted_rps "$LOGIN")
	LOGIN_RATES+=("$rate")
	LOGIN_RATIOS+=("$(pct "$rate" "$(mean "$(field rate "$RAW_PREV")" "$(field rate "$RAW_NEXT")")")")
	LOGIN_CPU+=("$(awk -v c="$(field cpu_us "$LOGIN")" 'BEGIN { printf "%.1f", c / 1000 }')")
	LOGIN_WORKER_CPU+=("$(awk -v c="$(field cpu_fcgi_us "$LOGIN")" 'BEGIN { printf "%.1f", c / 1000 }')")
	[ "$(field requests "$LOGIN")" = "$(field counted "$LOGIN")" ] \
		|| say "warning: $(($(field requests "$LOGIN") - $(field counted "$LOGIN"))) logins did not answer 303 (throttled?)"
	RAW_PREV=$RAW_NEXT
done
RAW_RATE=$(mean "${RAW_RATES[@]}")
LOGIN_RATE=$(mean "${LOGIN_RATES[@]}")
LOGIN_PCT=$(mean "${LOGIN_RATIOS[@]}"); LOGIN_PCT=$(printf '%.1f' "$LOGIN_PCT")
RAW_CPU_MS=$(mean "${RAW_CPU[@]}")
LOGIN_CPU_MS=$(mean "${LOGIN_CPU[@]}")
LOGIN_WORKER_MS=$(printf '%.1f' "$(mean "${LOGIN_WORKER_CPU[@]}")")
LOGIN_CPU_PCT=$(pct "$RAW_CPU_MS" "$LOGIN_CPU_MS")
fi

# 2. Pages against the minimal responder.
FJAR=$STATE_DIR/fav-cookies.txt
FTOKEN=$(login_form_token "$FJAR")
code=$(curl -sS -o /dev/null -w '%{http_code}' -c "$FJAR" -b "$FJAR" -H "Origin: $ORIGIN" \
	-H 'Content-Type: application/x-www-form-urlencoded' --data-binary "$(login_body "$FAV_USER" "$FAV_PW" "$FTOKEN")" \
	"${SITE_URL}login")
[ "$code" = 303 ] || fail "the favorites user's login answered $code, not 303"
FCOOKIE=$(jar_cookies "$FJAR")
grep -q 'sessionid=' <<<"$FCOOKIE" || fail "no session cookie after logging in"
# A bearer token of the same user: the API's movie routes with it bypass nginx's cache too.
TOKEN=$(curl -fsS -H 'Content-Type: application/json' \
	--data-binary "$(U=$FAV_USER P=$FAV_PW /usr/bin/python3 -c 'import json, os; print(json.dumps({"username": os.environ["U"], "password": os.environ["P"]}))')" \
	"${SITE_URL}api/v1/auth/login/" | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["access"])') \
	|| fail "the API login of the favorites user failed"
AUTH="Bearer $TOKEN"
# For profiling a kept stack (BENCH_KEEP=1, tests/bench/worker_cost.py): the visitor's credentials.
printf '%s\n' "$FCOOKIE" > "$STATE_DIR/bench-cookie.txt"
printf '%s\n' "$AUTH" > "$STATE_DIR/bench-authorization.txt"

# Warm: the first requests fetch from the stand-in and fill Redis; the later ones must not.
for _ in 1 2 3; do
	curl -fsS -o /dev/null "${SITE_URL}movie/550" || fail "/movie/550 failed"
	curl -fsS -o "$STATE_DIR/favorites.html" -H "Cookie: $FCOOKIE" "${SITE_URL}favorites" || fail "/favorites failed"
	curl -fsS -o "$STATE_DIR/movie-login.html" -H "Cookie: $FCOOKIE" "${SITE_URL}movie/550" || fail "/movie/550 (logged in) failed"
	for api in movies/550/ movies/trending/ movies/550/recommendations/; do
		curl -fsS -o /dev/null -H "Authorization: $AUTH" "${SITE_URL}api/v1/$api" || fail "/api/v1/$api failed"
	done
done
grep -q "$FAV_USER" "$STATE_DIR/movie-login.html" || fail "/movie/550 with the session cookie does not show the user logged in"
nfav=0
for id in "${FAV_IDS[@]}"; do grep -q "href=\"/movie/$id\"" "$STATE_DIR/favorites.html" && nfav=$((nfav + 1)); done
[ "$nfav" = 20 ] || fail "the favorites page lists $nfav of the 20 favorites (see $STATE_DIR/favorites.html)"
if grep -q '>Movie [0-9]' "$STATE_DIR/favorites.html"; then fail "the favorites page shows uncached placeholders"; fi
MOVIE_BYTES=$(curl -fsS -o /dev/null -w '%{size_download}' "${SITE_URL}movie/550")
FAV_BYTES=$(curl -fsS -o /dev/null -w '%{size_download}' -H "Cookie: $FCOOKIE" "${SITE_URL}favorites")
MIN_BYTES=$(curl -fsS -o /dev/null -w '%{size_download}' "${SITE_URL}__minimal")
CALLS_BEFORE=$(standin_calls)

page_bench() {	# LABEL URL [cookie [authorization]]: warm-up, then the measured run
	local label=$1 url=$2 cookie=${3:-} auth=${4:-}
	BENCH_COOKIE=$cookie BENCH_AUTHORIZATION=$auth run_wrk "$label-warmup" "$CONNS" "$THREADS" 2 "$url" >/dev/null
	BENCH_COOKIE=$cookie BENCH_AUTHORIZATION=$auth run_wrk "$label" "$CONNS" "$THREADS" "$SECONDS_EACH" "$url"
}
# The targets that always reach a worker: LABEL|URL|COOKIE|AUTHORIZATION, one a line.
worker_targets() {
	printf '%s|%s|%s|%s\n' \
		movie-login "${SITE_URL}movie/550" "$FCOOKIE" "" \
		favorites "${SITE_URL}favorites" "$FCOOKIE" "" \
		api-movie "${SITE_URL}api/v1/movies/550/" "" "$AUTH" \
		api-trending "${SITE_URL}api/v1/movies/trending/" "" "$AUTH" \
		api-recs "${SITE_URL}api/v1/movies/550/recommendations/" "" "$AUTH"
}
say "pages: wrk -t$THREADS -c$CONNS -d${SECONDS_EACH}s each after a 2 s warm-up; minimal, movie, the worker targets, minimal"
MIN=$(page_bench minimal "${SITE_URL}__minimal"); echo "  minimal    $MIN"
MOVIE=$(page_bench movie "${SITE_URL}movie/550"); echo "  movie/550  $MOVIE"
# A session cookie too short to be a key: nginx's page cache is bypassed, the worker sees a visitor.
MOVIEW=$(page_bench movie-worker "${SITE_URL}movie/550" "sessionid=bypass"); echo "  movie/550 (worker) $MOVIEW"
declare -A RES P99RES
while IFS='|' read -r label url cookie auth; do
	RES[$label]=$(page_bench "$label" "$url" "$cookie" "$auth"); echo "  $label  ${RES[$label]}"
done < <(worker_targets)
FAV=${RES[favorites]}
MIN2=$(page_bench minimal2 "${SITE_URL}__minimal"); echo "  minimal    $MIN2"

# p99 of the worker targets with many clients at once.
say "p99: wrk -t$THREADS -c$P99_CONNS -d${SECONDS_EACH}s each"
P99MIN=$(run_wrk minimal-c$P99_CONNS "$P99_CONNS" "$THREADS" "$SECONDS_EACH" "${SITE_URL}__minimal"); echo "  minimal  $P99MIN"
while IFS='|' read -r label url cookie auth; do
	P99RES[$label]=$(BENCH_COOKIE=$cookie BENCH_AUTHORIZATION=$auth \
		run_wrk "$label-c$P99_CONNS" "$P99_CONNS" "$THREADS" "$SECONDS_EACH" "$url"); echo "  $label  ${P99RES[$label]}"
done < <(worker_targets)

# Worker memory: the same workers (MAX_REQUESTS=0) after RSS_REQUESTS more requests of the
# worker targets, in turn.
worker_pids() { pgrep -P "$(cat "$RUN/fcgi.pid")" | paste -sd' '; }
worker_mem() {	# "pid:VmRSS/VmHWM/RssAnon kB ..." of every worker (RssAnon: its own pages, no shared library)
	local pid
	for pid in $(worker_pids); do
		printf '%s:%s/%s/%s ' "$pid" "$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")" \
			"$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status")" "$(awk '/^RssAnon:/ { print $2 }' "/proc/$pid/status")"
	done
}
mem_max() { tr ' ' '\n' <<<"$1" | awk -F'[:/]' -v f="$2" 'NF >= 3 && $f > m { m = $f } END { print m + 0 }'; }
MEM_BEFORE=$(worker_mem)
say "worker memory: $RSS_REQUESTS requests of the worker targets; before (pid:VmRSS/VmHWM/RssAnon kB): $MEM_BEFORE"
served=0
while [ "$served" -lt "$RSS_REQUESTS" ]; do
	while IFS='|' read -r label url cookie auth; do
		line=$(BENCH_COOKIE=$cookie BENCH_AUTHORIZATION=$auth run_wrk "rss-$label" "$CONNS" "$THREADS" 2 "$url")
		served=$((served + $(field requests "$line")))
	done < <(worker_targets)
done
MEM_AFTER=$(worker_mem)
say "worker memory after $served requests: $MEM_AFTER"
[ "$(worker_pids)" = "$(tr ' ' '\n' <<<"$MEM_BEFORE" | cut -d: -f1 | grep . | paste -sd' ')" ] \
	|| say "warning: the workers changed during the memory run (a crash or a recycle?)"
CALLS_AFTER=$(standin_calls)
for line in "$MIN" "$MOVIE" "$MOVIEW" "${RES[@]}" "$MIN2" "$P99MIN" "${P99RES[@]}"; do
	[ "$(field non2xx3xx "$line")" = 0 ] || say "warning: non-2xx answers during the page runs (see $STATE_DIR/wrk-*.txt)"
done

# 3. TMDb latency: 20 uncached movies with 100 ms per call.
MOVIES_OUT="(skipped)"
if [ "${BENCH_SKIP_MOVIES:-0}" != 1 ]; then
	say "movies_bench.sh against the stack's Redis and stand-in"
	MOVIES_OUT=$(REDIS_URL=$REDIS_URL TMDB_BASE_URL=$TMDB_BASE_URL TMDB_API_KEY=$TMDB_API_KEY BUILD_DIR=$BUILD_DIR \
		"$BENCH/movies_bench.sh" 2>&1) || MOVIES_OUT="movies_bench.sh failed: $MOVIES_OUT"
fi

# ---- the table ----
MIN_RPS=$(printf '%.2f' "$(mean "$(field rps "$MIN")" "$(field rps "$MIN2")")")
MIN_P99=$(mean "$(field p99_ms "$MIN")" "$(field p99_ms "$MIN2")")
MIN_CPU=$(printf '%.1f' "$(mean "$(field cpu_us "$MIN")" "$(field cpu_us "$MIN2")")")
MOVIE_PCT=$(pct "$(field rps "$MOVIE")" "$MIN_RPS")
MOVIEW_PCT=$(pct "$(field rps "$MOVIEW")" "$MIN_RPS")
FAV_PCT=$(pct "$(field rps "$FAV")" "$MIN_RPS")
p99x() { awk -v a="$1" -v b="$MIN_P99" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "n/a" }'; }
cpu_parts() {	# the per-part CPU of a run, for the notes
	printf 'nginx %s, FastCGI %s, PostgreSQL %s, Redis %s' "$(field cpu_nginx_us "$1")" \
		"$(awk -v a="$(field cpu_fcgi_us "$1")" -v b="$(field cpu_minimal_us "$1")" 'BEGIN { printf "%.1f", a + b }')" \
		"$(field cpu_pg_us "$1")" "$(field cpu_redis_us "$1")"
}
row() { printf '%-34s %14s %14s %8s %7s %s\n' "$@"; }

echo
echo "== make bench: $(date -u '+%Y-%m-%d %H:%M UTC'), $NPROC CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), $WORKERS workers, load before: $LOAD_BEFORE =="
row "measurement" "site" "baseline" "ratio" "goal" ""
if [ "${BENCH_SKIP_LOGIN:-0}" != 1 ]; then
row "login, 303s/s (wall clock)" "$(printf '%.2f/s' "$LOGIN_RATE")" "$(printf '%.2f/s' "$RAW_RATE")" "$LOGIN_PCT%" ">=90%" "$(meets "$LOGIN_PCT" 90)"
row "login, CPU per login vs per hash" "$(printf '%.1fms' "$LOGIN_CPU_MS")" "$(printf '%.1fms' "$RAW_CPU_MS")" "$LOGIN_CPU_PCT%" "" "(worker alone: ${LOGIN_WORKER_MS}ms)"
fi
row "/movie/550 (nginx page cache)" "$(field rps "$MOVIE")/s" "${MIN_RPS}/s" "$MOVIE_PCT%" ">=70%" "$(meets "$MOVIE_PCT" 70)"
row "/movie/550 (worker, Redis cached)" "$(field rps "$MOVIEW")/s" "${MIN_RPS}/s" "$MOVIEW_PCT%" "" ""
row "/favorites (20, cached)" "$(field rps "$FAV")/s" "${MIN_RPS}/s" "$FAV_PCT%" ">=50%" "$(meets "$FAV_PCT" 50)"
target_goal() { case $1 in movie-login|favorites) echo 50 ;; *) echo 60 ;; esac; }
target_name() {
	case $1 in
	movie-login) echo "/movie/550 (logged in)" ;;
	favorites) echo "/favorites (logged in, 20)" ;;
	api-movie) echo "API movies/550/ (token)" ;;
	api-trending) echo "API movies/trending/ (token)" ;;
	api-recs) echo "API 550/recommendations/ (token)" ;;
	esac
}
LABELS=(movie-login favorites api-movie api-trending api-recs)
echo "-- issue 13's targets (always a worker): rps and CPU per request against the minimal responder --"
for label in "${LABELS[@]}"; do
	r=$(pct "$(field rps "${RES[$label]}")" "$MIN_RPS")
	row "$(target_name "$label"), rps" "$(field rps "${RES[$label]}")/s" "${MIN_RPS}/s" "$r%" ">=$(target_goal "$label")%" "$(meets "$r" "$(target_goal "$label")")"
	r=$(pct "$MIN_CPU" "$(field cpu_us "${RES[$label]}")")
	row "$(target_name "$label"), CPU" "$(field cpu_us "${RES[$label]}")us" "${MIN_CPU}us" "$r%" ">=$(target_goal "$label")%" "$(meets "$r" "$(target_goal "$label")")"
done
echo "-- p99 at $P99_CONNS connections (goal < 20 ms) --"
row "minimal responder" "$(field p99_ms "$P99MIN")ms" "" "" "" ""
for label in "${LABELS[@]}"; do
	p=$(field p99_ms "${P99RES[$label]}")
	row "$(target_name "$label")" "${p}ms" "$(field rps "${P99RES[$label]}")/s" "" "<20ms" "$(awk -v p="$p" 'BEGIN { print p < 20 ? "ok" : "MISSED" }')"
done
echo "-- worker memory after $served requests (MAX_REQUESTS=0; goal VmRSS < 10 MB and flat) --"
row "largest VmRSS before / after" "$(mem_max "$MEM_BEFORE" 2) kB" "$(mem_max "$MEM_AFTER" 2) kB" "" "<10240" "$(awk -v m="$(mem_max "$MEM_AFTER" 2)" 'BEGIN { print m < 10240 ? "ok" : "MISSED" }')"
row "largest VmHWM before / after" "$(mem_max "$MEM_BEFORE" 3) kB" "$(mem_max "$MEM_AFTER" 3) kB" "" "" ""
row "largest RssAnon before / after" "$(mem_max "$MEM_BEFORE" 4) kB" "$(mem_max "$MEM_AFTER" 4) kB" "" "" "(VmRSS less shared library pages)"
row "p99 /movie/550" "$(field p99_ms "$MOVIE")ms" "${MIN_P99}ms" "$(p99x "$(field p99_ms "$MOVIE")")" "" ""
row "p99 /movie/550 (worker)" "$(field p99_ms "$MOVIEW")ms" "${MIN_P99}ms" "$(p99x "$(field p99_ms "$MOVIEW")")" "" ""
row "p99 /favorites" "$(field p99_ms "$FAV")ms" "${MIN_P99}ms" "$(p99x "$(field p99_ms "$FAV")")" "" ""
row "CPU/request /movie/550" "$(field cpu_us "$MOVIE")us" "${MIN_CPU}us" "$(pct "$MIN_CPU" "$(field cpu_us "$MOVIE")")%" "" ""
row "CPU/request /favorites" "$(field cpu_us "$FAV")us" "${MIN_CPU}us" "$(pct "$MIN_CPU" "$(field cpu_us "$FAV")")%" "" ""
echo "notes:"
echo "  login baseline: PBKDF2-HMAC-SHA256, $ITERATIONS iterations, $NPROC processes (hashlib = OpenSSL), alternating with"
echo "    the login runs (ratio = mean over $LOGIN_ROUNDS rounds of login / mean of the raw runs either side). per round: ${LOGIN_RATIOS[*]} %"
echo "  page baseline: minimal-fcgi x$WORKERS behind the same nginx, mean of the runs before and after; body sizes:"
echo "    minimal $MIN_BYTES B, /movie/550 $MOVIE_BYTES B, /favorites $FAV_BYTES B"
echo "  CPU/request (us, whole stack, from /proc): minimal: $(cpu_parts "$MIN")"
echo "    /movie/550: $(cpu_parts "$MOVIE"); /movie/550 (worker, anonymous): $(cpu_parts "$MOVIEW")"
for label in "${LABELS[@]}"; do echo "    $label: $(cpu_parts "${RES[$label]}")"; done
echo "  CPU ratios are what the rps ratios would be if the stack had the CPUs to itself (wrk's own CPU aside)."
echo "  wrk: login -t$LOGIN_THREADS -c$LOGIN_CONNS; pages -t$THREADS -c$CONNS; TMDb calls during the page runs: $((CALLS_AFTER - CALLS_BEFORE))"
echo
echo "== TMDb latency (tests/bench/movies_bench.sh) =="
printf '%s\n' "$MOVIES_OUT"
echo
say "wrk outputs and logs: $STATE_DIR (wrk-*.txt, log/)"
