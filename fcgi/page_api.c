/* page_api.c: the origin app's JSON API under /api/v1/: accounts with simplejwt tokens, favorites, movies. */
#include <ctype.h>
#include <libpq-fe.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api_parsers.h"
#include "app.h"
#include "auth.h"
#include "cache.h"
#include "db.h"
#include "favorites.h"
#include "form.h"
#include "jwt.h"
#include "log.h"
#include "movies.h"
#include "pages.h"
#include "token_gate.h"
#include "util.h"
#include "validators.h"

#define FAVORITES_PER_PAGE	20
#define PASSWORD_MAX		4096	/* longer passwords are refused before hashing */
#define EMAIL_MAX		254	/* auth_user.email */
#define BODY_MAX_DEPTH		16
#define TOKEN_NOT_VALID		"token_not_valid"
#define NO_ACTIVE_ACCOUNT	"No active account found with the given credentials"
#define MOVIES_DOWN		"The movie service is unavailable. Please try again in a minute."

/* ---- answers ---- */

/* {"detail": msg} with simplejwt's "code" when given; a 401 names the scheme, as DRF does. */
static void
api_detail(struct req *r, struct resp *rs, int status, const char *msg, const char *code)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "detail", json_object_new_string(msg));
	if (code)
		json_object_object_add(o, "code", json_object_new_string(code));
	if (status == 401)
		resp_header(rs, "WWW-Authenticate", "Bearer realm=\"api\"");
	view_json(r, rs, status, o);
}

/* DRF's throttled answer: 429, Retry-After and its message. */
static void
api_throttled(struct req *r, struct resp *rs, int retry_after)
{
	resp_header(rs, "Retry-After", "%d", retry_after);
	api_detail(r, rs, 429, arena_printf(r->arena, "Request was throttled. Expected available in %d second%s.",
	    retry_after, retry_after == 1 ? "" : "s"), NULL);
}

/* {"error": msg}: the origin app's own views answer this way. */
static void
api_error(struct req *r, struct resp *rs, int status, const char *msg)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "error", json_object_new_string(msg));
	view_json(r, rs, status, o);
}

/* Appends msg to errors[field], DRF's {"field": ["msg", ...]} shape. */
static void
field_error(void *ctx, const char *field, const char *msg)
{
	struct json_object *errors = ctx, *list;

	if (!json_object_object_get_ex(errors, field, &list)) {
		list = json_object_new_array();
		json_object_object_add(errors, field, list);
	}
	json_object_array_add(list, json_object_new_string(msg));
}

static struct json_object *
user_json(const struct user *u)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_int64(u->id));
	json_object_object_add(o, "username", json_object_new_string(u->username));
	json_object_object_add(o, "email", json_object_new_string(u->email));
	return o;
}

/* ---- request bodies (DRF's JSONParser and FormParser) ---- */

/* Python's name for a JSON value's type, for DRF's "Expected a dictionary" message. */
static const char *
python_type(struct json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_array:
		return "list";
	case json_type_string:
		return "str";
	case json_type_int:
		return "int";
	case json_type_double:
		return "float";
	case json_type_boolean:
		return "bool";
	case json_type_null:
		return "NoneType";
	default:
		return "dict";
	}
}

/* Does the Content-Type name this media type (parameters ignored)? */
static int
media_type_is(const char *content_type, const char *type)
{
	size_t n = strlen(type);

	while (*content_type == ' ')
		content_type++;
	return strncasecmp(content_type, type, n) == 0 &&
	    (content_type[n] == '\0' || content_type[n] == ';' || content_type[n] == ' ');
}

/*
 * The request's data as a JSON object (request-owned): {} for an empty body, the parsed JSON
 * object, or a urlencoded form's fields as strings. NULL after answering 400 or 415.
 */
