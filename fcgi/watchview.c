/* watchview.c: where to watch: the visitor's region, the regions offered, and a movie's providers as the page shows them. */
#include <string.h>

#include "config.h"
#include "movieview.h"
#include "regions.h"
#include "reqjson.h"
#include "session.h"
#include "util.h"
#include "watchview.h"

/* TMDb's offer lists, in the order a viewer cares about them. */
static const struct { const char *key, *label; } offers[] = {
	{ "flatrate", "Stream" }, { "free", "Free" }, { "ads", "Free with ads" },
	{ "rent", "Rent" }, { "buy", "Buy" },
};

const char *
watchview_region(struct req *r)
{
	const char *chosen = r->session ? session_get(r->session, WATCH_REGION_KEY) : NULL;

	/* A value Django or an older release left there is only used if it is a region we offer. */
	return region_name(chosen) ? chosen : config.watch_region;
}

struct json_object *
watchview_regions(const char *current)
{
	struct json_object *list = json_object_new_array();

	const char *code, *name;

	for (size_t i = 0; (code = region_at(i, &name)) != NULL; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "code", json_object_new_string(code));
		json_object_object_add(o, "name", json_object_new_string(name));
		if (strcmp(code, current) == 0)
			json_object_object_add(o, "selected", json_object_new_boolean(1));
		json_object_array_add(list, o);
	}
	return list;
}

/* [{name, logo}] of one offer list; NULL when it is empty. */
static struct json_object *
providers_of(struct req *r, struct json_object *list)
{
	struct json_object *out;

	if (list == NULL || json_object_array_length(list) == 0)
		return NULL;
	out = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object	*p = json_object_array_get_idx(list, i), *o = json_object_new_object();
		const char		*logo = movieview_image(r, "w92", json_str(p, "logo_path"));

		json_object_object_add(o, "name", json_object_new_string(json_str(p, "provider_name")));
		if (logo)
			json_object_object_add(o, "logo", json_object_new_string(logo));
		json_object_array_add(out, o);
	}
	return out;
}

/* The section is kept per region: its two letters (regions.c's codes all have two) as the fragment's index. */
static int
region_index(const char *region)
{
	return (unsigned char)region[0] << 8 | (region[0] ? (unsigned char)region[1] : 0);
}

/* What movie_watch shows: {region, region_name, offers} for the visitor's region, from the providers alone. */
static struct json_object *
watch_context(struct req *r, struct json_object *providers)
{
	const char		*region = watchview_region(r);
	struct json_object	*results, *here = NULL, *watch = json_object_new_object(), *list = json_object_new_array();

	if (json_object_object_get_ex(providers, "results", &results))
		json_object_object_get_ex(results, region, &here);
	for (size_t i = 0; here && i < NELEM(offers); i++) {
		struct json_object *got, *o;

		if (!json_object_object_get_ex(here, offers[i].key, &got) || (got = providers_of(r, got)) == NULL)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "label", json_object_new_string(offers[i].label));
		json_object_object_add(o, "providers", got);
		json_object_object_add(o, "link", json_object_new_string(json_str(here, "link") ? json_str(here, "link") : ""));
		json_object_array_add(list, o);
	}
	json_object_object_add(watch, "region", json_object_new_string(region));
	json_object_object_add(watch, "region_name", json_object_new_string(region_name(region) ?
	    region_name(region) : region));
	if (json_object_array_length(list) > 0)
		json_object_object_add(watch, "offers", list);
	else
		json_object_put(list);
	return watch;
}

void
watchview_add(struct req *r, struct json_object *ctx, struct json_object *providers,
    enum movies_status st, const char *movie_url)
{
	struct json_object	*results, *watch;
	struct buf		 change = BUF_INIT;

	req_keep_json(r, providers);
	if (providers == NULL || movieview_fail(st) != FAIL_OK ||
	    !json_object_object_get_ex(providers, "results", &results)) {
		json_object_object_add(ctx, "watch_unavailable", json_object_new_boolean(1));
		return;
	}
	watch = json_object_new_object();
	/* The providers' part once per data version and region; the way back to this page per request. */
	json_object_object_add(watch, "html", movieview_fragment(r, providers, region_index(watchview_region(r)),
	    providers, "movie_watch", watch_context));
	buf_puts(&change, "/watch-region?next=");
	url_encode(&change, movie_url);
	json_object_object_add(watch, "change_url", json_object_new_string(buf_cstr(&change)));
	buf_free(&change);
	json_object_object_add(ctx, "watch", watch);
}
