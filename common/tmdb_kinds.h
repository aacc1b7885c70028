/* tmdb_kinds.h: one row per TMDb kind: path, parameters, paging, cache key, TTL and reshaper. */
#ifndef TMDB_KINDS_H
#define TMDB_KINDS_H

#include "buf.h"
#include "tmdb.h"

/* Where a query parameter's value comes from. */
enum tmdb_param_src {
	TMDB_P_FIXED,		/* value */
	TMDB_P_LANG,		/* the client's language */
	TMDB_P_PAGE,		/* q->page */
	TMDB_P_ID,		/* q->id */
	TMDB_P_TEXT,		/* q->text */
	TMDB_P_YEAR,		/* q->year, left out when 0 */
	TMDB_P_PRIMARY_YEAR	/* q->primary_release_year, left out when 0 */
};

struct tmdb_param {
	const char		*name;		/* NULL ends the list */
	enum tmdb_param_src	 src;
	const char		*value;		/* TMDB_P_FIXED only */
};

/*
 * Everything that differs between kinds. Templates expand {id}, {window}, {text}, {page} from
 * the query and {hash} from the caller (tmdb_kind_expand).
 */
struct tmdb_kind_desc {
	const char		*name;		/* metrics label */
	const char		*path;		/* URL path template */
	int			 paged;		/* takes page 1..TMDB_MAX_PAGE */
	/* The kind's own fields are well-formed: 1 or 0. */
	int			 (*valid)(const struct tmdb_query *);
	struct tmdb_param	 params[7];	/* the URL's query, in order */
	const char		*describe_id;	/* log label of an id not in the path, or NULL */
	const char		*key;		/* Redis cache key template */
	/* The key of page 1 (and window "day"): the origin app's shorter form; NULL = key. */
	const char		*key_first;
	int			 key_hashes_query; /* {hash}: SHA-1 of the normalised search */
	int			 ttl;		/* cache TTL, seconds */
	struct json_object	*(*shape)(struct json_object *raw);	/* tmdb_shape.h */
};

/* The row of kind, or NULL when kind is out of range. Rows are static: never freed. */
const struct tmdb_kind_desc *tmdb_kind_desc(enum tmdb_kind);

/* Appends tmpl to out with its placeholders filled from q ({hash} from hash, "" when NULL). */
void	 tmdb_kind_expand(const char *tmpl, const struct tmdb_query *q, const char *hash,
	    struct buf *out);

#endif