static struct json_object *
body_data(struct req *r, struct resp *rs)
{
	struct json_tokener	*tok;
	struct json_object	*o;
	enum json_tokener_error	 err;

	if (r->body == NULL || r->body_len == 0)
		return req_keep_json(r, json_object_new_object());
	/* DRF's FormParser and MultiPartParser (api_parsers.c). */
	if (r->content_type && media_type_is(r->content_type, "application/x-www-form-urlencoded"))
		return api_form_data(r);
	if (r->content_type && media_type_is(r->content_type, "multipart/form-data")) {
		const char *why = NULL;

		if ((o = api_multipart_data(r, &why)) == NULL)
			api_detail(r, rs, 400, arena_printf(r->arena, "Multipart form parse error - %s", why), NULL);
		return o;
	}
	if (r->content_type == NULL || !media_type_is(r->content_type, "application/json")) {
		char msg[160];

		snprintf(msg, sizeof(msg), "Unsupported media type \"%.100s\" in request.",
		    r->content_type ? r->content_type : "");
		api_detail(r, rs, 415, msg, NULL);
		return NULL;
	}
	if ((tok = json_tokener_new_ex(BODY_MAX_DEPTH)) == NULL)
		die("api: out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, r->body, (int)r->body_len + 1);
	err = json_tokener_get_error(tok);
	/* As Python's json.loads: whitespace may follow the value, nothing else. */
	for (size_t end = json_tokener_get_parse_end(tok); err == json_tokener_success && end < r->body_len; end++)
		if (strchr(" \t\n\r", r->body[end]) == NULL || r->body[end] == '\0')
			err = json_tokener_error_parse_unexpected;
	json_tokener_free(tok);
	if (err != json_tokener_success) {
		char msg[160];

		json_object_put(o);
		snprintf(msg, sizeof(msg), "JSON parse error - %s", json_tokener_error_desc(err));
		api_detail(r, rs, 400, msg, NULL);
		return NULL;
	}
	req_keep_json(r, o);
	if (!json_object_is_type(o, json_type_object)) {
		struct json_object *errors = json_object_new_object();
		char msg[96];

		snprintf(msg, sizeof(msg), "Invalid data. Expected a dictionary, but got %s.", python_type(o));
		field_error(errors, "non_field_errors", msg);
		view_json(r, rs, 400, errors);
		return NULL;
	}
	return o;
}

/*
 * DRF's CharField: a string (numbers become their text), trimmed when trim, not blank, no
 * NUL, at most max code points. Returns it (request-owned) or NULL after recording the error.
 */
static const char *
char_field(struct req *r, struct json_object *data, struct json_object *errors, const char *name,
    int trim, size_t max)
{
	struct json_object	*v;
	const char		*s;
	size_t			 len;

	if (!json_object_object_get_ex(data, name, &v)) {
		field_error(errors, name, "This field is required.");
		return NULL;
	}
	switch (json_object_get_type(v)) {
	case json_type_null:
		field_error(errors, name, "This field may not be null.");
		return NULL;
	case json_type_string:
	case json_type_int:
	case json_type_double:
		break;
	default:
		field_error(errors, name, "Not a valid string.");
		return NULL;
	}
	s = json_object_get_string(v);
	len = json_object_is_type(v, json_type_string) ? (size_t)json_object_get_string_len(v) : strlen(s);
	if (memchr(s, '\0', len)) {
		field_error(errors, name, "Null characters are not allowed.");
		return NULL;
	}
	/* DRF trims as Python's str.strip(): Unicode spaces too (the input is valid UTF-8). */
	if (trim)
		s = form_strip(s, &len);
	if (len == 0) {
		field_error(errors, name, "This field may not be blank.");
		return NULL;
	}
	if (utf8_length(s, len) > max) {
		field_error(errors, name, arena_printf(r->arena,
		    "Ensure this field has no more than %zu characters.", max));
		return NULL;
	}
	return arena_strndup(r->arena, s, len);
}

/* ---- tokens ---- */

static int64_t
unix_now(void)
{
	return (int64_t)time(NULL);
}

/* Appends "name": token for a payload (consumed). */
static void
add_token(struct json_object *o, const char *name, struct json_object *payload)
{
	struct buf t = BUF_INIT;

	if (jwt_encode(app.signing.secret, payload, &t) != 0)
		die("api: a token payload could not be serialised");
	json_object_object_add(o, name, json_object_new_string(buf_cstr(&t)));
	buf_free(&t);
	json_object_put(payload);
}

/* The user a token's user_id claim names (an int, or digits as Django would accept), or 0. */
static int64_t
claim_user_id(struct json_object *payload)
{
	struct json_object	*v;
	int64_t			 id;

	if (!json_object_object_get_ex(payload, "user_id", &v))
		return 0;
	if (json_object_is_type(v, json_type_int)) {
		id = json_object_get_int64(v);
		return id >= 1 && id <= INT32_MAX ? id : -1;
	}
	if (json_object_is_type(v, json_type_string) &&
	    parse_int64(json_object_get_string(v), (size_t)json_object_get_string_len(v), 1, INT32_MAX, &id) == 0)
		return id;
	return -1;
}

/*
 * simplejwt's JWTAuthentication for a protected route: the active user the Bearer access
 * token names, or NULL after answering 401 (or 503 when the database is down).
 */
static struct user *
api_user(struct req *r, struct resp *rs)
{
	const char		*h = r->authorization, *word[3];
	size_t			 wlen[3], nwords = 0;
	struct json_object	*payload = NULL;
	enum jwt_status		 st;
	struct user		*u;
	int64_t			 id;
	int			 unavailable;

	/* Split on whitespace as Python's bytes.split(); only the first three words matter. */
	while (h && *h && nwords < 3) {
		while (isspace((unsigned char)*h))
			h++;
		if (*h == '\0')
			break;
		word[nwords] = h;
		while (*h && !isspace((unsigned char)*h))
			h++;
		wlen[nwords] = (size_t)(h - word[nwords]);
		nwords++;
	}
	/* No header, or another scheme: simply not authenticated. */
	if (nwords == 0 || wlen[0] != 6 || strncmp(word[0], "Bearer", 6) != 0) {
		api_detail(r, rs, 401, "Authentication credentials were not provided.", NULL);
		return NULL;
	}
	if (nwords != 2) {
		api_detail(r, rs, 401, "Authorization header must contain two space-delimited values",
		    "bad_authorization_header");
		return NULL;
	}
	st = jwt_decode(app.signing.secret, word[1], wlen[1], JWT_ACCESS, unix_now(), &payload);
	if (st != JWT_OK) {
		struct json_object *o = json_object_new_object(), *msgs = json_object_new_array(), *m;

		json_object_object_add(o, "detail", json_object_new_string("Given token not valid for any token type"));
		json_object_object_add(o, "code", json_object_new_string(TOKEN_NOT_VALID));
		m = json_object_new_object();
		json_object_object_add(m, "token_class", json_object_new_string("AccessToken"));
		json_object_object_add(m, "token_type", json_object_new_string(JWT_ACCESS));
		json_object_object_add(m, "message", json_object_new_string(jwt_status_message(st)));
		json_object_array_add(msgs, m);
		json_object_object_add(o, "messages", msgs);
		resp_header(rs, "WWW-Authenticate", "Bearer realm=\"api\"");
		view_json(r, rs, 401, o);
		return NULL;
	}
	id = claim_user_id(payload);
	req_keep_json(r, payload);
	if (id == 0) {
		api_detail(r, rs, 401, "Token contained no recognizable user identification", TOKEN_NOT_VALID);
		return NULL;
	}
	u = id > 0 ? auth_user_by_id(r, id, &unavailable) : (unavailable = 0, NULL);
	if (unavailable) {
		api_detail(r, rs, 503, "The service is unavailable. Please try again in a minute.", NULL);
		return NULL;
	}
	if (u == NULL) {
		api_detail(r, rs, 401, "User not found", "user_not_found");
		return NULL;
	}
	if (!u->is_active) {
		api_detail(r, rs, 401, "User is inactive", "user_inactive");
		return NULL;
	}
	if (token_gate_refused(r, rs, u->id, payload, JWT_ACCESS_LIFETIME))
		return NULL;
	r->user = u;
	return u;
}

/* ---- accounts ---- */

void
page_api_register(struct req *r, struct resp *rs)
{
	struct json_object	*data, *errors, *o;
	struct registration	 g;
	int64_t			 id;
	int			 retry_after;

	if (auth_throttle_costly(r, AUTH_COSTLY_REGISTER, &retry_after)) {
		api_throttled(r, rs, retry_after);
		return;
	}
	if ((data = body_data(r, rs)) == NULL)
		return;
	errors = req_keep_json(r, json_object_new_object());
	memset(&g, 0, sizeof(g));
	g.username = char_field(r, data, errors, "username", 1, 10 * VALIDATORS_USERNAME_MAX);
	/*
	 * DRF's CharField trims, so the origin hashed every API password without its surrounding
	 * spaces: the same here, or its users could not log in (the site's forms keep Django's
	 * rule, which does not strip passwords).
	 */
	g.password1 = char_field(r, data, errors, "password", 1, PASSWORD_MAX);
	g.password2 = char_field(r, data, errors, "password2", 1, PASSWORD_MAX);
	/* The origin answered 500 without an email; it is required, as on the site's form. */
	g.email = char_field(r, data, errors, "email", 1, EMAIL_MAX);
	g.password_field = "password";
	g.mismatch = "Password fields didn't match.";
	g.error = field_error;
	g.ctx = errors;
	if (page_register_check(&g) < 0) {
		api_detail(r, rs, 503, "Registration is not possible right now. Please try again in a minute.", NULL);
		goto out;
	}
	if (json_object_object_length(errors) > 0) {
		view_json(r, rs, 400, json_object_get(errors));
		goto out;
	}
	if ((id = page_register_create(&g)) < 0) {
		api_detail(r, rs, 503, "Registration is not possible right now. Please try again in a minute.", NULL);
		goto out;
	}
	if (id == 0) {
		field_error(errors, "username", "A user with that username already exists.");
		view_json(r, rs, 400, json_object_get(errors));
		goto out;
	}
	struct user u = { id, g.clean_username, g.clean_email, NULL, 1 };
	o = json_object_new_object();
	json_object_object_add(o, "message", json_object_new_string("User registered successfully"));
	json_object_object_add(o, "user", user_json(&u));
	view_json(r, rs, 201, o);
out:
	page_register_free(&g);
}

void
page_api_login(struct req *r, struct resp *rs)
{
	struct json_object	*data, *errors, *o, *refresh, *user;
	const char		*username, *password;
	struct user		*u;
	int			 retry_after = 0;
	long long		 count;
	int64_t			 now = unix_now();

	if ((data = body_data(r, rs)) == NULL)
		return;
	errors = req_keep_json(r, json_object_new_object());
	username = char_field(r, data, errors, "username", 1, 10 * VALIDATORS_USERNAME_MAX);
	/* simplejwt's serializer trims the password too (DRF CharField), as at registration. */
	password = char_field(r, data, errors, "password", 1, PASSWORD_MAX);
	if (json_object_object_length(errors) > 0) {
		view_json(r, rs, 400, json_object_get(errors));
		return;
	}
	switch (auth_authenticate(r, username, password, &u, &retry_after)) {
	case LOGIN_OK:
		break;
	case LOGIN_BAD_CREDENTIALS:
		api_detail(r, rs, 401, NO_ACTIVE_ACCOUNT, NULL);
		return;
	case LOGIN_THROTTLED:
		api_throttled(r, rs, retry_after);
		return;
	case LOGIN_UNAVAILABLE:
		api_detail(r, rs, 503, "Logging in is not possible right now. Please try again in a minute.", NULL);
		return;
	}
	if ((count = favorite_count(r, u->id)) < 0) {
		api_detail(r, rs, 503, "Logging in is not possible right now. Please try again in a minute.", NULL);
		return;
	}
	/* TokenObtainPairSerializer with the origin's username claim; the pair share one clock. */
	refresh = jwt_new_payload(JWT_REFRESH, JWT_REFRESH_LIFETIME, now);
	json_object_object_add(refresh, "user_id", json_object_new_int64(u->id));
	json_object_object_add(refresh, "username", json_object_new_string(u->username));
	o = json_object_new_object();
	add_token(o, "access", jwt_access_from_refresh(refresh, now));
	add_token(o, "refresh", refresh);
	user = user_json(u);
	json_object_object_add(user, "favourite_count", json_object_new_int64(count));
	json_object_object_add(o, "user", user);
	log_debug("api: issued tokens");
	view_json(r, rs, 200, o);
}

void
page_api_token_refresh(struct req *r, struct resp *rs)
{
	struct json_object	*data, *errors, *payload = NULL, *o;
	const char		*token;
	enum jwt_status		 st;
	int64_t			 now = unix_now(), id;
	struct user		*u = NULL;
	int			 unavailable = 0;

	if ((data = body_data(r, rs)) == NULL)
		return;
	errors = req_keep_json(r, json_object_new_object());
	if ((token = char_field(r, data, errors, "refresh", 1, JWT_MAX_TOKEN)) == NULL) {
		view_json(r, rs, 400, json_object_get(errors));
		return;
	}
	st = jwt_decode(app.signing.secret, token, strlen(token), JWT_REFRESH, now, &payload);
	if (st != JWT_OK) {
		api_detail(r, rs, 401, jwt_status_message(st), TOKEN_NOT_VALID);
		return;
	}
	req_keep_json(r, payload);
	/* Unlike simplejwt 5.2, a deleted or deactivated user gets no new access token. */
	if ((id = claim_user_id(payload)) > 0)
		u = auth_user_by_id(r, id, &unavailable);
	if (unavailable) {
		api_detail(r, rs, 503, "The service is unavailable. Please try again in a minute.", NULL);
		return;
	}
	if (u == NULL || !u->is_active) {
		api_detail(r, rs, 401, NO_ACTIVE_ACCOUNT, "no_active_account");
		return;
	}
	if (token_gate_refused(r, rs, u->id, payload, JWT_REFRESH_LIFETIME))
		return;
	o = json_object_new_object();
	add_token(o, "access", jwt_access_from_refresh(payload, now));
	view_json(r, rs, 200, o);
}

/* ---- favorites ---- */


static void
copy_field(struct json_object *to, struct json_object *details, const char *name)
{
	struct json_object *v = NULL;

	if (details)
		json_object_object_get_ex(details, name, &v);
	json_object_object_add(to, name, v ? json_object_get(v) : NULL);
}

/* The origin's FavoriteMovieSerializer fields; details NULL when TMDb and the cache failed. */
static struct json_object *
favorite_json(int64_t movie_id, const char *created_at, struct json_object *details)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "movie_id", json_object_new_int64(movie_id));
	json_object_object_add(o, "created_at", json_object_new_string(created_at));
	copy_field(o, details, "title");
	copy_field(o, details, "overview");
	copy_field(o, details, "release_date");
	copy_field(o, details, "poster_path");
	return o;
}

