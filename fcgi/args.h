/* args.h: the query (and form) parameters a route declares, with their types and bounds, checked before its handler. */
#ifndef ARGS_H
#define ARGS_H

#include "fail.h"
#include "http.h"

/* The limits the site and the API share. */
#define ARG_PAGE_MAX		500	/* TMDb serves no page past 500 */
#define ARG_YEAR_MIN		1800
#define ARG_YEAR_MAX		2200
#define ARG_SEARCH_MAX_CHARS	200	/* characters, not bytes */

/* What a route may declare (route.args); each is parsed once, into r->arg. */
enum arg_decl {
	A_PAGE		= 1,	/* ?page= 1..ARG_PAGE_MAX, default 1 */
	A_LIST_PAGE	= 2,	/* ?page= of a paginated API list: 1.., default 1; 404 when invalid */
	A_WINDOW	= 4,	/* ?window= day|week (the site), default day */
	A_TIME_WINDOW	= 8,	/* ?time_window= day|week (the API), default week as the origin's */
	A_Q		= 16,	/* ?q= optional search text */
	A_QUERY		= 32,	/* ?query= required search text (the API) */
	A_YEAR		= 64,	/* ?year= optional, ARG_YEAR_MIN..ARG_YEAR_MAX; empty means none */
	A_RELEASE_YEAR	= 128,	/* ?primary_release_year= as A_YEAR (TMDb's own name, the API's search) */
	A_NEXT		= 256,	/* next= (the query of a GET, the form of a POST): a path on this site */
	A_REGION	= 512,	/* region= (the form of a POST): a country where-to-watch covers */
	A_THEN		= 1024,	/* the form's then= favorite|remove, required (a watched movie's next place) */
	A_IMPORTED	= 2048,	/* ?imported= movies an import just added, for the list's notice; -1 absent or invalid */
	A_LIST		= 4096,	/* list= favorites|watchlist (the form of a POST, required; the query of a GET, default favorites) */
};

/*
 * Parses and checks the parameters r->route declares into r->arg. FAIL_OK, or the failure and
 * *m to answer with (the site's or the API's wording, by the route's R_JSON flag).
 */
enum fail	 args_parse(struct req *, enum msg *m);

#endif
