/* session.c: Django's session semantics (load, cycle, flush, save and the sessionid cookie). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "config.h"
#include "log.h"
#include "model_session.h"
#include "reqjson.h"
#include "session.h"
#include "util.h"

/*
 * The session texts this worker decoded last, with what they decoded to: a visitor's row is
 * the same bytes from one request to the next, and checking it (HMAC, base64, zlib, JSON) was
 * about a tenth of a logged-in page. The result depends only on the bytes and the keys; each
 * request gets its own copy, since a session may change.
 */
#define DECODED_ENTRIES	64
static struct {
	char			*data;
	size_t			 len;
	struct json_object	*obj;
} decoded[DECODED_ENTRIES];
static size_t decoded_next;

/* djsession_decode, once per distinct text: a new object (the caller's), or NULL if corrupt. */
static struct json_object *
decode(const char *data, size_t len)
{
	struct json_object	*obj = NULL, *kept = NULL;
	size_t			 i;

	for (i = 0; i < DECODED_ENTRIES; i++)
		if (decoded[i].data && decoded[i].len == len && memcmp(decoded[i].data, data, len) == 0 &&
		    json_object_deep_copy(decoded[i].obj, &obj, NULL) == 0)
			return obj;
	if ((obj = djsession_decode(&app.signing, data, len)) == NULL ||
	    json_object_deep_copy(obj, &kept, NULL) != 0)
		return obj;
	i = decoded_next++ % DECODED_ENTRIES;
	free(decoded[i].data);
	json_object_put(decoded[i].obj);
	decoded[i].data = xmalloc(len);
	memcpy(decoded[i].data, data, len);
	decoded[i].len = len;
	decoded[i].obj = kept;
	return obj;
}

enum fail
session_load(struct req *r, struct session **out, struct session_row *with)
{
	struct session	*s = arena_alloc(r->arena, sizeof(*s));
	const char	*cookie = params_get(&r->cookies, SESSION_COOKIE);
	enum fail	 f;

	*out = s;
	with->user = NULL;
	s->had_cookie = cookie != NULL;
	s->data = req_object(r);
	if (cookie == NULL || !djsession_key_valid(cookie, strlen(cookie)))
		return FAIL_OK;
	if ((f = session_row_get(r, cookie, with)) == FAIL_NOT_FOUND)
		return FAIL_OK;
	if (f != FAIL_OK)
		return f;
	/* A corrupt row reads as empty (Django logs it and does the same) but keeps its key. */
	struct json_object *got = req_keep_json(r, decode(with->data, with->len));
	if (got)
		s->data = got;
	snprintf(s->key, sizeof(s->key), "%s", cookie);
	s->exists = 1;
	return FAIL_OK;
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

enum fail
session_flush(struct req *r, struct session *s)
{
	if (s->exists && session_row_delete(r, s->key) != FAIL_OK)
		return FAIL_DB;
	if (s->old_key[0]) {
		if (session_row_delete(r, s->old_key) != FAIL_OK)
			return FAIL_DB;
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
	return FAIL_OK;
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
	return json_str(s->data, name);
}

/* Stores data under the session's key, or a fresh one: FAIL_OK or FAIL_DB. */
static enum fail
store(struct req *r, struct session *s, const char *data)
{
	enum fail f = FAIL_NOT_FOUND;

	if (s->exists && (f = session_row_update(r, s->key, data, config.session_cookie_age)) == FAIL_DB)
		return FAIL_DB;
	if (f == FAIL_OK)
		return FAIL_OK;
	/* The row vanished (logout elsewhere) or there is none: a fresh key. ON CONFLICT catches
	 * the (astronomically rare) collision, as Django retries. */
	s->exists = 0;
	for (int attempt = 0; attempt < 5; attempt++) {
		djsession_new_key(s->key);
		if ((f = session_row_insert(r, s->key, data, config.session_cookie_age)) != FAIL_CONFLICT)
			break;
	}
	if (f != FAIL_OK)
		return FAIL_DB;
	s->exists = 1;
	return FAIL_OK;
}

enum fail
session_save(struct req *r, struct resp *rs, struct session *s)
{
	struct buf	 data = BUF_INIT;
	enum fail	 f;

	if (!s->modified || rs->status >= 500)
		return FAIL_OK;
	if (s->old_key[0]) {
		if (session_row_delete(r, s->old_key) != FAIL_OK) {
			log_error("session: could not delete the previous row");
			return FAIL_DB;
		}
		s->old_key[0] = '\0';
	}
	if (json_object_object_length(s->data) == 0) {
		/* An emptied session leaves no row and no cookie behind. */
		if (s->had_cookie)
			resp_cookie(rs, r, SESSION_COOKIE, "\"\"", 0, 0);
		return FAIL_OK;
	}
	if (djsession_encode(&app.signing, s->data, &data) != 0) {
		buf_free(&data);
		log_error("session: could not encode");
		return FAIL_INTERNAL;
	}
	f = store(r, s, buf_cstr(&data));
	buf_free(&data);
	if (f != FAIL_OK) {
		log_error("session: could not save");
		return f;
	}
	resp_cookie(rs, r, SESSION_COOKIE, s->key, config.session_cookie_age, 0);
	return FAIL_OK;
}
