/* http.c: parses a request from FastCGI parameters and serialises the response a handler filled. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/evp.h>

#include "fail.h"
#include "http.h"
#include "util.h"

static const char *
env_get(char *const *envp, const char *name)
{
	size_t n = strlen(name);

	for (; envp && *envp; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes %XX (and '+' as space when plus_space); -1 on a bad escape, NUL or invalid UTF-8. */
static int
percent_decode(struct arena *a, const char *s, size_t n, int plus_space, const char **out, size_t *outlen)
{
	char	*d = arena_alloc(a, n + 1);
	size_t	 o = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			int hi, lo;

			if (i + 2 >= n)
				return -1;
			hi = hexval(s[i + 1]);
			lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			d[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else if (s[i] == '+' && plus_space)
			d[o++] = ' ';
		else
			d[o++] = s[i];
		if (o > 0 && d[o - 1] == '\0')
			return -1;
	}
	d[o] = '\0';
	if (!utf8_valid(d, o))
		return -1;
	*out = d;
	*outlen = o;
	return 0;
}

int
params_parse_urlencoded(struct params *p, struct arena *a, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t		 end = i, eq;
		const char	*name, *value;
		size_t		 nlen, vlen;

		while (end < n && s[end] != '&')
			end++;
		if (end > i) {
			for (eq = i; eq < end && s[eq] != '='; eq++)
				;
			if (p->n == REQ_MAX_PARAMS)
				return -1;
			if (percent_decode(a, s + i, eq - i, 1, &name, &nlen) != 0)
				return -1;
			if (eq < end) {
				if (percent_decode(a, s + eq + 1, end - eq - 1, 1, &value, &vlen) != 0)
					return -1;
			} else {
				value = "";
				vlen = 0;
			}
			p->v[p->n].name = name;
			p->v[p->n].value = value;
			p->v[p->n].len = vlen;
			p->n++;
		}
		i = end + 1;
	}
	return 0;
}

void
params_parse_cookies(struct params *p, struct arena *a, const char *s)
{
	while (s && *s && p->n < REQ_MAX_PARAMS) {
		const char *end = strchr(s, ';'), *eq;

		if (end == NULL)
			end = s + strlen(s);
		while (*s == ' ' || *s == '\t')
			s++;
		eq = memchr(s, '=', (size_t)(end - s));
		if (eq && eq > s) {
			const char *v = eq + 1, *ve = end;

			while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
				ve--;
			if (ve - v >= 2 && *v == '"' && ve[-1] == '"') {
				v++;
				ve--;
			}
			p->v[p->n].name = arena_strndup(a, s, (size_t)(eq - s));
			p->v[p->n].value = arena_strndup(a, v, (size_t)(ve - v));
			p->v[p->n].len = (size_t)(ve - v);
			p->n++;
		}
		s = *end ? end + 1 : end;
	}
}

const char *
params_get(const struct params *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].name, name) == 0)
			return p->v[i].value;
	return NULL;
}

static enum method
method_from_name(const char *m)
{
	static const struct { const char *name; enum method m; } methods[] = {
		{ "GET", M_GET }, { "HEAD", M_HEAD }, { "POST", M_POST }, { "DELETE", M_DELETE },
		{ "PUT", M_PUT }, { "PATCH", M_PATCH }, { "OPTIONS", M_OPTIONS },
	};

	for (size_t i = 0; i < NELEM(methods); i++)
		if (strcmp(m, methods[i].name) == 0)
			return methods[i].m;
	return M_OTHER;
}

