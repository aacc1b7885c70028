/* fail.h: the one failure type models and handlers return, and the table of what visitors read. */
#ifndef FAIL_H
#define FAIL_H

#include <stdarg.h>
#include <stddef.h>

/* What went wrong, independent of how it is shown; fail_status() gives the HTTP status. */
enum fail {
	FAIL_OK = 0,
	FAIL_INPUT,		/* 400: the request is not valid */
	FAIL_UNAUTHENTICATED,	/* 401: no or a bad credential */
	FAIL_FORBIDDEN,		/* 403: the CSRF check failed */
	FAIL_NOT_FOUND,		/* 404: no such row, movie or page */
	FAIL_METHOD,		/* 405: the path exists for other methods */
	FAIL_MEDIA_TYPE,		/* 415: a body the API cannot read */
	FAIL_THROTTLED,		/* 429: too many attempts */
	FAIL_INTERNAL,		/* 500: a bug or an unusable template */
	FAIL_DB,			/* 503: PostgreSQL is unreachable */
	FAIL_MOVIES,		/* 503: TMDb and the cache both failed */
	FAIL_CONFLICT,		/* a row exists already (a model result; answered 400) */
	FAIL_TOO_LARGE,		/* 413: an upload over its limit */
	FAIL_CACHE,		/* 503: Redis is unreachable (what only it keeps: import jobs) */
};

