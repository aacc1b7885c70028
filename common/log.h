/* log.h: one-line-per-event logging to stderr with level, pid and the current request id. */
#ifndef LOG_H
#define LOG_H

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

extern enum log_level log_threshold;

/* Sets the threshold from "error", "warn", "info" or "debug"; -1 if the name is unknown. */
int	 log_set_level(const char *);
/* The request id printed on each line until cleared (NULL clears); copied, truncated. */
void	 log_set_request_id(const char *);
void	 log_write(enum log_level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The level is checked before any argument is formatted. */
#define log_error(...) do { if (log_threshold >= LOG_ERROR) log_write(LOG_ERROR, __VA_ARGS__); } while (0)
#define log_warn(...)  do { if (log_threshold >= LOG_WARN)  log_write(LOG_WARN,  __VA_ARGS__); } while (0)
#define log_info(...)  do { if (log_threshold >= LOG_INFO)  log_write(LOG_INFO,  __VA_ARGS__); } while (0)
#define log_debug(...) do { if (log_threshold >= LOG_DEBUG) log_write(LOG_DEBUG, __VA_ARGS__); } while (0)

/*
 * Copies untrusted text for a log line: control bytes and quotes become \xNN,
 * and the result is cut at max bytes. Returns out.
 */
char	*log_sanitize(const char *in, char *out, size_t outsz);

#endif
