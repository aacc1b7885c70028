/* test_import_decode.c: the decoders of import jobs and preview pages as Redis holds them: what they accept and that they refuse the rest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model_import.h"

static struct arena a = ARENA_INIT;

static int
job_of(const char *text, struct import_job *job)
{
	return import_decode(&a, text, strlen(text), job);
}

static int
page_of(const char *text, struct import_page *pg)
{
	return import_decode_page(&a, text, strlen(text), pg);
}

static void
test_a_job_being_matched(void **state)
{
	struct import_job job;

	(void)state;
	assert_int_equal(job_of("{\"exp\":1,\"list\":\"watchlist\",\"format\":\"IMDb\",\"file\":\"x.csv\",\"stalls\":2,"
	    "\"rows\":[{\"l\":2,\"t\":\"Fight Club\",\"y\":1999},{\"l\":3,\"t\":\"\",\"y\":0,\"imdb\":\"tt0000009\"}],"
	    "\"res\":[{\"s\":0,\"c\":[{\"id\":550,\"t\":\"Fight Club\",\"y\":\"1999\",\"d\":\"1999-10-15\"}]}],"
	    "\"slot\":1,\"tok\":\"7.99\"}", &job), 0);
	assert_int_equal(job.list, LIST_WATCHLIST);
	assert_int_equal(job.total, 2);
	assert_int_equal(job.done, 1);
	assert_int_equal(job.stalls, 2);
	assert_int_equal(job.slot, 1);
	assert_string_equal(job.token, "7.99");
	assert_false(job.built);
	assert_int_equal(job.rows[0].state, IMPORT_MATCHED);
	assert_int_equal(job.rows[0].cand[0].id, 550);
	assert_string_equal(job.rows[1].imdb_id, "tt0000009");
	assert_int_equal(job.rows[1].index, 1);
	arena_reset(&a);
}

static void
test_a_built_job_and_its_page(void **state)
{
	struct import_job	job;
	struct import_page	pg;

	(void)state;
	assert_int_equal(job_of("{\"list\":\"favorites\",\"pv\":{\"pages\":2,\"n\":[1,100,2,3]}}", &job), 0);
	assert_true(job.built);
	assert_int_equal(job.total, 106);
	assert_int_equal(job.done, 106);
	assert_int_equal(job.pages, 2);
	assert_int_equal(job.n_matched, 100);
	assert_int_equal(page_of("[{\"l\":5,\"t\":\"Twin\",\"y\":2011,\"s\":1,\"i\":3,\"ch\":true,\"c\":[{\"id\":1},{\"id\":2}]},"
	    "{\"l\":2,\"t\":\"A\",\"y\":0,\"s\":0,\"i\":0,\"p\":true,\"c\":[{\"id\":680}]},{\"l\":9,\"t\":\"B\",\"s\":2,\"i\":8,\"f\":true}]",
	    &pg), 0);
	assert_int_equal(pg.n, 3);
	assert_int_equal(pg.rows[0].state, IMPORT_AMBIGUOUS);
	assert_true(pg.rows[0].choosable);
	assert_int_equal(pg.rows[0].index, 3);
	assert_int_equal(pg.rows[0].ncand, 2);
	assert_true(pg.rows[1].present);
	assert_true(pg.rows[2].failed);
	arena_reset(&a);
}

static void
test_what_is_not_a_job_is_refused(void **state)
{
	static const char *const jobs[] = {
		"", "null", "[]", "42", "{}", "{\"list\":\"wishlist\",\"rows\":[],\"res\":[]}",
		"{\"list\":\"favorites\",\"rows\":{},\"res\":[]}",
		"{\"list\":\"favorites\",\"rows\":[],\"res\":[{\"s\":0}]}",			/* more results than rows */
		"{\"list\":\"favorites\",\"rows\":[1],\"res\":[{\"s\":7}]}",			/* no such state */
		"{\"list\":\"favorites\",\"rows\":[1],\"res\":[{\"s\":0,\"c\":\"x\"}]}",	/* a match without its movie */
		"{\"list\":\"favorites\",\"pv\":{\"pages\":5,\"n\":[1,1,1,1]}}",		/* pages that do not add up */
		"{\"list\":\"favorites\",\"pv\":{\"pages\":1,\"n\":[1,-1,1,1]}}",
		"{\"list\":\"favorites\",\"pv\":{\"pages\":1,\"n\":[1,1,1]}}",
		"{\"list\":\"favorites\",\"rows\":[],\"res\":[]} trailing",
		"{\"list\":\"favorites\",\"rows\":[],\"res\":[",
	};
	static const char *const pages[] = {
		"", "{}", "[1]", "[{\"s\":0}]", "[{\"s\":2,\"i\":-1}]", "[{\"s\":2,\"i\":5000}]", "[[]]",
	};
	struct import_job	job;
	struct import_page	pg;

	(void)state;
	for (size_t i = 0; i < sizeof(jobs) / sizeof(jobs[0]); i++)
		assert_int_equal(job_of(jobs[i], &job), -1);
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		assert_int_equal(page_of(pages[i], &pg), -1);
	/* Not terminated: only len bytes are read. */
	assert_int_equal(import_decode(&a, "{\"list\":\"favorites\",\"rows\":[],\"res\":[]}xx", 39, &job), 0);
	arena_reset(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_job_being_matched),
		cmocka_unit_test(test_a_built_job_and_its_page),
		cmocka_unit_test(test_what_is_not_a_job_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