/* The CGI variables a request keeps (their values live in the FastCGI environment). */
static void
req_headers(struct req *r, char *const *envp)
{
	const char *v;

	r->method_name = env_get(envp, "REQUEST_METHOD");
	if (r->method_name == NULL)
		r->method_name = "GET";
	r->method = method_from_name(r->method_name);
	r->host = env_get(envp, "HTTP_HOST");
	v = env_get(envp, "REQUEST_SCHEME");
	r->scheme = (v && strcmp(v, "https") == 0) || env_get(envp, "HTTPS") ? "https" : "http";
	r->origin = env_get(envp, "HTTP_ORIGIN");
	r->cors_request_method = env_get(envp, "HTTP_ACCESS_CONTROL_REQUEST_METHOD");
	r->referer = env_get(envp, "HTTP_REFERER");
	r->remote_addr = env_get(envp, "REMOTE_ADDR");
	r->if_none_match = env_get(envp, "HTTP_IF_NONE_MATCH");
	r->authorization = env_get(envp, "HTTP_AUTHORIZATION");
	r->accept = env_get(envp, "HTTP_ACCEPT");
	r->request_id = env_get(envp, "REQUEST_ID");
	r->csrf_header = env_get(envp, "HTTP_X_CSRFTOKEN");
	r->content_type = env_get(envp, "CONTENT_TYPE");
}

/* REQUEST_URI into the decoded path and the query parameters: 0, or the HTTP status and *why. */
static int
req_target(struct req *r, const char *uri, const char **why)
{
	const char	*q;
	size_t		 pathlen, len;

	r->path = "/";
	if (uri == NULL || *uri != '/') {
		*why = msg_text(MSG_REQ_BAD_PATH);
		return 400;
	}
	if (strlen(uri) > REQ_MAX_URI) {
		*why = msg_text(MSG_REQ_PATH_TOO_LONG);
		return 414;
	}
	q = strchr(uri, '?');
	pathlen = q ? (size_t)(q - uri) : strlen(uri);
	r->query_string = q ? q + 1 : "";
	if (percent_decode(r->arena, uri, pathlen, 0, &r->path, &len) != 0) {
		*why = msg_text(MSG_REQ_PATH_ENCODING);
		r->path = "/";
		return 400;
	}
	if (params_parse_urlencoded(&r->query, r->arena, r->query_string, strlen(r->query_string)) != 0) {
		*why = msg_text(MSG_REQ_BAD_QUERY);
		return 400;
	}
	return 0;
}

/* A refused body is still read up to this size (nginx's largest client_max_body_size). */
#define REQ_DRAIN_MAX	(12 * 1024 * 1024)

/* Reads exactly CONTENT_LENGTH bytes of body: 0, or the HTTP status and *why. */
static int
req_body(struct req *r, const char *content_length, body_reader read_body, void *ctx, body_limit_fn limit,
    const char **why)
{
	const char	*too_large = msg_text(MSG_REQ_TOO_LARGE);
	size_t		 max = limit ? limit(r, &too_large) : REQ_MAX_BODY;
	int64_t		 clen;
	char		*body;
	size_t		 got = 0;

	if (content_length == NULL || *content_length == '\0')
		return 0;
	if (parse_int64(content_length, strlen(content_length), 0, INT64_MAX, &clen) != 0) {
		*why = msg_text(MSG_REQ_BAD_LENGTH);
		return 400;
	}
	if ((uint64_t)clen > max) {
		char	sink[16384];
		int64_t	left = clen < REQ_DRAIN_MAX ? clen : 0;

		/* Read what nginx sends (up to a bound), so the answer is not cut off by a closed socket. */
		while (left > 0) {
			int n = read_body(ctx, sink, left < (int64_t)sizeof(sink) ? (size_t)left : sizeof(sink));

			if (n <= 0)
				break;
			left -= n;
		}
		*why = too_large;
		return 413;
	}
	body = arena_alloc(r->arena, (size_t)clen + 1);
	while (got < (size_t)clen) {
		int n = read_body(ctx, body + got, (size_t)clen - got);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got != (size_t)clen) {
		*why = msg_text(MSG_REQ_CUT_SHORT);
		return 400;
	}
	body[got] = '\0';
	r->body = body;
	r->body_len = got;
	return 0;
}

int
req_parse(struct req *r, struct arena *a, char *const *envp, body_reader read_body, void *ctx,
    const char **why)
{
	return req_parse_limited(r, a, envp, read_body, ctx, NULL, why);
}

