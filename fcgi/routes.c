/* routes.c: the site's URL table: every page and action, its methods and its flags. */
#include "pages.h"
#include "router.h"
#include "util.h"

const struct route routes[] = {
	{ M_GET,		"/",				page_home,	R_PUBLIC },
	{ M_GET,		"/healthz",			page_health,	R_JSON },
	{ M_GET,		"/api/v1/health-check/",	page_health_api, R_JSON | R_PUBLIC },
};
const size_t nroutes = NELEM(routes);
