/* pickle.c: writes Python pickles (protocol 4) of JSON-typed values, for Django's cache entries. */
#include <json-c/json.h>
#include <stdint.h>
#include <string.h>

#include "pickle.h"
#include "util.h"

/* The opcodes used (Lib/pickle.py). */
#define PROTO		'\x80'
#define FRAME		'\x95'
#define STOP		'.'
#define MARK		'('
#define NONE		'N'
#define NEWTRUE		'\x88'
#define NEWFALSE	'\x89'
#define BININT		'J'
#define BININT1		'K'
#define BININT2		'M'
#define LONG1		'\x8a'
#define BINFLOAT	'G'
#define SHORT_BINUNICODE '\x8c'
#define BINUNICODE	'X'
#define BINUNICODE8	'\x8d'
#define MEMOIZE		'\x94'
#define EMPTY_DICT	'}'
#define EMPTY_LIST	']'
#define SETITEM		's'
#define SETITEMS	'u'
#define APPEND		'a'
#define APPENDS		'e'

/* Python's _pickle.c: items go in MARK ... SETITEMS/APPENDS groups of this many. */
#define BATCH		1000
/* A frame shorter than this is left out (pickle's _FRAME_SIZE_MIN). */
#define FRAME_MIN	4
#define FRAME_HEADER	9

static void
put_le(struct buf *out, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		buf_putc(out, (char)(v >> (8 * i) & 0xff));
}

/* save_long: BININT1/2 and BININT for what fits 32 bits, else LONG1's shortest two's complement. */
static void
put_int(struct buf *out, int64_t v, int unsigned_big, uint64_t u)
{
	unsigned char	b[9];
	int		n = 8;

	if (!unsigned_big && v >= 0 && v <= 0xff) {
		buf_putc(out, BININT1);
		put_le(out, (uint64_t)v, 1);
	} else if (!unsigned_big && v >= 0 && v <= 0xffff) {
		buf_putc(out, BININT2);
		put_le(out, (uint64_t)v, 2);
	} else if (!unsigned_big && v >= INT32_MIN && v <= INT32_MAX) {
		buf_putc(out, BININT);
		put_le(out, (uint64_t)(uint32_t)(int32_t)v, 4);
	} else {
		uint64_t bits = unsigned_big ? u : (uint64_t)v;

		for (int i = 0; i < 8; i++)
			b[i] = (unsigned char)(bits >> (8 * i));
		b[8] = 0;
		if (unsigned_big)
			n = 9;		/* above INT64_MAX: a zero byte keeps it positive */
		while (n > 1 && ((b[n - 1] == 0x00 && !(b[n - 2] & 0x80)) ||
		    (b[n - 1] == 0xff && (b[n - 2] & 0x80))))
			n--;
		buf_putc(out, LONG1);
		buf_putc(out, (char)n);
		buf_append(out, b, (size_t)n);
	}
}

static void
put_float(struct buf *out, double d)
{
	uint64_t bits;

	memcpy(&bits, &d, sizeof(bits));
	buf_putc(out, BINFLOAT);
	for (int i = 7; i >= 0; i--)
		buf_putc(out, (char)(bits >> (8 * i) & 0xff));
}

static int
put_str(struct buf *out, const char *s, size_t len)
{
	if (!utf8_valid(s, len))
		return -1;
	if (len <= 0xff) {
		buf_putc(out, SHORT_BINUNICODE);
		put_le(out, len, 1);
	} else if (len <= 0xffffffffu) {
		buf_putc(out, BINUNICODE);
		put_le(out, len, 4);
	} else {
		buf_putc(out, BINUNICODE8);
		put_le(out, len, 8);
	}
	buf_append(out, s, len);
	buf_putc(out, MEMOIZE);
	return 0;
}

static int put_value(struct buf *, struct json_object *);

/* batch_dict: one item as SETITEM, more in MARK ... SETITEMS groups. */
static int
put_dict(struct buf *out, struct json_object *v)
{
	size_t	n = (size_t)json_object_object_length(v), i = 0;

	buf_putc(out, EMPTY_DICT);
	buf_putc(out, MEMOIZE);
	json_object_object_foreach(v, name, value) {
		if (n > 1 && i % BATCH == 0)
			buf_putc(out, MARK);
		if (put_str(out, name, strlen(name)) != 0 || put_value(out, value) != 0)
			return -1;
		i++;
		if (n == 1)
			buf_putc(out, SETITEM);
		else if (i % BATCH == 0 || i == n)
			buf_putc(out, SETITEMS);
	}
	return 0;
}

/* batch_list: as put_dict, with APPEND and APPENDS. */
static int
put_list(struct buf *out, struct json_object *v)
{
	size_t	n = json_object_array_length(v);

	buf_putc(out, EMPTY_LIST);
	buf_putc(out, MEMOIZE);
	for (size_t i = 0; i < n; i++) {
		if (n > 1 && i % BATCH == 0)
			buf_putc(out, MARK);
		if (put_value(out, json_object_array_get_idx(v, i)) != 0)
			return -1;
		if (n == 1)
			buf_putc(out, APPEND);
		else if ((i + 1) % BATCH == 0 || i + 1 == n)
			buf_putc(out, APPENDS);
	}
	return 0;
}

static int
put_value(struct buf *out, struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		buf_putc(out, NONE);
		return 0;
	case json_type_boolean:
		buf_putc(out, json_object_get_boolean(v) ? NEWTRUE : NEWFALSE);
		return 0;
	case json_type_int: {
		int64_t i = json_object_get_int64(v);

		/* json-c keeps integers above INT64_MAX as uint64 (and get_int64 clamps them). */
		put_int(out, i, i == INT64_MAX && json_object_get_uint64(v) > INT64_MAX,
		    json_object_get_uint64(v));
		return 0;
	}
	case json_type_double:
		put_float(out, json_object_get_double(v));
		return 0;
	case json_type_string:
		return put_str(out, json_object_get_string(v), (size_t)json_object_get_string_len(v));
	case json_type_array:
		return put_list(out, v);
	case json_type_object:
		return put_dict(out, v);
	}
	return -1;
}

int
pickle_json(struct json_object *v, struct buf *out)
{
	size_t	start, frame;

	buf_putc(out, PROTO);
	buf_putc(out, 4);
	start = out->len;
	buf_append(out, "\0\0\0\0\0\0\0\0\0", FRAME_HEADER);	/* the FRAME, filled in below */
	if (put_value(out, v) != 0)
		return -1;
	buf_putc(out, STOP);
	frame = out->len - start - FRAME_HEADER;
	if (frame < FRAME_MIN) {
		memmove(out->data + start, out->data + start + FRAME_HEADER, frame + 1);
		out->len -= FRAME_HEADER;
		return 0;
	}
	out->data[start] = FRAME;
	for (int i = 0; i < 8; i++)
		out->data[start + 1 + (size_t)i] = (char)(frame >> (8 * i) & 0xff);
	return 0;
}
