/* mustache.c: compiles Mustache templates into flat node arrays and renders them against json-c data. */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "mustache.h"
#include "util.h"

/*
 * Lambdas (the spec's optional ~lambdas module) are not supported: view data is plain JSON,
 * so there is nothing callable to invoke.
 */

#define MAX_DELIM	32

enum node_kind {
	N_TEXT,		/* literal text */
	N_VAR,		/* {{x}}: HTML-escaped */
	N_RAW,		/* {{{x}}} or {{& x}}: written as is */
	N_SECTION,	/* {{#x}} ... {{/x}} */
	N_INVERTED,	/* {{^x}} ... {{/x}} */
	N_PARTIAL	/* {{> name}} */
};

/*
 * A template is a flat array of nodes; a section's children are the nodes between it and
 * its end index, so rendering walks ranges and never re-parses.
 */
struct node {
	enum node_kind	 kind;
	/* First thing on a source line: gets the indent when rendered inside a standalone partial. */
	int		 bol;
	int		 standalone;	/* PARTIAL: alone on its line, so its lines are indented */
	size_t		 str;		/* TEXT: text; PARTIAL: NUL-terminated name (offsets in strings) */
	size_t		 len;		/* TEXT: text length */
	size_t		 indent;	/* PARTIAL: the whitespace before the tag (offset in strings) */
	size_t		 indent_len;
	size_t		 part;		/* VAR, RAW, SECTION, INVERTED: first name part in parts[] */
	size_t		 nparts;	/* 0 is the implicit iterator "." */
	size_t		 end;		/* SECTION, INVERTED: index of the first node after the section */
};

struct mustache {
	char		*strings;	/* text runs, NUL-terminated name parts, partial names, indents */
	size_t		*parts;		/* offsets in strings of each name part */
	struct node	*nodes;
	size_t		 nnodes;
};

struct open_section {
	size_t		 node;
	size_t		 tag_pos;	/* for the line number of an unclosed section */
	const char	*name;
	size_t		 name_len;
};

struct compiler {
	const char	*src;
	size_t		 len;
	char		 otag[MAX_DELIM + 1];
	size_t		 olen;
	char		 ctag[MAX_DELIM + 1];
	size_t		 clen;
	struct buf	 strings;
	size_t		*parts;
	size_t		 nparts, partscap;
	struct node	*nodes;
	size_t		 nnodes, nodescap;
	struct open_section stack[MUSTACHE_MAX_NESTING];
	size_t		 depth;
	/* A tag that starts a line but emits nothing: the next node carries the line's indent. */
	int		 pending_bol;
	char		*err;
	size_t		 errsz;
};

struct render {
	struct buf		*out;
	mustache_partial_fn	 partial;
	const void		*arg;
	struct json_object	**ctx;		/* the context stack; the top is ctx[depth - 1] */
	size_t			 depth, cap;
	struct buf		 indent;	/* the indents of the enclosing partials, stacked */
	int			 partial_depth;
};

static int
line_of(const char *src, size_t pos)
{
	int		 line = 1;
	const char	*p = src, *end = src + pos, *nl;

	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		line++;
		p = nl + 1;
	}
	return line;
}

