/* movies.c: the movie data the pages use: TMDb behind a Redis cache with stale copies and single-flight refreshes. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "log.h"
#include "metrics.h"
#include "movies.h"
#include "rand.h"
#include "tmdb_kinds.h"
#include "util.h"

#define POLL_INTERVAL_MS	20
#define LOCK_MARGIN_MS		1000

struct movies {
	struct tmdb	*tmdb;
	struct cache	*cache;
	int64_t		 deadline_ms;	/* the current page's (monotonic), 0 = none */
	int		 rate, burst;	/* the TMDb budget all workers share; rate 0 = none */
	int		 bg_rate, bg_burst; /* background calls' share of it; bg_rate 0 = all of it */
	int		 cl_rate, cl_burst; /* one client's share of it; cl_rate 0 = all of it */
	char		 client_key[64];    /* the current client's bucket, "" = none */
};

#define BUDGET_KEY	"tmdb:budget"
#define BG_BUDGET_KEY	"tmdb:budget:background"
#define CLIENT_BUDGET_KEY "tmdb:budget:client:"
#define PAUSE_KEY	"tmdb:pause"
#define PAUSE_MAX_MS	600000	/* the longest Retry-After honoured across workers */

/* One distinct thing to resolve: its query, its keys, and what became of it. */
struct slot {
	struct tmdb_query	 q;
	struct buf		 key, stale_key, nf_key, lock_key;
	enum movies_status	 st;
	struct json_object	*json;
	struct json_object	*stale;
	int			 done;
	int			 fetch;		/* we hold the lock (or Redis is down): ask TMDb */
	int			 locked;	/* we hold lock:<key> and must release it */
};

/* ---------- keys ---------- */

int
movies_normalize_query(const char *in, struct buf *out)
{
	int space = 0;

	buf_reset(out);
	if (in == NULL || !utf8_valid(in, strlen(in)))
		return -1;
	for (const char *p = in; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (isspace(c)) {
			space = 1;
			continue;
		}
		if (space && out->len > 0)
			buf_putc(out, ' ');
		space = 0;
		buf_putc(out, c < 0x80 ? (char)tolower(c) : (char)c);
	}
	if (out->len == 0 || out->len > TMDB_MAX_QUERY_BYTES)
		return -1;
	return 0;
}

static void
sha1_hex(const char *s, size_t len, char out[41])
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen = 0;

	if (EVP_Digest(s, len, md, &mdlen, EVP_sha1(), NULL) != 1 || mdlen != 20)
		die("EVP_Digest(sha1) failed");
	hex_encode(md, 20, out);
}

int
movies_cache_key(const struct tmdb_query *q, const char *language, struct buf *out)
{
	const struct tmdb_kind_desc	*d = tmdb_kind_desc(q->kind);
	struct buf			 norm = BUF_INIT, params = BUF_INIT;
	char				 hex[41] = "";
	int				 first;

	if (tmdb_query_check(q) == -1)
		return -1;
	if (d->key_hashes_query) {
		if (movies_normalize_query(q->text, &norm) == -1) {
			buf_free(&norm);
			return -1;
		}
		buf_printf(&params, "query=%s&year=%d&page=%d&language=%s", buf_cstr(&norm), q->year,
		    q->page, language && language[0] ? language : "en-US");
		/* Appended only when set, so the keys of searches without it stay as they were. */
		if (q->primary_release_year != 0)
			buf_printf(&params, "&primary_release_year=%d", q->primary_release_year);
		sha1_hex(params.data, params.len, hex);
		buf_free(&norm);
		buf_free(&params);
	}
	/* The origin app's short form is for the first page of the default window only. */
	first = d->key_first != NULL && q->page == 1 &&
	    (strstr(d->key, "{window}") == NULL || strcmp(q->window, "day") == 0);
	tmdb_kind_expand(first ? d->key_first : d->key, q, hex, out);
	return 0;
}

int
movies_ttl(enum tmdb_kind kind)
{
	const struct tmdb_kind_desc *d = tmdb_kind_desc(kind);

	return d != NULL ? d->ttl : 3600;
}

const char *
movies_status_name(enum movies_status st)
{
	static const char *names[] = { "ok", "stale", "not_found", "unavailable", "config_error",
	    "bad_request", "deferred" };

	return (size_t)st < NELEM(names) ? names[st] : "unknown";
}

/* ---------- resolution ---------- */

