/* test_csv.c: the CSV reader and writer (quotes, line breaks, BOM, bad bytes, formulas) and the list-file formats built on them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <malloc.h>

#include "csv.h"
#include "listfile.h"

static struct arena a = ARENA_INIT;

/* Reads every record of s into rows of fields joined by '|' and records by '/'; the last csv_next result. */
static int
read_all(const char *s, size_t len, struct buf *out, enum csv_error *err, long *line)
{
	struct csv_reader	 rd;
	const char		*f[CSV_MAX_FIELDS];
	size_t			 n;
	int			 got;
	char			*copy = malloc(len ? len : 1);

	memcpy(copy, s, len);
	csv_init(&rd, copy, len);
	while ((got = csv_next(&rd, &a, f, &n, err)) == 1) {
		for (size_t i = 0; i < n; i++)
			buf_printf(out, "%s%s", i ? "|" : "", f[i]);
		buf_puts(out, "/");
	}
	*line = rd.record_line;
	free(copy);
	return got;
}

#define READ(s, out, err, line) read_all(s, sizeof(s) - 1, out, err, line)

static void
test_reader_quotes_newlines_crlf_bom(void **state)
{
	struct buf	 out = BUF_INIT;
	enum csv_error	 err;
	long		 line;

	(void)state;
	assert_int_equal(READ("\xEF\xBB\xBFName,Year\r\n\"Lock, Stock\",1998\r\n\"Say \"\"Hi\"\"\",\r\n", &out, &err, &line), 0);
	assert_string_equal(buf_cstr(&out), "Name|Year/Lock, Stock|1998/Say \"Hi\"|/");
	buf_reset(&out);
	/* A quoted field keeps its line breaks; LF, CRLF and a lone CR all end records. */
	assert_int_equal(READ("a,\"two\nlines\"\nb,c\rd,e", &out, &err, &line), 0);
	assert_string_equal(buf_cstr(&out), "a|two\nlines/b|c/d|e/");
	buf_reset(&out);
	assert_int_equal(READ("", &out, &err, &line), 0);
	assert_string_equal(buf_cstr(&out), "");
	buf_free(&out);
	arena_reset(&a);
}

static void
test_reader_errors_name_the_line(void **state)
{
	struct buf	 out = BUF_INIT;
	enum csv_error	 err;
	long		 line;

	(void)state;
	assert_int_equal(READ("Name,Year\nOK,1\n\"multi\nline\",2\nbad \xC3\x28 byte,3\n", &out, &err, &line), -1);
	assert_int_equal(err, CSV_BAD_UTF8);
	assert_int_equal(line, 5);
	buf_reset(&out);
	assert_int_equal(READ("Name\n\"never closed\nx\n", &out, &err, &line), -1);
	assert_int_equal(err, CSV_BAD_QUOTE);
	assert_int_equal(line, 2);
	buf_reset(&out);
	assert_int_equal(READ("a\n\"q\"x,1\n", &out, &err, &line), -1);
	assert_int_equal(err, CSV_BAD_QUOTE);
	assert_int_equal(READ("PK\x03\x04\x00\x00zip", &out, &err, &line), -1);
	assert_int_equal(err, CSV_BINARY);
	/* Overlong encodings and surrogates are not UTF-8 either. */
	assert_int_equal(READ("\xC0\xAF\n", &out, &err, &line), -1);
	assert_int_equal(err, CSV_BAD_UTF8);
	assert_int_equal(READ("\xED\xA0\x80\n", &out, &err, &line), -1);
	assert_int_equal(err, CSV_BAD_UTF8);
	buf_free(&out);
	arena_reset(&a);
}

static void
test_formulas(void **state)
{
	(void)state;
	assert_true(csv_is_formula("=cmd|' /C calc'!A0"));
	assert_true(csv_is_formula("@SUM(1+1)"));
	assert_true(csv_is_formula("+cmd"));
	assert_true(csv_is_formula("-2+3+cmd"));
	assert_true(csv_is_formula("\tx"));
	assert_true(csv_is_formula("\r=x"));
	assert_true(csv_is_formula("-"));
	assert_false(csv_is_formula("+1"));
	assert_false(csv_is_formula("-1"));
	assert_false(csv_is_formula("-3.5"));
	assert_false(csv_is_formula("Fight Club"));
	assert_false(csv_is_formula(""));
	assert_false(csv_is_formula("1+1"));
}