const struct upload *
req_file(const struct req *r, const char *field)
{
	for (size_t i = 0; i < r->nfiles; i++)
		if (strcmp(r->files[i].field, field) == 0)
			return &r->files[i];
	return NULL;
}

int
req_parse_limited(struct req *r, struct arena *a, char *const *envp, body_reader read_body, void *ctx,
    body_limit_fn limit, const char **why)
{
	int status;

	memset(r, 0, sizeof(*r));
	r->arena = a;
	req_headers(r, envp);
	params_parse_cookies(&r->cookies, a, env_get(envp, "HTTP_COOKIE"));
	if ((status = req_target(r, env_get(envp, "REQUEST_URI"), why)) != 0 ||
	    (status = req_body(r, env_get(envp, "CONTENT_LENGTH"), read_body, ctx, limit, why)) != 0)
		return status;
	if (r->method == M_POST && r->content_type &&
	    strncasecmp(r->content_type, "application/x-www-form-urlencoded", 33) == 0 &&
	    params_parse_urlencoded(&r->form, a, r->body ? r->body : "", r->body_len) != 0) {
		*why = msg_text(MSG_REQ_BAD_FORM);
		return 400;
	}
	return 0;
}

void
resp_init(struct resp *rs)
{
	memset(rs, 0, sizeof(*rs));
	rs->status = 200;
	rs->content_type = "text/html; charset=utf-8";
}

void
resp_free(struct resp *rs)
{
	buf_free(&rs->headers);
	buf_free(&rs->body);
}

void
resp_header(struct resp *rs, const char *name, const char *fmt, ...)
{
	va_list ap;

	buf_printf(&rs->headers, "%s: ", name);
	va_start(ap, fmt);
	buf_vprintf(&rs->headers, fmt, ap);
	va_end(ap);
	buf_puts(&rs->headers, "\r\n");
}

void
resp_redirect(struct resp *rs, int status, const char *location)
{
	/* Locations are built from validated same-site paths; CR/LF would split the header. */
	struct buf loc = BUF_INIT;

	if (strpbrk(location, "\r\n"))
		location = "/";
	/* As Django's iri_to_uri: non-ASCII bytes and spaces are percent-encoded. */
	for (const unsigned char *p = (const unsigned char *)location; *p; p++) {
		if (*p >= 0x80 || *p == ' ' || *p < 0x20 || *p == '"')
			buf_printf(&loc, "%%%02X", *p);
		else
			buf_putc(&loc, (char)*p);
	}
	rs->status = status;
	resp_header(rs, "Location", "%s", buf_cstr(&loc));
	buf_free(&loc);
	buf_reset(&rs->body);
}

void
resp_cookie(struct resp *rs, const struct req *r, const char *name, const char *value,
    long max_age, int script_readable)
{
	char		 date[64];
	time_t		 t = time(NULL) + (max_age > 0 ? max_age : 0);
	struct tm	 tm;

	if (max_age <= 0)
		t = 0;
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	buf_printf(&rs->headers, "Set-Cookie: %s=%s; expires=%s; %sMax-Age=%ld; Path=/; SameSite=Lax%s\r\n",
	    name, value, date, script_readable ? "" : "HttpOnly; ", max_age > 0 ? max_age : 0,
	    strcmp(r->scheme, "https") == 0 ? "; Secure" : "");
}

const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

/*
 * The last public bodies this worker sent, with their ETags: the same answer again (an API
 * movie, an anonymous page) is compared byte for byte, which costs a tenth of hashing it.
 */
#define ETAG_ENTRIES	4
#define ETAG_MAX_BODY	(64 * 1024)
static struct {
	char	*body;
	size_t	 len;
	char	 etag[40];
} etags[ETAG_ENTRIES];
static size_t etag_next;