/*
 * The values this worker parsed last, with their text: the same bytes from Redis again (a
 * popular movie between two cache fills) are not parsed again. Parsing was about half of a
 * worker's instructions for a movie page. Texts made from a value alone (its JSON for the API,
 * page fragments rendered from it) are kept with it and go with it: the value's bytes are their
 * data version. Bounded by entries and by text bytes (the values' and the derived texts'), so a
 * worker's memory stays small; the least recently used goes first.
 */
#define PARSED_ENTRIES		32
#define PARSED_MAX_BYTES	(256 * 1024)
/* A text made from a kept value alone: its JSON (name NULL), or a page fragment rendered from it. */
struct derived {
	char		*name;
	int		 index;		/* which item of the value, or -1 for the whole */
	uint64_t	 context;	/* what else the text depends on (templates, settings), as the caller hashed it */
	char		*text;
	size_t		 len;
};
static struct parsed {
	char			*text;
	size_t			 len;
	struct json_object	*obj;
	struct derived		*derived;
	size_t			 nderived, cap;
	uint64_t		 used;
} parsed[PARSED_ENTRIES];
static size_t	parsed_bytes;
static uint64_t	parsed_clock;

static void
parsed_drop(struct parsed *p)
{
	parsed_bytes -= p->len;
	for (size_t i = 0; i < p->nderived; i++) {
		parsed_bytes -= p->derived[i].len;
		free(p->derived[i].name);
		free(p->derived[i].text);
	}
	free(p->derived);
	free(p->text);
	json_object_put(p->obj);
	memset(p, 0, sizeof(*p));
}

/* Drops the least recently used entry other than keep. 0, or -1 when there is none. */
static int
parsed_drop_oldest(const struct parsed *keep)
{
	struct parsed *old = NULL;

	for (size_t i = 0; i < PARSED_ENTRIES; i++)
		if (parsed[i].text && &parsed[i] != keep && (old == NULL || parsed[i].used < old->used))
			old = &parsed[i];
	if (old == NULL)
		return -1;
	parsed_drop(old);
	return 0;
}

static void
parsed_keep(const char *s, size_t len, struct json_object *o)
{
	struct parsed *victim = &parsed[0];

	if (len > PARSED_MAX_BYTES / 4)
		return;
	for (size_t i = 0; i < PARSED_ENTRIES; i++)
		if (parsed[i].text == NULL || parsed[i].used < victim->used)
			victim = &parsed[i];
	if (victim->text)
		parsed_drop(victim);
	while (parsed_bytes + len > PARSED_MAX_BYTES && parsed_drop_oldest(NULL) == 0)
		;
	victim->text = xstrdup(s);
	victim->len = len;
	victim->obj = json_object_get(o);
	victim->used = ++parsed_clock;
	parsed_bytes += len;
}

/* The kept entry of o, or NULL (o was built, or parsed for one request only). */
static struct parsed *
parsed_of(const struct json_object *o)
{
	for (size_t i = 0; i < PARSED_ENTRIES && o != NULL; i++)
		if (parsed[i].obj == o)
			return &parsed[i];
	return NULL;
}

static struct derived *
derived_find(struct parsed *p, const char *name, int index)
{
	for (size_t i = 0; p && i < p->nderived; i++) {
		struct derived *d = &p->derived[i];

		if (d->index == index && (d->name == name || (d->name && name && strcmp(d->name, name) == 0)))
			return d;
	}
	return NULL;
}

const char *
movies_derived(const struct json_object *o, const char *name, int index, uint64_t context, size_t *len)
{
	struct derived *d = derived_find(parsed_of(o), name, index);

	if (d == NULL || d->context != context)
		return NULL;
	*len = d->len;
	return d->text;
}

int
movies_derive(const struct json_object *o, const char *name, int index, uint64_t context,
    const char *text, size_t len)
{
	struct parsed	*p = parsed_of(o);
	struct derived	*d;

	if (p == NULL || len > PARSED_MAX_BYTES / 4)
		return -1;
	/* Room is made as for a new value: other values go first, the least recently used first. */
	while (parsed_bytes + len > PARSED_MAX_BYTES && parsed_drop_oldest(p) == 0)
		;
	if (parsed_bytes + len > PARSED_MAX_BYTES)
		return -1;
	if ((d = derived_find(p, name, index)) != NULL) {
		/* Made under another context (new templates, another image address): replaced. */
		parsed_bytes -= d->len;
		free(d->text);
	} else {
		if (p->nderived == p->cap) {
			p->cap = p->cap ? 2 * p->cap : 4;
			p->derived = xrealloc(p->derived, p->cap * sizeof(*p->derived));
		}
		d = &p->derived[p->nderived++];
		d->name = name ? xstrdup(name) : NULL;
		d->index = index;
	}
	d->context = context;
	d->text = xstrndup(text, len);
	d->len = len;
	parsed_bytes += len;
	return 0;
}

