/* djtool.c: command-line access to the Django-compatibility functions, for tests against real Django. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "buf.h"
#include "csrf.h"
#include "djsession.h"
#include "pickle.h"
#include "signing.h"
#include "util.h"
#include "validators.h"

static void
usage(void)
{
	fputs("usage: djtool COMMAND [options]\n"
	    "  session-encode [--time T]          JSON on stdin -> session_data\n"
	    "  session-decode                     session_data on stdin -> JSON\n"
	    "  pickle                             JSON on stdin -> Python pickle (protocol 4) on stdout\n"
	    "  dumps [--salt S] [--compress] [--time T]   JSON on stdin -> signed\n"
	    "  loads [--salt S] [--max-age N] [--now T]   signed on stdin -> JSON\n"
	    "  auth-hash [--legacy] PASSWORDFIELD\n"
	    "  auth-check PASSWORDFIELD HASH      prints ok, fallback or mismatch\n"
	    "  validate-username NAME             prints valid or the error codes\n"
	    "  normalize-username NAME\n"
	    "  normalize-email EMAIL\n"
	    "  validate-password [--username U] [--first-name F] [--last-name L] [--email E]\n"
	    "                    [--no-user] [--common PATH] [--data-dir DIR]\n"
	    "                    password on stdin; prints valid or the error codes\n"
	    "  csrf-mask SECRET MASK | csrf-unmask TOKEN | csrf-check COOKIE TOKEN\n"
	    "SECRET_KEY comes from the environment; SECRET_KEY_FALLBACKS (newline-separated)\n"
	    "and SIGNING_ACCEPT_SHA1=1 are optional.\n", stderr);
	exit(2);
}

static void
read_stdin(struct buf *b)
{
	char	 chunk[4096];
	size_t	 n;

	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		buf_append(b, chunk, n);
}

static int64_t
int_arg(const char *s)
{
	int64_t v;

	if (parse_int64(s, strlen(s), INT64_MIN, INT64_MAX, &v) != 0) {
		fprintf(stderr, "djtool: not an integer: %s\n", s);
		exit(2);
	}
	return v;
}

/* Key material from the environment; the fallback list lives until exit. */
static struct signing_key
env_key(void)
{
	struct signing_key	 key = { NULL, NULL, 0 };
	const char		*fb = getenv("SECRET_KEY_FALLBACKS");
	const char		*sha1 = getenv("SIGNING_ACCEPT_SHA1");
	static char		*list[16];

	if ((key.secret = getenv("SECRET_KEY")) == NULL) {
		fputs("djtool: SECRET_KEY is not set\n", stderr);
		exit(2);
	}
	if (fb != NULL && *fb != '\0') {
		char	*copy = xstrdup(fb), *save = NULL, *k;
		size_t	 n = 0;

		for (k = strtok_r(copy, "\n", &save); k != NULL && n + 1 < NELEM(list);
		    k = strtok_r(NULL, "\n", &save))
			list[n++] = k;
		list[n] = NULL;
		key.fallbacks = (const char *const *)list;
	}
	key.accept_sha1 = sha1 != NULL && strcmp(sha1, "1") == 0;
	return key;
}

static struct json_object *
stdin_json(void)
{
	struct buf		 in = BUF_INIT;
	struct json_object	*obj;
	int			 rc;

	read_stdin(&in);
	/* Callers send ASCII JSON (Python's default), for which latin-1 parsing is exact. */
	rc = signing_json_loads(buf_cstr(&in), in.len, &obj);
	buf_free(&in);
	if (rc != 0) {
		fputs("djtool: invalid JSON on stdin\n", stderr);
		exit(1);
	}
	return obj;
}

/* Prints a decoded value (rc from the decoder; obj NULL is JSON null) and releases it. */
static int
print_json(int rc, struct json_object *obj)
{
	struct buf out = BUF_INIT;

	if (rc != 0 || signing_json_dumps(obj, &out) != 0) {
		fputs("djtool: cannot decode\n", stderr);
		json_object_put(obj);
		return 1;
	}
	puts(buf_cstr(&out));
	buf_free(&out);
	json_object_put(obj);
	return 0;
}

/* Trims one trailing newline, which shells and pipes add. */
static void
chomp(struct buf *b)
{
	if (b->len > 0 && b->data[b->len - 1] == '\n')
		b->data[--b->len] = '\0';
}

