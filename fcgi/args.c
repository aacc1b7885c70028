/* args.c: the query (and form) parameters a route declares, with their types and bounds, checked before its handler. */
#include <string.h>

#include "args.h"
#include "model_lists.h"
#include "movies.h"
#include "regions.h"
#include "router.h"
#include "util.h"

struct arg_def {
	unsigned	 decl;
	const char	*name;
	/* 0, or -1 when the value v (NULL when absent) is refused; may set *why_api to a finer message. */
	int		(*parse)(struct req *, const char *v, enum msg *why_api);
	enum fail	 fail;
	enum msg	 site_msg;
	enum msg	 api_msg;
};

static int
parse_page(struct req *r, const char *v, enum msg *why)
{
	(void)why;
	r->arg.page = 1;
	return v == NULL ? 0 : parse_int(v, 1, ARG_PAGE_MAX, &r->arg.page);
}

static int
parse_list_page(struct req *r, const char *v, enum msg *why)
{
	(void)why;
	r->arg.page = 1;
	/* Any page whose offset fits the database's integer. */
	return v == NULL ? 0 : parse_int(v, 1, INT32_MAX / 20, &r->arg.page);
}

static int
parse_window(struct req *r, const char *v, enum msg *why)
{
	(void)why;
	r->arg.window = v == NULL ? "day" : v;
	return strcmp(r->arg.window, "day") == 0 || strcmp(r->arg.window, "week") == 0 ? 0 : -1;
}

/* The origin's trending was the week's list (the site's pages default to the day). */
static int
parse_time_window(struct req *r, const char *v, enum msg *why)
{
	return parse_window(r, v == NULL ? "week" : v, why);
}

static int
parse_q(struct req *r, const char *v, enum msg *why)
{
	(void)why;
	r->arg.q = v;
	return v && utf8_length(v, strlen(v)) > ARG_SEARCH_MAX_CHARS ? -1 : 0;
}

static int
parse_query(struct req *r, const char *v, enum msg *why)
{
	struct buf	 norm = BUF_INIT;
	int		 ok;

	r->arg.q = v;
	/* Blank is missing; too long or not UTF-8 is refused the same way TMDb would. */
	ok = v != NULL && movies_normalize_query(v, &norm) == 0 && utf8_length(v, strlen(v)) <= ARG_SEARCH_MAX_CHARS;
	buf_free(&norm);
	if (!ok && (v == NULL || strspn(v, " \t\r\n\f\v") == strlen(v)))
		*why = MSG_API_QUERY_REQUIRED;
	return ok ? 0 : -1;
}

static int
parse_year(struct req *r, const char *v, enum msg *why)
{
	(void)why;
	r->arg.year = 0;
	return v == NULL || *v == '\0' ? 0 : parse_int(v, ARG_YEAR_MIN, ARG_YEAR_MAX, &r->arg.year);
}

static int
parse_release_year(struct req *r, const char *v, enum msg *why)
{
	(void)why;
	r->arg.release_year = 0;
	return v == NULL || *v == '\0' ? 0 : parse_int(v, ARG_YEAR_MIN, ARG_YEAR_MAX, &r->arg.release_year);
}

/*
 * Where to go after a form: only a path on this site ("/x"), never "//host", "/\\host", a scheme or
 * control bytes, which would make the site an open redirect. An unsafe value becomes "/", not an
 * error: the visitor still gets where they were going, just not where a link planted them.
 */
static int
parse_next(struct req *r, const char *v, enum msg *why)
{
	(void)why;
	r->arg.next = v;
	if (v == NULL)
		return 0;
	if (v[0] != '/' || v[1] == '/' || v[1] == '\\')
		r->arg.next = "/";
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\')
			r->arg.next = "/";
	return 0;
}

static int
parse_region(struct req *r, const char *v, enum msg *why)
{
	(void)why;
	r->arg.region = v;
	return region_name(v) ? 0 : -1;
}

/* A notice's number, never an error: a mangled link only loses the notice. */
static int
parse_imported(struct req *r, const char *v, enum msg *why)
{
	(void)why;
	if (v == NULL || parse_int(v, 0, INT32_MAX, &r->arg.imported) != 0)
		r->arg.imported = -1;
	r->arg.list = LIST_FAVORITES;
	return 0;
}