/* Every failure message a visitor or API client reads; the text lives in fail.c only. */
enum msg {
	MSG_NONE,
	MSG_NO_PAGE,
	MSG_BAD_METHOD,
	MSG_CSRF,
	MSG_BAD_HOST,
	MSG_NO_CREDENTIALS,
	MSG_SERVER_ERROR,
	/* browsing pages */
	MSG_TRENDING_WINDOW,
	MSG_PAGE_NUMBER,
	MSG_YEAR,
	MSG_SEARCH_TOO_LONG,
	MSG_WATCH_REGION,
	MSG_NO_GENRE,
	MSG_PAST_LAST_PAGE,		/* formatted: page, last page */
	MSG_MOVIE_UNKNOWN,
	MSG_MOVIE_BAD_REQUEST,
	MSG_MOVIES_DOWN,
	/* favorites, the watchlist and "for you" */
	MSG_FAVORITES_SHOW,
	MSG_FAVORITE_MOVIE_UNKNOWN,
	MSG_FAVORITE_MOVIES_DOWN,
	MSG_FAVORITE_SAVE,
	MSG_FAVORITE_REMOVE,
	MSG_WATCHLIST_SHOW,
	MSG_WATCHLIST_SAVE,
	MSG_WATCHLIST_REMOVE,
	MSG_WATCHED_THEN,
	MSG_FOR_YOU,
	/* importing and exporting lists */
	MSG_IMPORT_TOO_LARGE,
	MSG_IMPORT_NO_FILE,
	MSG_IMPORT_LIST,
	MSG_IMPORT_EMPTY,
	MSG_IMPORT_NOT_TEXT,		/* formatted: line */
	MSG_IMPORT_UTF8,		/* formatted: line */
	MSG_IMPORT_MALFORMED,		/* formatted: line, the CSV problem */
	MSG_IMPORT_COLUMNS,
	MSG_IMPORT_TOO_MANY_ROWS,	/* formatted: the limit */
	MSG_IMPORT_FORMULA,		/* formatted: line, the cell */
	MSG_IMPORT_BAD_ID,		/* formatted: line, the cell */
	MSG_IMPORT_UNKNOWN,
	MSG_IMPORT_DOWN,
	MSG_IMPORT_NOT_READY,
	MSG_IMPORT_SAVE,
	MSG_IMPORT_TOO_MANY_JOBS,	/* formatted: the limit */
	MSG_IMPORT_OVER_BYTES,		/* formatted: the limit in KB */
	MSG_IMPORT_THROTTLED,		/* formatted: the limit, minutes of the window, minutes to wait */
	MSG_EXPORT,
	/* accounts */
	MSG_LOGIN_THROTTLED,		/* formatted: minutes */
	MSG_REGISTER_THROTTLED,		/* formatted: minutes */
	MSG_PASSWORD_THROTTLED,		/* formatted: minutes */
	MSG_LOGIN_DOWN,
	MSG_REGISTER_DOWN,
	MSG_PASSWORD_DOWN,
	MSG_SESSION_DOWN,
	MSG_SESSION_READ_DOWN,
	MSG_RESET_THROTTLED,		/* formatted: minutes */
	MSG_RESET_DOWN,
	MSG_RESET_LINK,
	MSG_PASSWORD_CHECK_THROTTLED,	/* formatted: minutes */
	MSG_EMAIL_DOWN,
	MSG_EMAIL_LINK_INVALID,
	MSG_EMAIL_LINK_STALE,
	MSG_DELETE_DOWN,
	MSG_API_PASSWORD_DOWN,
	/* the JSON API (shapes and texts of the origin app, DRF and simplejwt) */
	MSG_API_MEDIA_TYPE,		/* formatted */
	MSG_API_JSON_PARSE,		/* formatted */
	MSG_API_BAD_HEADER,
	MSG_API_TOKEN_INVALID,
	MSG_API_NO_USER_CLAIM,
	MSG_API_SERVICE_DOWN,
	MSG_API_USER_NOT_FOUND,
	MSG_API_USER_INACTIVE,
	MSG_API_NO_ACTIVE_ACCOUNT,
	MSG_API_REFRESH_NO_ACCOUNT,
	MSG_API_REFRESH_INVALID,	/* formatted: the token's problem */
	MSG_API_THROTTLED,		/* formatted: seconds */
	MSG_API_LOGIN_DOWN,
	MSG_API_REGISTER_DOWN,
	MSG_API_FAVORITES_LIST,
	MSG_API_INVALID_PAGE,
	MSG_API_MOVIE_NOT_FOUND,
	MSG_API_MOVIES_DOWN,
	MSG_API_MOVIES_DOWN_RETRY,
	MSG_API_FAVORITE_SAVE,
	MSG_API_FAVORITE_EXISTS,
	MSG_API_FAVORITE_REMOVE,
	MSG_API_FAVORITE_ABSENT,
	MSG_API_WATCHLIST_EXISTS,
	MSG_API_WATCHLIST_ABSENT,
	MSG_API_INVALID_REQUEST,
	MSG_API_PAGE,
	MSG_API_TIME_WINDOW,
	MSG_API_QUERY_REQUIRED,
	MSG_API_QUERY_TOO_LONG,
	MSG_API_YEAR,
	MSG_API_TOKEN_REVOKED,
	MSG_API_INVALID_MOVIE,
	MSG_API_MULTIPART,		/* formatted */
	MSG_API_RESET_DOWN,
	MSG_API_REGISTERED,
	MSG_API_PASSWORD_SAVED,
	MSG_API_RESET_SENT,
	MSG_API_RESET_DONE,
	MSG_API_NOT_A_DICT,		/* formatted: Python's name of the JSON type */
	/* a request the worker cannot parse (http.c, form.c; shown on the 400 or 413 page) */
	MSG_REQ_BAD_PATH,
	MSG_REQ_PATH_TOO_LONG,
	MSG_REQ_PATH_ENCODING,
	MSG_REQ_BAD_QUERY,
	MSG_REQ_TOO_LARGE,
	MSG_REQ_BAD_LENGTH,
	MSG_REQ_CUT_SHORT,
	MSG_REQ_BAD_FORM,
	MSG_REQ_BAD_MULTIPART,		/* formatted: the multipart problem */
	MSG_REQ_BAD_MULTIPART_FIELD,
	MSG_API_MULTIPART_BOUNDARY,
	MSG_API_MULTIPART_UTF8,
	/* one field's error (DRF's serializer fields, Django's forms) */
	MSG_FIELD_REQUIRED,
	MSG_FIELD_NULL,
	MSG_FIELD_NOT_STRING,
	MSG_FIELD_NUL,
	MSG_FIELD_BLANK,
	MSG_FIELD_MAX_CHARS,		/* formatted: the limit (size_t) */
	MSG_FIELD_NOT_INTEGER,
	MSG_FIELD_MIN_VALUE,		/* formatted: the minimum (long long) */
	MSG_FIELD_MAX_VALUE,		/* formatted: the maximum (long long) */
	MSG_FORM_MAX_CHARS,		/* formatted: the limit, the length (size_t) */
	MSG_FIELD_INVALID_VALUE,
	MSG_EMAIL_INVALID,
	MSG_EMAIL_SAME,
	MSG_EMAIL_CHANGED_MEANWHILE,
	MSG_USERNAME_TAKEN,
	MSG_PASSWORDS_DIFFER,
	MSG_API_PASSWORDS_DIFFER,
	MSG_OLD_PASSWORD_WRONG,
	MSG_PASSWORD_WRONG,
	MSG_PASSWORD_UNCHECKED,
	MSG_API_RESET_PASSWORD_UNCHECKED,
	MSG_LOGIN_INVALID,
	MSG_ACCOUNT_CREATED,
	MSG_PASSWORD_CHANGED,
	MSG_NO_PAGE_SLASH,		/* formatted: the path */
	MSG_API_WELCOME,
	MSG_COUNT
};

struct msg_def {
	const char	*text;		/* a printf format for the rows marked "formatted" */
	const char	*json_key;	/* "detail" (DRF), or "error" (the origin app's own views) */
	const char	*code;		/* simplejwt's "code" member, or NULL */
	int		 retry_after;	/* seconds for a Retry-After header, or 0 */
};

/* The HTTP status of a failure: 400, 401, 403, 404, 405, 415, 429, 500 or 503. */
int			 fail_status(enum fail);
/* The table row of a message. */
const struct msg_def	*msg_def(enum msg);
/* The text of a message (static), for a field error or a page's notice. */
const char		*msg_text(enum msg);
/* A "formatted" message's text with its arguments into text (cut to size, always terminated). */
void			 msg_vformat(char *text, size_t size, enum msg, va_list);
/* The same in the arena (a copy the arena owns). */
struct arena;
char			*msg_format(struct arena *, enum msg, ...);
/* "ok", "input", ..., for logs. */
const char		*fail_name(enum fail);

#endif
