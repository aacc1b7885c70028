/* test_arena.c: per-request memory: zeroed allocations, big blocks, strings, deferred releases in reverse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"

static int	order[4];
static int	norder;

static void
record(void *p)
{
	order[norder++] = *(int *)p;
}

static void
test_alloc_zeroed_aligned_and_large(void **state)
{
	struct arena	 a = ARENA_INIT;
	char		*small, *large;

	(void)state;
	small = arena_alloc(&a, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(small[i], 0);
	assert_int_equal((uintptr_t)arena_alloc(&a, 8) % sizeof(void *), 0);
	/* Larger than a chunk: still one usable, zeroed block. */
	large = arena_alloc(&a, 100 * 1024);
	assert_int_equal(large[100 * 1024 - 1], 0);
	memset(large, 1, 100 * 1024);
	arena_reset(&a);
	/* Reusable after a reset. */
	assert_non_null(arena_alloc(&a, 16));
	arena_reset(&a);
}

static void
test_strings(void **state)
{
	struct arena a = ARENA_INIT;

	(void)state;
	assert_string_equal(arena_strdup(&a, "hello"), "hello");
	assert_string_equal(arena_strndup(&a, "hello", 3), "hel");
	assert_string_equal(arena_printf(&a, "%s-%03d", "x", 7), "x-007");
	arena_reset(&a);
}

static void
test_defers_run_latest_first_once(void **state)
{
	struct arena	 a = ARENA_INIT;
	static int	 one = 1, two = 2, three = 3;

	(void)state;
	norder = 0;
	arena_defer(&a, record, &one);
	arena_defer(&a, record, &two);
	arena_defer(&a, record, &three);
	arena_reset(&a);
	assert_int_equal(norder, 3);
	assert_int_equal(order[0], 3);
	assert_int_equal(order[1], 2);
	assert_int_equal(order[2], 1);
	arena_reset(&a);
	assert_int_equal(norder, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_zeroed_aligned_and_large),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_defers_run_latest_first_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
