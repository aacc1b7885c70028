/* pipeline.h: one request through the middleware, the route's checks, its handler and the session save. */
#ifndef PIPELINE_H
#define PIPELINE_H

#include "http.h"

/* Turns one parsed request into a response: middleware, routing, handler, error pages. */
void	 pipeline_handle(struct req *, struct resp *);

#endif