static int
cmd_session_encode(int argc, char **argv)
{
	struct signing_key	 key = env_key();
	struct json_object	*obj;
	struct buf		 out = BUF_INIT;
	int64_t			 ts = -1;
	int			 rc;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--time") == 0 && i + 1 < argc)
			ts = int_arg(argv[++i]);
		else
			usage();
	}
	obj = stdin_json();
	rc = ts < 0 ? djsession_encode(&key, obj, &out) : djsession_encode_at(&key, obj, ts, &out);
	json_object_put(obj);
	if (rc == 0)
		puts(buf_cstr(&out));
	buf_free(&out);
	return rc == 0 ? 0 : 1;
}

static int
cmd_session_decode(void)
{
	struct signing_key	 key = env_key();
	struct buf		 in = BUF_INIT;
	struct json_object	*obj;

	read_stdin(&in);
	chomp(&in);
	obj = djsession_decode(&key, buf_cstr(&in), in.len);
	buf_free(&in);
	return print_json(obj == NULL ? -1 : 0, obj);
}

/* The bytes a cached_db session entry holds in Redis, for Python to unpickle. */
static int
cmd_pickle(void)
{
	struct buf		 in = BUF_INIT, out = BUF_INIT;
	struct json_object	*obj;
	int			 rc;

	read_stdin(&in);
	obj = json_tokener_parse(buf_cstr(&in));
	rc = obj == NULL || pickle_json(obj, &out) != 0;
	if (rc == 0)
		fwrite(out.data, 1, out.len, stdout);
	json_object_put(obj);
	buf_free(&in);
	buf_free(&out);
	return rc;
}

static int
cmd_dumps(int argc, char **argv)
{
	struct signing_key	 key = env_key();
	struct json_object	*obj;
	struct buf		 out = BUF_INIT;
	const char		*salt = SIGNING_SALT_DUMPS;
	int64_t			 ts = -1;
	int			 compress = 0, rc;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--time") == 0 && i + 1 < argc)
			ts = int_arg(argv[++i]);
		else if (strcmp(argv[i], "--salt") == 0 && i + 1 < argc)
			salt = argv[++i];
		else if (strcmp(argv[i], "--compress") == 0)
			compress = 1;
		else
			usage();
	}
	obj = stdin_json();
	rc = signing_dumps(&key, salt, obj, compress, ts < 0 ? (int64_t)time(NULL) : ts, &out);
	json_object_put(obj);
	if (rc == 0)
		puts(buf_cstr(&out));
	buf_free(&out);
	return rc == 0 ? 0 : 1;
}

static int
cmd_loads(int argc, char **argv)
{
	struct signing_key	 key = env_key();
	struct buf		 in = BUF_INIT;
	struct json_object	*obj;
	const char		*salt = SIGNING_SALT_DUMPS;
	int64_t			 max_age = -1, now = (int64_t)time(NULL);
	int			 rc;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--salt") == 0 && i + 1 < argc)
			salt = argv[++i];
		else if (strcmp(argv[i], "--max-age") == 0 && i + 1 < argc)
			max_age = int_arg(argv[++i]);
		else if (strcmp(argv[i], "--now") == 0 && i + 1 < argc)
			now = int_arg(argv[++i]);
		else
			usage();
	}
	read_stdin(&in);
	chomp(&in);
	rc = signing_loads(&key, salt, buf_cstr(&in), in.len, max_age, now, &obj);
	buf_free(&in);
	return print_json(rc, obj);
}

static int
cmd_auth_hash(int argc, char **argv)
{
	struct signing_key	 key = env_key();
	char			 hex[DJSESSION_HASH_HEX + 1];

	if (argc == 2 && strcmp(argv[0], "--legacy") == 0)
		djsession_auth_hash_legacy(key.secret, argv[1], hex);
	else if (argc == 1)
		djsession_auth_hash(key.secret, argv[0], hex);
	else
		usage();
	puts(hex);
	return 0;
}

static int
cmd_auth_check(int argc, char **argv)
{
	static const char	*names[] = { "mismatch", "ok", "fallback" };
	struct signing_key	 key = env_key();

	if (argc != 2)
		usage();
	puts(names[djsession_auth_hash_check(&key, argv[0], argv[1])]);
	return 0;
}

static void
print_errors(const struct validators_error *errs, int n)
{
	if (n == 0) {
		puts("valid");
		return;
	}
	for (int i = 0; i < n; i++)
		printf("%s%s", i ? " " : "", errs[i].code);
	putchar('\n');
	for (int i = 0; i < n; i++)
		fprintf(stderr, "%s: %s\n", errs[i].code, errs[i].message);
}

