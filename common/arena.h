/* arena.h: per-request memory: allocations and library objects released together at the end. */
#ifndef ARENA_H
#define ARENA_H

#include <stddef.h>

struct arena_chunk;
struct arena_defer;

struct arena {
	struct arena_chunk	*chunks;
	struct arena_defer	*defers;
};

#define ARENA_INIT { NULL, NULL }

/* Returns zeroed memory that lives until arena_reset; aborts when out of memory. */
void	*arena_alloc(struct arena *, size_t);
char	*arena_strdup(struct arena *, const char *);
char	*arena_strndup(struct arena *, const char *, size_t);
char	*arena_printf(struct arena *, const char *, ...) __attribute__((format(printf, 2, 3)));
/* Runs fn(ptr) at arena_reset, latest first: the owner of a PGresult, json_object, reply. */
void	 arena_defer(struct arena *, void (*fn)(void *), void *ptr);
/* Runs the deferred destructors and frees every allocation. */
void	 arena_reset(struct arena *);

#endif