static void
test_writer_quotes_and_defuses(void **state)
{
	struct buf		 out = BUF_INIT;
	const char *const	 row[] = { "Lock, Stock", "Say \"Hi\"", "two\nlines", "=HYPERLINK(\"x\")", "plain", "+1", "@a", "" };

	(void)state;
	csv_write_row(&out, row, sizeof(row) / sizeof(row[0]));
	assert_string_equal(buf_cstr(&out), "\"Lock, Stock\",\"Say \"\"Hi\"\"\",\"two\nlines\","
	    "\"'=HYPERLINK(\"\"x\"\")\",plain,'+1,'@a,\r\n");
	buf_free(&out);
}

static int
parse(const char *s, struct listfile *lf)
{
	return listfile_parse(&a, s, strlen(s), lf);
}

static void
test_listfile_formats(void **state)
{
	struct listfile lf;

	(void)state;
	assert_int_equal(parse("Date,Name,Year,Letterboxd URI,Rating\n2024-01-02,Fight Club,1999,"
	    "https://boxd.it/2a9q,4.5\n\n2024-01-03,+1,2013,https://boxd.it/x,\n", &lf), 0);
	assert_int_equal(lf.format, LISTFILE_LETTERBOXD);
	assert_int_equal(lf.n, 2);
	assert_string_equal(lf.rows[0].title, "Fight Club");
	assert_int_equal(lf.rows[0].year, 1999);
	assert_int_equal(lf.rows[1].line, 4);
	assert_int_equal(parse("Position,Const,Created,Modified,Description,Title,URL,Title Type\n"
	    "1,tt0137523,2024-01-01,,,Fight Club,https://www.imdb.com/title/tt0137523/,movie\n", &lf), 0);
	assert_int_equal(lf.format, LISTFILE_IMDB);
	assert_string_equal(lf.rows[0].imdb_id, "tt0137523");
	assert_string_equal(lf.rows[0].title, "Fight Club");
	assert_int_equal(parse("\xEF\xBB\xBFName,Year,tmdbID\r\n'=Odd,2001,680\r\n", &lf), 0);
	assert_int_equal(lf.format, LISTFILE_TMDB);
	assert_int_equal(lf.rows[0].tmdb_id, 680);
	arena_reset(&a);
}

static void
test_listfile_refusals(void **state)
{
	struct listfile	 lf;
	struct buf	 big = BUF_INIT;

	(void)state;
	assert_int_equal(parse("Title,Director\nFight Club,Fincher\n", &lf), -1);
	assert_int_equal(lf.err, LISTFILE_COLUMNS);
	assert_int_equal(parse("Name,Year\n", &lf), -1);
	assert_int_equal(lf.err, LISTFILE_EMPTY);
	assert_int_equal(parse("Name,Year\nOK,1999\n=cmd|' /C calc'!A0,2000\n", &lf), -1);
	assert_int_equal(lf.err, LISTFILE_FORMULA);
	assert_int_equal(lf.line, 3);
	assert_string_equal(lf.cell, "=cmd|' /C calc'!A0");
	assert_int_equal(parse("Const,Title\nnm0000093,Brad Pitt\n", &lf), -1);
	assert_int_equal(lf.err, LISTFILE_BAD_ID);
	assert_int_equal(listfile_parse(&a, "\x89PNG\r\n\x1a\n\0\0", 10, &lf), -1);
	assert_int_equal(lf.csv_err, CSV_BINARY);
	assert_int_equal(lf.line, 3);
	assert_int_equal(parse("Name,Year\nBad \xFF,1999\n", &lf), -1);
	assert_int_equal(lf.err, LISTFILE_CSV);
	assert_int_equal(lf.csv_err, CSV_BAD_UTF8);
	assert_int_equal(lf.line, 2);
	buf_puts(&big, "Name,Year,tmdbID\n");
	for (int i = 0; i < LISTFILE_MAX_ROWS; i++)
		buf_printf(&big, "M,2000,%d\n", i + 1);
	assert_int_equal(parse(buf_cstr(&big), &lf), 0);
	assert_int_equal(lf.n, LISTFILE_MAX_ROWS);
	buf_puts(&big, "M,2000,1\n");
	assert_int_equal(parse(buf_cstr(&big), &lf), -1);
	assert_int_equal(lf.err, LISTFILE_TOO_MANY_ROWS);
	buf_free(&big);
	arena_reset(&a);
}

/* Memory the process holds from malloc now (the arena's chunks included). */
static size_t
held(void)
{
	return mallinfo2().uordblks;
}

