/* routes.c: the site's URL table: every page and action, its methods, flags and query parameters. */
#include "api_fields.h"
#include "args.h"
#include "handlers.h"
#include "jwt.h"
#include "listfile.h"
#include "page_schema.h"
#include "registration.h"
#include "resettoken.h"
#include "router.h"
#include "util.h"
#include "validators.h"

/* The JSON API authenticates by Bearer token only: no session, so no CSRF. */
#define API	(R_JSON | R_NO_CSRF | R_NO_SESSION)

const struct route routes[] = {
	{ M_GET,		"/",				page_home,	R_PUBLIC,	A_WINDOW | A_PAGE },
	{ M_GET,		"/movie/{id}",			page_movie,	R_PUBLIC,	0 },
	{ M_GET,		"/search",			page_search,	R_PUBLIC,	A_PAGE | A_YEAR | A_Q },
	{ M_GET,		"/genre/{id}",			page_genre,	R_PUBLIC,	A_PAGE },
	/* Both lists share their handlers (page_lists.c): the address names the list. */
	{ M_GET,		"/favorites",			page_list,	R_LOGIN,	A_PAGE | A_IMPORTED },
	{ M_GET,		"/favorites.csv",		page_list_csv,	R_LOGIN,	0 },
	{ M_POST,		"/favorites/{id}",		page_list_add,	R_LOGIN,	A_NEXT },
	{ M_POST,		"/favorites/{id}/delete",	page_list_remove, R_LOGIN,	A_NEXT },
	{ M_GET,		"/watchlist",			page_list,	R_LOGIN,	A_PAGE | A_IMPORTED },
	{ M_GET,		"/watchlist.csv",		page_list_csv,	R_LOGIN,	0 },
	{ M_POST,		"/watchlist/{id}",		page_list_add,	R_LOGIN,	A_NEXT },
	{ M_POST,		"/watchlist/{id}/delete",	page_list_remove, R_LOGIN,	A_NEXT },
	{ M_POST,		"/watchlist/{id}/watched",	page_watchlist_watched, R_LOGIN, A_THEN | A_NEXT },
	/* Importing a CSV file into either list (page_import.c); list= names it. */
	{ M_GET,		"/import",			page_import,	R_LOGIN,	A_LIST },
	{ M_POST,		"/import",			page_import_post, R_LOGIN,	A_LIST },
	{ M_GET,		"/import/{id}",			page_import_job, R_LOGIN,	A_PAGE },
	{ M_POST,		"/import/{id}/confirm",		page_import_confirm, R_LOGIN,	0 },
	{ M_GET,		"/for-you",			page_for_you,	R_LOGIN,	0 },
	{ M_GET,		"/watch-region",		page_watch_region, 0,		A_NEXT },
	{ M_POST,		"/watch-region",		page_watch_region_post, 0,	A_NEXT | A_REGION },
	{ M_GET,		"/healthz",			page_health,	R_JSON | R_NO_SESSION, 0 },
	{ M_GET,		"/metrics",			page_metrics,	R_NO_SESSION,	0 },
	{ M_GET,		"/login",			page_login,	0,		A_NEXT },
	{ M_POST,		"/login",			page_login_post, 0,		A_NEXT },
	{ M_POST,		"/logout",			page_logout_post, 0,		0 },
	{ M_GET,		"/register",			page_register,	0,		A_NEXT },
	{ M_POST,		"/register",			page_register_post, 0,		A_NEXT },
	{ M_GET,		"/account/password",		page_password,	R_LOGIN,	0 },
	{ M_POST,		"/account/password",		page_password_post, R_LOGIN,	0 },
	/* Password reset (page_reset.c), Django's URLs; the link's token moves into the session. */
	{ M_GET,		"/password-reset/",		page_reset,	0,		0 },
	{ M_POST,		"/password-reset/",		page_reset_post, 0,		0 },
	{ M_GET,		"/password-reset/done/",	page_reset_done, 0,		0 },
	{ M_GET,		"/reset/done/",			page_reset_complete, 0,		0 },
	{ M_GET,		"/reset/*",			page_reset_link, 0,		0 },
	{ M_POST,		"/reset/*",			page_reset_link_post, 0,	0 },
	{ M_GET,		"/account/email",		page_email,	R_LOGIN,	0 },
	{ M_POST,		"/account/email",		page_email_post, R_LOGIN,	0 },
	/* The link alone confirms (it names the user and the old address), so no login is asked. */
	{ M_GET,		"/account/email/confirm",	page_email_confirm, 0,		0 },
	{ M_POST,		"/account/email/confirm",	page_email_confirm_post, 0,	0 },
	{ M_GET,		"/account/delete",		page_delete,	R_LOGIN,	0 },
	{ M_POST,		"/account/delete",		page_delete_post, R_LOGIN,	0 },
	{ M_GET,		"/account/closed",		page_closed,	0,		0 },
	{ M_GET,		"/api/v1/health-check/",	page_health_api, R_JSON | R_PUBLIC | R_NO_SESSION, 0 },
	/* The OpenAPI document Swagger UI (/api/docs/) and ReDoc (/api/redoc/) read; nginx serves those. */
	{ M_GET,		"/api/schema/",			page_api_schema, R_JSON | R_PUBLIC | R_NO_SESSION, 0 },
	/* The JSON API authenticates by Bearer token only: no session, so no CSRF. */
	{ M_POST,		"/api/v1/auth/register/",	api_register,	API,		0 },
	{ M_POST,		"/api/v1/auth/login/",		api_login,	API,		0 },
	{ M_POST,		"/api/v1/auth/token/refresh/",	api_token_refresh, API,		0 },
	{ M_POST,		"/api/v1/auth/password/reset/",	api_reset,	API,		0 },
	{ M_POST,		"/api/v1/auth/password/reset/confirm/", api_reset_confirm, API,	0 },
	{ M_POST,		"/api/v1/auth/password/change/", api_password_change, API | R_TOKEN, 0 },
	{ M_GET,		"/api/v1/auth/favorites/",	api_list_index,	API | R_TOKEN, A_LIST_PAGE },
	{ M_POST,		"/api/v1/auth/favorites/",	api_list_add,	API | R_TOKEN, 0 },
	{ M_DELETE,		"/api/v1/auth/favorites/{id}/",	api_list_delete, API | R_TOKEN, 0 },
	{ M_GET,		"/api/v1/auth/watchlist/",	api_list_index,	API | R_TOKEN, A_LIST_PAGE },
	{ M_POST,		"/api/v1/auth/watchlist/",	api_list_add,	API | R_TOKEN, 0 },
	{ M_DELETE,		"/api/v1/auth/watchlist/{id}/",	api_list_delete, API | R_TOKEN, 0 },
	{ M_GET,		"/api/v1/movies/trending/",	api_trending,	API | R_PUBLIC,	A_TIME_WINDOW | A_PAGE },
	{ M_GET,		"/api/v1/movies/search/",	api_search,	API | R_PUBLIC,	A_QUERY | A_YEAR | A_RELEASE_YEAR | A_PAGE },
	{ M_GET,		"/api/v1/movies/{id}/",		api_movie,	API | R_PUBLIC,	0 },
	{ M_GET,		"/api/v1/movies/{id}/recommendations/", api_recommendations, API | R_PUBLIC, A_PAGE },
};
const size_t nroutes = NELEM(routes);

