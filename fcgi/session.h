/* session.h: Django's session semantics (load, cycle, flush, save and the sessionid cookie). */
#ifndef SESSION_H
#define SESSION_H

#include <json-c/json.h>

#include "djsession.h"
#include "fail.h"
#include "http.h"
#include "model_session.h"

#define SESSION_COOKIE "sessionid"

struct session {
	char			 key[DJSESSION_KEY_MAX + 1];	/* "" until saved */
	struct json_object	*data;		/* the decoded dict (request-owned); unknown keys are kept */
	int			 had_cookie;
	int			 exists;	/* key names a live row */
	int			 modified;	/* save at the end of the request */
	char			 old_key[DJSESSION_KEY_MAX + 1];	/* row to delete on save (cycle) */
};

/*
 * Loads the visitor's session from the cookie into *out (an empty one if none, expired or
 * corrupt). FAIL_DB when the row cannot be read: the visitor is then neither anonymous nor known.
 * with asks for the expected user and a favorite state in the same round trip (model_session.h);
 * its user stays NULL when no row was read.
 */
enum fail	 session_load(struct req *, struct session **out, struct model_session_row *with);
/* Django's cycle_key: the data moves to a new key when saved; the old row is deleted. */
void		 session_cycle_key(struct session *);
/* Django's flush: deletes the row now and starts an empty session with no key. FAIL_OK or FAIL_DB. */
enum fail	 session_flush(struct req *, struct session *);
/* Sets a string value (marks the session modified). */
void		 session_set(struct session *, const char *name, const char *value);
const char	*session_get(const struct session *, const char *name);
/* Removes a key if present (marks the session modified then). */
void		 session_del(struct session *, const char *name);
/*
 * Writes a modified session (insert under a fresh key or update) and sets or clears the
 * cookie as Django's SessionMiddleware does. Never for 5xx responses. FAIL_OK, or FAIL_DB when
 * nothing could be stored (the response must then not claim success).
 */
enum fail	 session_save(struct req *, struct resp *, struct session *);

#endif