/* ---- api: every favorite, the origin's shape (begin) ---- */

/*
 * GET /auth/favorites/ without ?page=: every favorite as the origin listed them,
 * {"user", "favorite_movies"}. The movies are read MOVIES_MANY_MAX at a time; once TMDb has
 * failed for one batch the rest are listed from the cache's cards only (fields null when
 * absent), so a long list costs one TMDb timeout at most, not one per batch.
 */
static void
favorites_all(struct req *r, struct resp *rs, struct user *u)
{
	struct json_object	*o, *list, *outs[MOVIES_MANY_MAX];
	int64_t			 ids[MOVIES_MANY_MAX];
	int			 n, tmdb_failed = 0;
	PGresult		*res;

	const char *params[3] = { arena_printf(r->arena, "%lld", (long long)u->id),
	    arena_printf(r->arena, "%d", INT32_MAX), "0" };
	if ((res = db_exec(app.db, DB_FAV_LIST, 3, params)) == NULL) {
		api_detail(r, rs, 503, "Your favorites cannot be listed right now. Please try again in a minute.", NULL);
		return;
	}
	n = PQntuples(res);
	list = json_object_new_array();
	for (int start = 0; start < n; start += MOVIES_MANY_MAX) {
		int k = n - start < MOVIES_MANY_MAX ? n - start : MOVIES_MANY_MAX;

		for (int i = 0; i < k; i++) {
			ids[i] = strtoll(PQgetvalue(res, start + i, 0), NULL, 10);
			outs[i] = NULL;
		}
		if (tmdb_failed)
			movies_cards_cached(app.movies, ids, (size_t)k, outs);
		else {
			enum movies_status st = movies_cards_many(app.movies, ids, (size_t)k, outs);

			tmdb_failed = st == MOVIES_UNAVAILABLE || st == MOVIES_CONFIG_ERROR;
		}
		for (int i = 0; i < k; i++) {
			json_object_array_add(list, favorite_json(ids[i], PQgetvalue(res, start + i, 1), outs[i]));
			json_object_put(outs[i]);
		}
	}
	PQclear(res);
	o = json_object_new_object();
	json_object_object_add(o, "user", user_json(u));
	json_object_object_add(o, "favorite_movies", list);
	view_json(r, rs, 200, o);
}