static int compile_error(struct compiler *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/* Formats "line N: message" into the caller's buffer; always returns -1. */
static int
compile_error(struct compiler *c, size_t pos, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (c->errsz == 0)
		return -1;
	n = snprintf(c->err, c->errsz, "line %d: ", line_of(c->src, pos));
	if (n < 0 || (size_t)n >= c->errsz)
		return -1;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errsz - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static int
is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static int
at_line_start(const struct compiler *c, size_t pos)
{
	return pos == 0 || c->src[pos - 1] == '\n';
}

static struct node *
add_node(struct compiler *c, enum node_kind kind, int bol)
{
	struct node *n;

	if (c->nnodes == c->nodescap) {
		c->nodescap = c->nodescap ? c->nodescap * 2 : 16;
		c->nodes = xrealloc(c->nodes, c->nodescap * sizeof(*c->nodes));
	}
	n = &c->nodes[c->nnodes++];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->bol = bol || c->pending_bol;
	c->pending_bol = 0;
	return n;
}

static size_t
add_string(struct compiler *c, const char *s, size_t n)
{
	size_t off = c->strings.len;

	buf_append(&c->strings, s, n);
	buf_putc(&c->strings, '\0');
	return off;
}

static void
add_text(struct compiler *c, size_t from, size_t to)
{
	struct node *n;

	if (from >= to)
		return;
	n = add_node(c, N_TEXT, at_line_start(c, from));
	n->str = c->strings.len;
	n->len = to - from;
	buf_append(&c->strings, c->src + from, to - from);
}

/* Splits a dotted name into parts on the node; "." is the implicit iterator. */
static int
set_name(struct compiler *c, struct node *n, size_t pos, const char *name, size_t len)
{
	size_t i, start;

	n->part = c->nparts;
	n->nparts = 0;
	if (len == 1 && name[0] == '.')
		return 0;
	for (i = 0; i < len; i++)
		if (is_space(name[i]))
			return compile_error(c, pos, "bad name '%.*s'", (int)(len > 40 ? 40 : len), name);
	for (start = 0; start <= len; start = i + 1) {
		for (i = start; i < len && name[i] != '.'; i++)
			;
		if (i == start)
			return compile_error(c, pos, "bad name '%.*s'", (int)(len > 40 ? 40 : len), name);
		if (c->nparts == c->partscap) {
			c->partscap = c->partscap ? c->partscap * 2 : 16;
			c->parts = xrealloc(c->parts, c->partscap * sizeof(*c->parts));
		}
		c->parts[c->nparts++] = add_string(c, name + start, i - start);
		n->nparts++;
	}
	return 0;
}

/* Parses "=<open> <close>=" content into the new delimiters. */
static int
set_delimiters(struct compiler *c, size_t pos, const char *s, size_t len)
{
	size_t i, a_len, b_start;

	for (i = 0; i < len && !is_space(s[i]); i++)
		;
	a_len = i;
	for (; i < len && is_space(s[i]); i++)
		;
	b_start = i;
	for (; i < len && !is_space(s[i]); i++)
		;
	if (a_len == 0 || b_start == len || i != len || a_len > MAX_DELIM ||
	    len - b_start > MAX_DELIM || memchr(s, '=', a_len) != NULL ||
	    memchr(s + b_start, '=', len - b_start) != NULL)
		return compile_error(c, pos, "bad delimiters '%.*s'", (int)(len > 40 ? 40 : len), s);
	memcpy(c->otag, s, a_len);
	c->otag[a_len] = '\0';
	c->olen = a_len;
	memcpy(c->ctag, s + b_start, len - b_start);
	c->ctag[len - b_start] = '\0';
	c->clen = len - b_start;
	return 0;
}

/* A '#' or '^' tag (sigil) named name at tag_pos: a section node, pushed on the stack until
 * its closing tag. bol: the tag starts its line. 0, or -1 with the compile error set. */
static int
open_section(struct compiler *c, size_t tag_pos, char sigil, const char *name, size_t len, int bol)
{
	struct open_section	*open;
	struct node		*n;

	if (c->depth == MUSTACHE_MAX_NESTING)
		return compile_error(c, tag_pos, "sections nested deeper than %d",
		    MUSTACHE_MAX_NESTING);
	n = add_node(c, sigil == '#' ? N_SECTION : N_INVERTED, bol);
	if (set_name(c, n, tag_pos, name, len) == -1)
		return -1;
	open = &c->stack[c->depth++];
	open->node = c->nnodes - 1;
	open->tag_pos = tag_pos;
	open->name = name;
	open->name_len = len;
	return 0;
}

/* A '/' tag named name at tag_pos: ends the innermost open section, which must bear that
 * name. bol: the tag starts its line. 0, or -1 with the compile error set. */
static int
close_section(struct compiler *c, size_t tag_pos, const char *name, size_t len, int bol)
{
	struct open_section *open;

	if (c->depth == 0)
		return compile_error(c, tag_pos, "closing tag '%.*s' without an open section",
		    (int)(len > 40 ? 40 : len), name);
	open = &c->stack[c->depth - 1];
	if (len != open->name_len || memcmp(name, open->name, len) != 0)
		return compile_error(c, tag_pos, "closing tag '%.*s' does not match '%.*s'",
		    (int)(len > 40 ? 40 : len), name,
		    (int)(open->name_len > 40 ? 40 : open->name_len), open->name);
	c->nodes[open->node].end = c->nnodes;
	c->depth--;
	if (bol)
		c->pending_bol = 1;
	return 0;
}

/*
 * Handles one tag at tag_pos whose sigil (or 0) and trimmed content are given; standalone
 * tags have had their line removed already.
 */
static int
compile_tag(struct compiler *c, size_t tag_pos, char sigil, const char *name, size_t len,
    int standalone, size_t indent_from)
{
	struct node	*n;
	int		 bol = !standalone && at_line_start(c, tag_pos);

	switch (sigil) {
	case '!':
		if (bol)
			c->pending_bol = 1;
		return 0;
	case '=':
		if (bol)
			c->pending_bol = 1;
		return set_delimiters(c, tag_pos, name, len);
	case '#':
	case '^':
		return open_section(c, tag_pos, sigil, name, len, bol);
	case '/':
		return close_section(c, tag_pos, name, len, bol);
	case '>':
		if (len == 0)
			return compile_error(c, tag_pos, "empty partial name");
		n = add_node(c, N_PARTIAL, bol);
		n->str = add_string(c, name, len);
		n->standalone = standalone;
		if (standalone) {
			n->indent_len = tag_pos - indent_from;
			n->indent = add_string(c, c->src + indent_from, n->indent_len);
		}
		return 0;
	default:
		if (len == 0)
			return compile_error(c, tag_pos, "empty tag");
		n = add_node(c, sigil == 0 ? N_VAR : N_RAW, bol);
		return set_name(c, n, tag_pos, name, len);
	}
}

/* Finds needle in src[from, len); returns its position or len. */
static size_t
find(const struct compiler *c, size_t from, const char *needle, size_t nlen)
{
	const char *p;

	p = memmem(c->src + from, c->len - from, needle, nlen);
	return p ? (size_t)(p - c->src) : c->len;
}

/*
 * A tag alone on its line (but for whitespace) takes the whole line with it. Given the tag's
 * start in *ws and its end in *eol (text_start: where the text before it starts), returns 1 if
 * it stands alone, with *ws moved back to the line's start and *eol past the line's end.
 */
static int
standalone_line(const struct compiler *c, size_t text_start, size_t *ws, size_t *eol)
{
	size_t w = *ws, e = *eol;

	while (w > text_start && (c->src[w - 1] == ' ' || c->src[w - 1] == '\t'))
		w--;
	while (e < c->len && (c->src[e] == ' ' || c->src[e] == '\t'))
		e++;
	if (e < c->len && c->src[e] == '\r' && e + 1 < c->len && c->src[e + 1] == '\n')
		e++;
	if (!at_line_start(c, w) || (e != c->len && c->src[e] != '\n'))
		return 0;
	*ws = w;
	*eol = e < c->len ? e + 1 : e;
	return 1;
}

static int
compile_all(struct compiler *c)
{
	size_t	 text_start = 0, pos = 0, tag_pos, body, close, tag_end, ws, eol;
	char	 sigil, closer[MAX_DELIM + 2];
	size_t	 closer_len;
	int	 standalone;

	for (;;) {
		tag_pos = find(c, pos, c->otag, c->olen);
		if (tag_pos == c->len)
			break;
		body = tag_pos + c->olen;
		sigil = body < c->len ? c->src[body] : 0;
		if (sigil == 0 || strchr("#^/>&!={", sigil) == NULL)
			sigil = 0;
		else
			body++;
		closer_len = 0;
		if (sigil == '{' || sigil == '=')
			closer[closer_len++] = sigil == '{' ? '}' : '=';
		memcpy(closer + closer_len, c->ctag, c->clen);
		closer_len += c->clen;
		close = find(c, body, closer, closer_len);
		if (close == c->len)
			return compile_error(c, tag_pos, "unclosed tag");
		tag_end = close + closer_len;

		ws = tag_pos;
		eol = tag_end;
		standalone = sigil != 0 && sigil != '{' && sigil != '&' &&
		    standalone_line(c, text_start, &ws, &eol);
		add_text(c, text_start, standalone ? ws : tag_pos);

		/* Trim the content; comments keep whatever they hold. */
		while (body < close && is_space(c->src[body]))
			body++;
		while (close > body && is_space(c->src[close - 1]))
			close--;
		if (compile_tag(c, tag_pos, sigil, c->src + body, close - body, standalone, ws) == -1)
			return -1;
		pos = text_start = standalone ? eol : tag_end;
	}
	add_text(c, text_start, c->len);
	if (c->depth > 0) {
		struct open_section *open = &c->stack[c->depth - 1];

		return compile_error(c, open->tag_pos, "unclosed section '%.*s'",
		    (int)(open->name_len > 40 ? 40 : open->name_len), open->name);
	}
	return 0;
}

struct mustache *
mustache_compile(const char *src, size_t len, char *err, size_t errsz)
{
	struct compiler	 c;
	struct mustache	*t;

	memset(&c, 0, sizeof(c));
	c.src = src;
	c.len = len;
	memcpy(c.otag, "{{", 3);
	c.olen = 2;
	memcpy(c.ctag, "}}", 3);
	c.clen = 2;
	c.err = err;
	c.errsz = errsz;
	if (errsz > 0)
		err[0] = '\0';
	buf_reserve(&c.strings, len);
	if (compile_all(&c) == -1) {
		buf_free(&c.strings);
		free(c.parts);
		free(c.nodes);
		return NULL;
	}
	t = xcalloc(1, sizeof(*t));
	buf_append(&c.strings, "", 0);
	t->strings = buf_detach(&c.strings);
	t->parts = c.parts;
	t->nodes = c.nodes;
	t->nnodes = c.nnodes;
	return t;
}

void
mustache_free(struct mustache *t)
{
	if (t == NULL)
		return;
	free(t->strings);
	free(t->parts);
	free(t->nodes);
	free(t);
}

/* ---- rendering ---- */

static void
push_ctx(struct render *r, struct json_object *v)
{
	if (r->depth == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->ctx = xrealloc(r->ctx, r->cap * sizeof(*r->ctx));
	}
	r->ctx[r->depth++] = v;
}

/*
 * Resolves a name per the spec: the first part is searched down the context stack (the first
 * hash holding the key wins, even if its value is null), the other parts only inside the result.
 */
static struct json_object *
lookup(const struct render *r, const struct mustache *t, const struct node *n)
{
	struct json_object	*v = NULL;
	const char		*key;
	size_t			 i, k;

	if (n->nparts == 0)
		return r->depth ? r->ctx[r->depth - 1] : NULL;
	key = t->strings + t->parts[n->part];
	for (i = r->depth; i-- > 0;)
		if (json_object_is_type(r->ctx[i], json_type_object) &&
		    json_object_object_get_ex(r->ctx[i], key, &v))
			break;
	if (i == (size_t)-1)
		return NULL;
	for (k = 1; k < n->nparts; k++) {
		key = t->strings + t->parts[n->part + k];
		if (!json_object_is_type(v, json_type_object) ||
		    !json_object_object_get_ex(v, key, &v))
			return NULL;
	}
	return v;
}

static int
truthy(struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return 0;
	case json_type_boolean:
		return json_object_get_boolean(v);
	case json_type_string:
		return json_object_get_string_len(v) > 0;
	case json_type_array:
		return json_object_array_length(v) > 0;
	default:
		return 1;
	}
}

static void
put_escaped(struct buf *out, const char *s, size_t n)
{
	const char	*rep;
	size_t		 i, run = 0;

	buf_reserve(out, n);
	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			continue;
		}
		buf_append(out, s + run, i - run);
		buf_puts(out, rep);
		run = i + 1;
	}
	buf_append(out, s + run, n - run);
}