/* A strong validator over the exact bytes sent. */
static void
body_etag(const struct buf *body, char out[40])
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen = 0;
	size_t		i;

	/* Fetched once: OpenSSL 3 would look the algorithm up again on every call. */
	static EVP_MD *sha256;

	for (i = 0; i < ETAG_ENTRIES; i++)
		if (etags[i].body && etags[i].len == body->len &&
		    memcmp(etags[i].body, buf_cstr(body), body->len) == 0) {
			memcpy(out, etags[i].etag, sizeof(etags[i].etag));
			return;
		}
	if (sha256 == NULL && (sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL)
		die("http: OpenSSL has no SHA-256");
	EVP_Digest(buf_cstr(body), body->len, md, &mdlen, sha256, NULL);
	out[0] = '"';
	hex_encode(md, 16, out + 1);
	out[33] = '"';
	out[34] = '\0';
	if (body->len > ETAG_MAX_BODY)
		return;
	i = etag_next++ % ETAG_ENTRIES;
	free(etags[i].body);
	etags[i].body = xmalloc(body->len ? body->len : 1);
	memcpy(etags[i].body, buf_cstr(body), body->len);
	etags[i].len = body->len;
	memcpy(etags[i].etag, out, sizeof(etags[i].etag));
}

static int
etag_matches(const char *header, const char *etag)
{
	/* If-None-Match may list several tags, possibly weak (W/"..."). */
	if (header == NULL)
		return 0;
	return strcmp(header, "*") == 0 || strstr(header, etag) != NULL;
}

/* Does the answer set a cookie? Header lines are "Name: value\r\n", names as resp_cookie writes them. */
static int
sets_cookie(const struct resp *rs)
{
	const char *h = buf_cstr(&rs->headers);

	for (const char *p = h; (p = strcasestr(p, "Set-Cookie:")) != NULL; p++)
		if (p == h || p[-1] == '\n')
			return 1;
	return 0;
}

void
resp_serialize(struct resp *rs, const struct req *r, struct buf *out)
{
	char etag[40];
	int  send_body = r->method != M_HEAD;

	/* A shared cache would replay the cookie (a session's, or its deletion) to everyone. */
	if (rs->public_cache && sets_cookie(rs))
		rs->public_cache = 0;
	if (rs->status == 200 && rs->public_cache) {
		body_etag(&rs->body, etag);
		if (etag_matches(r->if_none_match, etag)) {
			rs->status = 304;
			send_body = 0;
		}
	}
	buf_printf(out, "Status: %d %s\r\n", rs->status, http_reason(rs->status));
	if (rs->status != 204 && rs->status != 304)
		buf_printf(out, "Content-Type: %s\r\n", rs->content_type);
	if (rs->public_cache && (rs->status == 200 || rs->status == 304)) {
		buf_printf(out, "ETag: %s\r\nCache-Control: public, max-age=60\r\nVary: Cookie\r\n", etag);
	} else {
		/* Pages that depend on the visitor must never be cached by a shared cache. */
		buf_puts(out, "Cache-Control: private, no-cache\r\nVary: Cookie\r\n");
	}
	if (rs->allow)
		buf_printf(out, "Allow: %s\r\n", rs->allow);
	buf_printf(out, "X-Content-Type-Options: nosniff\r\n"
	    "Referrer-Policy: %s\r\n", rs->referrer_policy ? rs->referrer_policy : "same-origin");
	buf_puts(out, "X-Frame-Options: DENY\r\n"
	    "Content-Security-Policy: default-src 'self'; img-src 'self' data: http: https:; "
	    "script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'self'; "
	    "form-action 'self'; frame-ancestors 'none'\r\n");
	buf_append(out, buf_cstr(&rs->headers), rs->headers.len);
	if (rs->status == 204 || rs->status == 304) {
		buf_puts(out, "\r\n");
		return;
	}
	buf_printf(out, "Content-Length: %zu\r\n\r\n", rs->body.len);
	if (send_body)
		buf_append(out, buf_cstr(&rs->body), rs->body.len);
}

void
url_encode(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~')
			buf_putc(b, (char)c);
		else {
			buf_putc(b, '%');
			buf_putc(b, hex[c >> 4]);
			buf_putc(b, hex[c & 15]);
		}
	}
}