/* ---- api: every favorite, the origin's shape (end) ---- */

static void
favorites_list(struct req *r, struct resp *rs, struct user *u)
{
	struct json_object	*o, *list, *outs[FAVORITES_PER_PAGE] = { 0 };
	int64_t			 ids[FAVORITES_PER_PAGE];
	const char		*v = params_get(&r->query, "page");
	int			 page = 1, n, total_pages;
	long long		 count;
	PGresult		*res;

	if (v && parse_int(v, 1, INT32_MAX / FAVORITES_PER_PAGE, &page) != 0) {
		api_detail(r, rs, 404, "Invalid page.", NULL);
		return;
	}
	if ((count = favorite_count(r, u->id)) < 0) {
		api_detail(r, rs, 503, "Your favorites cannot be listed right now. Please try again in a minute.", NULL);
		return;
	}
	total_pages = (int)((count + FAVORITES_PER_PAGE - 1) / FAVORITES_PER_PAGE);
	/* DRF's PageNumberPagination: page 1 always exists, others only up to the last. */
	if (page > 1 && page > total_pages) {
		api_detail(r, rs, 404, "Invalid page.", NULL);
		return;
	}
	const char *params[3] = { arena_printf(r->arena, "%lld", (long long)u->id),
	    arena_printf(r->arena, "%d", FAVORITES_PER_PAGE),
	    arena_printf(r->arena, "%d", (page - 1) * FAVORITES_PER_PAGE) };
	if ((res = db_exec(app.db, DB_FAV_LIST, 3, params)) == NULL) {
		api_detail(r, rs, 503, "Your favorites cannot be listed right now. Please try again in a minute.", NULL);
		return;
	}
	n = PQntuples(res);
	for (int i = 0; i < n && i < FAVORITES_PER_PAGE; i++)
		ids[i] = strtoll(PQgetvalue(res, i, 0), NULL, 10);
	/* One Redis round trip for the page, the misses from TMDb concurrently. */
	if (n > 0)
		movies_cards_many(app.movies, ids, (size_t)n, outs);
	list = json_object_new_array();
	for (int i = 0; i < n && i < FAVORITES_PER_PAGE; i++) {
		json_object_array_add(list, favorite_json(ids[i], PQgetvalue(res, i, 1), outs[i]));
		json_object_put(outs[i]);
	}
	PQclear(res);
	o = json_object_new_object();
	json_object_object_add(o, "user", user_json(u));
	json_object_object_add(o, "favorite_movies", list);
	json_object_object_add(o, "count", json_object_new_int64(count));
	json_object_object_add(o, "page", json_object_new_int(page));
	json_object_object_add(o, "total_pages", json_object_new_int(total_pages));
	view_json(r, rs, 200, o);
}

