/* http.h: the parsed request and the response a handler fills, independent of FastCGI. */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"

#define REQ_MAX_URI	4096
#define REQ_MAX_BODY	(64 * 1024)
#define REQ_MAX_PARAMS	64
#define REQ_MAX_PATH_INTS 4
#define REQ_MAX_FILES	4

enum method { M_GET = 1, M_HEAD = 2, M_POST = 4, M_DELETE = 8, M_PUT = 16, M_PATCH = 32, M_OPTIONS = 64, M_OTHER = 128 };

struct param {
	const char	*name;
	const char	*value;	/* NUL-terminated; NUL bytes inside are refused at parse time */
	size_t		 len;
};

struct params {
	struct param	 v[REQ_MAX_PARAMS];
	size_t		 n;
};

/* A file of a multipart/form-data form (the site's forms; the API reads its bodies itself). */
struct upload {
	const char	*field;
	const char	*filename;	/* as the browser sent it; may be "" */
	const char	*data;		/* points into the body; not terminated */
	size_t		 len;
};

struct session;
struct user;
struct json_object;
struct route;
struct visitor;

struct req {
	struct arena	*arena;
	enum method	 method;
	const char	*method_name;
	const char	*path;		/* percent-decoded, valid UTF-8 */
	const char	*query_string;	/* raw */
	struct params	 query;
	struct params	 form;		/* a POST form's fields (urlencoded; multipart on the site's routes) */
	struct upload	 files[REQ_MAX_FILES];	/* a site form's files (multipart) */
	size_t		 nfiles;
	struct params	 cookies;
	const char	*body;		/* raw body (e.g. JSON), NUL-terminated */
	size_t		 body_len;
	const char	*content_type;
	const char	*host;
	const char	*scheme;	/* "http" or "https", as nginx saw it */
	const char	*origin;
	const char	*cors_request_method;	/* Access-Control-Request-Method (CORS preflight) */
	const char	*referer;
	const char	*remote_addr;
	const char	*if_none_match;
	const char	*authorization;
	const char	*accept;
	const char	*request_id;
	int64_t		 path_int[REQ_MAX_PATH_INTS];	/* typed path parameters of the route */
	size_t		 npath_int;
	/* Filled by the middleware. */
	struct session	*session;
	struct user	*user;
	struct json_object *user_json;	/* the visitor as templates see it, or NULL */
	struct visitor	*visitor;	/* the visitor's lists a page asked to read with the session (visitor.h) */
	int		 lists_waited;	/* a list's table did not answer in time (locked): not asked again */
	const char	*csrf_token;	/* masked token for forms on this page */
	int		 csrf_cookie_set;	/* this response sets the csrftoken cookie */
	const char	*csrf_secret;	/* the visitor's CSRF secret, once known */
	const char	*csrf_header;	/* X-CSRFToken */
	const struct route *route;
	/* The route's declared query parameters, parsed and checked before its handler (args.c). */
	struct {
		int		 page;
		const char	*window;
		const char	*q;		/* as sent; NULL when absent */
		int		 year;		/* 0 when absent */
		int		 release_year;	/* primary_release_year (the API's search); 0 when absent */
		const char	*next;		/* a path on this site; NULL when absent, "/" when unsafe */
		const char	*region;	/* a country code of common/regions.c */
		int		 then_favorite;	/* the form's then=favorite (1) or then=remove (0) */
		int		 imported;	/* -1 when absent */
		int		 list;		/* the form's list=, an enum movie_list (model_lists.h) */
	} arg;
};

struct resp {
	int		 status;
	const char	*content_type;
	struct buf	 headers;	/* extra "Name: value\r\n" lines */
	struct buf	 body;
	int		 public_cache;	/* anonymous page: ETag and a short public max-age */
	const char	*allow;		/* for 405 */
	/* NULL: same-origin; "no-referrer" where the URL carries a secret (a reset link) */
	const char	*referrer_policy;
};

/*
 * Reads the request from FastCGI-style parameters (a NULL-terminated "NAME=value" array)
 * and a body reader. Returns 0, or an HTTP status (400, 411, 413, 414) and a message
 * for the error page in *why.
 */
typedef int (*body_reader)(void *ctx, char *buf, size_t len);
int		 req_parse(struct req *, struct arena *, char *const *envp, body_reader, void *ctx,
		    const char **why);
/*
 * The largest body a request may carry, asked once its method and path are known (before the
 * body is read), and the 413 page's message; REQ_MAX_BODY for most routes.
 */
typedef size_t (*body_limit_fn)(const struct req *, const char **why);
/* req_parse() with the body limit of limit (NULL: REQ_MAX_BODY for every request). */
int		 req_parse_limited(struct req *, struct arena *, char *const *envp, body_reader, void *ctx,
		    body_limit_fn limit, const char **why);
/* The first file of a form field, or NULL. */
const struct upload *req_file(const struct req *, const char *field);
/* The first value of a parameter, or NULL. */
const char	*params_get(const struct params *, const char *name);
/* Parses "a=1&b=2" into params (percent- and plus-decoded); -1 on bad encoding/UTF-8/NUL/too many. */
int		 params_parse_urlencoded(struct params *, struct arena *, const char *, size_t);
/* Parses a Cookie header. Malformed pairs are skipped, as browsers do. */
void		 params_parse_cookies(struct params *, struct arena *, const char *);

void		 resp_init(struct resp *);
void		 resp_free(struct resp *);
void		 resp_header(struct resp *, const char *name, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
void		 resp_redirect(struct resp *, int status, const char *location);
/* Sets a cookie with HttpOnly (unless script_readable), SameSite=Lax, Path=/, Secure on https. */
void		 resp_cookie(struct resp *, const struct req *, const char *name, const char *value,
		    long max_age, int script_readable);
/* Serialises status line, headers and body (not for HEAD) into out, adding security headers. */
void		 resp_serialize(struct resp *, const struct req *, struct buf *out);
const char	*http_reason(int status);

/* Appends percent-encoded text (unreserved characters kept). */
void		 url_encode(struct buf *, const char *);

#endif
