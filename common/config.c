/* config.c: the program's settings, read from environment variables through one validated table. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "db.h"
#include "mime.h"
#include "regions.h"
#include "util.h"

struct config config;

enum cfg_type { CFG_STR, CFG_INT, CFG_URL };
enum cfg_flags { CFG_REQUIRED = 1, CFG_SECRET = 2, CFG_EMPTY_OK = 4 };

struct cfg_entry {
	const char	*name;
	enum cfg_type	 type;
	size_t		 offset;
	const char	*def;		/* NULL: no default */
	int		 flags;
	long		 min, max;	/* CFG_INT range */
	const char	*help;
};

#define S(f) offsetof(struct config, f)

static const struct cfg_entry table[] = {
	{ "SECRET_KEY", CFG_STR, S(secret_key), NULL, CFG_REQUIRED | CFG_SECRET, 0, 0,
	  "Django's SECRET_KEY: signs sessions; must equal the Django deployment's" },
	{ "SECRET_KEY_FALLBACKS", CFG_STR, S(secret_key_fallbacks), "", CFG_SECRET | CFG_EMPTY_OK, 0, 0,
	  "older keys still accepted, comma-separated (Django 4.1+ SECRET_KEY_FALLBACKS)" },
	{ "DJANGO_VERSION", CFG_STR, S(django_version), "5.1", 0, 0, 0,
	  "the Django version run beside: its default hasher parameters are used" },
	{ "PASSWORD_HASHERS", CFG_STR, S(password_hashers), "", CFG_EMPTY_OK, 0, 0,
	  "enabled hashers, preferred first (e.g. pbkdf2_sha256,argon2); empty = the version's list" },
	{ "PBKDF2_ITERATIONS", CFG_INT, S(pbkdf2_iterations), "0", 0, 0, 100000000,
	  "override of the PBKDF2 iteration count (0 = the version's)" },
	{ "ARGON2_TIME_COST", CFG_INT, S(argon2_time_cost), "0", 0, 0, 1000, "0 = Django's (2)" },
	{ "ARGON2_MEMORY_COST", CFG_INT, S(argon2_memory_cost), "0", 0, 0, 4194304, "KiB, 0 = Django's (102400)" },
	{ "ARGON2_PARALLELISM", CFG_INT, S(argon2_parallelism), "0", 0, 0, 64, "0 = Django's (8)" },
	{ "BCRYPT_ROUNDS", CFG_INT, S(bcrypt_rounds), "0", 0, 0, 31, "0 = Django's (12)" },
	{ "SCRYPT_N", CFG_INT, S(scrypt_n), "0", 0, 0, 1048576, "0 = Django's (16384)" },
	{ "SCRYPT_R", CFG_INT, S(scrypt_r), "0", 0, 0, 64, "0 = Django's (8)" },
	{ "SCRYPT_P", CFG_INT, S(scrypt_p), "0", 0, 0, 64, "0 = the version's (1, or 5 from 5.1)" },
	{ "SESSION_COOKIE_AGE", CFG_INT, S(session_cookie_age), "1209600", 0, 60, 315360000,
	  "session lifetime in seconds (Django's default: two weeks)" },
	{ "SESSION_ENGINE", CFG_STR, S(session_engine), "db", 0, 0, 0,
	  "db (Django's default) or cached_db: sessions are also written to Django's cache in Redis, "
	  "for a Django beside using django.contrib.sessions.backends.cached_db (the dotted names work too)" },
	{ "SESSION_CACHE_KEY_PREFIX", CFG_STR, S(session_cache_key_prefix), "", CFG_EMPTY_OK, 0, 0,
	  "cached_db: the KEY_PREFIX of Django's CACHES['default']" },
	{ "SESSION_CACHE_VERSION", CFG_INT, S(session_cache_version), "1", 0, 0, 2147483647,
	  "cached_db: the VERSION of Django's CACHES['default']" },
	{ "CSRF_TRUSTED_ORIGINS", CFG_STR, S(csrf_trusted_origins), "", CFG_EMPTY_OK, 0, 0,
	  "extra origins allowed to POST, comma-separated scheme://host[:port]" },
	{ "ALLOWED_HOSTS", CFG_STR, S(allowed_hosts), "127.0.0.1,localhost", 0, 0, 0,
	  "host names the site answers to, comma-separated: exact, .example.com (and subdomains) or *" },
	{ "CORS_ALLOWED_ORIGINS", CFG_STR, S(cors_allowed_origins), "", CFG_EMPTY_OK, 0, 0,
	  "origins whose pages may call the JSON API (CORS), comma-separated scheme://host[:port]" },
	{ "DATABASE_URL", CFG_URL, S(database_url), NULL, CFG_REQUIRED | CFG_SECRET, 0, 0,
	  "libpq connection URI (postgresql://...)" },
	{ "DB_CONNECT_TIMEOUT_MS", CFG_INT, S(db_connect_timeout_ms), "2000", 0, 100, 60000,
	  "bound on connecting to PostgreSQL and setting the session up" },
	{ "DB_STATEMENT_TIMEOUT_MS", CFG_INT, S(db_statement_timeout_ms), "3000", 0, 100, 600000,
	  "PostgreSQL statement_timeout; a statement unanswered 0.5 s after it drops the connection" },
	{ "DB_KEEPALIVE_IDLE_S", CFG_INT, S(db_keepalive_idle_s), "30", 0, 1, 7200,
	  "TCP keepalive idle time of the PostgreSQL connection" },
	{ "DB_TCP_USER_TIMEOUT_MS", CFG_INT, S(db_tcp_user_timeout_ms), "10000", 0, 100, 600000,
	  "how long sent data may stay unacknowledged before the connection is dead" },
	{ "DB_BREAKER_MAX_MS", CFG_INT, S(db_breaker_max_ms), "8000", 0, 250, 600000,
	  "after failures a worker fails fast for 250 ms, doubling up to this, before trying again" },
	{ "DB_PREPARED", CFG_INT, S(db_prepared), "1", 0, 0, 1,
	  "1: named statements prepared once per connection; 0: unnamed (PgBouncer transaction/statement pooling)" },
	{ "REDIS_URL", CFG_URL, S(redis_url), "redis://127.0.0.1:6379/0", CFG_SECRET, 0, 0,
	  "redis://[:password@]host:port/db or unix:///path/to/socket" },
	{ "REDIS_CONNECT_TIMEOUT_MS", CFG_INT, S(redis_connect_timeout_ms), "100", 0, 10, 10000,
	  "bound on connecting to Redis" },
	{ "REDIS_TIMEOUT_MS", CFG_INT, S(redis_timeout_ms), "200", 0, 10, 10000,
	  "bound on each Redis command" },
	{ "REDIS_RETRY_MS", CFG_INT, S(redis_retry_ms), "1000", 0, 10, 600000,
	  "after a failure, no Redis connect is tried for this long" },
	{ "TMDB_BASE_URL", CFG_URL, S(tmdb_base_url), "https://api.themoviedb.org/3", 0, 0, 0,
	  "TMDb API v3 base URL (the stand-in's in the local stack)" },
	{ "TMDB_API_KEY", CFG_STR, S(tmdb_api_key), "", CFG_SECRET | CFG_EMPTY_OK, 0, 0,
	  "TMDb v3 API key (sent as api_key)" },
	{ "TMDB_READ_TOKEN", CFG_STR, S(tmdb_read_token), "", CFG_SECRET | CFG_EMPTY_OK, 0, 0,
	  "TMDb v4 read access token (sent as Authorization: Bearer); used when set" },
	{ "TMDB_LANGUAGE", CFG_STR, S(tmdb_language), "en-US", 0, 0, 0, "TMDb language parameter" },
	{ "WATCH_REGION", CFG_STR, S(watch_region), "US", 0, 0, 0,
	  "the country whose streaming, rental and purchase offers movie pages show (ISO 3166-1, e.g. GB); visitors may pick their own" },
	{ "TMDB_CONNECT_TIMEOUT_MS", CFG_INT, S(tmdb_connect_timeout_ms), "2000", 0, 50, 60000, "" },
	{ "TMDB_TIMEOUT_MS", CFG_INT, S(tmdb_timeout_ms), "5000", 0, 100, 120000, "" },
	{ "TMDB_PAGE_DEADLINE_MS", CFG_INT, S(tmdb_page_deadline_ms), "8000", 0, 200, 120000,
	  "no page waits on TMDb past this (well under nginx's 30 s read timeout)" },
	{ "TMDB_RATE_LIMIT", CFG_INT, S(tmdb_rate_limit), "40", 0, 0, 100000,
	  "TMDb calls a second for all workers together, through Redis (TMDb allows about 50; 0 = no limit)" },
	{ "TMDB_RATE_BURST", CFG_INT, S(tmdb_rate_burst), "40", 0, 1, 100000,
	  "TMDb calls that may go at once after a quiet spell" },
	{ "TMDB_IMPORT_SHARE", CFG_INT, S(tmdb_import_share), "50", 0, 1, 100,
	  "percent of TMDB_RATE_LIMIT and TMDB_RATE_BURST imports may spend; visitors keep the rest" },
	{ "TMDB_CLIENT_SHARE", CFG_INT, S(tmdb_client_share), "50", 0, 1, 100,
	  "percent of TMDB_RATE_LIMIT and TMDB_RATE_BURST one client address's pages may spend (100 = no per-address share)" },
	{ "TMDB_MAX_RESPONSE_BYTES", CFG_INT, S(tmdb_max_response_bytes), "2097152", 0, 4096, 67108864, "" },
	{ "TMDB_MAX_CONCURRENCY", CFG_INT, S(tmdb_max_concurrency), "5", 0, 1, 19,
	  "parallel TMDb connections per worker; times WORKERS, at most 20 (TMDb's limit per IP)" },
	{ "WORKERS", CFG_INT, S(workers), "4", 0, 1, 256, "number of worker processes" },
	{ "MAX_REQUESTS", CFG_INT, S(max_requests), "10000", 0, 0, 100000000,
	  "a worker is recycled after this many requests (0 = never)" },
	{ "TEMPLATE_DIR", CFG_STR, S(template_dir), "fcgi/templates", 0, 0, 0, "" },
	{ "DATA_DIR", CFG_STR, S(data_dir), "common/data", 0, 0, 0, "common-password list etc." },
	{ "STATIC_URL", CFG_STR, S(static_url), "/static", 0, 0, 0, "URL prefix of static assets" },
	{ "LOG_LEVEL", CFG_STR, S(log_level), "info", 0, 0, 0, "error, warn, info or debug" },
	{ "LOGIN_FAIL_LIMIT", CFG_INT, S(login_fail_limit), "10", 0, 1, 100000,
	  "failed logins per username (x5 per address) within the window before 429" },
	{ "LOGIN_FAIL_WINDOW", CFG_INT, S(login_fail_window), "900", 0, 10, 86400, "seconds" },
	{ "LOGIN_USER_FAIL_CEILING", CFG_INT, S(login_user_fail_ceiling), "100", 0, 2, 10000000,
	  "failed logins per username from all addresses within the window before 429 (> LOGIN_FAIL_LIMIT)" },
	{ "REGISTER_LIMIT", CFG_INT, S(register_limit), "20", 0, 1, 1000000,
	  "registrations (site and API, any outcome) per client address within REGISTER_WINDOW" },
	{ "REGISTER_WINDOW", CFG_INT, S(register_window), "3600", 0, 10, 604800, "seconds" },
	{ "PASSWORD_CHECK_LIMIT", CFG_INT, S(password_check_limit), "10", 0, 1, 1000000,
	  "password checks (password change, email change, account deletion) per client address within LOGIN_FAIL_WINDOW" },
	{ "HASH_WINDOW", CFG_INT, S(hash_window), "300", 0, 10, 86400,
	  "seconds: the window of HASH_ADDR_LIMIT and HASH_USER_LIMIT" },
	{ "HASH_ADDR_LIMIT", CFG_INT, S(hash_addr_limit), "60", 0, 1, 1000000,
	  "password hashes (logins of any outcome, registrations, password changes and resets) per client address within HASH_WINDOW before 429" },
	{ "HASH_USER_LIMIT", CFG_INT, S(hash_user_limit), "100", 0, 2, 10000000,
	  "password hashes per username within HASH_WINDOW, not counting a browser with that user's known_device cookie, before 429" },
	{ "HASH_CONCURRENCY", CFG_INT, S(hash_concurrency), "0", 0, 0, 256,
	  "password hashes running at once across all workers (0 = the smaller of WORKERS - 1 and CPUs - 1, at least 1); more get 429 at once" },
	{ "EMAIL_HOST", CFG_STR, S(email_host), "localhost", 0, 0, 0,
	  "the SMTP server the mailer sends through (Django's name and default)" },
	{ "EMAIL_PORT", CFG_INT, S(email_port), "25", 0, 1, 65535, "" },
	{ "EMAIL_HOST_USER", CFG_STR, S(email_host_user), "", CFG_EMPTY_OK, 0, 0,
	  "SMTP AUTH user name; empty: no AUTH" },
	{ "EMAIL_HOST_PASSWORD", CFG_STR, S(email_host_password), "", CFG_SECRET | CFG_EMPTY_OK, 0, 0,
	  "SMTP AUTH password" },
	{ "EMAIL_USE_TLS", CFG_INT, S(email_use_tls), "0", 0, 0, 1,
	  "1: STARTTLS on the plain connection (usually port 587), required" },
	{ "EMAIL_USE_SSL", CFG_INT, S(email_use_ssl), "0", 0, 0, 1,
	  "1: implicit TLS from the first byte, smtps:// (usually port 465); not with EMAIL_USE_TLS" },
	{ "EMAIL_TIMEOUT", CFG_INT, S(email_timeout), "30", 0, 1, 600,
	  "seconds one message's SMTP exchange may take (Django's None, no bound, is not offered)" },
	{ "DEFAULT_FROM_EMAIL", CFG_STR, S(default_from_email), "webmaster@localhost", 0, 0, 0,
	  "the From of every mail: an address, or Name <address>" },
	{ "EMAIL_RETRY_MIN_S", CFG_INT, S(email_retry_min_s), "30", 0, 1, 86400,
	  "wait after a first transient failure (server down, 4xx); doubles with each attempt" },
	{ "EMAIL_RETRY_MAX_S", CFG_INT, S(email_retry_max_s), "3600", 0, 1, 604800,
	  "the longest wait between two attempts" },
	{ "EMAIL_MAX_ATTEMPTS", CFG_INT, S(email_max_attempts), "12", 0, 1, 1000,
	  "attempts before a message is given up (failed)" },
	{ "EMAIL_POLL_S", CFG_INT, S(email_poll_s), "10", 0, 1, 3600,
	  "the mailer's longest sleep between looks at the outbox (it wakes at once on a new row)" },
	{ "PASSWORD_RESET_TIMEOUT", CFG_INT, S(password_reset_timeout), "259200", 0, 60, 315360000,
	  "seconds a password reset link works (Django's name and default: three days)" },
	{ "PASSWORD_RESET_LIMIT", CFG_INT, S(password_reset_limit), "10", 0, 1, 1000000,
	  "password reset requests (site and API) per client address within PASSWORD_RESET_WINDOW" },
	{ "PASSWORD_RESET_EMAIL_LIMIT", CFG_INT, S(password_reset_email_limit), "3", 0, 1, 1000000,
	  "password reset requests per email address (from anywhere) within PASSWORD_RESET_WINDOW" },
	{ "PASSWORD_RESET_WINDOW", CFG_INT, S(password_reset_window), "3600", 0, 10, 604800, "seconds" },
	{ "EMAIL_CHANGE_MAX_AGE", CFG_INT, S(email_change_max_age), "259200", 0, 60, 2592000,
	  "seconds the link confirming a new email address stays valid" },
	{ "THROTTLE_EXEMPT_ADDRS", CFG_STR, S(throttle_exempt_addrs), "", CFG_EMPTY_OK, 0, 0,
	  "client addresses the registration, password-change and password-hash limits spare, comma-separated" },
	{ "IMPORT_MAX_JOBS", CFG_INT, S(import_max_jobs), "3", 0, 1, 100,
	  "import jobs one user may have waiting (matching or unconfirmed) at once; more is 429" },
	{ "IMPORT_MAX_BYTES", CFG_INT, S(import_max_bytes), "8388608", 0, 65536, 1073741824,
	  "bytes one user's waiting import jobs may keep in Redis together; more is 413" },
	{ "IMPORT_UPLOAD_LIMIT", CFG_INT, S(import_upload_limit), "20", 0, 1, 1000000,
	  "import uploads (any outcome) per user within IMPORT_UPLOAD_WINDOW; more is 429" },
	{ "IMPORT_UPLOAD_WINDOW", CFG_INT, S(import_upload_window), "3600", 0, 10, 86400, "seconds" },
};

