/* log.c: one-line-per-event logging to stderr with level, pid and the current request id. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

enum log_level log_threshold = LOG_INFO;
static char request_id[48];

int
log_set_level(const char *name)
{
	static const char *names[] = { "error", "warn", "info", "debug" };

	for (int i = 0; i < 4; i++)
		if (strcmp(name, names[i]) == 0) {
			log_threshold = (enum log_level)i;
			return 0;
		}
	return -1;
}

void
log_set_request_id(const char *id)
{
	if (id == NULL) {
		request_id[0] = '\0';
		return;
	}
	log_sanitize(id, request_id, sizeof(request_id));
}

void
log_write(enum log_level level, const char *fmt, ...)
{
	static const char *names[] = { "ERROR", "WARN", "INFO", "DEBUG" };
	char		 line[2048], stamp[32];
	struct timespec	 ts;
	struct tm	 tm;
	va_list		 ap;
	int		 n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	n = snprintf(line, sizeof(line), "%s.%03ldZ %s [%ld]%s%s ", stamp,
	    ts.tv_nsec / 1000000, names[level], (long)getpid(),
	    request_id[0] ? " req=" : "", request_id);
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	/* One write per line so lines from several workers never interleave. */
	size_t len = strlen(line);
	line[len++] = '\n';
	if (write(STDERR_FILENO, line, len) < 0)
		return;
}

char *
log_sanitize(const char *in, char *out, size_t outsz)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	if (outsz == 0)
		return out;
	for (; in && *in && o + 5 < outsz; in++) {
		unsigned char c = (unsigned char)*in;

		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else
			out[o++] = (char)c;
	}
	out[o] = '\0';
	return out;
}
