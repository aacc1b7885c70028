/* pages.h: every page and action handler the route table points at. */
#ifndef PAGES_H
#define PAGES_H

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
void	page_login(struct req *, struct resp *);
void	page_login_post(struct req *, struct resp *);
void	page_logout_post(struct req *, struct resp *);
void	page_register(struct req *, struct resp *);
void	page_register_post(struct req *, struct resp *);
void	page_password(struct req *, struct resp *);
void	page_password_post(struct req *, struct resp *);

#endif
