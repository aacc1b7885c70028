/* session.c: Django-compatible database sessions (django_session rows, the sessionid cookie). */
#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "session.h"
#include "util.h"

/* The session's data, owned by the request's arena. */
static void
session_adopt(struct req *r, struct session *s, struct json_object *data)
{
	s->data = data ? data : json_object_new_object();
	req_keep_json(r, s->data);
}

struct session *
session_load(struct req *r)
{
	struct session	*s = arena_alloc(r->arena, sizeof(*s));
	const char	*cookie = params_get(&r->cookies, SESSION_COOKIE);
	const char	*params[1] = { cookie };
	PGresult	*res;

	s->had_cookie = cookie != NULL;
	if (cookie == NULL || !djsession_key_valid(cookie, strlen(cookie))) {
		session_adopt(r, s, NULL);
		return s;
	}
	res = db_exec(app.db, DB_SESSION_GET, 1, params);
	if (res == NULL || PQntuples(res) == 0) {
		/* Not "logged out": the page must say the site is unavailable, and keep the cookie. */
		s->unavailable = res == NULL;
		PQclear(res);
		session_adopt(r, s, NULL);
		return s;
	}
	/* A corrupt row reads as empty (Django logs it and does the same) but keeps its key. */
	session_adopt(r, s, djsession_decode(&app.signing, PQgetvalue(res, 0, 0),
	    (size_t)PQgetlength(res, 0, 0)));
	PQclear(res);
	snprintf(s->key, sizeof(s->key), "%s", cookie);
	s->exists = 1;
	return s;
}

void
session_cycle_key(struct session *s)
{
	if (s->exists && s->old_key[0] == '\0')
		memcpy(s->old_key, s->key, sizeof(s->key));
	s->key[0] = '\0';
	s->exists = 0;
	s->modified = 1;
}

void
session_flush(struct session *s)
{
	if (s->exists) {
		const char *params[1] = { s->key };

		PQclear(db_exec(app.db, DB_SESSION_DELETE, 1, params));
	}
	if (s->old_key[0]) {
		const char *params[1] = { s->old_key };

		PQclear(db_exec(app.db, DB_SESSION_DELETE, 1, params));
		s->old_key[0] = '\0';
	}
	/* Clear in place: the arena already owns a reference to this object. */
	json_object_object_foreach(s->data, name, value) {
		(void)value;
		json_object_object_del(s->data, name);
	}
	s->key[0] = '\0';
	s->exists = 0;
	s->modified = 1;
}

void
session_set(struct session *s, const char *name, const char *value)
{
	json_object_object_add(s->data, name, json_object_new_string(value));
	s->modified = 1;
}

const char *
session_get(const struct session *s, const char *name)
{
	struct json_object *v;

	if (!json_object_object_get_ex(s->data, name, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int
session_save(struct req *r, struct resp *rs, struct session *s)
{
	struct buf	 data = BUF_INIT;
	char		 age[16];
	int		 rc = -1;

	if (!s->modified || rs->status >= 500)
		return 0;
	if (s->old_key[0]) {
		const char *params[1] = { s->old_key };

		PQclear(db_exec(app.db, DB_SESSION_DELETE, 1, params));
		s->old_key[0] = '\0';
	}
	if (json_object_object_length(s->data) == 0) {
		/* An emptied session leaves no row and no cookie behind. */
		if (s->had_cookie)
			resp_cookie(rs, r, SESSION_COOKIE, "\"\"", 0, 0);
		return 0;
	}
	if (djsession_encode(&app.signing, s->data, &data) != 0)
		goto out;
	snprintf(age, sizeof(age), "%d", config.session_cookie_age);
	if (s->exists) {
		const char *params[3] = { s->key, buf_cstr(&data), age };
		PGresult   *res = db_exec(app.db, DB_SESSION_UPDATE, 3, params);

		if (res && PQcmdTuples(res)[0] != '0')
			rc = 0;
		PQclear(res);
		if (rc != 0)
			s->exists = 0;	/* the row vanished (logout elsewhere): make a new one */
	}
	/* A fresh key; ON CONFLICT catches the (astronomically rare) collision, as Django retries. */
	for (int attempt = 0; rc != 0 && attempt < 5; attempt++) {
		djsession_new_key(s->key);
		const char *params[3] = { s->key, buf_cstr(&data), age };
		PGresult   *res = db_exec(app.db, DB_SESSION_INSERT, 3, params);

		if (res == NULL) {
			PQclear(res);
			break;
		}
		if (PQntuples(res) == 1) {
			s->exists = 1;
			rc = 0;
		}
		PQclear(res);
	}
	if (rc == 0)
		resp_cookie(rs, r, SESSION_COOKIE, s->key, config.session_cookie_age, 0);
	else
		log_error("session: could not save");
out:
	buf_free(&data);
	return rc;
}