/* An import's file may be 10 MB (listfile.h); the form around it gets a little more. nginx allows it too. */
const struct route_body route_bodies[] = {
	{ M_POST,		"/import",	LISTFILE_MAX_BYTES + 64 * 1024,	MSG_IMPORT_TOO_LARGE },
};
const size_t nroute_bodies = NELEM(route_bodies);

/*
 * The JSON API's body fields (api_fields.h), the origin's serializers': checked, in this order,
 * before a handler reads them. DRF's CharField trims, so the origin hashed every API password
 * without its surrounding spaces (the same here, or its users could not log in); dj-rest-auth's
 * reset serializer keeps them. Cross-field checks (the passwords equal, the password validators,
 * a taken username) stay with the handlers.
 */
#define USERNAME	{ "username",	API_TEXT,	1, 0, 10 * VALIDATORS_USERNAME_MAX }
#define PASSWORD(n)	{ n,		API_TEXT,	1, 0, PASSWORD_MAX }
#define EMAIL		{ "email",	API_TEXT,	1, 0, EMAIL_MAX }
#define MOVIE_ID	{ "movie_id",	API_INT,	1, 1, INT32_MAX }

const struct route_fields route_fields[] = {
	/* The origin answered 500 without an email; it is required, as on the site's form. */
	{ M_POST, "/api/v1/auth/register/",	{ USERNAME, PASSWORD("password"), PASSWORD("password2"), EMAIL } },
	{ M_POST, "/api/v1/auth/login/",	{ USERNAME, PASSWORD("password") } },
	{ M_POST, "/api/v1/auth/token/refresh/", { { "refresh", API_TEXT, 1, 0, JWT_MAX_TOKEN } } },
	{ M_POST, "/api/v1/auth/password/reset/", { EMAIL } },
	{ M_POST, "/api/v1/auth/password/reset/confirm/", { { "new_password1", API_TEXT_RAW, 1, 0, PASSWORD_MAX },
	    { "new_password2", API_TEXT_RAW, 1, 0, PASSWORD_MAX }, { "uid", API_TEXT, 1, 0, RESETTOKEN_UID_MAX },
	    { "token", API_TEXT, 1, 0, RESETTOKEN_MAX } } },
	{ M_POST, "/api/v1/auth/password/change/", { PASSWORD("old_password"), PASSWORD("new_password1"),
	    PASSWORD("new_password2") } },
	{ M_POST, "/api/v1/auth/favorites/",	{ MOVIE_ID } },
	{ M_POST, "/api/v1/auth/watchlist/",	{ MOVIE_ID } },
};
const size_t nroute_fields = NELEM(route_fields);

/* The pages that show the visitor's lists, and what they ask to be read with the session. */
const struct route_ask route_asks[] = {
	{ "/movie/{id}",	page_movie_ask },
	{ "/favorites",		page_favorites_ask },
	{ "/watchlist",		page_watchlist_ask },
};
const size_t nroute_asks = NELEM(route_asks);