const char *
movies_json_text(struct json_object *o, size_t *len)
{
	const char *s = movies_derived(o, NULL, -1, 0, len);

	if (s != NULL)
		return s;
	s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, len);
	movies_derive(o, NULL, -1, 0, s, *len);
	return s;
}

struct json_object *
movies_parse_cached(const char *s)
{
	struct json_object	*o;
	size_t			 len;

	if (s == NULL)
		return NULL;
	len = strlen(s);
	for (size_t i = 0; i < PARSED_ENTRIES; i++)
		if (parsed[i].len == len && parsed[i].text && memcmp(parsed[i].text, s, len) == 0) {
			parsed[i].used = ++parsed_clock;
			return json_object_get(parsed[i].obj);
		}
	o = json_tokener_parse(s);
	if (o != NULL && !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
	}
	if (o != NULL)
		parsed_keep(s, len, o);
	return o;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static void
finish(struct slot *s, enum movies_status st, struct json_object *json)
{
	s->st = st;
	s->json = json;
	s->done = 1;
}

/* What a failed fetch turns into: the stale copy if there is one. */
static void
finish_failed(struct slot *s, enum tmdb_status ts)
{
	if (ts == TMDB_BAD_REQUEST) {
		finish(s, MOVIES_BAD_REQUEST, NULL);
		return;
	}
	if (s->stale != NULL) {
		finish(s, MOVIES_STALE, s->stale);
		s->stale = NULL;
		return;
	}
	finish(s, ts == TMDB_CONFIG_ERROR ? MOVIES_CONFIG_ERROR : MOVIES_UNAVAILABLE, NULL);
}

/* Step 1: fresh values and 404 markers, one MGET. 0, or -1 if Redis is down. */
static int
look_up(struct movies *m, struct slot **ss, size_t n)
{
	const char	**keys = xcalloc(2 * n, sizeof(*keys));
	char		**vals = xcalloc(2 * n, sizeof(*vals));
	int		  rv;

	for (size_t i = 0; i < n; i++) {
		keys[2 * i] = buf_cstr(&ss[i]->key);
		keys[2 * i + 1] = buf_cstr(&ss[i]->nf_key);
	}
	rv = cache_mget(m->cache, keys, 2 * n, vals, NULL);
	for (size_t i = 0; rv == 0 && i < n; i++) {
		struct json_object *o = movies_parse_cached(vals[2 * i]);

		if (o != NULL)
			finish(ss[i], MOVIES_OK, o);
		else if (vals[2 * i + 1] != NULL)
			finish(ss[i], MOVIES_NOT_FOUND, NULL);
		metrics_inc(MET_CACHE_LOOKUPS, tmdb_kind_name(ss[i]->q.kind), ss[i]->done ? "hit" : "miss");
	}
	for (size_t i = 0; i < 2 * n; i++)
		free(vals[i]);
	free(keys);
	free(vals);
	return rv;
}

/*
 * Step 2: take the refresh locks, then read the values again with the stale copies. A value (or
 * 404 marker) stored since step 1 ends the slot: without this second read, a worker whose lock
 * came just after another worker's fetch-store-unlock would call TMDb a second time.
 */
static void
claim(struct movies *m, struct slot **ss, size_t n, const char *token)
{
	const char	**locks = xcalloc(n, sizeof(*locks));
	const char	**keys = xcalloc(3 * n, sizeof(*keys));
	const char	**release = xcalloc(n, sizeof(*release));
	char		**vals = xcalloc(3 * n, sizeof(*vals));
	int		 *got = xcalloc(n, sizeof(*got));
	int		  lock_ms = (int)(tmdb_worst_case_ms(m->tmdb) + LOCK_MARGIN_MS);
	size_t		  nrelease = 0;

	for (size_t i = 0; i < n; i++) {
		locks[i] = buf_cstr(&ss[i]->lock_key);
		keys[3 * i] = buf_cstr(&ss[i]->key);
		keys[3 * i + 1] = buf_cstr(&ss[i]->nf_key);
		keys[3 * i + 2] = buf_cstr(&ss[i]->stale_key);
	}
	if (cache_lock_many(m->cache, locks, n, token, lock_ms, got) == -1) {
		/* Redis went away: no single flight possible, everyone asks TMDb. */
		for (size_t i = 0; i < n; i++)
			ss[i]->fetch = 1;
	} else {
		for (size_t i = 0; i < n; i++)
			ss[i]->fetch = ss[i]->locked = got[i];
		if (cache_mget(m->cache, keys, 3 * n, vals, NULL) == 0) {
			for (size_t i = 0; i < n; i++) {
				struct slot		*s = ss[i];
				struct json_object	*o = movies_parse_cached(vals[3 * i]);

				if (o != NULL)
					finish(s, MOVIES_OK, o);
				else if (vals[3 * i + 1] != NULL)
					finish(s, MOVIES_NOT_FOUND, NULL);
				else {
					s->stale = movies_parse_cached(vals[3 * i + 2]);
					continue;
				}
				if (s->locked)
					release[nrelease++] = buf_cstr(&s->lock_key);
				s->fetch = s->locked = 0;
			}
		}
		if (nrelease > 0)
			cache_unlock_many(m->cache, release, nrelease, token);
	}
	for (size_t i = 0; i < 3 * n; i++)
		free(vals[i]);
	free(locks);
	free(keys);
	free(release);
	free(vals);
	free(got);
}

/* TMDb asked us to slow down (a Retry-After in rs): every worker holds back for as long as it said. */
static void
honour_retry_after(struct movies *m, const struct tmdb_result *rs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (rs[i].retry_after_ms > 0 && m->rate > 0) {
			cache_pause(m->cache, PAUSE_KEY, rs[i].retry_after_ms < PAUSE_MAX_MS ?
			    rs[i].retry_after_ms : PAUSE_MAX_MS);
			break;
		}
	}
}