static int
cmd_validate_username(int argc, char **argv)
{
	struct validators_error	 errs[2];
	int			 n;

	if (argc != 1)
		usage();
	n = validators_username(argv[0], strlen(argv[0]), NULL, errs);
	print_errors(errs, n);
	return 0;
}

static int
cmd_normalize(int argc, char **argv, int email)
{
	char *s;

	if (argc != 1)
		usage();
	s = email ? validators_normalize_email(argv[0]) :
	    validators_normalize_username(argv[0], strlen(argv[0]));
	if (s == NULL)
		return 1;
	puts(s);
	free(s);
	return 0;
}

static int
cmd_validate_password(int argc, char **argv)
{
	struct validators_user	 user = { NULL, NULL, NULL, NULL };
	struct validators_error	 errs[VALIDATORS_MAX_ERRORS];
	struct buf		 pw = BUF_INIT;
	const char		*common = NULL, *data_dir = getenv("DATA_DIR");
	int			 have_user = 1, n;

	for (int i = 0; i < argc; i++) {
		if (i + 1 < argc && strcmp(argv[i], "--username") == 0)
			user.username = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--first-name") == 0)
			user.first_name = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--last-name") == 0)
			user.last_name = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--email") == 0)
			user.email = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--common") == 0)
			common = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--data-dir") == 0)
			data_dir = argv[++i];
		else if (strcmp(argv[i], "--no-user") == 0)
			have_user = 0;
		else
			usage();
	}
	if (validators_init(data_dir != NULL ? data_dir : "common/data", common) != 0)
		return 1;
	read_stdin(&pw);
	n = validators_password(buf_cstr(&pw), have_user ? &user : NULL, errs);
	buf_free(&pw);
	validators_cleanup();
	if (n < 0)
		return 1;
	print_errors(errs, n);
	return 0;
}

static int
cmd_csrf(const char *cmd, int argc, char **argv)
{
	char token[CSRF_TOKEN_LEN + 1], secret[CSRF_SECRET_LEN + 1];

	if (strcmp(cmd, "csrf-mask") == 0 && argc == 2 && strlen(argv[0]) == CSRF_SECRET_LEN &&
	    strlen(argv[1]) == CSRF_SECRET_LEN) {
		csrf_mask_with(argv[0], argv[1], token);
		puts(token);
		return 0;
	}
	if (strcmp(cmd, "csrf-unmask") == 0 && argc == 1) {
		if (csrf_unmask(argv[0], strlen(argv[0]), secret) != 0)
			return 1;
		puts(secret);
		return 0;
	}
	if (strcmp(cmd, "csrf-check") == 0 && argc == 2) {
		enum csrf_result r = csrf_check(argv[0], strlen(argv[0]), argv[1], strlen(argv[1]));

		puts(r == CSRF_OK ? "ok" : csrf_reason(r));
		return r == CSRF_OK ? 0 : 1;
	}
	usage();
	return 2;
}

int
main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2)
		usage();
	cmd = argv[1];
	argc -= 2;
	argv += 2;
	if (strcmp(cmd, "session-encode") == 0)
		return cmd_session_encode(argc, argv);
	if (strcmp(cmd, "session-decode") == 0)
		return cmd_session_decode();
	if (strcmp(cmd, "pickle") == 0)
		return cmd_pickle();
	if (strcmp(cmd, "dumps") == 0)
		return cmd_dumps(argc, argv);
	if (strcmp(cmd, "loads") == 0)
		return cmd_loads(argc, argv);
	if (strcmp(cmd, "auth-hash") == 0)
		return cmd_auth_hash(argc, argv);
	if (strcmp(cmd, "auth-check") == 0)
		return cmd_auth_check(argc, argv);
	if (strcmp(cmd, "validate-username") == 0)
		return cmd_validate_username(argc, argv);
	if (strcmp(cmd, "normalize-username") == 0)
		return cmd_normalize(argc, argv, 0);
	if (strcmp(cmd, "normalize-email") == 0)
		return cmd_normalize(argc, argv, 1);
	if (strcmp(cmd, "validate-password") == 0)
		return cmd_validate_password(argc, argv);
	if (strncmp(cmd, "csrf-", 5) == 0)
		return cmd_csrf(cmd, argc, argv);
	usage();
	return 2;
}
