/* model_user.c: owns the auth_user rows: the only code that knows their columns. */
#include <libpq-fe.h>
#include <stdlib.h>

#include "app.h"
#include "db.h"
#include "model_user.h"

static const char *
id_text(struct req *r, int64_t id)
{
	return arena_printf(r->arena, "%lld", (long long)id);
}

static char *
column(struct req *r, PGresult *res, int col)
{
	return arena_strndup(r->arena, PQgetvalue(res, 0, col), (size_t)PQgetlength(res, 0, col));
}

/* A list size of USER_VISITOR_COLUMNS, by its column's name; -1 (unknown) if the row has none. */
static long long
count_column(const PGresult *res, const char *name)
{
	int col = PQfnumber(res, name);

	return col < 0 ? -1 : strtoll(PQgetvalue(res, 0, col), NULL, 10);
}

/*
 * The one decoder of USER_COLUMNS (id, password, username, email, is_active, ...) from col on,
 * and with counts of USER_VISITOR_COLUMNS (the list sizes, by name).
 */
struct user *
user_from_columns(struct req *r, PGresult *res, int col, int counts)
{
	struct user *u;

	if (PQgetisnull(res, 0, col))
		return NULL;
	u = arena_alloc(r->arena, sizeof(*u));
	u->id = strtoll(PQgetvalue(res, 0, col), NULL, 10);
	u->password = column(r, res, col + 1);
	u->username = column(r, res, col + 2);
	u->email = column(r, res, col + 3);
	u->is_active = PQgetvalue(res, 0, col + 4)[0] == 't';
	u->favorites = counts ? count_column(res, "favorites_count") : -1;
	u->watchlist = counts ? count_column(res, "watchlist_count") : -1;
	return u;
}

static enum fail
user_from_result(struct req *r, PGresult *res, int counts, struct user **out)
{
	*out = NULL;
	if (res == NULL)
		return FAIL_DB;
	if (PQntuples(res) == 1)
		*out = user_from_columns(r, res, 0, counts);
	PQclear(res);
	return *out ? FAIL_OK : FAIL_NOT_FOUND;
}

enum fail
user_by_id(struct req *r, int64_t id, struct user **out)
{
	const char *params[1] = { id_text(r, id) };

	return user_from_result(r, db_exec(app.db, DB_USER_BY_ID, 1, params), 0, out);
}

enum fail
user_visitor(struct req *r, int64_t id, struct user **out)
{
	const char	*params[1] = { id_text(r, id) };
	PGresult	*res;

	/* The sizes are the header's: a list's table failing costs only them (see model_session.c). */
	if (!r->lists_waited) {
		res = db_exec(app.db, DB_USER_VISITOR, 1, params);
		if (res != NULL || db_last_fault(app.db) == DB_FAULT_NONE)
			return user_from_result(r, res, 1, out);
		r->lists_waited = db_last_fault(app.db) == DB_FAULT_WAITED;
	}
	return user_by_id(r, id, out);
}

enum fail
user_by_name(struct req *r, const char *username, struct user **out)
{
	const char *params[1] = { username };

	return user_from_result(r, db_exec(app.db, DB_USER_BY_USERNAME, 1, params), 0, out);
}

enum fail
user_name_taken(struct req *r, const char *username, int *taken)
{
	const char	*params[1] = { username };
	PGresult	*res = db_exec(app.db, DB_USERNAME_TAKEN_ICASE, 1, params);

	(void)r;
	*taken = 0;
	if (res == NULL)
		return FAIL_DB;
	*taken = PQntuples(res) > 0;
	PQclear(res);
	return FAIL_OK;
}

enum fail
user_create(struct req *r, const char *hash, const char *username, const char *email, int64_t *id)
{
	const char	*params[3] = { hash, username, email };
	PGresult	*res = db_exec(app.db, DB_USER_INSERT, 3, params);

	(void)r;
	*id = 0;
	if (res == NULL)
		return FAIL_DB;
	/* No row: somebody took the name between the check and the insert. */
	if (PQntuples(res) == 1)
		*id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return *id > 0 ? FAIL_OK : FAIL_CONFLICT;
}

enum fail
user_set_password(struct req *r, struct user *u, const char *hash, int only_if_unchanged)
{
	const char	*stored = arena_strdup(r->arena, hash);
	const char	*params[3] = { id_text(r, u->id), stored, u->password };
	PGresult	*res = db_exec(app.db, only_if_unchanged ? DB_USER_SET_PASSWORD_IF_UNCHANGED :
	    DB_USER_SET_PASSWORD, only_if_unchanged ? 3 : 2, params);
	int		 updated;

	if (res == NULL)
		return FAIL_DB;
	updated = PQcmdTuples(res)[0] == '1';
	PQclear(res);
	if (!updated)
		return FAIL_CONFLICT;
	u->password = stored;
	return FAIL_OK;
}

enum fail
user_touch_last_login(struct req *r, int64_t id)
{
	const char	*params[1] = { id_text(r, id) };
	PGresult	*res = db_exec(app.db, DB_USER_TOUCH_LAST_LOGIN, 1, params);

	if (res == NULL)
		return FAIL_DB;
	PQclear(res);
	return FAIL_OK;
}

enum fail
user_queue_email_change(struct req *r, const struct user *u, const struct mail *link,
    const struct mail *notice, int *queued)
{
	const char	*params[9] = { id_text(r, u->id), u->email, link->to, link->subject, link->text,
	    link->html, notice->subject, notice->text, notice->html };
	PGresult	*res = db_exec(app.db, DB_EMAIL_CHANGE_MAIL, 9, params);

	*queued = 0;
	if (res == NULL)
		return FAIL_DB;
	*queued = PQntuples(res);
	PQclear(res);
	return FAIL_OK;
}

/* A statement that answers a row when it changed something: FAIL_OK, FAIL_CONFLICT or FAIL_DB. */
static enum fail
changed_row(PGresult *res)
{
	int n;

	if (res == NULL)
		return FAIL_DB;
	n = PQntuples(res);
	PQclear(res);
	return n > 0 ? FAIL_OK : FAIL_CONFLICT;
}

enum fail
user_set_email(struct req *r, int64_t id, const char *old_email, const char *new_email)
{
	const char *params[3] = { id_text(r, id), old_email, new_email };

	return changed_row(db_exec(app.db, DB_USER_SET_EMAIL, 3, params));
}

enum fail
user_delete(struct req *r, const struct user *u, const struct mail *goodbye)
{
	const char *params[5] = { id_text(r, u->id), u->password, goodbye->subject, goodbye->text,
	    goodbye->html };

	return changed_row(db_exec(app.db, DB_USER_DELETE, 5, params));
}
