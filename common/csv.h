/* csv.h: RFC 4180 CSV: a bounded reader of uploaded text (UTF-8, BOM, CRLF, quoted fields) and a writer that defuses spreadsheet formulas. */
#ifndef CSV_H
#define CSV_H

#include <stddef.h>

#include "arena.h"
#include "buf.h"

#define CSV_MAX_FIELDS		64	/* per record; more is an error */
#define CSV_MAX_FIELD_BYTES	4096	/* per field after unquoting */

enum csv_error {
	CSV_OK,
	CSV_BINARY,		/* a NUL byte: not a text file */
	CSV_BAD_UTF8,
	CSV_BAD_QUOTE,		/* a quote that is never closed, or text right after a closing quote */
	CSV_TOO_MANY_FIELDS,
	CSV_FIELD_TOO_LONG,
};

struct csv_reader {
	const char	*data;
	size_t		 len;
	size_t		 pos;
	long		 line;		/* physical line (1-based) of the next record's start */
	long		 record_line;	/* physical line where the last record (or the error) is */
};

/* Starts reading data (len bytes, need not be terminated); a UTF-8 byte order mark is skipped. */
void		 csv_init(struct csv_reader *, const char *data, size_t len);
/*
 * The next record: its fields (NUL-terminated copies in the arena; an empty field is a static
 * "" and costs no allocation) into fields[0..*n). Records
 * end at LF, CRLF or CR outside quotes; a quoted field may hold separators, line breaks and
 * doubled quotes. 1 for a record, 0 at the end, -1 on an error (*err; rd->record_line is the
 * line it was found on). Each record's bytes are checked to be UTF-8 without NUL.
 */
int		 csv_next(struct csv_reader *, struct arena *, const char **fields, size_t *n,
		    enum csv_error *err);
/* A short English description of an error ("the text is not valid UTF-8"). */
const char	*csv_error_text(enum csv_error);

/*
 * 1 if a spreadsheet would run the cell as a formula: it starts with = + - @ TAB or CR, except
 * a sign followed only by digits, '.', ',' or spaces ("+1", "-1", "-3.5"), which is a number.
 */
int		 csv_is_formula(const char *);
/*
 * Appends one field: a cell that starts with = + - @ TAB or CR gets a leading single quote
 * (OWASP's CSV-injection defence), then the cell is quoted when it holds a comma, quote, CR
 * or LF (quotes doubled), as RFC 4180 says.
 */
void		 csv_write_field(struct buf *, const char *);
/* Appends fields separated by commas and a CRLF. */
void		 csv_write_row(struct buf *, const char *const *fields, size_t n);

#endif