/* DRF's IntegerField for movie_id: an int, integral float or digit string, 1..2^31-1. */
static int64_t
movie_id_field(struct json_object *data, struct json_object *errors)
{
	struct json_object	*v;
	int64_t			 id;

	if (!json_object_object_get_ex(data, "movie_id", &v)) {
		field_error(errors, "movie_id", "This field is required.");
		return -1;
	}
	switch (json_object_get_type(v)) {
	case json_type_null:
		field_error(errors, "movie_id", "This field may not be null.");
		return -1;
	case json_type_int:
		id = json_object_get_int64(v);
		break;
	case json_type_double: {
		double d = json_object_get_double(v);

		if (!(d >= -1e12 && d <= 1e12) || d != trunc(d)) {
			field_error(errors, "movie_id", "A valid integer is required.");
			return -1;
		}
		id = (int64_t)d;
		break;
	}
	case json_type_string: {
		const char *s = json_object_get_string(v);
		size_t len = (size_t)json_object_get_string_len(v);

		while (len && isspace((unsigned char)*s))
			s++, len--;
		while (len && isspace((unsigned char)s[len - 1]))
			len--;
		if (parse_int64(s, len, INT64_MIN, INT64_MAX, &id) != 0) {
			field_error(errors, "movie_id", "A valid integer is required.");
			return -1;
		}
		break;
	}
	default:
		field_error(errors, "movie_id", "A valid integer is required.");
		return -1;
	}
	if (id < 1) {
		field_error(errors, "movie_id", "Ensure this value is greater than or equal to 1.");
		return -1;
	}
	if (id > INT32_MAX) {
		field_error(errors, "movie_id", "Ensure this value is less than or equal to 2147483647.");
		return -1;
	}
	return id;
}