/* The shortest %g form that reads back as the same double: 1.21 stays "1.21". */
static void
put_double(struct buf *out, double d)
{
	char	 s[40];
	int	 prec;

	if (!isfinite(d))
		return;
	for (prec = 1; prec <= 17; prec++) {
		snprintf(s, sizeof(s), "%.*g", prec, d);
		if (strtod(s, NULL) == d)
			break;
	}
	buf_puts(out, s);
}

static void
put_value(struct buf *out, struct json_object *v, int escape)
{
	int64_t i;

	switch (json_object_get_type(v)) {
	case json_type_string:
		if (escape)
			put_escaped(out, json_object_get_string(v),
			    (size_t)json_object_get_string_len(v));
		else
			buf_append(out, json_object_get_string(v),
			    (size_t)json_object_get_string_len(v));
		break;
	case json_type_int:
		/* json-c keeps values above INT64_MAX as uint64 and clamps get_int64. */
		i = json_object_get_int64(v);
		if (i == INT64_MAX)
			buf_printf(out, "%" PRIu64, json_object_get_uint64(v));
		else
			buf_put_int(out, i);
		break;
	case json_type_double:
		put_double(out, json_object_get_double(v));
		break;
	case json_type_boolean:
		buf_puts(out, json_object_get_boolean(v) ? "true" : "false");
		break;
	default:
		/* null, objects and arrays have no text form here. */
		break;
	}
}

