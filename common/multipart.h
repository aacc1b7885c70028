/* multipart.h: a bounded parser of multipart/form-data bodies (RFC 7578), as DRF's MultiPartParser reads them. */
#ifndef MULTIPART_H
#define MULTIPART_H

#include <stddef.h>

#include "arena.h"

#define MULTIPART_MAX_PARTS		64	/* more parts is an error, not a truncation */
#define MULTIPART_MAX_BOUNDARY		70	/* RFC 2046 */
#define MULTIPART_MAX_HEADER_LINE	1024
#define MULTIPART_MAX_HEADERS		8	/* header lines per part */
#define MULTIPART_MAX_NAME		256	/* a field name's bytes after unquoting */

struct multipart_part {
	const char	*name;		/* the form field (arena-owned, NUL-terminated, valid UTF-8) */
	const char	*filename;	/* NULL for a plain field, else the file's name (arena-owned) */
	const char	*data;		/* the value's bytes, pointing into the body (not terminated) */
	size_t		 len;
};

struct multipart {
	struct multipart_part	 part[MULTIPART_MAX_PARTS];
	size_t			 n;
};

/*
 * The boundary parameter of a multipart/form-data Content-Type into out (arena-owned), or NULL
 * when the type is not multipart/form-data or the boundary is missing, empty, longer than
 * MULTIPART_MAX_BOUNDARY or holds characters RFC 2046 does not allow.
 */
const char	*multipart_boundary(struct arena *, const char *content_type);

/*
 * Parses body (len bytes, need not be terminated) delimited by boundary into mp. Parts
 * without a name are skipped, as Django does. Returns 0, or -1 with a short reason in *why
 * (static text) for anything malformed: no opening or closing delimiter, a part without
 * headers' end, a header line too long or too many, a header without ':', a
 * Content-Disposition other than form-data, a name that is not UTF-8, too many parts.
 * Reads nothing outside body[0..len).
 */
int		 multipart_parse(struct multipart *mp, struct arena *, const char *boundary,
		    const char *body, size_t len, const char **why);

#endif
