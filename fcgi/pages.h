/* pages.h: every page and action handler the route table points at. */
#ifndef PAGES_H
#define PAGES_H

#include "http.h"

void	page_home(struct req *, struct resp *);
void	page_health(struct req *, struct resp *);
void	page_health_api(struct req *, struct resp *);

#endif
