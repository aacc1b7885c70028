/* session.h: Django-compatible database sessions (django_session rows, the sessionid cookie). */
#ifndef SESSION_H
#define SESSION_H

#include <json-c/json.h>

#include "djsession.h"
#include "http.h"

#define SESSION_COOKIE "sessionid"

struct session {
	char			 key[DJSESSION_KEY_MAX + 1];	/* "" until saved */
	struct json_object	*data;		/* the decoded dict; unknown keys are kept */
	int			 had_cookie;
	int			 exists;	/* key names a live row */
	int			 modified;	/* save at the end of the request */
	int			 unavailable;	/* the database could not be asked: who it is is unknown */
	char			 old_key[DJSESSION_KEY_MAX + 1];	/* row to delete on save (cycle) */
};

/*
 * Loads the visitor's session from the cookie (an empty one if none, expired or corrupt).
 * When the database cannot be asked, the session is empty and marked unavailable.
 */
struct session *session_load(struct req *);
/* Django's cycle_key: the data moves to a new key when saved; the old row is deleted. */
void	 session_cycle_key(struct session *);
/* Django's flush: deletes the row now and starts an empty session with no key. */
void	 session_flush(struct session *);
/* Sets a string value (marks the session modified). */
void	 session_set(struct session *, const char *name, const char *value);
const char *session_get(const struct session *, const char *name);
/*
 * Writes a modified session (insert under a fresh key or update) and sets or clears the
 * cookie as Django's SessionMiddleware does. Never for 5xx responses. Returns 0 or -1.
 */
int	 session_save(struct req *, struct resp *, struct session *);

#endif
