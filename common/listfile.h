/* listfile.h: the movie lists users bring: Letterboxd and IMDb exports and this site's own, recognised by their header row. */
#ifndef LISTFILE_H
#define LISTFILE_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "csv.h"

#define LISTFILE_MAX_ROWS	5000
#define LISTFILE_MAX_BYTES	(10 * 1024 * 1024)
/* Records read in all (header and blank ones included): a file of empty lines stops here too. */
#define LISTFILE_MAX_RECORDS	(LISTFILE_MAX_ROWS + 1)

enum listfile_format {
	LISTFILE_LETTERBOXD,	/* watched.csv, watchlist.csv, likes/films.csv: Name, Year, Letterboxd URI... */
	LISTFILE_IMDB,		/* a list or ratings export: Const (tt ids), Title, Year... */
	LISTFILE_TMDB,		/* this site's export: Name, Year, tmdbID */
};

enum listfile_error {
	LISTFILE_OK,
	LISTFILE_EMPTY,		/* no header, or no row after it */
	LISTFILE_CSV,		/* the CSV reader's error (csv_err), at line */
	LISTFILE_COLUMNS,	/* the header names none of the formats */
	LISTFILE_TOO_MANY_ROWS,
	LISTFILE_FORMULA,	/* a cell a spreadsheet would run (cell), at line */
	LISTFILE_BAD_ID,	/* a Const that is no tt id, or a tmdbID that is no id (cell), at line */
};

/* One movie to look up: by TMDb id, by IMDb id, or by title and year. */
struct listfile_row {
	const char	*title;		/* "" when the file has none */
	int		 year;		/* 0 when unknown */
	int64_t		 tmdb_id;	/* LISTFILE_TMDB */
	const char	*imdb_id;	/* LISTFILE_IMDB: "tt" and 7 to 10 digits */
	long		 line;		/* where it is in the file */
};

struct listfile {
	enum listfile_format	 format;
	struct listfile_row	*rows;		/* arena-owned */
	size_t			 n;
	/* When parsing failed: */
	enum listfile_error	 err;
	enum csv_error		 csv_err;
	long			 line;
	const char		*cell;		/* the refused cell (arena-owned), or NULL */
};

/*
 * Reads a whole file: the header row picks the format (a tmdbID column first, then Const,
 * then Name with Year), every cell is checked (no formula), blank rows are skipped but count
 * toward LISTFILE_MAX_RECORDS. Memory: the rows' text in a plus one record's fields at a time
 * (freed as it goes), so a small multiple of len. 0, or -1 with out->err (and line, cell,
 * csv_err) saying why; nothing is kept then.
 */
int		 listfile_parse(struct arena *, const char *data, size_t len, struct listfile *out);
/* "Letterboxd", "IMDb", "Movie Night". */
const char	*listfile_format_name(enum listfile_format);

#endif