/* Writes template text, indenting each line that starts inside it. */
static void
put_text(struct render *r, const char *s, size_t n, size_t ibase, size_t ilen)
{
	const char	*nl;
	size_t		 k;

	if (ilen > 0) {
		while ((nl = memchr(s, '\n', n)) != NULL && nl + 1 < s + n) {
			k = (size_t)(nl + 1 - s);
			buf_append(r->out, s, k);
			buf_append(r->out, r->indent.data + ibase, ilen);
			s += k;
			n -= k;
		}
	}
	buf_append(r->out, s, n);
}

static int render_range(struct render *, const struct mustache *, size_t, size_t, size_t,
    size_t);

static int
render_partial(struct render *r, const struct mustache *t, const struct node *n, size_t ibase,
    size_t ilen)
{
	const struct mustache	*p;
	const char		*name = t->strings + n->str;
	size_t			 saved = r->indent.len, nbase = 0, nlen = 0;
	int			 rc;

	p = r->partial ? r->partial(r->arg, name) : NULL;
	if (p == NULL)
		return 0;	/* the spec renders an unknown partial as nothing */
	if (r->partial_depth >= MUSTACHE_MAX_PARTIAL_DEPTH) {
		log_error("mustache: partials nested deeper than %d at '%s' (recursive partial?)",
		    MUSTACHE_MAX_PARTIAL_DEPTH, name);
		return -1;
	}
	if (n->standalone) {
		/* Its lines get the enclosing indent plus its own, as if the source were indented. */
		nbase = r->indent.len;
		buf_reserve(&r->indent, ilen + n->indent_len);
		buf_append(&r->indent, r->indent.data + ibase, ilen);
		buf_append(&r->indent, t->strings + n->indent, n->indent_len);
		nlen = ilen + n->indent_len;
	}
	r->partial_depth++;
	rc = render_range(r, p, 0, p->nnodes, nbase, nlen);
	r->partial_depth--;
	r->indent.len = saved;
	return rc;
}