/* A form field, not a query parameter: what becomes of a movie marked watched. */
static int
parse_then(struct req *r, const char *v, enum msg *why)
{
	(void)why;
	r->arg.then_favorite = v != NULL && strcmp(v, "favorite") == 0;
	return v != NULL && (r->arg.then_favorite || strcmp(v, "remove") == 0) ? 0 : -1;
}

/* The list a file is imported into: required in the POST's form; the GET's only preselects it. */
static int
parse_list(struct req *r, const char *v, enum msg *why)
{
	enum movie_list	 l = LIST_FAVORITES;
	int		 rc = v == NULL && r->method == M_GET ? 0 : list_by_name(v, &l);

	(void)why;
	r->arg.list = (int)l;
	return rc;
}

/* The declarations read from the POST's form rather than the query string. */
#define A_FORM_ARGS	(A_THEN | A_REGION)
/* Those read from the query of a GET and the form of a POST. */
#define A_QUERY_OR_FORM	(A_NEXT | A_LIST)

/* In the order they are checked. */
static const struct arg_def defs[] = {
	{ A_QUERY,	"query",	parse_query,	FAIL_INPUT,	MSG_API_QUERY_TOO_LONG,	MSG_API_QUERY_TOO_LONG },
	{ A_PAGE,	"page",		parse_page,	FAIL_INPUT,	MSG_PAGE_NUMBER,	MSG_API_PAGE },
	{ A_LIST_PAGE,	"page",		parse_list_page, FAIL_NOT_FOUND,	MSG_API_INVALID_PAGE,	MSG_API_INVALID_PAGE },
	{ A_WINDOW,	"window",	parse_window,	FAIL_INPUT,	MSG_TRENDING_WINDOW,	MSG_API_TIME_WINDOW },
	{ A_TIME_WINDOW, "time_window",	parse_time_window,	FAIL_INPUT,	MSG_TRENDING_WINDOW,	MSG_API_TIME_WINDOW },
	{ A_YEAR,	"year",		parse_year,	FAIL_INPUT,	MSG_YEAR,		MSG_API_YEAR },
	{ A_RELEASE_YEAR, "primary_release_year", parse_release_year, FAIL_INPUT, MSG_YEAR,	MSG_API_YEAR },
	{ A_Q,		"q",		parse_q,	FAIL_INPUT,	MSG_SEARCH_TOO_LONG,	MSG_SEARCH_TOO_LONG },
	{ A_NEXT,	"next",		parse_next,	FAIL_OK,	MSG_NONE,		MSG_NONE },
	{ A_REGION,	"region",	parse_region,	FAIL_INPUT,	MSG_WATCH_REGION,	MSG_WATCH_REGION },
	{ A_THEN,	"then",		parse_then,	FAIL_INPUT,	MSG_WATCHED_THEN,	MSG_WATCHED_THEN },
	{ A_IMPORTED,	"imported",	parse_imported,	FAIL_OK,	MSG_NONE,		MSG_NONE },
	{ A_LIST,	"list",		parse_list,	FAIL_INPUT,	MSG_IMPORT_LIST,	MSG_IMPORT_LIST },
};

enum fail
args_parse(struct req *r, enum msg *m)
{
	unsigned	 decl = r->route ? r->route->args : 0;
	int		 api = r->route && (r->route->flags & R_JSON);

	r->arg.page = 1;
	r->arg.window = "day";
	r->arg.next = NULL;
	r->arg.imported = -1;
	r->arg.list = LIST_FAVORITES;
	for (size_t i = 0; i < NELEM(defs); i++) {
		enum msg why = MSG_NONE;

		if (!(decl & defs[i].decl))
			continue;
		/* A POST's form fields arrive in its body; next= and list= are read from the query of a GET. */
		const struct params *from = (defs[i].decl & A_FORM_ARGS) ||
		    ((defs[i].decl & A_QUERY_OR_FORM) && r->method == M_POST) ? &r->form : &r->query;

		if (defs[i].parse(r, params_get(from, defs[i].name), &why) != 0) {
			*m = why != MSG_NONE ? why : api ? defs[i].api_msg : defs[i].site_msg;
			return defs[i].fail;
		}
	}
	return FAIL_OK;
}
