/* model_session.h: the django_session rows: read, insert, update, delete, clear the expired. */
#ifndef MODEL_SESSION_H
#define MODEL_SESSION_H

#include <stdint.h>

#include "fail.h"
#include "http.h"

struct db;

struct user;

/*
 * A session row, read with what a logged-in page needs next in the same round trip: the user
 * the caller expects the row to name (user_id, 0 for none) with the sizes of their lists, and
 * what the page asked of that user's lists (visitor.h). Only a guess: use user (and the
 * visitor's answers) only once the signed data names user_id.
 */
struct model_session_row {
	int64_t		 user_id;	/* in: the expected user, 0 for none */
	const char	*data;		/* out: session_data (request arena) */
	size_t		 len;
	struct user	*user;		/* out: user_id's row with list sizes, NULL if there is none */
};

/* The live row with what it asks: FAIL_OK, FAIL_NOT_FOUND or FAIL_DB. */
enum fail	 model_session_get(struct req *, const char *key, struct model_session_row *);
/* Inserts a row living age seconds: FAIL_OK, FAIL_CONFLICT when the key exists, or FAIL_DB. */
enum fail	 model_session_insert(struct req *, const char *key, const char *data, int age);
/* Rewrites a row's data and expiry: FAIL_OK, FAIL_NOT_FOUND when it vanished, or FAIL_DB. */
enum fail	 model_session_update(struct req *, const char *key, const char *data, int age);
/* Deletes a row (absent is fine): FAIL_OK or FAIL_DB. */
enum fail	 model_session_delete(struct req *, const char *key);
/* Deletes every expired row over db (the admin command's own connection): FAIL_OK and *n, or FAIL_DB. */
enum fail	 model_session_clear_expired(struct db *, long long *n);

#endif