/* Renders nodes [from, to) of t; [ibase, ibase + ilen) of r->indent is the current indent. */
static int
render_range(struct render *r, const struct mustache *t, size_t from, size_t to, size_t ibase,
    size_t ilen)
{
	const struct node	*n;
	struct json_object	*v;
	size_t			 i = from, k, count;

	while (i < to) {
		n = &t->nodes[i];
		if (ilen > 0 && n->bol)
			buf_append(r->out, r->indent.data + ibase, ilen);
		switch (n->kind) {
		case N_TEXT:
			put_text(r, t->strings + n->str, n->len, ibase, ilen);
			i++;
			break;
		case N_VAR:
		case N_RAW:
			put_value(r->out, lookup(r, t, n), n->kind == N_VAR);
			i++;
			break;
		case N_SECTION:
			v = lookup(r, t, n);
			if (!truthy(v)) {
				/* nothing */
			} else if (json_object_is_type(v, json_type_array)) {
				count = json_object_array_length(v);
				for (k = 0; k < count; k++) {
					push_ctx(r, json_object_array_get_idx(v, k));
					if (render_range(r, t, i + 1, n->end, ibase, ilen) == -1)
						return -1;
					r->depth--;
				}
			} else {
				push_ctx(r, v);
				if (render_range(r, t, i + 1, n->end, ibase, ilen) == -1)
					return -1;
				r->depth--;
			}
			i = n->end;
			break;
		case N_INVERTED:
			if (!truthy(lookup(r, t, n)) &&
			    render_range(r, t, i + 1, n->end, ibase, ilen) == -1)
				return -1;
			i = n->end;
			break;
		case N_PARTIAL:
			if (render_partial(r, t, n, ibase, ilen) == -1)
				return -1;
			i++;
			break;
		}
	}
	return 0;
}

