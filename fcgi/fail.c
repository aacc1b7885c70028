/* fail.c: the one failure type's HTTP statuses and the table of every message visitors read. */
#include <stdarg.h>
#include <stdio.h>

#include "arena.h"
#include "fail.h"
#include "util.h"

/* Written once: every "come back later" message ends with it. */
#define LATER " Please try again in a minute."

static const struct msg_def msgs[MSG_COUNT] = {
	[MSG_NONE] = { "Something went wrong.", "detail", NULL, 0 },
	[MSG_NO_PAGE] = { "There is no page at this address.", "detail", NULL, 0 },
	[MSG_BAD_METHOD] = { "This address does not accept that kind of request.", "detail", NULL, 0 },
	[MSG_CSRF] = { "This form could not be accepted because its security check failed "
	    "(CSRF verification failed). Reload the page and try again; make sure your browser "
	    "accepts cookies from this site.", "detail", NULL, 0 },
	[MSG_BAD_HOST] = { "This site does not answer to the name in the request's Host header "
	    "(it is not in ALLOWED_HOSTS). Use the site's own address.", "detail", NULL, 0 },
	[MSG_NO_CREDENTIALS] = { "Authentication credentials were not provided.", "detail", NULL, 0 },
	[MSG_SERVER_ERROR] = { "The page could not be shown. Please try again.", "detail", NULL, 0 },
	[MSG_TRENDING_WINDOW] = { "The trending window must be \"day\" or \"week\".", "detail", NULL, 0 },
	[MSG_PAGE_NUMBER] = { "The page number must be a whole number from 1 to 500.", "detail", NULL, 0 },
	[MSG_YEAR] = { "The year must be a four-digit year such as 1999.", "detail", NULL, 0 },
	[MSG_SEARCH_TOO_LONG] = { "The search text is too long (200 characters at most).", "detail", NULL, 0 },
	[MSG_WATCH_REGION] = { "Choose a country from the list.", "detail", NULL, 0 },
	[MSG_NO_GENRE] = { "There is no genre with this id.", "detail", NULL, 0 },
	[MSG_PAST_LAST_PAGE] = { "There is no page %d here: the list ends at page %d.", "detail", NULL, 0 },
	[MSG_MOVIE_UNKNOWN] = { "TMDb does not know this movie.", "detail", NULL, 0 },
	[MSG_MOVIE_BAD_REQUEST] = { "The request is not valid: check the page number and the search terms.",
	    "detail", NULL, 0 },
	[MSG_MOVIES_DOWN] = { "The movie service is unavailable right now." LATER, "detail", NULL, 30 },
	[MSG_FAVORITES_SHOW] = { "Your favorites cannot be shown right now." LATER, "detail", NULL, 0 },
	[MSG_FAVORITE_MOVIE_UNKNOWN] = { "This movie cannot be saved: TMDb does not know a movie with this id.",
	    "detail", NULL, 0 },
	[MSG_FAVORITE_MOVIES_DOWN] = { "The movie service is unavailable, so the movie cannot be checked "
	    "and saved." LATER, "detail", NULL, 30 },
	[MSG_FAVORITE_SAVE] = { "Your favorite could not be saved right now." LATER, "detail", NULL, 0 },
	[MSG_FAVORITE_REMOVE] = { "Your favorite could not be removed right now." LATER, "detail", NULL, 0 },
	[MSG_WATCHLIST_SHOW] = { "Your watchlist cannot be shown right now." LATER, "detail", NULL, 0 },
	[MSG_WATCHLIST_SAVE] = { "The movie could not be added to your watchlist right now." LATER, "detail", NULL, 0 },
	[MSG_WATCHLIST_REMOVE] = { "Your watchlist could not be changed right now." LATER, "detail", NULL, 0 },
	[MSG_WATCHED_THEN] = { "Choose what happens to a watched movie: add it to your favorites "
	    "(then=favorite) or just take it off your watchlist (then=remove).", "detail", NULL, 0 },
	[MSG_FOR_YOU] = { "Your recommendations cannot be built right now." LATER, "detail", NULL, 0 },
	[MSG_IMPORT_TOO_LARGE] = { "The file is too large: an import takes files of at most 10 MB.", "detail", NULL, 0 },
	[MSG_IMPORT_NO_FILE] = { "Choose a file to import (a CSV export of Letterboxd, IMDb or this site).",
	    "detail", NULL, 0 },
	[MSG_IMPORT_LIST] = { "Choose the list to import into.", "detail", NULL, 0 },
	[MSG_IMPORT_EMPTY] = { "The file has no movies to import: it needs a header row and at least one row "
	    "after it. Nothing was saved.", "detail", NULL, 0 },
	[MSG_IMPORT_NOT_TEXT] = { "The file is not a CSV text file (line %ld holds binary data). Nothing was saved.",
	    "detail", NULL, 0 },
	[MSG_IMPORT_UTF8] = { "The file is not valid UTF-8 text: line %ld holds bytes that are not UTF-8. "
	    "Save it as UTF-8 CSV and try again. Nothing was saved.", "detail", NULL, 0 },
	[MSG_IMPORT_MALFORMED] = { "The file is not valid CSV at line %ld: %s. Nothing was saved.", "detail", NULL, 0 },
	[MSG_IMPORT_COLUMNS] = { "The file's columns are not recognised. Expected a header row with Name and Year "
	    "(a Letterboxd export: watched.csv, watchlist.csv, likes/films.csv), Const (an IMDb list or "
	    "ratings export) or tmdbID (this site's export). Nothing was saved.", "detail", NULL, 0 },
	[MSG_IMPORT_TOO_MANY_ROWS] = { "The file has more than %d rows: split it into smaller files. Nothing was saved.",
	    "detail", NULL, 0 },
	[MSG_IMPORT_FORMULA] = { "Line %ld holds a spreadsheet formula (\"%.40s\"), which an export never "
	    "contains: the file is refused. Nothing was saved.", "detail", NULL, 0 },
	[MSG_IMPORT_BAD_ID] = { "Line %ld has an id that is not valid (\"%.40s\"): Const must be an IMDb id such "
	    "as tt0137523 and tmdbID a TMDb movie number. Nothing was saved.", "detail", NULL, 0 },
	[MSG_IMPORT_UNKNOWN] = { "There is no such import: it may have expired (imports are kept for an hour) "
	    "or been saved already.", "detail", NULL, 0 },
	[MSG_IMPORT_DOWN] = { "Imports cannot be handled right now." LATER, "detail", NULL, 0 },
	[MSG_IMPORT_NOT_READY] = { "This import is still being matched: wait until its preview is shown.",
	    "detail", NULL, 0 },
	[MSG_IMPORT_SAVE] = { "The imported movies could not be saved right now. Nothing was saved." LATER,
	    "detail", NULL, 0 },
	[MSG_IMPORT_TOO_MANY_JOBS] = { "You already have %d imports waiting to be confirmed, the most an "
	    "account may have at once: confirm them (or wait for them to expire within the hour) before "
	    "importing another file. Nothing was saved.", "detail", NULL, 0 },
	[MSG_IMPORT_OVER_BYTES] = { "This file would take your imports waiting to be confirmed past %d KB, the "
	    "most an account may keep: confirm them first, or import a smaller file. Nothing was saved.",
	    "detail", NULL, 0 },
	[MSG_IMPORT_THROTTLED] = { "Too many imports: an account may upload %d files every %d minutes. "
	    "Please wait %d minute%s and try again. Nothing was saved.", "detail", NULL, 0 },
	[MSG_EXPORT] = { "Your list cannot be exported right now." LATER, "detail", NULL, 0 },
	[MSG_LOGIN_THROTTLED] = { "Too many failed login attempts. Please wait %d minute%s and try again.",
	    "detail", NULL, 0 },
	[MSG_REGISTER_THROTTLED] = { "Too many registrations from your address. Please wait %d minute%s and "
	    "try again.", "detail", NULL, 0 },
	[MSG_PASSWORD_THROTTLED] = { "Too many password changes from your address. Please wait %d minute%s "
	    "and try again.", "detail", NULL, 0 },
	[MSG_LOGIN_DOWN] = { "Logging in is not possible right now." LATER, "detail", NULL, 0 },
	[MSG_REGISTER_DOWN] = { "Registration is not possible right now." LATER, "detail", NULL, 0 },
	[MSG_PASSWORD_DOWN] = { "Your password could not be changed right now. Please try again.", "detail", NULL, 0 },
	[MSG_SESSION_DOWN] = { "Your session could not be read or saved right now." LATER, "detail", NULL, 0 },
	/* Unknown is not anonymous: the visitor must not think they were logged out. */
	[MSG_SESSION_READ_DOWN] = { "Your session could not be read: the site cannot reach its database right "
	    "now. Please try again in a minute: you are still logged in.", "detail", NULL, 0 },
	[MSG_RESET_THROTTLED] = { "Too many password reset requests for this address or from yours. Please "
	    "wait %d minute%s and try again.", "detail", NULL, 0 },
	[MSG_RESET_DOWN] = { "Password resets are not possible right now." LATER, "detail", NULL, 0 },
	[MSG_RESET_LINK] = { "The password reset link was invalid, possibly because it has already been "
	    "used. Please request a new password reset.", "detail", NULL, 0 },
	[MSG_PASSWORD_CHECK_THROTTLED] = { "Too many password attempts from your address. Please wait %d "
	    "minute%s and try again.", "detail", NULL, 0 },
	[MSG_EMAIL_DOWN] = { "Your email address could not be changed right now." LATER, "detail", NULL, 0 },
	[MSG_EMAIL_LINK_INVALID] = { "This email confirmation link is not valid: it is incomplete, was altered, "
	    "or has expired. Ask for a new one on your account page.", "detail", NULL, 0 },
	[MSG_EMAIL_LINK_STALE] = { "This email confirmation link is no longer valid: the account's email "
	    "address has changed since it was sent, or the account is closed.", "detail", NULL, 0 },
	[MSG_DELETE_DOWN] = { "Your account could not be closed right now; nothing was deleted." LATER,
	    "detail", NULL, 0 },
	[MSG_API_PASSWORD_DOWN] = { "The password could not be changed right now." LATER, "detail", NULL, 0 },
	[MSG_API_MEDIA_TYPE] = { "Unsupported media type \"%.100s\" in request.", "detail", NULL, 0 },
	[MSG_API_JSON_PARSE] = { "JSON parse error - %s", "detail", NULL, 0 },
	[MSG_API_BAD_HEADER] = { "Authorization header must contain two space-delimited values", "detail",
	    "bad_authorization_header", 0 },
	[MSG_API_TOKEN_INVALID] = { "Given token not valid for any token type", "detail", "token_not_valid", 0 },
	[MSG_API_NO_USER_CLAIM] = { "Token contained no recognizable user identification", "detail",
	    "token_not_valid", 0 },
	[MSG_API_SERVICE_DOWN] = { "The service is unavailable." LATER, "detail", NULL, 0 },
	[MSG_API_USER_NOT_FOUND] = { "User not found", "detail", "user_not_found", 0 },
	[MSG_API_USER_INACTIVE] = { "User is inactive", "detail", "user_inactive", 0 },
	[MSG_API_NO_ACTIVE_ACCOUNT] = { "No active account found with the given credentials", "detail", NULL, 0 },
	[MSG_API_REFRESH_NO_ACCOUNT] = { "No active account found with the given credentials", "detail",
	    "no_active_account", 0 },
	[MSG_API_REFRESH_INVALID] = { "%s", "detail", "token_not_valid", 0 },
	[MSG_API_THROTTLED] = { "Request was throttled. Expected available in %d second%s.", "detail", NULL, 0 },
	[MSG_API_LOGIN_DOWN] = { "Logging in is not possible right now." LATER, "detail", NULL, 0 },
	[MSG_API_REGISTER_DOWN] = { "Registration is not possible right now." LATER, "detail", NULL, 0 },
	[MSG_API_FAVORITES_LIST] = { "Your favorites cannot be listed right now." LATER, "detail", NULL, 0 },
	[MSG_API_INVALID_PAGE] = { "Invalid page.", "detail", NULL, 0 },
	[MSG_API_MOVIE_NOT_FOUND] = { "Movie not found", "error", NULL, 0 },
	[MSG_API_MOVIES_DOWN] = { "The movie service is unavailable." LATER, "error", NULL, 0 },
	[MSG_API_MOVIES_DOWN_RETRY] = { "The movie service is unavailable." LATER, "error", NULL, 60 },
	[MSG_API_FAVORITE_SAVE] = { "Your favorite could not be saved right now." LATER, "detail", NULL, 0 },
	[MSG_API_FAVORITE_EXISTS] = { "Movie already in favorites", "error", NULL, 0 },
	[MSG_API_FAVORITE_REMOVE] = { "Your favorite could not be removed right now." LATER, "detail", NULL, 0 },
	[MSG_API_FAVORITE_ABSENT] = { "Favorite movie not found", "error", NULL, 0 },
	/* The watchlist's API (no origin to follow) answers its failures in the site's words. */
	[MSG_API_WATCHLIST_EXISTS] = { "Movie already in watchlist", "error", NULL, 0 },
	[MSG_API_WATCHLIST_ABSENT] = { "Watchlist movie not found", "error", NULL, 0 },
	[MSG_API_INVALID_REQUEST] = { "Invalid request", "error", NULL, 0 },
	[MSG_API_PAGE] = { "The page must be a whole number from 1 to 500", "error", NULL, 0 },
	[MSG_API_TIME_WINDOW] = { "time_window must be day or week", "error", NULL, 0 },
	[MSG_API_QUERY_REQUIRED] = { "Query parameter is required", "error", NULL, 0 },
	[MSG_API_QUERY_TOO_LONG] = { "The query is too long", "error", NULL, 0 },
	[MSG_API_YEAR] = { "The year must be a whole number such as 1999", "error", NULL, 0 },
	[MSG_API_TOKEN_REVOKED] = { "Token was issued before the password was last changed; log in again",
	    "detail", "token_not_valid", 0 },
	/* The origin's documented answers to adding a favorite are 201 and 400: a bad movie_id is a 400. */
	[MSG_API_INVALID_MOVIE] = { "Invalid movie ID", "error", NULL, 0 },
	[MSG_API_MULTIPART] = { "Multipart form parse error - %s", "detail", NULL, 0 },
	[MSG_API_RESET_DOWN] = { "Password resets are not possible right now." LATER, "detail", NULL, 0 },
	[MSG_API_REGISTERED] = { "User registered successfully", "message", NULL, 0 },
	[MSG_API_PASSWORD_SAVED] = { "New password has been saved.", "detail", NULL, 0 },
	[MSG_API_RESET_SENT] = { "Password reset e-mail has been sent.", "detail", NULL, 0 },
	[MSG_API_RESET_DONE] = { "Password has been reset with the new password.", "detail", NULL, 0 },
	[MSG_API_NOT_A_DICT] = { "Invalid data. Expected a dictionary, but got %s.", "non_field_errors", NULL, 0 },
	[MSG_REQ_BAD_PATH] = { "The address is not a valid path.", "detail", NULL, 0 },
	[MSG_REQ_PATH_TOO_LONG] = { "The address is too long.", "detail", NULL, 0 },
	[MSG_REQ_PATH_ENCODING] = { "The address contains an invalid character encoding.", "detail", NULL, 0 },
	[MSG_REQ_BAD_QUERY] = { "The query string is malformed (bad encoding, invalid UTF-8 or too many "
	    "parameters).", "detail", NULL, 0 },
	[MSG_REQ_TOO_LARGE] = { "The request body is too large.", "detail", NULL, 0 },
	[MSG_REQ_BAD_LENGTH] = { "The Content-Length header is invalid.", "detail", NULL, 0 },
	[MSG_REQ_CUT_SHORT] = { "The request body was cut short.", "detail", NULL, 0 },
	[MSG_REQ_BAD_FORM] = { "The form data is malformed (bad encoding, invalid UTF-8, NUL bytes or too many "
	    "fields).", "detail", NULL, 0 },
	[MSG_REQ_BAD_MULTIPART] = { "The form data is malformed (multipart: %s).", "detail", NULL, 0 },
	[MSG_REQ_BAD_MULTIPART_FIELD] = { "The form data is malformed (invalid UTF-8, NUL bytes or too many "
	    "fields).", "detail", NULL, 0 },
	/* Completes MSG_API_MULTIPART as Django's MultiPartParser words it. */
	[MSG_API_MULTIPART_BOUNDARY] = { "Invalid boundary in multipart: None", "detail", NULL, 0 },
	[MSG_API_MULTIPART_UTF8] = { "a field is not valid UTF-8", "detail", NULL, 0 },
	/* DRF's field errors, word for word (clients match them), and Django's forms'. */
	[MSG_FIELD_REQUIRED] = { "This field is required.", "detail", NULL, 0 },
	[MSG_FIELD_NULL] = { "This field may not be null.", "detail", NULL, 0 },
	[MSG_FIELD_NOT_STRING] = { "Not a valid string.", "detail", NULL, 0 },
	[MSG_FIELD_NUL] = { "Null characters are not allowed.", "detail", NULL, 0 },
	[MSG_FIELD_BLANK] = { "This field may not be blank.", "detail", NULL, 0 },
	[MSG_FIELD_MAX_CHARS] = { "Ensure this field has no more than %zu characters.", "detail", NULL, 0 },
	[MSG_FIELD_NOT_INTEGER] = { "A valid integer is required.", "detail", NULL, 0 },
	[MSG_FIELD_MIN_VALUE] = { "Ensure this value is greater than or equal to %lld.", "detail", NULL, 0 },
	[MSG_FIELD_MAX_VALUE] = { "Ensure this value is less than or equal to %lld.", "detail", NULL, 0 },
	[MSG_FORM_MAX_CHARS] = { "Ensure this value has at most %zu characters (it has %zu).", "detail", NULL, 0 },
	[MSG_FIELD_INVALID_VALUE] = { "Invalid value", "detail", NULL, 0 },
	[MSG_EMAIL_INVALID] = { "Enter a valid email address.", "detail", NULL, 0 },
	[MSG_EMAIL_SAME] = { "This is already your email address.", "detail", NULL, 0 },
	[MSG_EMAIL_CHANGED_MEANWHILE] = { "Your email address changed meanwhile. Please check it and try again.",
	    "detail", NULL, 0 },
	[MSG_USERNAME_TAKEN] = { "A user with that username already exists.", "detail", NULL, 0 },
	/* Django's and dj-rest-auth's (a typographic apostrophe); the origin's register view had its own. */
	[MSG_PASSWORDS_DIFFER] = { "The two password fields didn\xe2\x80\x99t match.", "detail", NULL, 0 },
	[MSG_API_PASSWORDS_DIFFER] = { "Password fields didn't match.", "detail", NULL, 0 },
	[MSG_OLD_PASSWORD_WRONG] = { "Your old password was entered incorrectly. Please enter it again.",
	    "detail", NULL, 0 },
	[MSG_PASSWORD_WRONG] = { "Your password was entered incorrectly. Please enter it again.", "detail", NULL, 0 },
	[MSG_PASSWORD_UNCHECKED] = { "This password could not be checked. Please try another.", "detail", NULL, 0 },
	[MSG_API_RESET_PASSWORD_UNCHECKED] = { "This password could not be checked.", "detail", NULL, 0 },
	[MSG_LOGIN_INVALID] = { "Please enter a correct username and password. Note that both fields may be "
	    "case-sensitive.", "detail", NULL, 0 },
	[MSG_ACCOUNT_CREATED] = { "Your account has been created. You can log in now.", "detail", NULL, 0 },
	[MSG_PASSWORD_CHANGED] = { "Your password was changed.", "detail", NULL, 0 },
	[MSG_NO_PAGE_SLASH] = { "There is no page at this address. The address ends with a slash: %s/", "detail",
	    NULL, 0 },
	[MSG_API_WELCOME] = { "Welcome to the Movie Recommender API!", "message", NULL, 0 },
};

