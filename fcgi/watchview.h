/* watchview.h: where to watch: the visitor's region, the regions offered, and a movie's providers as the page shows them. */
#ifndef WATCHVIEW_H
#define WATCHVIEW_H

#include <json-c/json.h>

#include "http.h"
#include "movies.h"

#define WATCH_REGION_KEY	"watch_region"	/* the visitor's choice, in the session */

/* The region the visitor chose (in the session), else the WATCH_REGION setting. */
const char		*watchview_region(struct req *);
/* [{code, name, selected}] of every region offered, by name, the current one selected. */
struct json_object	*watchview_regions(const char *current);
/*
 * Adds "watch" to ctx for the visitor's region from a watch/providers result: {html (the
 * fragment movie_watch.mustache renders from {region, region_name, offers: [{label, link,
 * providers: [{name, logo}]}]}, kept per data version and region), change_url}, or
 * "watch_unavailable" when TMDb could not say (the page works without it).
 */
void			 watchview_add(struct req *, struct json_object *ctx, struct json_object *providers,
			    enum movies_status, const char *movie_url);

#endif
