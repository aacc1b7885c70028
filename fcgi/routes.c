/* routes.c: the site's URL table: every page and action, its methods and its flags. */
#include "page_schema.h"
#include "pages.h"
#include "router.h"
#include "util.h"

#define API	(R_JSON | R_NO_CSRF | R_NO_SESSION)

const struct route routes[] = {
	{ M_GET,		"/",				page_home,	R_PUBLIC },
	{ M_GET,		"/movie/{id}",			page_movie,	R_PUBLIC },
	{ M_GET,		"/search",			page_search,	R_PUBLIC },
	{ M_GET,		"/genre/{id}",			page_genre,	R_PUBLIC },
	{ M_GET,		"/favorites",			page_favorites,	R_LOGIN },
	{ M_POST,		"/favorites/{id}",		page_favorite_add, R_LOGIN },
	{ M_POST,		"/favorites/{id}/delete",	page_favorite_remove, R_LOGIN },
	{ M_GET,		"/for-you",			page_for_you,	R_LOGIN },
	{ M_GET,		"/healthz",			page_health,	R_JSON | R_NO_SESSION },
	{ M_GET,		"/metrics",			page_metrics,	R_NO_SESSION },
	{ M_GET,		"/login",			page_login,	0 },
	{ M_POST,		"/login",			page_login_post, 0 },
	{ M_POST,		"/logout",			page_logout_post, 0 },
	{ M_GET,		"/register",			page_register,	0 },
	{ M_POST,		"/register",			page_register_post, 0 },
	{ M_GET,		"/account/password",		page_password,	R_LOGIN },
	{ M_POST,		"/account/password",		page_password_post, R_LOGIN },
	{ M_GET,		"/api/v1/health-check/",	page_health_api, R_JSON | R_PUBLIC | R_NO_SESSION },
	/* The OpenAPI document Swagger UI (/api/docs/) and ReDoc (/api/redoc/) read; nginx serves those. */
	{ M_GET,		"/api/schema/",			page_api_schema, R_JSON | R_PUBLIC | R_NO_SESSION },
	/* The JSON API authenticates by Bearer token only: no session, so no CSRF. */
	{ M_POST,		"/api/v1/auth/register/",	page_api_register, API },
	{ M_POST,		"/api/v1/auth/login/",		page_api_login,	API },
	{ M_POST,		"/api/v1/auth/token/refresh/",	page_api_token_refresh, API },
	{ M_GET | M_POST,	"/api/v1/auth/favorites/",	page_api_favorites, API },
	{ M_DELETE,		"/api/v1/auth/favorites/{id}/",	page_api_favorite_delete, API },
	{ M_GET,		"/api/v1/movies/trending/",	page_api_trending, API | R_PUBLIC },
	{ M_GET,		"/api/v1/movies/search/",	page_api_search, API | R_PUBLIC },
	{ M_GET,		"/api/v1/movies/{id}/",		page_api_movie,	API | R_PUBLIC },
	{ M_GET,		"/api/v1/movies/{id}/recommendations/", page_api_recommendations, API | R_PUBLIC },
};
const size_t nroutes = NELEM(routes);
