/* test_hashgate.c: the cap on password hashes at once holds across processes and survives a worker killed mid-hash. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "hashgate.h"

/* Each test maps its own flags: the mapping of an earlier one is simply left behind. */
static void
test_cap_and_release(void **state)
{
	(void)state;
	assert_int_equal(hashgate_init(3), 0);
	hashgate_self(0);
	assert_int_equal(hashgate_enter(2), 0);
	assert_int_equal(hashgate_enter(2), 0);		/* held already: no second place */
	assert_int_equal(hashgate_busy(), 1);
	hashgate_self(1);
	assert_int_equal(hashgate_enter(2), 0);
	hashgate_self(2);
	assert_int_equal(hashgate_enter(2), -1);	/* the cap: slot 2 is refused... */
	assert_int_equal(hashgate_busy(), 2);		/* ...and takes nothing */
	hashgate_release(0);
	assert_int_equal(hashgate_enter(2), 0);
	hashgate_leave();
	hashgate_self(1);
	hashgate_leave();
	assert_int_equal(hashgate_busy(), 0);
}

static void
test_worker_killed_mid_hash(void **state)
{
	pid_t	pid;
	int	status, fds[2];
	char	c;

	(void)state;
	assert_int_equal(hashgate_init(2), 0);
	assert_int_equal(pipe(fds), 0);
	if ((pid = fork()) == 0) {
		hashgate_self(1);
		c = hashgate_enter(1) == 0 ? 'y' : 'n';
		(void)!write(fds[1], &c, 1);
		pause();		/* "hashing" until killed */
		_exit(0);
	}
	assert_int_equal(read(fds[0], &c, 1), 1);
	assert_int_equal(c, 'y');
	hashgate_self(0);
	assert_int_equal(hashgate_enter(1), -1);	/* the child's place is seen here */
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	hashgate_release(1);				/* what the master does on reaping it */
	assert_int_equal(hashgate_enter(1), 0);
	hashgate_leave();
	close(fds[0]);
	close(fds[1]);
}

static void
test_a_process_without_a_slot_is_admitted(void **state)
{
	(void)state;
	/* A process that is no worker (a one-off command) has no slot: nothing to cap. */
	hashgate_self(-1);
	assert_int_equal(hashgate_enter(0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cap_and_release),
		cmocka_unit_test(test_worker_killed_mid_hash),
		cmocka_unit_test(test_a_process_without_a_slot_is_admitted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