static const char **
str_field(const struct cfg_entry *e)
{
	return (const char **)(void *)((char *)&config + e->offset);
}

static int *
int_field(const struct cfg_entry *e)
{
	return (int *)(void *)((char *)&config + e->offset);
}

static int
valid_url(const char *v)
{
	static const char *schemes[] = { "http://", "https://", "postgresql://", "postgres://",
	    "redis://", "unix://" };

	for (size_t i = 0; i < NELEM(schemes); i++)
		if (strncmp(v, schemes[i], strlen(schemes[i])) == 0 && v[strlen(schemes[i])] != '\0')
			return 1;
	return 0;
}

/* Django's two SESSION_ENGINE values this program can act as, by short or dotted name. */
static int
session_engine(const char *v, int *cached_db)
{
	static const char dotted[] = "django.contrib.sessions.backends.";

	if (strncmp(v, dotted, sizeof(dotted) - 1) == 0)
		v += sizeof(dotted) - 1;
	if (strcmp(v, "db") != 0 && strcmp(v, "cached_db") != 0)
		return -1;
	*cached_db = strcmp(v, "cached_db") == 0;
	return 0;
}

/* Sets one entry's field from its environment variable or default. Returns 0, or -1 after
 * printing to err why the value is missing or invalid (the field is then left alone). */
