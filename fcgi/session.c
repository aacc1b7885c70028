/* session.c: Django's session semantics (load, cycle, flush, save and the sessionid cookie). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "cache.h"
#include "config.h"
#include "log.h"
#include "model_session.h"
#include "pickle.h"
#include "reqjson.h"
#include "session.h"
#include "util.h"

/*
 * SESSION_ENGINE cached_db, as Django's: every write of a row also goes to Django's cache entry
 * for the key, so a Django beside that reads its cache first sees what we wrote and nothing we
 * ended. Reads stay on the row in both modes: a logged-in request reads auth_user anyway (as
 * Django's get_user does, to check the session auth hash) and the row rides in that same
 * statement, so the cache would save no round trip; and trusting it would keep alive sessions
 * whose rows were deleted elsewhere (a queryset, the admin, clearsessions, a Django in db mode).
 * forget() and remember() are the only places the mode matters.
 */

/* Django's cache key: make_key(KEY_PREFIX, VERSION, "django.contrib.sessions.cached_db" + key). */
static const char *
cache_key(struct req *r, const char *key)
{
	return arena_printf(r->arena, "%s:%d:django.contrib.sessions.cached_db%s",
	    config.session_cache_key_prefix, config.session_cache_version, key);
}

/*
 * Django's delete(key): the row goes, and in cached_db mode the cache entry too. The entry goes
 * first, so that when Redis fails the row (and the visitor's session) is still there to retry
 * with; and once more after the row, since a Django loading the key in between may have put the
 * row back into its cache. FAIL_OK, FAIL_CACHE or FAIL_DB.
 */
static enum fail
forget(struct req *r, const char *key)
{
	const char *ck = config.session_cached_db ? cache_key(r, key) : NULL;

	if (ck && cache_del(app.cache, ck) != 0) {
		log_error("session: could not delete the cached session; the row is kept");
		return FAIL_CACHE;
	}
	if (model_session_delete(r, key) != FAIL_OK)
		return FAIL_DB;
	if (ck && cache_del(app.cache, ck) != 0) {
		log_error("session: could not delete the cached session after its row");
		return FAIL_CACHE;
	}
	return FAIL_OK;
}

/*
 * Django's save() in cached_db mode, once the row is written: the cache gets the dict (pickled as
 * Django's Redis caches store it) for the row's lifetime. When that fails an entry of an updated
 * key would be stale, so it is deleted instead, and if that fails too the save fails (FAIL_CACHE).
 * Under a fresh key nothing can be cached yet: a Django beside reads the row.
 */
static enum fail
remember(struct req *r, struct session *s, int fresh)
{
	struct buf	 pickled = BUF_INIT;
	const char	*ck;
	int		 ok;

	if (!config.session_cached_db)
		return FAIL_OK;
	ck = cache_key(r, s->key);
	ok = pickle_json(s->data, &pickled) == 0 &&
	    cache_set(app.cache, ck, pickled.data, pickled.len, config.session_cookie_age) == 0;
	buf_free(&pickled);
	if (ok || fresh)
		return FAIL_OK;
	if (cache_del(app.cache, ck) != 0) {
		log_error("session: could neither update nor delete the cached session");
		return FAIL_CACHE;
	}
	return FAIL_OK;
}

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
session_load(struct req *r, struct session **out, struct model_session_row *with)
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
	if ((f = model_session_get(r, cookie, with)) == FAIL_NOT_FOUND) {
		/* Ended or expired: a cache entry of it may outlive the row; the next write forgets it. */
		snprintf(s->old_key, sizeof(s->old_key), "%s", cookie);
		return FAIL_OK;
	}
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
	enum fail f;

	if (s->exists && (f = forget(r, s->key)) != FAIL_OK)
		return f;
	if (s->old_key[0]) {
		if ((f = forget(r, s->old_key)) != FAIL_OK)
			return f;
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

void
session_del(struct session *s, const char *name)
{
	if (json_object_object_get_ex(s->data, name, NULL)) {
		json_object_object_del(s->data, name);
		s->modified = 1;
	}
}

const char *
session_get(const struct session *s, const char *name)
{
	return json_str(s->data, name);
}

/* Stores data under the session's key, or a fresh one (*fresh = 1): FAIL_OK or FAIL_DB. */
static enum fail
store(struct req *r, struct session *s, const char *data, int *fresh)
{
	enum fail f = FAIL_NOT_FOUND;

	*fresh = 0;
	if (s->exists && (f = model_session_update(r, s->key, data, config.session_cookie_age)) == FAIL_DB)
		return FAIL_DB;
	if (f == FAIL_OK)
		return FAIL_OK;
	*fresh = 1;
	/* The row vanished (logout elsewhere) or there is none: a fresh key. ON CONFLICT catches
	 * the (astronomically rare) collision, as Django retries. */
	s->exists = 0;
	for (int attempt = 0; attempt < 5; attempt++) {
		djsession_new_key(s->key);
		if ((f = model_session_insert(r, s->key, data, config.session_cookie_age)) != FAIL_CONFLICT)
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
	int		 fresh;

	if (!s->modified || rs->status >= 500)
		return FAIL_OK;
	if (s->old_key[0]) {
		if ((f = forget(r, s->old_key)) != FAIL_OK) {
			log_error("session: could not delete the previous session");
			return f;
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
	f = store(r, s, buf_cstr(&data), &fresh);
	buf_free(&data);
	if (f == FAIL_OK)
		f = remember(r, s, fresh);
	if (f != FAIL_OK) {
		log_error("session: could not save");
		return f;
	}
	resp_cookie(rs, r, SESSION_COOKIE, s->key, config.session_cookie_age, 0);
	return FAIL_OK;
}
