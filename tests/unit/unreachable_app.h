/* unreachable_app.h: the app loaded with every dependency unreachable (port 1 refuses at once), for tests that run handlers and models without servers. */
#ifndef UNREACHABLE_APP_H
#define UNREACHABLE_APP_H

#include <stdio.h>
#include <stdlib.h>

#include "app.h"
#include "config.h"

/* The configuration (site.test the only host) and the app on these servers, a worker's connections. 0 or -1. */
static inline int
app_setup_with(const char *database_url, const char *redis_url, const char *tmdb_url)
{
	setenv("SECRET_KEY", "unit-test-secret-key-0123456789", 1);
	setenv("DATABASE_URL", database_url, 1);
	setenv("REDIS_URL", redis_url, 1);
	setenv("TMDB_BASE_URL", tmdb_url, 1);
	setenv("TMDB_API_KEY", "unit-test", 1);
	setenv("TEMPLATE_DIR", "fcgi/templates", 1);
	setenv("DATA_DIR", "common/data", 1);
	setenv("LOG_LEVEL", "error", 1);
	setenv("ALLOWED_HOSTS", "site.test", 1);
	if (config_load(stderr) != 0 || app_load() != 0)
		return -1;
	app_worker_init();
	return 0;
}

/* A cmocka group setup: the app with every dependency unreachable. */
static inline int
unreachable_app_setup(void **state)
{
	(void)state;
	return app_setup_with("postgresql://nobody@127.0.0.1:1/none?connect_timeout=1", "redis://127.0.0.1:1/0",
	    "http://127.0.0.1:1/3");
}

/* Its teardown: closes the worker's connections. */
static inline int
unreachable_app_teardown(void **state)
{
	(void)state;
	app_worker_close();
	return 0;
}

#endif