/* Writes what TMDb answered for the slots to Redis in one round trip: a value with its stale
 * copy, or a 404 marker. Failures write nothing. */
static void
store_results(struct movies *m, struct slot **ss, const struct tmdb_result *rs, size_t n)
{
	struct cache_item	*items = xcalloc(2 * n, sizeof(*items));
	size_t			 k = 0;

	for (size_t i = 0; i < n; i++) {
		struct slot *s = ss[i];

		if (rs[i].status == TMDB_OK) {
			/* Serialised once here; the string lives as long as rs[i].json. */
			const char *v = json_object_to_json_string_ext(rs[i].json,
			    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

			items[k++] = (struct cache_item){ buf_cstr(&s->key), v, strlen(v),
			    movies_ttl(s->q.kind) };
			items[k++] = (struct cache_item){ buf_cstr(&s->stale_key), v, strlen(v),
			    MOVIES_TTL_STALE };
		} else if (rs[i].status == TMDB_NOT_FOUND)
			items[k++] = (struct cache_item){ buf_cstr(&s->nf_key), "1", 1, MOVIES_TTL_NOTFOUND };
	}
	if (k > 0)
		cache_set_many(m->cache, items, k);
	free(items);
}

/* Releases the locks this fetch held, in one round trip, except as said below. */
static void
release_fetched(struct movies *m, struct slot **ss, const struct tmdb_result *rs, size_t n,
    const char *token)
{
	const char	**locks = xcalloc(n, sizeof(*locks));
	size_t		  nlocks = 0;

	for (size_t i = 0; i < n; i++) {
		/*
		 * A failed refresh with a stale copy keeps its lock until the lock expires: meanwhile
		 * the other workers serve the stale copy at once instead of each waiting on TMDb.
		 */
		int failed = rs[i].status != TMDB_OK && rs[i].status != TMDB_NOT_FOUND;

		if (ss[i]->locked && !(failed && ss[i]->stale != NULL))
			locks[nlocks++] = buf_cstr(&ss[i]->lock_key);
	}
	if (nlocks > 0)
		cache_unlock_many(m->cache, locks, nlocks, token);
	free(locks);
}

/* Step 3: the TMDb calls (concurrent when several), the cache writes, the unlocks. */
static void
fetch_now(struct movies *m, struct slot **ss, size_t n, const char *token)
{
	struct tmdb_query	*qs = xcalloc(n, sizeof(*qs));
	struct tmdb_result	*rs = xcalloc(n, sizeof(*rs));
	int			*have_stale = xcalloc(n, sizeof(*have_stale));

	for (size_t i = 0; i < n; i++) {
		qs[i] = ss[i]->q;
		have_stale[i] = ss[i]->stale != NULL;
	}
	tmdb_fetch_many(m->tmdb, qs, have_stale, n, rs);
	honour_retry_after(m, rs, n);
	store_results(m, ss, rs, n);
	release_fetched(m, ss, rs, n, token);
	for (size_t i = 0; i < n; i++) {
		if (rs[i].status == TMDB_OK)
			finish(ss[i], MOVIES_OK, rs[i].json);
		else if (rs[i].status == TMDB_NOT_FOUND)
			finish(ss[i], MOVIES_NOT_FOUND, NULL);
		else
			finish_failed(ss[i], rs[i].status);
	}
	free(qs);
	free(rs);
	free(have_stale);
}

/*
 * Takes up to want calls from the budget all workers share. A visitor's calls first take from
 * their client's bucket (its share), when one is set. Background calls first take from
 * their own bucket (their share of the rate and burst), then as many from the shared one while
 * it keeps the visitors' part of its burst: so they spend at most their share over time, and
 * never the calls visitors have left. (What the second refuses of the first's grant is lost:
 * the share errs on the visitors' side.) Returns the calls granted (0..want, with *pause_ms set
 * while TMDb's Retry-After runs), or -1 when Redis is down.
 */
static int
take_budget(struct movies *m, int want, enum movies_priority prio, long long *pause_ms)
{
	int keep = 0;

	/* A visitor's client first spends its own share: one address flooding misses leaves others theirs. */
	if (prio == MOVIES_VISITOR && m->client_key[0] != '\0') {
		want = cache_bucket_take(m->cache, m->client_key, PAUSE_KEY, m->cl_rate, m->cl_burst, 0, want,
		    pause_ms);
		if (want <= 0)
			return want;
	}
	if (prio == MOVIES_BACKGROUND && m->bg_rate > 0) {
		want = cache_bucket_take(m->cache, BG_BUDGET_KEY, PAUSE_KEY, m->bg_rate, m->bg_burst, 0,
		    want, pause_ms);
		if (want <= 0)
			return want;
		keep = m->burst - m->bg_burst;
	}
	return cache_bucket_take(m->cache, BUDGET_KEY, PAUSE_KEY, m->rate, m->burst, keep, want,
	    pause_ms);
}

/*
 * Step 3 within the budget all workers share: as many calls as the token bucket grants now
 * (all of them when Redis is down: the per-worker concurrency still bounds them); the rest,
 * and everything while TMDb's Retry-After runs, get their stale copy, or else fail at once
 * (a visitor's) or are deferred (background calls: they ask again later).
 */
static void
fetch(struct movies *m, struct slot **ss, size_t n, const char *token, enum movies_priority prio)
{
	long long	 pause_ms = 0;
	int		 granted = (int)n;
	const char	**locks;
	size_t		  nlocks = 0;

	if (m->rate > 0 && token != NULL)
		granted = take_budget(m, (int)n, prio, &pause_ms);
	if (granted < 0 || (size_t)granted >= n) {
		fetch_now(m, ss, n, token);
		return;
	}
	if (pause_ms > 0)
		log_warn("movies: TMDb asked to wait; %lld ms left: serving stale copies", pause_ms);
	else if (prio == MOVIES_BACKGROUND)
		log_info("movies: background calls' share of the TMDb budget is spent or visitors need "
		    "the rest (%d of %zu calls granted): the rest wait", granted, n);
	else
		log_warn("movies: the shared TMDb budget, or this client's share of it, is spent (%d of %zu "
		    "calls granted)", granted, n);
	if (granted > 0)
		fetch_now(m, ss, (size_t)granted, token);
	locks = xcalloc(n, sizeof(*locks));
	for (size_t i = (size_t)granted; i < n; i++) {
		/* Released unless a stale copy is served: then others serve it too meanwhile. */
		if (ss[i]->locked && ss[i]->stale == NULL)
			locks[nlocks++] = buf_cstr(&ss[i]->lock_key);
		if (prio == MOVIES_BACKGROUND && ss[i]->stale == NULL)
			finish(ss[i], MOVIES_DEFERRED, NULL);
		else
			finish_failed(ss[i], TMDB_RATE_LIMITED);
	}
	if (nlocks > 0)
		cache_unlock_many(m->cache, locks, nlocks, token);
	free(locks);
}

/*
 * Step 4, for keys another worker is refreshing and we have no stale copy of: poll Redis
 * (value, 404 marker, lock) until the value appears, the lock goes away without one (that
 * worker failed: UNAVAILABLE), or the timeout passes. TMDb is never called here.
 */
static void
await(struct movies *m, struct slot **ss, size_t n)
{
	int64_t		  deadline = now_ms() + tmdb_get_settings(m->tmdb)->timeout_ms;
	const char	**keys = xcalloc(3 * n, sizeof(*keys));

	/* Waiting on another worker's refresh counts against the page's deadline too. */
	if (m->deadline_ms != 0 && m->deadline_ms < deadline)
		deadline = m->deadline_ms;
	char		**vals = xcalloc(3 * n, sizeof(*vals));
	size_t		  left = n;

	while (left > 0) {
		sleep_ms(POLL_INTERVAL_MS);
		for (size_t i = 0; i < n; i++) {
			keys[3 * i] = buf_cstr(&ss[i]->key);
			keys[3 * i + 1] = buf_cstr(&ss[i]->nf_key);
			keys[3 * i + 2] = buf_cstr(&ss[i]->lock_key);
		}
		if (cache_mget(m->cache, keys, 3 * n, vals, NULL) == -1)
			break;
		for (size_t i = 0; i < n; i++) {
			struct slot		*s = ss[i];
			struct json_object	*o;

			if (s->done)
				continue;
			if ((o = movies_parse_cached(vals[3 * i])) != NULL)
				finish(s, MOVIES_OK, o);
			else if (vals[3 * i + 1] != NULL)
				finish(s, MOVIES_NOT_FOUND, NULL);
			else if (vals[3 * i + 2] == NULL)
				finish(s, MOVIES_UNAVAILABLE, NULL);
			if (s->done)
				left--;
		}
		for (size_t i = 0; i < 3 * n; i++) {
			free(vals[i]);
			vals[i] = NULL;
		}
		if (now_ms() >= deadline)
			break;
	}
	for (size_t i = 0; i < n; i++)
		if (!ss[i]->done)
			finish(ss[i], MOVIES_UNAVAILABLE, NULL);
	free(keys);
	free(vals);
}

/* Resolves the slots (all valid, distinct keys) through Redis and TMDb, on prio's budget. */
static void
resolve(struct movies *m, struct slot *slots, size_t n, enum movies_priority prio)
{
	struct slot	**pending = xcalloc(n ? n : 1, sizeof(*pending));
	size_t		  k = 0, f = 0, w = 0;
	char		  token[21];
	int		  cache_up;

	if (n == 0) {
		free(pending);
		return;
	}
	for (size_t i = 0; i < n; i++)
		pending[k++] = &slots[i];
	cache_up = look_up(m, pending, k) == 0;
	k = 0;
	for (size_t i = 0; i < n; i++)
		if (!slots[i].done)
			pending[k++] = &slots[i];
	if (k == 0)
		goto out;
	if (!cache_up) {
		fetch(m, pending, k, NULL, prio);
		goto out;
	}
	rand_string(token, 20, RAND_ALNUM);
	claim(m, pending, k, token);
	/* Reorder: ours to fetch first, then those another worker is fetching. */
	{
		struct slot **mine = xcalloc(k, sizeof(*mine)), **theirs = xcalloc(k, sizeof(*theirs));
		for (size_t i = 0; i < k; i++) {
			if (pending[i]->done)
				continue;	/* stored by another worker since the first read */
			if (pending[i]->fetch)
				mine[f++] = pending[i];
			else if (pending[i]->stale != NULL) {
				/* Someone is refreshing it: the last good copy will do meanwhile. */
				finish(pending[i], MOVIES_STALE, pending[i]->stale);
				pending[i]->stale = NULL;
			} else
				theirs[w++] = pending[i];
		}
		if (f > 0)
			fetch(m, mine, f, token, prio);
		if (w > 0)
			await(m, theirs, w);
		free(mine);
		free(theirs);
	}
out:
	free(pending);
}

static int
slot_init(struct movies *m, struct slot *s, const struct tmdb_query *q)
{
	memset(s, 0, sizeof(*s));
	s->q = *q;
	if (movies_cache_key(q, tmdb_get_settings(m->tmdb)->language, &s->key) == -1)
		return -1;
	/* Joined, not formatted: three per value on every page. */
	buf_puts(&s->stale_key, "stale:");
	buf_append(&s->stale_key, s->key.data, s->key.len);
	buf_puts(&s->nf_key, "notfound:");
	buf_append(&s->nf_key, s->key.data, s->key.len);
	buf_puts(&s->lock_key, "lock:");
	buf_append(&s->lock_key, s->key.data, s->key.len);
	return 0;
}

static void
slot_free(struct slot *s)
{
	buf_free(&s->key);
	buf_free(&s->stale_key);
	buf_free(&s->nf_key);
	buf_free(&s->lock_key);
	json_object_put(s->stale);
	json_object_put(s->json);
	s->stale = s->json = NULL;
}

static enum movies_status
one(struct movies *m, const struct tmdb_query *q, struct json_object **out)
{
	struct slot		s;
	enum movies_status	st;

	*out = NULL;
	if (slot_init(m, &s, q) == -1) {
		slot_free(&s);
		return MOVIES_BAD_REQUEST;
	}
	resolve(m, &s, 1, MOVIES_VISITOR);
	st = s.st;
	*out = s.json;
	s.json = NULL;
	slot_free(&s);
	return st;
}

enum movies_status
movies_trending(struct movies *m, const char *window, int page, struct json_object **out)
{
	struct tmdb_query q = { .kind = TMDB_TRENDING, .window = window, .page = page };

	return one(m, &q, out);
}

enum movies_status
movies_details(struct movies *m, int64_t id, struct json_object **out)
{
	struct tmdb_query q = { .kind = TMDB_DETAILS, .id = id };

	return one(m, &q, out);
}

enum movies_status
movies_recommendations(struct movies *m, int64_t id, int page, struct json_object **out)
{
	struct tmdb_query q = { .kind = TMDB_RECOMMENDATIONS, .id = id, .page = page };

	return one(m, &q, out);
}

enum movies_status
movies_similar(struct movies *m, int64_t id, int page, struct json_object **out)
{
	struct tmdb_query q = { .kind = TMDB_SIMILAR, .id = id, .page = page };

	return one(m, &q, out);
}

enum movies_status
movies_search(struct movies *m, const char *query, int year, int page, struct json_object **out)
{
	return movies_search_years(m, query, 0, year, page, out);
}

enum movies_status
movies_search_years(struct movies *m, const char *query, int year, int primary_release_year, int page,
    struct json_object **out)
{
	struct buf		norm = BUF_INIT;
	enum movies_status	st;

	*out = NULL;
	if (movies_normalize_query(query, &norm) == -1) {
		buf_free(&norm);
		return MOVIES_BAD_REQUEST;
	}
	struct tmdb_query q = { .kind = TMDB_SEARCH, .text = buf_cstr(&norm), .year = year,
	    .primary_release_year = primary_release_year, .page = page };
	st = one(m, &q, out);
	buf_free(&norm);
	return st;
}

enum movies_status
movies_genres(struct movies *m, struct json_object **out)
{
	struct tmdb_query q = { .kind = TMDB_GENRES };

	return one(m, &q, out);
}

enum movies_status
movies_discover(struct movies *m, int64_t genre_id, int page, struct json_object **out)
{
	struct tmdb_query q = { .kind = TMDB_DISCOVER, .id = genre_id, .page = page };

	return one(m, &q, out);
}

enum movies_status
movies_configuration(struct movies *m, struct json_object **out)
{
	struct tmdb_query q = { .kind = TMDB_CONFIGURATION };

	return one(m, &q, out);
}

enum movies_status
movies_details_many(struct movies *m, const int64_t *ids, size_t n, struct json_object **outs,
    enum movies_status *each)
{
	struct tmdb_query	*qs;
	enum movies_status	*sts, worst = MOVIES_OK;

	if (n > MOVIES_MANY_MAX) {
		for (size_t i = 0; i < MOVIES_MANY_MAX; i++) {
			outs[i] = NULL;
			if (each)
				each[i] = MOVIES_BAD_REQUEST;
		}
		return MOVIES_BAD_REQUEST;
	}
	qs = xcalloc(n ? n : 1, sizeof(*qs));
	sts = xcalloc(n ? n : 1, sizeof(*sts));
	for (size_t i = 0; i < n; i++)
		qs[i] = (struct tmdb_query){ .kind = TMDB_DETAILS, .id = ids[i] };
	movies_resolve_many(m, qs, n, outs, sts, MOVIES_VISITOR);
	for (size_t i = 0; i < n; i++) {
		if (each)
			each[i] = sts[i];
		if (sts[i] == MOVIES_CONFIG_ERROR ||
		    (sts[i] == MOVIES_UNAVAILABLE && worst != MOVIES_CONFIG_ERROR) ||
		    (sts[i] == MOVIES_STALE && worst == MOVIES_OK))
			worst = sts[i];
	}
	free(qs);
	free(sts);
	return worst;
}

void
movies_resolve_many(struct movies *m, const struct tmdb_query *qs, size_t n, struct json_object **outs,
    enum movies_status *sts, enum movies_priority prio)
{
	struct slot	*slots = xcalloc(n ? n : 1, sizeof(*slots));
	size_t		*which = xcalloc(n ? n : 1, sizeof(*which)), k = 0;

	for (size_t i = 0; i < n; i++) {
		size_t j;

		outs[i] = NULL;
		sts[i] = MOVIES_BAD_REQUEST;
		which[i] = SIZE_MAX;
		if (slot_init(m, &slots[k], &qs[i]) == -1) {
			slot_free(&slots[k]);
			continue;
		}
		/* The same key twice is resolved once (and locked once). */
		for (j = 0; j < k && strcmp(buf_cstr(&slots[j].key), buf_cstr(&slots[k].key)) != 0; j++)
			;
		if (j < k)
			slot_free(&slots[k]);
		else
			k++;
		which[i] = j;
	}
	resolve(m, slots, k, prio);
	for (size_t i = 0; i < n; i++) {
		if (which[i] == SIZE_MAX)
			continue;
		sts[i] = slots[which[i]].st;
		if (slots[which[i]].json)
			outs[i] = json_object_get(slots[which[i]].json);
	}
	for (size_t j = 0; j < k; j++)
		slot_free(&slots[j]);
	free(slots);
	free(which);
}

void
movies_set_deadline(struct movies *m, int64_t deadline_ms)
{
	m->deadline_ms = deadline_ms;
	tmdb_set_deadline(m->tmdb, deadline_ms);
}

void
movies_set_client(struct movies *m, const char *who)
{
	char hex[41];

	m->client_key[0] = '\0';
	if (who == NULL || *who == '\0' || m->cl_rate == 0)
		return;
	/* Hashed: keys neither grow with nor reveal the address. */
	sha1_hex(who, strlen(who), hex);
	snprintf(m->client_key, sizeof(m->client_key), CLIENT_BUDGET_KEY "%.32s", hex);
}

/* ---------- lifetime ---------- */

struct movies *
movies_open(const struct movies_settings *s)
{
	struct movies *m = xcalloc(1, sizeof(*m));

	m->rate = s->shared_rate > 0 ? s->shared_rate : 0;
	m->burst = s->shared_burst > 0 ? s->shared_burst : m->rate;
	if (m->rate > 0 && s->background_share > 0 && s->background_share < 100) {
		/* At least one call a second, or an import could never finish. */
		m->bg_rate = m->rate * s->background_share / 100 > 0 ? m->rate * s->background_share / 100 : 1;
		m->bg_burst = m->burst * s->background_share / 100 > 0 ? m->burst * s->background_share / 100 : 1;
	}
	if (m->rate > 0 && s->client_share > 0 && s->client_share < 100) {
		m->cl_rate = m->rate * s->client_share / 100 > 0 ? m->rate * s->client_share / 100 : 1;
		m->cl_burst = m->burst * s->client_share / 100 > 0 ? m->burst * s->client_share / 100 : 1;
	}
	if ((m->tmdb = tmdb_open(&s->tmdb)) == NULL || (m->cache = cache_open(&s->cache)) == NULL) {
		movies_close(m);
		return NULL;
	}
	return m;
}

void
movies_close(struct movies *m)
{
	if (m == NULL)
		return;
	tmdb_close(m->tmdb);
	cache_close(m->cache);
	free(m);
	for (size_t i = 0; i < PARSED_ENTRIES; i++)
		if (parsed[i].text)
			parsed_drop(&parsed[i]);
}

struct cache *
movies_cache(struct movies *m)
{
	return m->cache;
}