static int
load_entry(const struct cfg_entry *e, FILE *err)
{
	const char *v = getenv(e->name);

	if (v == NULL || (*v == '\0' && !(e->flags & CFG_EMPTY_OK)))
		v = e->def;
	if (v == NULL) {
		fprintf(err, "configuration: %s is required (%s)\n", e->name, e->help);
		return -1;
	}
	switch (e->type) {
	case CFG_INT: {
		int n;

		if (parse_int(v, (int)e->min, (int)e->max, &n) != 0) {
			fprintf(err, "configuration: %s=\"%s\" is not a whole number from %ld to %ld\n",
			    e->name, (e->flags & CFG_SECRET) ? "..." : v, e->min, e->max);
			return -1;
		}
		*int_field(e) = n;
		break;
	}
	case CFG_URL:
		if (!valid_url(v)) {
			fprintf(err, "configuration: %s is not a URL this program understands "
			    "(http://, https://, postgresql://, redis:// or unix://)\n", e->name);
			return -1;
		}
		/* FALLTHROUGH */
	case CFG_STR:
		*str_field(e) = v;
		break;
	}
	return 0;
}

/* The rules that tie values together, checked once every entry loaded. Returns 0, or -1 after
 * printing the first broken rule to err. */
static int
check_combined(FILE *err)
{
	if (config.secret_key && strlen(config.secret_key) < 16) {
		fprintf(err, "configuration: SECRET_KEY is too short (at least 16 characters)\n");
		return -1;
	}
	if (config.login_user_fail_ceiling <= config.login_fail_limit) {
		/* Else one address could lock a user out for everyone. */
		fprintf(err, "configuration: LOGIN_USER_FAIL_CEILING must be greater than LOGIN_FAIL_LIMIT\n");
		return -1;
	}
	if (config.hash_user_limit <= config.login_fail_limit *
	    ((config.hash_window + config.login_fail_window - 1) / config.login_fail_window)) {
		/* One address may fail LOGIN_FAIL_LIMIT times per user per LOGIN_FAIL_WINDOW. */
		fprintf(err, "configuration: HASH_USER_LIMIT must be greater than the LOGIN_FAIL_LIMIT failures "
		    "one address may make within HASH_WINDOW\n");
		return -1;
	}
	if (region_name(config.watch_region) == NULL) {
		fprintf(err, "configuration: WATCH_REGION must be a country code where-to-watch covers "
		    "(common/regions.c), in capitals, such as US or GB\n");
		return -1;
	}
	if (strcmp(config.log_level, "error") && strcmp(config.log_level, "warn") &&
	    strcmp(config.log_level, "info") && strcmp(config.log_level, "debug")) {
		fprintf(err, "configuration: LOG_LEVEL must be error, warn, info or debug\n");
		return -1;
	}
	if (db_url_check(config.database_url) != 0) {
		/* libpq's own message may quote the URL, password included: not shown. */
		fprintf(err, "configuration: DATABASE_URL is not a connection URI libpq accepts (check its "
		    "hosts, ports, percent-encoding and ?parameters)\n");
		return -1;
	}
	if (config.email_use_tls && config.email_use_ssl) {
		/* Django's own words for the same mistake. */
		fprintf(err, "configuration: EMAIL_USE_TLS/EMAIL_USE_SSL are mutually exclusive, so only "
		    "set one of those settings to 1\n");
		return -1;
	}
	if (mime_from_address(config.default_from_email, &(const char *){ NULL }, &(size_t){ 0 }) != 0 ||
	    strpbrk(config.default_from_email, "\r\n") != NULL) {
		fprintf(err, "configuration: DEFAULT_FROM_EMAIL is not an address or Name <address>\n");
		return -1;
	}
	if (session_engine(config.session_engine, &config.session_cached_db) != 0) {
		fprintf(err, "configuration: SESSION_ENGINE=\"%s\" is not db or cached_db (or Django's "
		    "django.contrib.sessions.backends.db or .cached_db); the file, cache and signed_cookies "
		    "engines are not supported\n", config.session_engine);
		return -1;
	}
	return 0;
}

