/* worker.c: one worker process: accepts FastCGI requests one at a time until told to stop. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "app.h"
#include "hashgate.h"
#include "log.h"
#include "observe.h"
#include "pipeline.h"
#include "resettoken.h"
#include "router.h"
#include "scoreboard.h"
#include "util.h"
#include "view.h"
#include "worker.h"

static volatile sig_atomic_t stop_requested;

/* Runs only inside ppoll() (the one place SIGTERM is unblocked): the loop then leaves. */
static void
on_term(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static int
fcgx_read(void *ctx, char *b, size_t n)
{
	FCGX_Request *fr = ctx;

	return FCGX_GetStr(b, n > INT32_MAX ? INT32_MAX : (int)n, fr->in);
}

static void
serve_one(FCGX_Request *fr, struct arena *arena, struct buf *out, int slot)
{
	struct req	 r;
	struct resp	 rs;
	const char	*why = NULL;
	char		 masked[SCOREBOARD_TEXT];
	int		 status;
	int64_t		 start = now_ms();

	observe_request_begin();
	resp_init(&rs);
	status = req_parse_limited(&r, arena, fr->envp, fcgx_read, fr, router_body_limit, &why);
	log_set_request_id(r.request_id);
	/* A crash report names the request, never a live reset token. */
	scoreboard_set(slot, r.method_name, r.path ? resettoken_log_path(r.path, masked,
	    sizeof(masked)) : NULL);
	if (status != 0)
		view_error(&r, &rs, status, why);
	else
		pipeline_handle(&r, &rs);
	buf_reset(out);
	resp_serialize(&rs, &r, out);
	FCGX_PutStr(buf_cstr(out), (int)out->len, fr->out);
	observe_request_end(&r, &rs, start);
	log_set_request_id(NULL);
	scoreboard_clear(slot);
	/* Whatever path the request took, its hashing place does not outlive it. */
	hashgate_leave();
	resp_free(&rs);
	arena_reset(arena);
}

/*
 * Waits for a connection with SIGTERM deliverable, then accepts with it blocked. A stop
 * therefore lands either here, before any connection is taken (the worker leaves), or while
 * a request is being read or served (it is finished first): never between accept() and the
 * request, where libfcgi would drop the connection (nginx: 502). 1 accepted, 0 try again,
 * -1 stop.
 */
static int
accept_one(FCGX_Request *fr, const sigset_t *waitmask)
{
	struct pollfd	pfd = { .fd = 0, .events = POLLIN };
	int		rc;

	if (stop_requested)
		return -1;
	if (ppoll(&pfd, 1, NULL, waitmask) < 0)
		return errno == EINTR ? 0 : -1;
	/* The listening socket is non-blocking: another worker may have taken the connection. */
	rc = FCGX_Accept_r(fr);
	if (rc == 0)
		return 1;
	if (rc == -EAGAIN || rc == -EWOULDBLOCK || rc == -EINTR || rc == -ECONNABORTED)
		return 0;
	log_error("worker: accept failed (%d)", rc);
	return -1;
}

void
worker_child_signals(void (*handler)(int), sigset_t *waitmask)
{
	struct sigaction	 sa;
	sigset_t		 stops;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&stops);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGINT);
	sigprocmask(SIG_SETMASK, &stops, NULL);
	sigemptyset(waitmask);
}

void
worker_run(int max_requests, int slot)
{
	FCGX_Request		 fr;
	struct arena		 arena = ARENA_INIT;
	struct buf		 out = BUF_INIT;
	sigset_t		 waitmask;
	int			 served = 0, got;

	hashgate_self(slot);
	/* Stop signals stay blocked except inside ppoll() in accept_one(). */
	worker_child_signals(on_term, &waitmask);
	if (fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK) == -1)
		die("worker: cannot make the listening socket non-blocking: %s", strerror(errno));

	app_worker_init();
	FCGX_Init();
	FCGX_InitRequest(&fr, 0, FCGI_FAIL_ACCEPT_ON_INTR);
	while ((got = accept_one(&fr, &waitmask)) >= 0) {
		if (got == 0)
			continue;
		serve_one(&fr, &arena, &out, slot);
		FCGX_Finish_r(&fr);
		if (max_requests > 0 && ++served >= max_requests) {
			log_info("worker: recycled after %d requests", served);
			break;
		}
	}
	app_worker_close();
	buf_free(&out);
	exit(0);
}
