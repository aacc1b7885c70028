/* app.c: a worker's state and the request pipeline: middleware, routing, handler, error pages. */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth.h"
#include "config.h"
#include "cors.h"
#include "db.h"
#include "hostcheck.h"
#include "log.h"
#include "movies.h"
#include "mustache.h"
#include "page_schema.h"
#include "router.h"
#include "session.h"
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

void
app_error(struct req *r, struct resp *rs, int status, const char *message)
{
	if (strncmp(r->path, "/api/", 5) == 0 || (r->route && (r->route->flags & R_JSON))) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "detail", json_object_new_string(message));
		view_json(r, rs, status, o);
		return;
	}
	view_error(r, rs, status, message);
}

/*
 * Django's APPEND_SLASH for a path that exists only with a trailing slash: GET and HEAD are
 * redirected (301, query kept); other methods get a 404 naming the right address, since a
 * redirected POST would lose its body (Django raises an error there in DEBUG).
 */
static void
append_slash(struct req *r, struct resp *rs)
{
	if (r->method == M_GET || r->method == M_HEAD) {
		/* The path matched a route pattern, so it holds only letters, digits, '-', '_', '/'. */
		resp_redirect(rs, 301, *r->query_string ?
		    arena_printf(r->arena, "%s/?%s", r->path, r->query_string) :
		    arena_printf(r->arena, "%s/", r->path));
		return;
	}
	app_error(r, rs, 404, arena_printf(r->arena, "There is no page at this address. "
	    "The address ends with a slash: %s/", r->path));
}

void
app_handle(struct req *r, struct resp *rs)
{
	int	 status = 0;
	char	 allow[64];

	if (hostcheck_refused(r, rs))
		return;
	if (cors_preflight(r, rs))
		goto done;
	if (app.movies)
		movies_set_deadline(app.movies, now_ms() + config.tmdb_page_deadline_ms);
	r->route = router_match(r, &status, allow, sizeof(allow));
	/* Sessions are read for every page: the header shows who is logged in, even on a 404. */
	if (app.db && !(r->route && (r->route->flags & R_NO_SESSION)))
		auth_load_visitor(r);
	/* A visitor we cannot identify gets a 503, not an anonymous page (and keeps the cookie). */
	if (r->session && r->session->unavailable) {
		app_error(r, rs, 503, "The site cannot reach its database right now. Please try again "
		    "in a minute: you are still logged in.");
		goto done;
	}
	if (r->route == NULL) {
		if (status == 405) {
			rs->allow = arena_strdup(r->arena, allow);
			app_error(r, rs, 405, "This address does not accept that kind of request.");
		} else if (router_slash_exists(r->path))
			append_slash(r, rs);
		else
			app_error(r, rs, 404, "There is no page at this address.");
		goto done;
	}
	if (r->method == M_POST && !(r->route->flags & R_NO_CSRF) && auth_check_csrf(r, rs) != 0)
		goto done;
	if ((r->route->flags & R_LOGIN) && r->user == NULL) {
		auth_redirect_to_login(r, rs);
		goto done;
	}
	r->route->fn(r, rs);
	if ((r->route->flags & R_PUBLIC) && r->user == NULL && rs->status == 200 && !r->csrf_cookie_set)
		rs->public_cache = 1;
done:
	if (r->session)
		session_save(r, rs, r->session);
	cors_headers(r, rs);
}
