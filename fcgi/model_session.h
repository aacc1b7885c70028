/* model_session.h: the django_session rows: read, insert, update, delete, clear the expired. */
#ifndef MODEL_SESSION_H
#define MODEL_SESSION_H

#include "fail.h"
#include "http.h"

struct db;

/* The live row's session_data (request arena) and its length: FAIL_OK, FAIL_NOT_FOUND or FAIL_DB. */
enum fail	 session_row_get(struct req *, const char *key, const char **data, size_t *len);
/* Inserts a row living age seconds: FAIL_OK, FAIL_CONFLICT when the key exists, or FAIL_DB. */
enum fail	 session_row_insert(struct req *, const char *key, const char *data, int age);
/* Rewrites a row's data and expiry: FAIL_OK, FAIL_NOT_FOUND when it vanished, or FAIL_DB. */
enum fail	 session_row_update(struct req *, const char *key, const char *data, int age);
/* Deletes a row (absent is fine): FAIL_OK or FAIL_DB. */
enum fail	 session_row_delete(struct req *, const char *key);
/* Deletes every expired row over db (the admin command's own connection): FAIL_OK and *n, or FAIL_DB. */
enum fail	 session_rows_clear_expired(struct db *, long long *n);

#endif
