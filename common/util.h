/* util.h: allocation that aborts on failure, strict number parsing, small string helpers. */
#ifndef UTIL_H
#define UTIL_H

#include <stddef.h>
#include <stdint.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Out of memory is not recoverable in a worker: these log and abort (the master respawns). */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
void	 die(const char *, ...) __attribute__((noreturn, format(printf, 1, 2)));

/*
 * Parses a whole string of decimal digits (optional leading '-') into [min, max].
 * Returns 0 and sets *out, or -1 on empty input, trailing bytes, overflow or out of range.
 */
int	 parse_int64(const char *, size_t, int64_t min, int64_t max, int64_t *out);
int	 parse_int(const char *, int min, int max, int *out);

/*
 * FNV-1a (64 bits) of n bytes, continuing from h (FNV1A64_INIT to start): a key for memo
 * entries, not a defence against anyone choosing the bytes.
 */
#define FNV1A64_INIT	14695981039346656037ULL
uint64_t fnv1a64(const void *, size_t n, uint64_t h);

/* Compares two byte strings in time that depends only on the lengths. 1 if equal. */
int	 ct_equal(const void *, size_t, const void *, size_t);

/* Decodes the UTF-8 sequence at s[*i] and advances *i; the code point, or -1 if invalid. */
long	 utf8_next(const char *s, size_t len, size_t *i);
/* 1 if the bytes are valid UTF-8 (no overlongs, surrogates or code points above U+10FFFF). */
int	 utf8_valid(const char *, size_t);
/* Number of code points in valid UTF-8. */
size_t	 utf8_length(const char *, size_t);

/*
 * The settings' comma-separated lists: sets *item and *len to the next non-empty entry, blanks
 * around it trimmed, and advances *cursor past it; 0 once the list is exhausted.
 */
int	 util_list_next(const char **cursor, const char **item, size_t *len);

/* Lowercase hex of n bytes into out (2n+1 bytes). */
void	 hex_encode(const unsigned char *, size_t, char *out);

/* Monotonic clock in milliseconds. */
int64_t	 now_ms(void);

#endif
