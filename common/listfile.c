/* listfile.c: the movie lists users bring: Letterboxd and IMDb exports and this site's own, recognised by their header row. */
#include <string.h>
#include <strings.h>

#include "listfile.h"
#include "tmdb.h"
#include "util.h"

/* Where each column the formats use sits in the header (-1: absent). */
struct columns {
	int	name, year, tmdb, imdb, title;
};

static int
column(const char **h, size_t n, const char *want)
{
	for (size_t i = 0; i < n; i++) {
		const char	*s = h[i];
		size_t		 len = strlen(s);

		/* Spreadsheets pad names; names compare without case (IMDb wrote "const" once). */
		while (*s == ' ')
			s++, len--;
		while (len > 0 && s[len - 1] == ' ')
			len--;
		if (len == strlen(want) && strncasecmp(s, want, len) == 0)
			return (int)i;
	}
	return -1;
}

static int
header_format(const char **h, size_t n, struct columns *c, enum listfile_format *f)
{
	c->name = column(h, n, "Name");
	c->year = column(h, n, "Year");
	c->tmdb = column(h, n, "tmdbID");
	c->imdb = column(h, n, "Const");
	c->title = column(h, n, "Title");
	if (c->tmdb >= 0)
		*f = LISTFILE_TMDB;
	else if (c->imdb >= 0)
		*f = LISTFILE_IMDB;
	else if (c->name >= 0 && c->year >= 0)
		*f = LISTFILE_LETTERBOXD;
	else
		return -1;
	return 0;
}

static const char *
cell(const char **v, size_t n, int col)
{
	return col >= 0 && (size_t)col < n ? v[col] : "";
}

/* Fills one row from a record; -1 with out->err for a bad id. */
static int
row_of(const char **v, size_t n, const struct columns *c, struct listfile *out, struct listfile_row *row)
{
	const char	*year = cell(v, n, c->year), *title = cell(v, n, c->name);
	int64_t		 id;

	if (*title == '\0')
		title = cell(v, n, c->title);
	row->title = title;
	/* A year that is not one is treated as unknown: the title alone is still worth a search. */
	if (parse_int(year, 1800, 2200, &row->year) != 0)
		row->year = 0;
	if (out->format == LISTFILE_TMDB) {
		const char *s = cell(v, n, c->tmdb);

		if (parse_int64(s, strlen(s), 1, INT32_MAX, &id) != 0) {
			out->cell = s;
			return -1;
		}
		row->tmdb_id = id;
	} else if (out->format == LISTFILE_IMDB) {
		row->imdb_id = cell(v, n, c->imdb);
		if (!tmdb_is_imdb_id(row->imdb_id)) {
			out->cell = row->imdb_id;
			return -1;
		}
	}
	return 0;
}

static int
blank(const char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i][0] != '\0')
			return 0;
	return 1;
}

/* The first cell a spreadsheet would run, or NULL. */
static const char *
formula_in(const char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (csv_is_formula(v[i]))
			return v[i];
	return NULL;
}

static int
fail(struct listfile *out, enum listfile_error e, long line)
{
	out->err = e;
	out->line = line;
	out->n = 0;
	return -1;
}

/* Keeps the row's text (and a refused cell) in the request's arena: the record's copies go with scratch. */
static void
keep_row(struct arena *a, struct listfile_row *row)
{
	row->title = row->title[0] ? arena_strdup(a, row->title) : "";
	if (row->imdb_id)
		row->imdb_id = arena_strdup(a, row->imdb_id);
}

static int
fail_kept(struct arena *a, struct listfile *out, enum listfile_error e, long line)
{
	if (out->cell)
		out->cell = arena_strdup(a, out->cell);
	return fail(out, e, line);
}

/* Appends the record v[0..n) as a row, or fails (-1 with out->err); blank records are counted only. */
static int
add_row(struct arena *a, const char **v, size_t n, const struct columns *c, long line, size_t *cap,
    struct listfile *out)
{
	const char *bad;

