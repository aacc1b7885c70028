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

int
listfile_parse(struct arena *a, const char *data, size_t len, struct listfile *out)
{
	struct csv_reader	 rd;
	const char		*v[CSV_MAX_FIELDS], *bad;
	size_t			 n, cap = 64;
	struct columns		 c;
	int			 got;

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
	do
		got = csv_next(&rd, a, v, &n, &out->csv_err);
	while (got == 1 && blank(v, n));
	if (got < 0)
		return fail(out, LISTFILE_CSV, rd.record_line);
	if (got == 0)
		return fail(out, LISTFILE_EMPTY, rd.line);
	if (header_format(v, n, &c, &out->format) != 0)
		return fail(out, LISTFILE_COLUMNS, rd.record_line);
	out->rows = arena_alloc(a, cap * sizeof(*out->rows));
	while ((got = csv_next(&rd, a, v, &n, &out->csv_err)) == 1) {
		if (blank(v, n))
			continue;
		if ((bad = formula_in(v, n)) != NULL) {
			out->cell = bad;
			return fail(out, LISTFILE_FORMULA, rd.record_line);
		}
		if (out->n == LISTFILE_MAX_ROWS)
			return fail(out, LISTFILE_TOO_MANY_ROWS, rd.record_line);
		if (out->n == cap) {
			struct listfile_row *more = arena_alloc(a, 2 * cap * sizeof(*more));

			memcpy(more, out->rows, cap * sizeof(*more));
			out->rows = more;
			cap *= 2;
		}
		memset(&out->rows[out->n], 0, sizeof(out->rows[0]));
		out->rows[out->n].line = rd.record_line;
		if (row_of(v, n, &c, out, &out->rows[out->n]) != 0)
			return fail(out, LISTFILE_BAD_ID, rd.record_line);
		out->n++;
	}
	if (got < 0)
		return fail(out, LISTFILE_CSV, rd.record_line);
	if (out->n == 0)
		return fail(out, LISTFILE_EMPTY, rd.line);
	return 0;
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