static void
favorites_add(struct req *r, struct resp *rs, struct user *u)
{
	struct json_object	*data, *errors, *details = NULL, *o;
	const char		*created_at = NULL;
	int64_t			 id;

	if ((data = body_data(r, rs)) == NULL)
		return;
	errors = req_keep_json(r, json_object_new_object());
	if ((id = movie_id_field(data, errors)) < 0) {
		view_json(r, rs, 400, json_object_get(errors));
		return;
	}
	switch (favorite_add(r, u->id, id, &details, &created_at)) {
	case FAVORITE_UNKNOWN_MOVIE:
		/* The origin's documented answers to this POST are 201 and 400: a bad movie_id in the body is a 400. */
		api_error(r, rs, 400, "Invalid movie ID");
		return;
	case FAVORITE_MOVIES_DOWN:
		api_error(r, rs, 503, MOVIES_DOWN);
		return;
	case FAVORITE_DB_DOWN:
		api_detail(r, rs, 503, "Your favorite could not be saved right now. Please try again in a minute.", NULL);
		return;
	case FAVORITE_EXISTS:
		api_error(r, rs, 400, "Movie already in favorites");
		return;
	default:
		break;
	}
	o = json_object_new_object();
	json_object_object_add(o, "user", user_json(u));
	json_object_object_add(o, "favorite_movie", favorite_json(id, created_at, details));
	view_json(r, rs, 201, o);
}