int
fail_status(enum fail f)
{
	switch (f) {
	case FAIL_OK:
		return 200;
	case FAIL_INPUT:
	case FAIL_CONFLICT:
		return 400;
	case FAIL_UNAUTHENTICATED:
		return 401;
	case FAIL_FORBIDDEN:
		return 403;
	case FAIL_NOT_FOUND:
		return 404;
	case FAIL_METHOD:
		return 405;
	case FAIL_MEDIA_TYPE:
		return 415;
	case FAIL_THROTTLED:
		return 429;
	case FAIL_TOO_LARGE:
		return 413;
	case FAIL_DB:
	case FAIL_MOVIES:
	case FAIL_CACHE:
		return 503;
	case FAIL_INTERNAL:
		break;
	}
	/* An unknown value is a bug: never report it as success. */
	return 500;
}

const struct msg_def *
msg_def(enum msg m)
{
	return (unsigned)m < MSG_COUNT && msgs[m].text ? &msgs[m] : &msgs[MSG_NONE];
}

const char *
msg_text(enum msg m)
{
	return msg_def(m)->text;
}

void
msg_vformat(char *text, size_t size, enum msg m, va_list ap)
{
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	vsnprintf(text, size, msg_def(m)->text, ap);
#pragma GCC diagnostic pop
}

char *
msg_format(struct arena *a, enum msg m, ...)
{
	va_list	 ap;
	char	 text[512];

	va_start(ap, m);
	msg_vformat(text, sizeof(text), m, ap);
	va_end(ap);
	return arena_strdup(a, text);
}

const char *
fail_name(enum fail f)
{
	static const char *const names[] = { "ok", "input", "unauthenticated", "forbidden", "not_found",
	    "method", "media_type", "throttled", "internal", "db", "movies", "conflict", "too_large", "cache" };

	return (unsigned)f < NELEM(names) ? names[f] : "unknown";
}
