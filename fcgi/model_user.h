/* model_user.h: the auth_user rows: read by id or name (or as the visitor, with list sizes), create, set password or email, delete, last login, name taken. */
#ifndef MODEL_USER_H
#define MODEL_USER_H

#include <stdint.h>

#include "fail.h"
#include "http.h"

/* One auth_user row; every string lives in the request arena. */
struct user {
	int64_t		 id;
	const char	*username;
	const char	*email;
	const char	*password;	/* the encoded hash, for the session auth hash */
	int		 is_active;
	long long	 favorites, watchlist;	/* list sizes (the visitor's only; else -1) */
};

/*
 * For the other models that read a user with their own row (a session): the user in the
 * first row's USER_COLUMNS (common/db.c) from column col on, or NULL if they are NULL; with
 * counts, USER_VISITOR_COLUMNS (the list sizes, read by name).
 */
struct pg_result;
struct user	*user_from_columns(struct req *, struct pg_result *, int col, int counts);
/* The row with this id, active or not: FAIL_OK, FAIL_NOT_FOUND or FAIL_DB. */
enum fail	 user_by_id(struct req *, int64_t id, struct user **out);
/* user_by_id with the sizes of the user's favorites and watchlist (the page header's): one round trip. */
enum fail	 user_visitor(struct req *, int64_t id, struct user **out);
/* The row with exactly this (normalised) username: FAIL_OK, FAIL_NOT_FOUND or FAIL_DB. */
enum fail	 user_by_name(struct req *, const char *username, struct user **out);
/* Is a username taken, ignoring case as Django 4.2+ does? FAIL_OK (and *taken) or FAIL_DB. */
enum fail	 user_name_taken(struct req *, const char *username, int *taken);
/*
 * Inserts an active user with this password hash: FAIL_OK and *id, FAIL_CONFLICT when somebody
 * took the name meanwhile, or FAIL_DB.
 */
enum fail	 user_create(struct req *, const char *hash, const char *username, const char *email,
		    int64_t *id);
/*
 * Stores a new hash (u->password follows once stored). With only_if_unchanged the row must
 * still hold u->password (a login re-hash never overwrites a change made meanwhile).
 * FAIL_OK, FAIL_CONFLICT when no row was updated, or FAIL_DB.
 */
enum fail	 user_set_password(struct req *, struct user *u, const char *hash, int only_if_unchanged);
/* Sets last_login to now: FAIL_OK or FAIL_DB. */
enum fail	 user_touch_last_login(struct req *, int64_t id);

/* One mail for the outbox (movies_outbox, 0007), written with the change it goes with. */
struct mail {
	const char	*to, *subject, *text, *html;
};

/*
 * Queues an email change's two mails, link (to the new address) and notice (to u->email),
 * while the user still has u->email. FAIL_OK (*queued: mails queued, 0 when the address
 * changed meanwhile) or FAIL_DB.
 */
enum fail	 user_queue_email_change(struct req *, const struct user *u, const struct mail *link,
		    const struct mail *notice, int *queued);
/* Sets user id's email to new_email if it still is old_email: FAIL_OK, FAIL_CONFLICT (it is not) or FAIL_DB. */
enum fail	 user_set_email(struct req *, int64_t id, const char *old_email, const char *new_email);
/*
 * Deletes u and every row that hangs on it (lists, groups, permissions, admin log) with the
 * goodbye mail to its address, all or nothing, while its password is still u->password.
 * FAIL_OK, FAIL_CONFLICT (gone or password changed meanwhile: nothing deleted) or FAIL_DB.
 */
enum fail	 user_delete(struct req *, const struct user *u, const struct mail *goodbye);

#endif