int
config_load(FILE *err)
{
	int bad = 0;

	for (size_t i = 0; i < NELEM(table); i++)
		if (load_entry(&table[i], err) != 0)
			bad = 1;
	if (!bad && check_combined(err) != 0)
		bad = 1;
	return bad ? -1 : 0;
}

/*
 * Prints a URL with any password replaced, so logs never hold it: the user-info's (which ends
 * at the last '@' before the path, whatever the hosts, e.g. a libpq multi-host
 * "h1:5432,h2:5432") and a query that names one (?password=, ?sslpassword=).
 */
static void
print_redacted_url(FILE *f, const char *v)
{
	const char	*scheme_end = strstr(v, "://"), *host, *path, *q, *at = NULL, *colon = NULL;

	if (scheme_end == NULL) {
		fputs(v, f);
		return;
	}
	host = scheme_end + 3;
	path = host + strcspn(host, "/?");
	for (const char *p = host; p < path; p++)
		if (*p == '@')
			at = p;
	if (at)
		colon = memchr(host, ':', (size_t)(at - host));
	q = strchr(path, '?');
	if (q == NULL)
		q = path + strlen(path);
	if (colon)
		fprintf(f, "%.*s:<redacted>%.*s", (int)(colon - v), v, (int)(q - at), at);
	else
		fprintf(f, "%.*s", (int)(q - v), v);
	if (*q)
		fputs(strstr(q, "password") ? "?<redacted>" : q, f);
}

void
config_print(FILE *f)
{
	for (size_t i = 0; i < NELEM(table); i++) {
		const struct cfg_entry *e = &table[i];

		fprintf(f, "%s=", e->name);
		if (e->type == CFG_INT)
			fprintf(f, "%d", *int_field(e));
		else if (e->type == CFG_URL)
			print_redacted_url(f, *str_field(e) ? *str_field(e) : "");
		else if (e->flags & CFG_SECRET)
			fputs(*str_field(e) && **str_field(e) ? "<redacted>" : "", f);
		else
			fputs(*str_field(e) ? *str_field(e) : "", f);
		fputc('\n', f);
	}
}