void
page_api_favorites(struct req *r, struct resp *rs)
{
	struct user *u = api_user(r, rs);

	if (u == NULL)
		return;
	if (r->method == M_POST)
		favorites_add(r, rs, u);
	else if (params_get(&r->query, "page") == NULL)
		favorites_all(r, rs, u);
	else
		favorites_list(r, rs, u);
}

void
page_api_favorite_delete(struct req *r, struct resp *rs)
{
	struct user *u = api_user(r, rs);

	if (u == NULL)
		return;
	switch (favorite_remove(r, u->id, r->path_int[0])) {
	case FAVORITE_DB_DOWN:
		api_detail(r, rs, 503, "Your favorite could not be removed right now. Please try again in a minute.", NULL);
		return;
	case FAVORITE_ABSENT:
		api_error(r, rs, 404, "Favorite movie not found");
		return;
	default:
		/* A 204 has no body (the origin sent one). */
		rs->status = 204;
		buf_reset(&rs->body);
	}
}

/* ---- movies (public: a token, good or bad, is ignored) ---- */

/* Answers a movie-layer call; out is read after the call has filled it. */
static void
movie_answer(struct req *r, struct resp *rs, enum movies_status st, struct json_object **out)
{
	switch (st) {
	case MOVIES_OK:
	case MOVIES_STALE:
		view_json(r, rs, 200, *out);
		return;
	case MOVIES_NOT_FOUND:
		api_error(r, rs, 404, "Movie not found");
		return;
	case MOVIES_BAD_REQUEST:
		api_error(r, rs, 400, "Invalid request");
		return;
	case MOVIES_UNAVAILABLE:
	case MOVIES_CONFIG_ERROR:
		break;
	}
	resp_header(rs, "Retry-After", "60");
	api_error(r, rs, 503, MOVIES_DOWN);
}

