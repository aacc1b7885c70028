/* test_dbbreaker.c: the shared database breaker: shared across fork, one probe at a time, waits given up when hopeless. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "dbbreaker.h"
#include "util.h"

/* One state for the whole file, mapped once (as the master does), for 2 workers. */
static int
setup(void **state)
{
	(void)state;
	return dbbreaker_init(2);
}

static void
sleep_ms(int ms)
{
	usleep((useconds_t)ms * 1000);
}

static void
test_open_fails_fast_then_one_probe(void **state)
{
	(void)state;
	dbbreaker_close();
	assert_int_equal(dbbreaker_allow(1000), 1);
	assert_int_equal(dbbreaker_open(8000, 0), 1);		/* starts the outage: log it */
	assert_int_equal(dbbreaker_open(8000, 0), 0);		/* already under way */
	assert_int_equal(dbbreaker_is_open(), 1);
	assert_int_equal(dbbreaker_allow(1000), 0);
	sleep_ms(520);						/* 250, then 500 ms */
	assert_int_equal(dbbreaker_allow(1000), 1);		/* the probe */
	assert_int_equal(dbbreaker_allow(1000), 0);		/* the others keep failing fast */
	assert_int_equal(dbbreaker_close(), 1);			/* ends the outage: log it */
	assert_int_equal(dbbreaker_close(), 0);
	assert_int_equal(dbbreaker_allow(1000), 1);
}

static void
test_open_in_a_child_is_seen_by_the_parent(void **state)
{
	pid_t	pid;
	int	status;

	(void)state;
	dbbreaker_close();
	if ((pid = fork()) == 0)
		_exit(dbbreaker_open(8000, 1) == 1 ? 0 : 1);
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(dbbreaker_allow(1000), 0);
	dbbreaker_close();
}

static void
test_a_wait_ends_when_another_worker_hung(void **state)
{
	int	mark = -1;
	int64_t	started;

	(void)state;
	dbbreaker_close();
	started = now_ms();
	assert_int_equal(dbbreaker_give_up(started, started + 5000, &mark), 0);
	sleep_ms(2);
	dbbreaker_open(8000, 0);				/* a refused connect: not a hang */
	assert_int_equal(dbbreaker_give_up(started, started + 5000, &mark), 0);
	dbbreaker_open(8000, 1);
	assert_int_equal(dbbreaker_give_up(started, started + 5000, &mark), 1);
	/* A wait that starts after the hang is the probe's: it is not ended by it. */
	sleep_ms(2);
	started = now_ms();
	assert_int_equal(dbbreaker_give_up(started, started + 5000, &mark), 0);
	dbbreaker_wait_end(mark);
	dbbreaker_close();
}

static void
test_a_wait_ends_when_every_worker_is_stuck(void **state)
{
	int	mine = -1, other = -1;
	int64_t	started;

	(void)state;
	dbbreaker_close();
	started = now_ms() - DB_STUCK_MS;
	/* One of two workers stuck: the other is free for the pages that need no database. */
	assert_int_equal(dbbreaker_give_up(started, started + 60000, &mine), 0);
	assert_true(mine >= 0);
	assert_int_equal(dbbreaker_give_up(started, started + 60000, &other), 1);
	assert_int_equal(dbbreaker_give_up(started, started + 60000, &mine), 1);
	dbbreaker_wait_end(other);
	assert_int_equal(dbbreaker_give_up(started, started + 60000, &mine), 0);
	dbbreaker_wait_end(mine);
	/* A mark left by a worker that died counts only until its deadline. */
	other = -1;
	assert_int_equal(dbbreaker_give_up(started, now_ms() + 1, &other), 0);
	sleep_ms(3);
	mine = -1;
	assert_int_equal(dbbreaker_give_up(started, started + 60000, &mine), 0);
	dbbreaker_wait_end(mine);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_fails_fast_then_one_probe),
		cmocka_unit_test(test_open_in_a_child_is_seen_by_the_parent),
		cmocka_unit_test(test_a_wait_ends_when_another_worker_hung),
		cmocka_unit_test(test_a_wait_ends_when_every_worker_is_stuck),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
