/* arena.c: per-request memory: allocations and library objects released together at the end. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "util.h"

struct arena_chunk {
	struct arena_chunk	*next;
	size_t			 used, size;
	max_align_t		 data[];
};

struct arena_defer {
	struct arena_defer	*next;
	void			(*fn)(void *);
	void			*ptr;
};

#define CHUNK_MIN (16 * 1024)

void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk	*c = a->chunks;
	size_t			 align = sizeof(max_align_t);

	if (n > SIZE_MAX - align)
		die("arena: size overflow");
	n = (n + align - 1) / align * align;
	if (c == NULL || c->size - c->used < n) {
		size_t size = n > CHUNK_MIN ? n : CHUNK_MIN;

		c = xmalloc(sizeof(*c) + size);
		c->size = size;
		c->used = 0;
		c->next = a->chunks;
		a->chunks = c;
	}
	void *p = (char *)c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;
	char	*p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		die("arena: bad format");
	p = arena_alloc(a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void
arena_defer(struct arena *a, void (*fn)(void *), void *ptr)
{
	struct arena_defer *d;

	if (ptr == NULL)
		return;
	d = arena_alloc(a, sizeof(*d));
	d->fn = fn;
	d->ptr = ptr;
	d->next = a->defers;
	a->defers = d;
}

void
arena_reset(struct arena *a)
{
	/* Destructors first: their records live in the chunks freed below. */
	for (struct arena_defer *d = a->defers; d; d = d->next)
		d->fn(d->ptr);
	a->defers = NULL;
	while (a->chunks) {
		struct arena_chunk *next = a->chunks->next;

		free(a->chunks);
		a->chunks = next;
	}
}