/* ?page= in 1..500 (TMDb's limit): 0 after answering 400. */
static int
page_param(struct req *r, struct resp *rs)
{
	const char	*v = params_get(&r->query, "page");
	int		 page = 1;

	if (v && parse_int(v, 1, 500, &page) != 0) {
		api_error(r, rs, 400, "The page must be a whole number from 1 to 500");
		return 0;
	}
	return page;
}

void
page_api_trending(struct req *r, struct resp *rs)
{
	struct json_object	*out = NULL;
	const char		*window = params_get(&r->query, "time_window");
	int			 page;

	if ((page = page_param(r, rs)) == 0)
		return;
	/* The origin's trending was the week's list (the site's pages default to the day). */
	if (window == NULL)
		window = "week";
	if (strcmp(window, "day") != 0 && strcmp(window, "week") != 0) {
		api_error(r, rs, 400, "time_window must be day or week");
		return;
	}
	movie_answer(r, rs, movies_trending(app.movies, window, page, &out), &out);
}

void
page_api_movie(struct req *r, struct resp *rs)
{
	struct json_object *out = NULL;

	movie_answer(r, rs, movies_details(app.movies, r->path_int[0], &out), &out);
}

void
page_api_recommendations(struct req *r, struct resp *rs)
{
	struct json_object	*out = NULL;
	int			 page;

	if ((page = page_param(r, rs)) == 0)
		return;
	movie_answer(r, rs, movies_recommendations(app.movies, r->path_int[0], page, &out), &out);
}

void
page_api_search(struct req *r, struct resp *rs)
{
	struct json_object	*out = NULL;
	const char		*query = params_get(&r->query, "query"), *y = params_get(&r->query, "year");
	const char		*py = params_get(&r->query, "primary_release_year");
	int			 page, year = 0, primary_year = 0;
	struct buf		 norm = BUF_INIT;

	if (query == NULL || movies_normalize_query(query, &norm) != 0) {
		/* Blank is missing; too long or not UTF-8 is refused the same way TMDb would. */
		int blank = query == NULL || strspn(query, " \t\r\n\f\v") == strlen(query);

		buf_free(&norm);
		api_error(r, rs, 400, blank ? "Query parameter is required" : "The query is too long");
		return;
	}
	buf_free(&norm);
	/* year goes to TMDb as year, as the origin sent it; primary_release_year under its name. */
	if ((y && *y && parse_int(y, 1800, 2200, &year) != 0) ||
	    (py && *py && parse_int(py, 1800, 2200, &primary_year) != 0)) {
		api_error(r, rs, 400, "The year must be a whole number such as 1999");
		return;
	}
	if ((page = page_param(r, rs)) == 0)
		return;
	movie_answer(r, rs, movies_search_years(app.movies, query, year, primary_year, page, &out), &out);
}
