/* tmdb_url.c: a TMDb call's URL and log description, built from the kinds table. */
#include <inttypes.h>
#include <string.h>

#include <curl/curl.h>

#include "tmdb.h"
#include "tmdb_kinds.h"
#include "util.h"

int
tmdb_query_check(const struct tmdb_query *q)
{
	const struct tmdb_kind_desc *d = tmdb_kind_desc(q->kind);

	if (d == NULL || (d->paged && (q->page < 1 || q->page > TMDB_MAX_PAGE)))
		return -1;
	return d->valid(q) ? 0 : -1;
}

void
tmdb_describe(const struct tmdb_query *q, struct buf *out)
{
	const struct tmdb_kind_desc *d = tmdb_kind_desc(q->kind);

	buf_puts(out, "GET ");
	if (d == NULL) {
		buf_puts(out, "?");
		return;
	}
	tmdb_kind_expand(d->path, q, NULL, out);
	if (d->describe_id != NULL)
		buf_printf(out, " %s=%" PRId64, d->describe_id, q->id);
	if (d->paged)
		buf_printf(out, " page=%d", q->page);
}

const char *
tmdb_kind_name(enum tmdb_kind kind)
{
	const struct tmdb_kind_desc *d = tmdb_kind_desc(kind);

	return d != NULL ? d->name : "unknown";
}

/* Appends name=value to the query, escaping the value. */
static int
add_param(CURLU *u, const char *name, const char *value)
{
	struct buf	p = BUF_INIT;
	CURLUcode	rc;

	buf_printf(&p, "%s=%s", name, value);
	rc = curl_url_set(u, CURLUPART_QUERY, buf_cstr(&p), CURLU_APPENDQUERY | CURLU_URLENCODE);
	buf_free(&p);
	return rc == CURLUE_OK ? 0 : -1;
}

static int
add_int_param(CURLU *u, const char *name, int64_t v)
{
	char s[24];

	snprintf(s, sizeof(s), "%" PRId64, v);
	return add_param(u, name, s);
}

/* Appends the query parameters q's kind takes, in the table's order (lang where it takes a
 * language). 0, or -1 if one could not be added. */
static int
add_kind_params(CURLU *u, const struct tmdb_query *q, const char *lang)
{
	const struct tmdb_param *p;
	int rc = 0;

	for (p = tmdb_kind_desc(q->kind)->params; rc == 0 && p->name != NULL; p++) {
		switch (p->src) {
		case TMDB_P_FIXED:	rc = add_param(u, p->name, p->value); break;
		case TMDB_P_LANG:	rc = add_param(u, p->name, lang); break;
		case TMDB_P_TEXT:	rc = add_param(u, p->name, q->text); break;
		case TMDB_P_PAGE:	rc = add_int_param(u, p->name, q->page); break;
		case TMDB_P_ID:		rc = add_int_param(u, p->name, q->id); break;
		case TMDB_P_YEAR:
			rc = q->year != 0 ? add_int_param(u, p->name, q->year) : 0;
			break;
		case TMDB_P_PRIMARY_YEAR:
			rc = q->primary_release_year != 0 ?
			    add_int_param(u, p->name, q->primary_release_year) : 0;
			break;
		}
	}
	return rc;
}

int
tmdb_build_url(const struct tmdb_settings *s, const struct tmdb_query *q, struct buf *out)
{
	struct buf	 url = BUF_INIT;
	CURLU		*u;
	char		*full = NULL, *scheme = NULL;
	const char	*lang = s->language && s->language[0] ? s->language : "en-US";
	size_t		 blen;
	int		 rv = -1;

	if (s->base_url == NULL || tmdb_query_check(q) == -1)
		return -1;
	blen = strlen(s->base_url);
	while (blen > 0 && s->base_url[blen - 1] == '/')
		blen--;
	buf_append(&url, s->base_url, blen);
	tmdb_kind_expand(tmdb_kind_desc(q->kind)->path, q, NULL, &url);
	if ((u = curl_url()) == NULL)
		die("curl_url: out of memory");
	if (curl_url_set(u, CURLUPART_URL, buf_cstr(&url), 0) != CURLUE_OK)
		goto out;
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0))
		goto out;
	/* The base URL must not carry its own query: parameters are ours alone. */
	if (curl_url_set(u, CURLUPART_QUERY, NULL, 0) != CURLUE_OK)
		goto out;
	if ((s->read_token == NULL || s->read_token[0] == '\0') && s->api_key && s->api_key[0] &&
	    add_param(u, "api_key", s->api_key) == -1)
		goto out;
	if (add_kind_params(u, q, lang) == -1)
		goto out;
	if (curl_url_get(u, CURLUPART_URL, &full, 0) != CURLUE_OK)
		goto out;
	buf_puts(out, full);
	rv = 0;
out:
	curl_free(full);
	curl_free(scheme);
	curl_url_cleanup(u);
	buf_free(&url);
	return rv;
}
