/* config.h: the program's settings, read from environment variables through one validated table. */
#ifndef CONFIG_H
#define CONFIG_H

#include <stdio.h>

struct config {
	/* Django side-by-side */
	const char	*secret_key;
	const char	*secret_key_fallbacks;	/* comma-separated, oldest last */
	const char	*django_version;	/* which Django's hashing defaults to follow */
	const char	*password_hashers;	/* comma-separated algorithm names; "" = the version's */
	int		 pbkdf2_iterations;	/* 0 = the version's default */
	int		 argon2_time_cost, argon2_memory_cost, argon2_parallelism;
	int		 bcrypt_rounds;
	int		 scrypt_n, scrypt_r, scrypt_p;
	int		 session_cookie_age;
	const char	*session_engine;	/* as configured: db, cached_db or Django's dotted name */
	int		 session_cached_db;	/* 1: sessions are written through to Django's cache too */
	const char	*session_cache_key_prefix;	/* Django's CACHES KEY_PREFIX */
	int		 session_cache_version;	/* Django's CACHES VERSION */
	const char	*csrf_trusted_origins;	/* comma-separated scheme://host[:port] */
	const char	*allowed_hosts;		/* Django's ALLOWED_HOSTS, comma-separated */
	const char	*cors_allowed_origins;	/* comma-separated scheme://host[:port]: may call the API */
	/* servers */
	const char	*database_url;
	int		 db_connect_timeout_ms;
	int		 db_statement_timeout_ms;
	int		 db_keepalive_idle_s;
	int		 db_tcp_user_timeout_ms;
	int		 db_breaker_max_ms;
	int		 db_prepared;		/* 0: unnamed statements only (PgBouncer transaction mode) */
	const char	*redis_url;
	int		 redis_connect_timeout_ms;
	int		 redis_timeout_ms;
	int		 redis_retry_ms;
	const char	*tmdb_base_url;
	const char	*tmdb_api_key;
	const char	*tmdb_read_token;
	const char	*tmdb_language;
	const char	*watch_region;
	int		 tmdb_connect_timeout_ms;
	int		 tmdb_timeout_ms;
	int		 tmdb_page_deadline_ms;	/* no page waits on TMDb past this */
	int		 tmdb_rate_limit;	/* calls a second, all workers together (0 = none) */
	int		 tmdb_rate_burst;
	int		 tmdb_import_share;	/* percent of the budget imports may spend */
	int		 tmdb_client_share;	/* percent of the budget one client address may spend */
	int		 tmdb_max_response_bytes;
	int		 tmdb_max_concurrency;
	/* workers */
	int		 workers;
	int		 max_requests;		/* a worker exits after this many (0 = never) */
	const char	*template_dir;
	const char	*data_dir;
	const char	*static_url;		/* URL prefix of the versioned static assets */
	const char	*log_level;
	int		 login_fail_limit;	/* failures per window before 429 */
	int		 login_fail_window;	/* seconds */
	int		 login_user_fail_ceiling;	/* failures per username from all addresses */
	int		 register_limit;	/* registrations per address per register_window */
	int		 register_window;
	int		 password_check_limit;	/* password-change attempts per address per login window */
	int		 hash_window;		/* seconds, for the two below */
	int		 hash_addr_limit;	/* password hashes per address per hash_window */
	int		 hash_user_limit;	/* per username, known devices not counted */
	int		 hash_concurrency;	/* hashes at once, all workers (0 = workers - 1, CPUs - 1) */
	const char	*throttle_exempt_addrs;	/* comma-separated addresses the limits above spare */
	int		 import_max_jobs;	/* a user's import jobs alive at once */
	int		 import_max_bytes;	/* bytes a user's import jobs may keep in Redis together */
	int		 import_upload_limit;	/* uploads per user per import_upload_window */
	int		 import_upload_window;
	/* mail (Django's names) and the mailer */
	const char	*email_host;
	int		 email_port;
	const char	*email_host_user;
	const char	*email_host_password;
	int		 email_use_tls;		/* STARTTLS */
	int		 email_use_ssl;		/* smtps:// */
	int		 email_timeout;		/* seconds */
	const char	*default_from_email;
	int		 email_retry_min_s, email_retry_max_s, email_max_attempts, email_poll_s;
	int		 password_reset_timeout;	/* seconds a reset link works */
	int		 password_reset_limit;		/* requests per address per window */
	int		 password_reset_email_limit;	/* requests per email address per window */
	int		 password_reset_window;
	int		 email_change_max_age;	/* seconds an email change's link stays valid */
};

extern struct config config;

/*
 * Fills the global config from the environment (and built-in defaults).
 * Returns 0, or -1 after printing one message per bad or missing variable to err.
 */
int	 config_load(FILE *err);
/* Prints NAME=value for every setting, secrets redacted. */
void	 config_print(FILE *);

#endif
