/* pages.h: every page and action handler the route table points at. */
#ifndef PAGES_H
#define PAGES_H

#include <stdint.h>

#include "http.h"

void	page_home(struct req *, struct resp *);
void	page_movie(struct req *, struct resp *);
void	page_search(struct req *, struct resp *);
void	page_genre(struct req *, struct resp *);
void	page_favorites(struct req *, struct resp *);
void	page_favorite_add(struct req *, struct resp *);
void	page_favorite_remove(struct req *, struct resp *);
void	page_for_you(struct req *, struct resp *);
void	page_health(struct req *, struct resp *);
void	page_health_api(struct req *, struct resp *);
void	page_metrics(struct req *, struct resp *);
void	page_login(struct req *, struct resp *);
void	page_login_post(struct req *, struct resp *);
void	page_logout_post(struct req *, struct resp *);
void	page_register(struct req *, struct resp *);
void	page_register_post(struct req *, struct resp *);
void	page_password(struct req *, struct resp *);

/* A registration's input and where its errors go: shared by the form and the JSON API. */
struct registration {
	const char	*username;	/* as sent, trimmed; NULL when missing (reported by the caller) */
	const char	*email;		/* NULL when missing */
	const char	*password1;
	const char	*password2;
	const char	*password_field;	/* the field password errors belong to */
	const char	*mismatch;		/* the message when the two passwords differ */
	void		(*error)(void *ctx, const char *field, const char *message);
	void		*ctx;
	char		*clean_username;	/* NFKC username, normalised email: set by the check */
	char		*clean_email;
};
/*
 * Django's registration checks on the fields present: username rules and uniqueness
 * (ignoring case), email format, passwords equal, then the password validators (similarity
 * with username and email included). Each error goes to g->error. Returns the number of
 * errors, or -1 when the database is unavailable. Call page_register_free() afterwards.
 */
int	page_register_check(struct registration *);
/*
 * Hashes password1 with the policy and inserts the user (after a check without errors).
 * Returns the new id, 0 when the name was taken meanwhile, or -1 when the database is down.
 */
int64_t	page_register_create(struct registration *);
void	page_register_free(struct registration *);
void	page_password_post(struct req *, struct resp *);
/* The origin app's JSON API (page_api.c): Bearer tokens, never cookies. */
void	page_api_register(struct req *, struct resp *);
void	page_api_login(struct req *, struct resp *);
void	page_api_token_refresh(struct req *, struct resp *);
void	page_api_favorites(struct req *, struct resp *);
void	page_api_favorite_delete(struct req *, struct resp *);
void	page_api_trending(struct req *, struct resp *);
void	page_api_movie(struct req *, struct resp *);
void	page_api_recommendations(struct req *, struct resp *);
void	page_api_search(struct req *, struct resp *);

#endif