	if (blank(v, n))
		return 0;
	if ((bad = formula_in(v, n)) != NULL) {
		out->cell = bad;
		return fail_kept(a, out, LISTFILE_FORMULA, line);
	}
	if (out->n == *cap) {
		struct listfile_row *more = arena_alloc(a, 2 * *cap * sizeof(*more));

		memcpy(more, out->rows, *cap * sizeof(*more));
		out->rows = more;
		*cap *= 2;
	}
	memset(&out->rows[out->n], 0, sizeof(out->rows[0]));
	out->rows[out->n].line = line;
	if (row_of(v, n, c, out, &out->rows[out->n]) != 0)
		return fail_kept(a, out, LISTFILE_BAD_ID, line);
	keep_row(a, &out->rows[out->n++]);
	return 0;
}

/* The header (after any blank records, which count): 1, 0 at the end, -1 on an error. */
static int
read_header(struct csv_reader *rd, struct arena *scratch, const char **v, size_t *n, size_t *records,
    struct listfile *out)
{
	int got;

	while ((got = csv_next(rd, scratch, v, n, &out->csv_err)) == 1 && blank(v, *n))
		if (++*records > LISTFILE_MAX_RECORDS)
			return fail(out, LISTFILE_TOO_MANY_ROWS, rd->record_line);
	if (got < 0)
		return fail(out, LISTFILE_CSV, rd->record_line);
	if (got == 0)
		return fail(out, LISTFILE_EMPTY, rd->line);
	++*records;
	return 1;
}

int
listfile_parse(struct arena *a, const char *data, size_t len, struct listfile *out)
{
	struct csv_reader	 rd;
	struct arena		 scratch = ARENA_INIT;
	const char		*v[CSV_MAX_FIELDS], *bad;
	size_t			 n, cap = 64, records = 0;
	struct columns		 c;
	int			 got, rv = -1;

	memset(out, 0, sizeof(*out));
	/* A NUL anywhere is a binary file (a zip, an image): say so rather than "not UTF-8". */
	if ((bad = memchr(data, '\0', len)) != NULL) {
		long line = 1;

		for (const char *p = data; p < bad; p++)
			line += *p == '\n';
		out->csv_err = CSV_BINARY;
		return fail(out, LISTFILE_CSV, line);
	}
	csv_init(&rd, data, len);
	if (read_header(&rd, &scratch, v, &n, &records, out) != 1)
		goto out;
	if (header_format(v, n, &c, &out->format) != 0) {
		fail(out, LISTFILE_COLUMNS, rd.record_line);
		goto out;
	}
	out->rows = arena_alloc(a, cap * sizeof(*out->rows));
	/* One record's copies at a time: memory stays a small multiple of what the rows keep. */
	for (arena_reset(&scratch); (got = csv_next(&rd, &scratch, v, &n, &out->csv_err)) == 1; arena_reset(&scratch)) {
		/* Blank records count too, so a file of empty lines ends as soon as a full one would. */
		if (++records > LISTFILE_MAX_RECORDS) {
			fail(out, LISTFILE_TOO_MANY_ROWS, rd.record_line);
			goto out;
		}
		if (add_row(a, v, n, &c, rd.record_line, &cap, out) != 0)
			goto out;
	}
	if (got < 0)
		fail(out, LISTFILE_CSV, rd.record_line);
	else if (out->n == 0)
		fail(out, LISTFILE_EMPTY, rd.line);
	else
		rv = 0;
out:
	arena_reset(&scratch);
	return rv;
}

const char *
listfile_format_name(enum listfile_format f)
{
	switch (f) {
	case LISTFILE_LETTERBOXD:	return "Letterboxd";
	case LISTFILE_IMDB:		return "IMDb";
	case LISTFILE_TMDB:		return "Movie Night";
	}
	return "unknown";
}
