/* csv.c: RFC 4180 CSV: a bounded reader of uploaded text (UTF-8, BOM, CRLF, quoted fields) and a writer that defuses spreadsheet formulas. */
#include <string.h>

#include "csv.h"
#include "util.h"

void
csv_init(struct csv_reader *rd, const char *data, size_t len)
{
	memset(rd, 0, sizeof(*rd));
	rd->data = data;
	rd->len = len;
	rd->line = 1;
	/* Spreadsheets and Windows editors save a BOM first; it is not part of the first name. */
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		rd->pos = 3;
}

/* The line holding data[at], counting from the record's start line. */
static long
line_at(const struct csv_reader *rd, size_t from, size_t at)
{
	long line = rd->line;

	for (size_t i = from; i < at && i < rd->len; i++)
		if (rd->data[i] == '\n' || (rd->data[i] == '\r' && (i + 1 >= rd->len || rd->data[i + 1] != '\n')))
			line++;
	return line;
}

/* Checks a record's raw bytes: CSV_OK, or the error and rd->record_line at the bad byte. */
static enum csv_error
check_bytes(struct csv_reader *rd, size_t from, size_t to)
{
	size_t i = from;

	while (i < to) {
		size_t at = i;

		if (rd->data[i] == '\0') {
			rd->record_line = line_at(rd, from, at);
			return CSV_BINARY;
		}
		if (utf8_next(rd->data, to, &i) < 0) {
			rd->record_line = line_at(rd, from, at);
			return CSV_BAD_UTF8;
		}
	}
	return CSV_OK;
}

/* Ends the current field into fields[*n]. */
static int
end_field(struct arena *a, struct buf *f, const char **fields, size_t *n, enum csv_error *err)
{
	if (*n == CSV_MAX_FIELDS) {
		*err = CSV_TOO_MANY_FIELDS;
		return -1;
	}
	/* An empty field is common (",,,", blank lines) and costs no allocation. */
	fields[(*n)++] = f->len == 0 ? "" : arena_strndup(a, f->data, f->len);
	buf_reset(f);
	return 0;
}

/* Reads one record's fields from rd->pos; leaves rd->pos after its line break. */
static int
read_fields(struct csv_reader *rd, struct arena *a, const char **fields, size_t *n, enum csv_error *err)
{
	struct buf	 f = BUF_INIT;
	const char	*d = rd->data;
	size_t		 i = rd->pos;
	int		 rv = -1;

	*n = 0;
	for (;;) {
		if (i < rd->len && d[i] == '"') {
			for (i++;; i++) {
				if (i >= rd->len) {
					*err = CSV_BAD_QUOTE;
					goto out;
				}
				if (d[i] == '"') {
					if (i + 1 < rd->len && d[i + 1] == '"')
						i++;
					else
						break;
				}
				buf_putc(&f, d[i]);
				/* Said as soon as it is true: a 10 MB field is not copied first. */
				if (f.len > CSV_MAX_FIELD_BYTES) {
					*err = CSV_FIELD_TOO_LONG;
					goto out;
				}
			}
			i++;
			if (i < rd->len && d[i] != ',' && d[i] != '\r' && d[i] != '\n') {
				*err = CSV_BAD_QUOTE;
				goto out;
			}
		} else
			while (i < rd->len && d[i] != ',' && d[i] != '\r' && d[i] != '\n' && f.len <= CSV_MAX_FIELD_BYTES)
				buf_putc(&f, d[i++]);
		if (f.len > CSV_MAX_FIELD_BYTES) {
			*err = CSV_FIELD_TOO_LONG;
			goto out;
		}
		if (end_field(a, &f, fields, n, err) != 0)
			goto out;
		if (i < rd->len && d[i] == ',') {
			i++;
			continue;
		}
		break;
	}
	/* LF, CRLF or a lone CR (old Mac files) ends the record. */
	if (i < rd->len && d[i] == '\r')
		i++;
	if (i < rd->len && d[i] == '\n')
		i++;
	rd->pos = i;
	rv = 0;
out:
	buf_free(&f);
	return rv;
}

int
csv_next(struct csv_reader *rd, struct arena *a, const char **fields, size_t *n, enum csv_error *err)
{
	size_t start = rd->pos;

	*err = CSV_OK;
	*n = 0;
	rd->record_line = rd->line;
	if (rd->pos >= rd->len)
		return 0;
	if (read_fields(rd, a, fields, n, err) != 0) {
		/* A byte problem explains a quoting one better ("binary" rather than "bad quote"). */
		enum csv_error bytes = check_bytes(rd, start, rd->len);

		if (bytes != CSV_OK)
			*err = bytes;
		else
			rd->record_line = rd->line;
		return -1;
	}
	if ((*err = check_bytes(rd, start, rd->pos)) != CSV_OK)
		return -1;
	rd->line = line_at(rd, start, rd->pos);
	return 1;
}

const char *
csv_error_text(enum csv_error e)
{
	switch (e) {
	case CSV_OK:			return "no error";
	case CSV_BINARY:		return "it holds a NUL byte, so it is not a text file";
	case CSV_BAD_UTF8:		return "the text is not valid UTF-8";
	case CSV_BAD_QUOTE:		return "a quoted field is not closed properly";
	case CSV_TOO_MANY_FIELDS:	return "a row has more than 64 fields";
	case CSV_FIELD_TOO_LONG:	return "a field is longer than 4096 bytes";
	}
	return "the file is malformed";
}

int
csv_is_formula(const char *s)
{
	if (s == NULL || s[0] == '\0' || strchr("=+-@\t\r", s[0]) == NULL)
		return 0;
	/* "+1", "-1", "-3.5": a number (or a title that is one), which no spreadsheet runs. */
	if ((s[0] == '+' || s[0] == '-') && s[1] >= '0' && s[1] <= '9')
		return s[1 + strspn(s + 1, "0123456789., ")] != '\0';
	return 1;
}

void
csv_write_field(struct buf *out, const char *s)
{
	int quote = strpbrk(s, ",\"\r\n") != NULL;

	if (quote)
		buf_putc(out, '"');
	/* OWASP: every cell a spreadsheet could evaluate starts with a quote, numbers with a sign too. */
	if (s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL)
		buf_putc(out, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			buf_putc(out, '"');
		buf_putc(out, *p);
	}
	if (quote)
		buf_putc(out, '"');
}

void
csv_write_row(struct buf *out, const char *const *fields, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(out, ',');
		csv_write_field(out, fields[i] ? fields[i] : "");
	}
	buf_puts(out, "\r\n");
}
