/* buf.h: the one growable byte buffer (always NUL-terminated) and read-only string views. */
#ifndef BUF_H
#define BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char	*data;	/* NUL-terminated; NULL until the first append */
	size_t	 len;
	size_t	 cap;
};

/* A view into bytes owned by someone else; not NUL-terminated in general. */
struct strview {
	const char	*ptr;
	size_t		 len;
};

#define BUF_INIT { NULL, 0, 0 }

/* Appenders grow geometrically and abort on overflow or out-of-memory (the master respawns). */
void	 buf_append(struct buf *, const void *, size_t);
void	 buf_puts(struct buf *, const char *);
void	 buf_putc(struct buf *, char);
/* A decimal integer, as printf's %lld writes it, without printf's cost (ids in SQL and pages). */
void	 buf_put_int(struct buf *, long long);
void	 buf_printf(struct buf *, const char *, ...) __attribute__((format(printf, 2, 3)));
void	 buf_vprintf(struct buf *, const char *, va_list) __attribute__((format(printf, 2, 0)));
/* Ensures room for n more bytes plus the NUL. */
void	 buf_reserve(struct buf *, size_t);
/* Empties the buffer but keeps its capacity. */
void	 buf_reset(struct buf *);
void	 buf_free(struct buf *);
/* Returns the contents ("" when empty); valid until the next append. */
const char *buf_cstr(const struct buf *);
/* Hands over the heap string (caller frees) and leaves the buffer empty. */
char	*buf_detach(struct buf *);

#endif
