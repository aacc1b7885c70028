/* worker.c: one worker process: accepts FastCGI requests one at a time until told to stop. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "app.h"
#include "log.h"
#include "pipeline.h"
#include "util.h"
#include "view.h"
#include "worker.h"

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t in_request;

/* Idle workers leave at once; a busy one finishes its request first. */
static void
on_term(int sig)
{
	(void)sig;
	stop_requested = 1;
	if (!in_request)
		_exit(0);
}

static int
fcgx_read(void *ctx, char *b, size_t n)
{
	FCGX_Request *fr = ctx;

	return FCGX_GetStr(b, n > INT32_MAX ? INT32_MAX : (int)n, fr->in);
}

static void
serve_one(FCGX_Request *fr, struct arena *arena, struct buf *out)
{
	struct req	 r;
	struct resp	 rs;
	const char	*why = NULL;
	int		 status;
	int64_t		 start = now_ms();

	resp_init(&rs);
	status = req_parse(&r, arena, fr->envp, fcgx_read, fr, &why);
	log_set_request_id(r.request_id);
	if (status != 0)
		view_error(&r, &rs, status, why);
	else
		app_handle(&r, &rs);
	buf_reset(out);
	resp_serialize(&rs, &r, out);
	FCGX_PutStr(buf_cstr(out), (int)out->len, fr->out);
	{
		char path[160];

		log_info("%s %s %d %lldms", r.method_name, log_sanitize(r.path, path, sizeof(path)),
		    rs.status, (long long)(now_ms() - start));
	}
	log_set_request_id(NULL);
	resp_free(&rs);
	arena_reset(arena);
}

void
worker_run(int max_requests)
{
	FCGX_Request		 fr;
	struct arena		 arena = ARENA_INIT;
	struct buf		 out = BUF_INIT;
	struct sigaction	 sa;
	sigset_t		 none;
	int			 served = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	app_worker_init();
	FCGX_Init();
	FCGX_InitRequest(&fr, 0, 0);
	for (;;) {
		if (stop_requested)
			break;
		if (FCGX_Accept_r(&fr) < 0) {
			if (errno == EINTR && !stop_requested)
				continue;
			break;
		}
		in_request = 1;
		serve_one(&fr, &arena, &out);
		FCGX_Finish_r(&fr);
		in_request = 0;
		if (max_requests > 0 && ++served >= max_requests) {
			log_info("worker: recycled after %d requests", served);
			break;
		}
	}
	app_worker_close();
	buf_free(&out);
	exit(0);
}