int
mustache_render(const struct mustache *t, struct json_object *ctx, mustache_partial_fn partial,
    const void *arg, struct buf *out)
{
	struct render	 r;
	int		 rc;

	memset(&r, 0, sizeof(r));
	r.out = out;
	r.partial = partial;
	r.arg = arg;
	push_ctx(&r, ctx);
	/* out is a valid (possibly empty) string even if nothing is written. */
	buf_append(out, "", 0);
	rc = render_range(&r, t, 0, t->nnodes, 0, 0);
	free(r.ctx);
	buf_free(&r.indent);
	return rc;
}

/* ---- named sets ---- */

struct set_entry {
	char		*name;
	struct mustache	*tpl;
};

struct mustache_set {
	struct set_entry	*v;	/* sorted by name for bsearch */
	size_t			 n, cap;
	uint64_t		 digest;	/* sum of each template's FNV-1a: the order added does not count */
};

struct mustache_set *
mustache_set_new(void)
{
	return xcalloc(1, sizeof(struct mustache_set));
}

/* Index of name in the set, or where it would be inserted (with *found = 0). */
static size_t
set_find(const struct mustache_set *s, const char *name, int *found)
{
	size_t	 lo = 0, hi = s->n, mid;
	int	 cmp;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		cmp = strcmp(name, s->v[mid].name);
		if (cmp == 0) {
			*found = 1;
			return mid;
		}
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	*found = 0;
	return lo;
}

int
mustache_set_add(struct mustache_set *s, const char *name, const char *src, size_t len,
    char *err, size_t errsz)
{
	struct mustache	*t;
	size_t		 at;
	int		 found;

	at = set_find(s, name, &found);
	if (found) {
		if (errsz > 0)
			snprintf(err, errsz, "template '%s' defined twice", name);
		return -1;
	}
	if ((t = mustache_compile(src, len, err, errsz)) == NULL)
		return -1;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	memmove(&s->v[at + 1], &s->v[at], (s->n - at) * sizeof(*s->v));
	s->v[at].name = xstrdup(name);
	s->v[at].tpl = t;
	s->n++;
	s->digest += fnv1a64(src, len, fnv1a64(name, strlen(name) + 1, FNV1A64_INIT));
	return 0;
}

uint64_t
mustache_set_digest(const struct mustache_set *s)
{
	return s ? s->digest : 0;
}

const struct mustache *
mustache_set_get(const struct mustache_set *s, const char *name)
{
	size_t	 at;
	int	 found;

	at = set_find(s, name, &found);
	return found ? s->v[at].tpl : NULL;
}

const struct mustache *
mustache_set_partial(const void *set, const char *name)
{
	return mustache_set_get(set, name);
}

int
mustache_set_render(const struct mustache_set *s, const char *name, struct json_object *ctx,
    struct buf *out)
{
	const struct mustache *t;

	if ((t = mustache_set_get(s, name)) == NULL) {
		log_error("mustache: no template '%s'", name);
		return -1;
	}
	return mustache_render(t, ctx, mustache_set_partial, s, out);
}