static void
test_listfile_blank_rows_count_and_memory_stays_bounded(void **state)
{
	struct listfile	 lf;
	struct buf	 f = BUF_INIT;
	size_t		 before;

	(void)state;
	/* An empty field is the static "": no allocation. */
	{
		struct csv_reader	 rd;
		const char		*v[CSV_MAX_FIELDS], *g[CSV_MAX_FIELDS];
		size_t			 n, m;
		enum csv_error		 err;

		csv_init(&rd, ",,\n,,\n", 6);
		assert_int_equal(csv_next(&rd, &a, v, &n, &err), 1);
		assert_int_equal(csv_next(&rd, &a, g, &m, &err), 1);
		assert_int_equal(n, 3);
		assert_ptr_equal(v[0], g[2]);
	}
	/* A field past the limit is refused as soon as it is (quoted or not). */
	buf_puts(&f, "Name,Year\n\"");
	for (int i = 0; i < CSV_MAX_FIELD_BYTES + 1; i++)
		buf_putc(&f, 'x');
	buf_puts(&f, "\",1999\n");
	assert_int_equal(parse(buf_cstr(&f), &lf), -1);
	assert_int_equal(lf.csv_err, CSV_FIELD_TOO_LONG);
	buf_reset(&f);
	buf_puts(&f, "Name,Year\n");
	for (int i = 0; i < 4 * CSV_MAX_FIELD_BYTES; i++)
		buf_putc(&f, 'x');
	assert_int_equal(parse(buf_cstr(&f), &lf), -1);
	assert_int_equal(lf.csv_err, CSV_FIELD_TOO_LONG);
	assert_int_equal(lf.line, 2);
	buf_reset(&f);
	/* Blank lines count toward the row limit: 10 MB of them stop after LISTFILE_MAX_RECORDS. */
	buf_puts(&f, "Name,Year\n");
	while (f.len < 10 * 1024 * 1024)
		buf_puts(&f, "\n\n\n\n\n\n\n\n");
	assert_int_equal(parse(buf_cstr(&f), &lf), -1);
	assert_int_equal(lf.err, LISTFILE_TOO_MANY_ROWS);
	assert_int_equal(lf.line, LISTFILE_MAX_RECORDS + 1);
	/* Before the header too, and rows of commas. */
	buf_reset(&f);
	while (f.len < 1024 * 1024)
		buf_puts(&f, ",,,,,,,,,,,,,,,\r\n");
	assert_int_equal(parse(buf_cstr(&f), &lf), -1);
	assert_int_equal(lf.err, LISTFILE_TOO_MANY_ROWS);
	/* Exactly the limit: blank records and rows together. */
	buf_reset(&f);
	buf_puts(&f, "\nName,Year\n\n");
	for (int i = 0; i < LISTFILE_MAX_ROWS - 1; i++)
		buf_puts(&f, "M,2000\n");
	assert_int_equal(parse(buf_cstr(&f), &lf), -1);
	buf_reset(&f);
	buf_puts(&f, "Name,Year\n\n");
	for (int i = 0; i < LISTFILE_MAX_ROWS - 1; i++)
		buf_puts(&f, "M,2000\n");
	assert_int_equal(parse(buf_cstr(&f), &lf), 0);
	assert_int_equal(lf.n, LISTFILE_MAX_ROWS - 1);
	arena_reset(&a);
	/* What a parse keeps is a small multiple of the file, however many (empty) fields it has. */
	buf_reset(&f);
	buf_puts(&f, "Name,Year,tmdbID");
	for (int k = 3; k < CSV_MAX_FIELDS; k++)
		buf_putc(&f, ',');
	buf_putc(&f, '\n');
	for (int i = 0; i < LISTFILE_MAX_ROWS; i++) {
		buf_printf(&f, "A Title Of Some Length %d,1999,%d,a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,"
		    "t,u,v,w,x,y,z", i, i + 1);
		for (int k = 29; k < CSV_MAX_FIELDS; k++)
			buf_putc(&f, ',');
		buf_putc(&f, '\n');
	}
	before = held();
	assert_int_equal(parse(buf_cstr(&f), &lf), 0);
	assert_int_equal(lf.n, LISTFILE_MAX_ROWS);
	assert_true(held() - before < 2 * f.len);
	arena_reset(&a);
	buf_free(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_quotes_newlines_crlf_bom),
		cmocka_unit_test(test_reader_errors_name_the_line),
		cmocka_unit_test(test_formulas),
		cmocka_unit_test(test_writer_quotes_and_defuses),
		cmocka_unit_test(test_listfile_formats),
		cmocka_unit_test(test_listfile_refusals),
		cmocka_unit_test(test_listfile_blank_rows_count_and_memory_stays_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
