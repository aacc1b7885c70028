/* app.h: a worker's long-lived state: templates, hashing policy, signing keys and connections. */
#ifndef APP_H
#define APP_H

#include "hashers.h"
#include "signing.h"

struct cache;
struct db;
struct movies;
struct mustache_set;

/* Process lifetime (templates, read before fork) and worker lifetime (connections, after fork). */
struct app {
	struct mustache_set	*templates;
	struct hasher_policy	 policy;	/* how new hashes are made: the Django run beside */
	struct signing_key	 signing;	/* SECRET_KEY and its fallbacks */
	struct db		*db;
	struct movies		*movies;
	struct cache		*cache;		/* the movies' Redis connection, shared */
};

extern struct app app;

/* Loads what every worker shares (templates). 0, or -1 after logging why. */
int	 app_load(void);
/* Opens this worker's connections. Never fails: unreachable servers are retried per request. */
void	 app_worker_init(void);
void	 app_worker_close(void);

#endif