void
mustache_set_free(struct mustache_set *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++) {
		free(s->v[i].name);
		mustache_free(s->v[i].tpl);
	}
	free(s->v);
	free(s);
}

/* Reads a whole regular file into out; -1 (logged) on failure. */
static int
read_file(const char *path, struct buf *out)
{
	struct stat	 st;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_error("mustache: open %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		log_error("mustache: %s: not a regular file", path);
		close(fd);
		return -1;
	}
	buf_reserve(out, (size_t)st.st_size);
	for (;;) {
		buf_reserve(out, 4096);
		n = read(fd, out->data + out->len, out->cap - out->len - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			log_error("mustache: read %s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->data[out->len] = '\0';
	}
	close(fd);
	return 0;
}

/* Warns about partials no template in the set provides: usually a typo in a name. */
static void
warn_unresolved(const struct mustache_set *s)
{
	const struct mustache	*t;
	const char		*pname;
	size_t			 i, k;

	for (i = 0; i < s->n; i++) {
		t = s->v[i].tpl;
		for (k = 0; k < t->nnodes; k++) {
			if (t->nodes[k].kind != N_PARTIAL)
				continue;
			pname = t->strings + t->nodes[k].str;
			if (mustache_set_get(s, pname) == NULL)
				log_warn("mustache: template '%s' uses unknown partial '%s'",
				    s->v[i].name, pname);
		}
	}
}

/*
 * Escaping must be impossible to forget: a file's {{{x}}} or {{& x}} is refused unless the
 * file's own comment names why ("{{! unescaped: <reason> }}"). 0, or -1 with err filled.
 */
static int
raw_allowed(const struct mustache *t, const char *src, char *err, size_t errsz)
{
	static const char	 why[] = "{{! unescaped:";
	const char		*p = strstr(src, why);

	for (size_t k = 0; k < t->nnodes; k++) {
		if (t->nodes[k].kind != N_RAW)
			continue;
		/* The reason must say something: at least a word before the closing braces. */
		if (p && strcspn(p + sizeof(why) - 1, "}") > 3)
			return 0;
		snprintf(err, errsz, "unescaped output ({{{%s}}} or {{& %s}}) without a comment "
		    "\"{{! unescaped: why }}\"", t->strings + t->nodes[k].str, t->strings + t->nodes[k].str);
		return -1;
	}
	return 0;
}

struct mustache_set *
mustache_set_load_dir(const char *dir)
{
	static const char	 ext[] = ".mustache";
	struct mustache_set	*s;
	struct dirent		*de;
	struct buf		 path = BUF_INIT, src = BUF_INIT;
	DIR			*d;
	char			 err[256], *name = NULL;
	size_t			 nlen;
	int			 rc = 0;

	if ((d = opendir(dir)) == NULL) {
		log_error("mustache: opendir %s: %s", dir, strerror(errno));
		return NULL;
	}
	s = mustache_set_new();
	while (rc == 0 && (de = readdir(d)) != NULL) {
		nlen = strlen(de->d_name);
		if (de->d_name[0] == '.' || nlen <= sizeof(ext) - 1 ||
		    strcmp(de->d_name + nlen - (sizeof(ext) - 1), ext) != 0)
			continue;
		buf_reset(&path);
		buf_printf(&path, "%s/%s", dir, de->d_name);
		buf_reset(&src);
		if (read_file(buf_cstr(&path), &src) == -1) {
			rc = -1;
			break;
		}
		name = xstrndup(de->d_name, nlen - (sizeof(ext) - 1));
		if (mustache_set_add(s, name, buf_cstr(&src), src.len, err, sizeof(err)) == -1 ||
		    raw_allowed(mustache_set_get(s, name), buf_cstr(&src), err, sizeof(err)) == -1) {
			log_error("mustache: %s: %s", buf_cstr(&path), err);
			rc = -1;
		}
		free(name);
	}
	closedir(d);
	buf_free(&path);
	buf_free(&src);
	if (rc == -1) {
		mustache_set_free(s);
		return NULL;
	}
	warn_unresolved(s);
	return s;
}
