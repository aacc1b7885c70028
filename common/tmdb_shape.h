/* tmdb_shape.h: validates TMDb's JSON and reshapes it into our normalised copies, per kind. */
#ifndef TMDB_SHAPE_H
#define TMDB_SHAPE_H

#include "tmdb.h"

/*
 * The reshapers the kinds table names, one per shape (tmdb.h's tmdb_parse comment gives each
 * shape). Each reads raw (a JSON object, only read) and returns a new normalised copy the
 * caller puts, or NULL when a required member is missing or has the wrong type.
 */
struct json_object *tmdb_shape_list(struct json_object *raw);		/* paged lists */
struct json_object *tmdb_shape_details(struct json_object *raw);
struct json_object *tmdb_shape_genres(struct json_object *raw);
struct json_object *tmdb_shape_configuration(struct json_object *raw);
struct json_object *tmdb_shape_watch_providers(struct json_object *raw);
struct json_object *tmdb_shape_find(struct json_object *raw);

#endif
