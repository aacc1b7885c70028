/* handlers.h: every page and API handler the route table points at, by the file that holds it. */
#ifndef HANDLERS_H
#define HANDLERS_H

#include "http.h"

/* page_home.c, page_movie.c, page_search.c, page_genre.c */
void	page_home(struct req *, struct resp *);
void	page_movie(struct req *, struct resp *);
void	page_search(struct req *, struct resp *);
void	page_genre(struct req *, struct resp *);
/* What those pages ask to be read with the session (routes.c's route_asks[], visitor.h). */
void	page_movie_ask(struct req *);
void	page_favorites_ask(struct req *);
void	page_watchlist_ask(struct req *);
/* page_lists.c (the favorites and the watchlist, their CSV exports), page_for_you.c */
void	page_list(struct req *, struct resp *);
void	page_list_csv(struct req *, struct resp *);
void	page_list_add(struct req *, struct resp *);
void	page_list_remove(struct req *, struct resp *);
void	page_watchlist_watched(struct req *, struct resp *);
void	page_for_you(struct req *, struct resp *);
/* page_import.c: a CSV file into a list */
void	page_import(struct req *, struct resp *);
void	page_import_post(struct req *, struct resp *);
void	page_import_job(struct req *, struct resp *);
void	page_import_confirm(struct req *, struct resp *);
/* page_watch_region.c */
void	page_watch_region(struct req *, struct resp *);
void	page_watch_region_post(struct req *, struct resp *);
/* page_health.c */
void	page_health(struct req *, struct resp *);
void	page_health_api(struct req *, struct resp *);
void	page_metrics(struct req *, struct resp *);
/* page_account.c */
void	page_login(struct req *, struct resp *);
void	page_login_post(struct req *, struct resp *);
void	page_logout_post(struct req *, struct resp *);
void	page_register(struct req *, struct resp *);
void	page_register_post(struct req *, struct resp *);
void	page_password(struct req *, struct resp *);
void	page_password_post(struct req *, struct resp *);
/* page_reset.c: password reset, Django's URLs and flow */
void	page_reset(struct req *, struct resp *);
void	page_reset_post(struct req *, struct resp *);
void	page_reset_done(struct req *, struct resp *);
void	page_reset_link(struct req *, struct resp *);
void	page_reset_link_post(struct req *, struct resp *);
void	page_reset_complete(struct req *, struct resp *);
/* api_reset.c: the same through the JSON API */
void	api_reset(struct req *, struct resp *);
void	api_reset_confirm(struct req *, struct resp *);
/* Changing the email address (page_email.c) and closing the account (page_delete.c). */
void	page_email(struct req *, struct resp *);
void	page_email_post(struct req *, struct resp *);
void	page_email_confirm(struct req *, struct resp *);
void	page_email_confirm_post(struct req *, struct resp *);
void	page_delete(struct req *, struct resp *);
void	page_delete_post(struct req *, struct resp *);
void	page_closed(struct req *, struct resp *);
void	api_password_change(struct req *, struct resp *);
/* api_accounts.c: the origin app's JSON API, simplejwt tokens */
void	api_register(struct req *, struct resp *);
void	api_login(struct req *, struct resp *);
void	api_token_refresh(struct req *, struct resp *);
/* api_lists.c: favorites and the watchlist (R_TOKEN: r->user is set) */
void	api_list_index(struct req *, struct resp *);
void	api_list_add(struct req *, struct resp *);
void	api_list_delete(struct req *, struct resp *);
/* api_movies.c (public: a token, good or bad, is ignored) */
void	api_trending(struct req *, struct resp *);
void	api_movie(struct req *, struct resp *);
void	api_recommendations(struct req *, struct resp *);
void	api_search(struct req *, struct resp *);

#endif
