/* mustache.h: logic-less Mustache templates, compiled once per worker and rendered per request. */
#ifndef MUSTACHE_H
#define MUSTACHE_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "buf.h"

/*
 * Implements the core Mustache spec (interpolation, sections, inverted sections, comments,
 * set-delimiter, partials with standalone indentation). Not supported: lambdas and the other
 * optional modules (dynamic names, inheritance). {{x}} escapes & < > " ' (as &amp; &lt; &gt;
 * &quot; &#39;); only {{{x}}} and {{& x}} write raw text.
 *
 * Data model (json-c): a section is skipped when its value is missing, null, false, "" or [];
 * 0 and {} are truthy. Arrays repeat the section once per element; any other truthy value is
 * pushed as the context. Integers interpolate plainly, doubles in their shortest round-trip
 * form (1.21 -> "1.21"), booleans as true/false, null/missing/objects/arrays as nothing.
 */

/* Sections nested deeper than this in one template are a compile error. */
#define MUSTACHE_MAX_NESTING	100
/* Partials nested deeper than this (usually runaway recursion) make the render fail. */
#define MUSTACHE_MAX_PARTIAL_DEPTH	64

struct mustache;
struct mustache_set;

/* Resolves a partial name to a compiled template, or NULL (the partial then renders empty). */
typedef const struct mustache *(*mustache_partial_fn)(const void *arg, const char *name);

/*
 * Compiles len bytes of template source. Returns the template (free with mustache_free), or
 * NULL with "line N: message" in err (errsz bytes, may be 0) on an unclosed or mismatched
 * section, a bad tag or bad delimiters. Does not log: the caller knows the file name.
 */
struct mustache *mustache_compile(const char *src, size_t len, char *err, size_t errsz);

/*
 * Appends the rendering of tpl against ctx (NULL is an empty context) to out. Partials are
 * looked up through partial(arg, name); partial may be NULL. Missing names render empty.
 * Returns 0, or -1 (logged) when partials nest deeper than MUSTACHE_MAX_PARTIAL_DEPTH; out
 * then holds a truncated page that the caller should discard.
 */
int	 mustache_render(const struct mustache *tpl, struct json_object *ctx,
	    mustache_partial_fn partial, const void *arg, struct buf *out);

void	 mustache_free(struct mustache *);

/* An empty registry of named templates; partials of its templates resolve within it. */
struct mustache_set *mustache_set_new(void);

/*
 * Compiles src under name (copied). Returns 0, or -1 with "line N: message" in err when the
 * source does not compile or the name is already taken. Does not log.
 */
int	 mustache_set_add(struct mustache_set *, const char *name, const char *src, size_t len,
	    char *err, size_t errsz);

/*
 * Compiles every DIR/NAME.mustache file (not subdirectories) under NAME. Returns the set, or
 * NULL (logged with file and line) if the directory cannot be read or any file fails to
 * compile. Partial names that match no file are logged as warnings, not errors. A file that
 * writes a value unescaped ({{{x}}} or {{& x}}) is refused unless its own comment names why:
 * "{{! unescaped: <reason> }}".
 */
struct mustache_set *mustache_set_load_dir(const char *dir);

/*
 * A digest of every name and source in the set: a text rendered from its templates is kept
 * under it, so new templates never meet an old rendering. 0 for NULL.
 */
uint64_t mustache_set_digest(const struct mustache_set *);

/* The template called name, or NULL. */
const struct mustache *mustache_set_get(const struct mustache_set *, const char *name);
/* mustache_set_get as a mustache_partial_fn: pass the set as arg. */
const struct mustache *mustache_set_partial(const void *set, const char *name);

/*
 * Renders the template called name with partials from the set. Returns 0, or -1 (logged) if
 * there is no such template or the render fails (see mustache_render).
 */
int	 mustache_set_render(const struct mustache_set *, const char *name,
	    struct json_object *ctx, struct buf *out);

/* Frees the set and every template in it; NULL is a no-op. */
void	 mustache_set_free(struct mustache_set *);

#endif
