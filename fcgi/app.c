/* app.c: a worker's long-lived state: templates, hashing policy, signing keys and connections. */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "config.h"
#include "cors.h"
#include "db.h"
#include "log.h"
#include "movies.h"
#include "mustache.h"
#include "page_schema.h"
#include "util.h"
#include "validators.h"

struct app app;

/* SECRET_KEY_FALLBACKS as a NULL-terminated array (process lifetime). */
static const char *const *
split_fallbacks(const char *list)
{
	size_t	 n = 1;
	char	*copy = xstrdup(list), *tok, *save = NULL;
	const char **v;

	for (const char *p = list; *p; p++)
		n += *p == ',';
	v = xcalloc(n + 1, sizeof(*v));
	n = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (*tok)
			v[n++] = tok;
	/* The tokens point into copy; with none it is not needed. */
	if (n == 0)
		free(copy);
	return v;
}

static int
load_policy(void)
{
	static const struct { const char *name; const int *value; } params[] = {
		{ "pbkdf2_iterations", &config.pbkdf2_iterations },
		{ "argon2_time_cost", &config.argon2_time_cost },
		{ "argon2_memory_cost", &config.argon2_memory_cost },
		{ "argon2_parallelism", &config.argon2_parallelism },
		{ "bcrypt_rounds", &config.bcrypt_rounds },
		{ "scrypt_n", &config.scrypt_n },
		{ "scrypt_r", &config.scrypt_r },
		{ "scrypt_p", &config.scrypt_p },
	};

	if (hasher_policy_init(&app.policy, config.django_version) != 0) {
		log_error("config: DJANGO_VERSION %s is not one this program knows (3.2 to 6.0)",
		    config.django_version);
		return -1;
	}
	if (*config.password_hashers && hasher_policy_set_hashers(&app.policy, config.password_hashers) != 0) {
		log_error("config: PASSWORD_HASHERS names an unknown hasher");
		return -1;
	}
	for (size_t i = 0; i < NELEM(params); i++)
		if (*params[i].value != 0 &&
		    hasher_policy_set_param(&app.policy, params[i].name, *params[i].value) != 0)
			return -1;
	return 0;
}

int
app_load(void)
{
	struct mustache_set *t = mustache_set_load_dir(config.template_dir);

	if (t == NULL) {
		log_error("templates: cannot load %s", config.template_dir);
		return -1;
	}
	if (app.templates)
		mustache_set_free(app.templates);
	app.templates = t;
	if (page_schema_load(config.data_dir) != 0)
		return -1;
	if (app.signing.secret == NULL) {
		app.signing.secret = config.secret_key;
		app.signing.fallbacks = split_fallbacks(config.secret_key_fallbacks);
		if (load_policy() != 0)
			return -1;
		if (validators_init(config.data_dir, NULL) != 0)
			return -1;
		if (cors_check_origins(config.cors_allowed_origins) != 0)
			return -1;
	}
	return 0;
}

void
app_worker_init(void)
{
	struct movies_settings ms;
	struct db_settings ds = { config.database_url, config.db_connect_timeout_ms,
	    config.db_statement_timeout_ms, config.db_keepalive_idle_s, config.db_tcp_user_timeout_ms,
	    config.db_breaker_max_ms, !config.db_prepared };

	memset(&ms, 0, sizeof(ms));
	ms.tmdb.base_url = config.tmdb_base_url;
	ms.tmdb.api_key = config.tmdb_api_key;
	ms.tmdb.read_token = config.tmdb_read_token;
	ms.tmdb.language = config.tmdb_language;
	ms.tmdb.connect_timeout_ms = config.tmdb_connect_timeout_ms;
	ms.tmdb.timeout_ms = config.tmdb_timeout_ms;
	ms.tmdb.max_response_bytes = (size_t)config.tmdb_max_response_bytes;
	ms.tmdb.max_concurrency = config.tmdb_max_concurrency;
	ms.cache.url = config.redis_url;
	ms.shared_rate = config.tmdb_rate_limit;
	ms.shared_burst = config.tmdb_rate_burst;
	ms.background_share = config.tmdb_import_share;
	ms.client_share = config.tmdb_client_share;
	ms.cache.connect_timeout_ms = config.redis_connect_timeout_ms;
	ms.cache.command_timeout_ms = config.redis_timeout_ms;
	ms.cache.retry_interval_ms = config.redis_retry_ms;
	app.db = db_open_with(&ds);
	app.movies = movies_open(&ms);
	app.cache = app.movies ? movies_cache(app.movies) : NULL;
}

void
app_worker_close(void)
{
	movies_close(app.movies);
	app.movies = NULL;
	app.cache = NULL;
	db_close(app.db);
	app.db = NULL;
}
