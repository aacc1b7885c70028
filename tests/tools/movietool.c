/* movietool.c: command-line access to common/movies (the cached TMDb model) for tests and benchmarks. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "buf.h"
#include "log.h"
#include "movies.h"
#include "util.h"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: movietool [--redis URL] [--tmdb-base URL] [--api-key K] [--read-token T]\n"
	    "         [--language L] [--timeout-ms N] [--connect-timeout-ms N] [--concurrency N]\n"
	    "         [--log-level L] CMD ARGS\n"
	    "  details ID | details-many ID... | trending WINDOW PAGE | recs ID PAGE |\n"
	    "  similar ID PAGE | search QUERY YEAR PAGE | discover GENRE PAGE | genres |\n"
	    "  configuration | concurrent N ID | shell (one command per stdin line)\n"
	    "Defaults come from REDIS_URL, TMDB_BASE_URL, TMDB_API_KEY. Prints one JSON line:\n"
	    "  {\"status\":..., \"elapsed_ms\":..., \"data\":...}\n");
	exit(2);
}

static int64_t
arg_int64(const char *s)
{
	int64_t v;

	if (parse_int64(s, strlen(s), INT64_MIN, INT64_MAX, &v) == -1) {
		fprintf(stderr, "movietool: not an integer: %s\n", s);
		exit(2);
	}
	return v;
}

static int
arg_int(const char *s)
{
	int v;

	if (parse_int(s, -1000000, 1000000, &v) == -1) {
		fprintf(stderr, "movietool: not an integer: %s\n", s);
		exit(2);
	}
	return v;
}

/* Writes one line with a single write() so concurrent children do not interleave. */
static void
emit(struct json_object *line)
{
	struct buf	 b = BUF_INIT;
	ssize_t		 w;

	buf_puts(&b, json_object_to_json_string_ext(line, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	buf_putc(&b, '\n');
	for (size_t off = 0; off < b.len; off += (size_t)w)
		if ((w = write(STDOUT_FILENO, b.data + off, b.len - off)) <= 0)
			break;
	buf_free(&b);
}

/* Runs one command; returns 0, or 2 for a usage error. */
static int
run(struct movies *m, int argc, char **argv)
{
	struct json_object	*out = NULL, *line = json_object_new_object();
	enum movies_status	 st;
	int64_t			 t0 = now_ms();
	const char		*cmd;

	if (argc < 1) {
		json_object_put(line);
		return 2;
	}
	cmd = argv[0];
	if (strcmp(cmd, "details") == 0 && argc == 2)
		st = movies_details(m, arg_int64(argv[1]), &out);
	else if (strcmp(cmd, "trending") == 0 && argc == 3)
		st = movies_trending(m, argv[1], arg_int(argv[2]), &out);
	else if (strcmp(cmd, "recs") == 0 && argc == 3)
		st = movies_recommendations(m, arg_int64(argv[1]), arg_int(argv[2]), &out);
	else if (strcmp(cmd, "similar") == 0 && argc == 3)
		st = movies_similar(m, arg_int64(argv[1]), arg_int(argv[2]), &out);
	else if (strcmp(cmd, "search") == 0 && argc == 4)
		st = movies_search(m, argv[1], arg_int(argv[2]), arg_int(argv[3]), &out);
	else if (strcmp(cmd, "discover") == 0 && argc == 3)
		st = movies_discover(m, arg_int64(argv[1]), arg_int(argv[2]), &out);
	else if (strcmp(cmd, "genres") == 0 && argc == 1)
		st = movies_genres(m, &out);
	else if (strcmp(cmd, "configuration") == 0 && argc == 1)
		st = movies_configuration(m, &out);
	else if (strcmp(cmd, "details-many") == 0 && argc >= 2) {
		size_t			 n = (size_t)argc - 1;
		int64_t			*ids = xcalloc(n, sizeof(*ids));
		struct json_object	**outs = xcalloc(n, sizeof(*outs));
		enum movies_status	*each = xcalloc(n, sizeof(*each));
		struct json_object	*sts = json_object_new_array();

		for (size_t i = 0; i < n; i++)
			ids[i] = arg_int64(argv[i + 1]);
		st = movies_details_many(m, ids, n, outs, each);
		out = json_object_new_array();
		for (size_t i = 0; i < n; i++) {
			json_object_array_add(out, outs[i]);
			json_object_array_add(sts, json_object_new_string(movies_status_name(each[i])));
		}
		json_object_object_add(line, "statuses", sts);
		free(ids);
		free(outs);
		free(each);
	} else {
		json_object_put(line);
		return 2;
	}
	json_object_object_add(line, "status", json_object_new_string(movies_status_name(st)));
	json_object_object_add(line, "elapsed_ms", json_object_new_int64(now_ms() - t0));
	json_object_object_add(line, "redis", json_object_new_boolean(cache_ok(movies_cache(m))));
	json_object_object_add(line, "data", out);
	emit(line);
	json_object_put(line);
	return 0;
}

/* Reads commands (space-separated words) from stdin until EOF; one result line each. */
static int
shell(struct movies *m)
{
	char	*linebuf = NULL, *words[128], *save = NULL;
	size_t	 cap = 0;
	ssize_t	 len;

	while ((len = getline(&linebuf, &cap, stdin)) >= 0) {
		int n = 0;

		for (char *w = strtok_r(linebuf, " \t\r\n", &save); w && n < 128;
		    w = strtok_r(NULL, " \t\r\n", &save))
			words[n++] = w;
		if (n == 0)
			continue;
		if (run(m, n, words) == 2) {
			struct json_object *line = json_object_new_object();

			json_object_object_add(line, "status", json_object_new_string("usage"));
			emit(line);
			json_object_put(line);
		}
	}
	free(linebuf);
	return 0;
}

/*
 * Forks n children that each open their own model (as workers do), wait at a common start
 * line (a pipe the parent closes) and ask for the same details at once.
 */
static int
concurrent(const struct movies_settings *s, int n, int64_t id)
{
	int	 gate[2];
	pid_t	*pids = xcalloc((size_t)n, sizeof(*pids));
	int	 rc = 0;

	if (pipe(gate) == -1)
		die("pipe: %s", strerror(errno));
	for (int i = 0; i < n; i++) {
		if ((pids[i] = fork()) == -1)
			die("fork: %s", strerror(errno));
		if (pids[i] == 0) {
			struct movies	*m;
			char		 c;
			char		 idbuf[24];
			char		*av[] = { (char *)"details", idbuf };

			close(gate[1]);
			if ((m = movies_open(s)) == NULL)
				_exit(1);
			while (read(gate[0], &c, 1) == -1 && errno == EINTR)
				;
			snprintf(idbuf, sizeof(idbuf), "%" PRId64, id);
			run(m, 2, av);
			movies_close(m);
			_exit(0);
		}
	}
	close(gate[0]);
	/* Give the children time to connect before releasing them together. */
	usleep(300 * 1000);
	close(gate[1]);
	for (int i = 0; i < n; i++) {
		int status;

		while (waitpid(pids[i], &status, 0) == -1 && errno == EINTR)
			;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			rc = 1;
	}
	free(pids);
	return rc;
}

int
main(int argc, char **argv)
{
	struct movies_settings	 s;
	struct movies		*m;
	int			 i, rc;

	memset(&s, 0, sizeof(s));
	s.cache.url = getenv("REDIS_URL");
	s.tmdb.base_url = getenv("TMDB_BASE_URL");
	s.tmdb.api_key = getenv("TMDB_API_KEY");
	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (val == NULL)
			usage();
		if (strcmp(opt, "--redis") == 0)
			s.cache.url = val;
		else if (strcmp(opt, "--tmdb-base") == 0)
			s.tmdb.base_url = val;
		else if (strcmp(opt, "--api-key") == 0)
			s.tmdb.api_key = val;
		else if (strcmp(opt, "--read-token") == 0)
			s.tmdb.read_token = val;
		else if (strcmp(opt, "--language") == 0)
			s.tmdb.language = val;
		else if (strcmp(opt, "--timeout-ms") == 0)
			s.tmdb.timeout_ms = arg_int(val);
		else if (strcmp(opt, "--connect-timeout-ms") == 0)
			s.tmdb.connect_timeout_ms = arg_int(val);
		else if (strcmp(opt, "--concurrency") == 0)
			s.tmdb.max_concurrency = arg_int(val);
		else if (strcmp(opt, "--log-level") == 0) {
			if (log_set_level(val) == -1)
				usage();
		} else
			usage();
	}
	if (i >= argc)
		usage();
	if (strcmp(argv[i], "concurrent") == 0) {
		if (argc - i != 3)
			usage();
		return concurrent(&s, arg_int(argv[i + 1]), arg_int64(argv[i + 2]));
	}
	if ((m = movies_open(&s)) == NULL)
		return 1;
	if (strcmp(argv[i], "shell") == 0)
		rc = shell(m);
	else
		rc = run(m, argc - i, argv + i);
	movies_close(m);
	if (rc == 2)
		usage();
	return rc;
}
