/* api_fields.h: the JSON API's body fields as each route declares them (routes.c), checked by one validator as DRF's serializer fields. */
#ifndef API_FIELDS_H
#define API_FIELDS_H

#include <stdint.h>

#include <json-c/json.h>

#include "arena.h"
#include "http.h"

#define API_MAX_FIELDS	4

/* DRF's field classes the API uses. */
enum api_kind {
	API_TEXT = 1,	/* CharField: a string (numbers become their text), stripped, not blank, at most max code points */
	API_TEXT_RAW,	/* CharField(trim_whitespace=False): as API_TEXT, spaces kept (dj-rest-auth's reset passwords) */
	API_INT,	/* IntegerField: an int, integral float or digit string, min..max */
};

struct api_field {
	const char	*name;		/* NULL ends a route's list */
	enum api_kind	 kind;
	int		 required;	/* 0: absent is no error (the value stays unset) */
	long long	 min;		/* API_INT: the smallest value */
	long long	 max;		/* API_TEXT*: code points; API_INT: the largest value */
};

/* A route's body fields, in the order DRF reports them (the serializer's declaration order). */
struct route_fields {
	unsigned		 methods;
	const char		*pattern;	/* as in routes[] */
	struct api_field	 field[API_MAX_FIELDS];
};

extern const struct route_fields route_fields[];
extern const size_t nroute_fields;

/* One field's checked value: set says it was given and valid. */
struct api_value {
	int		 set;
	const char	*text;		/* API_TEXT*: arena-owned */
	int64_t		 num;		/* API_INT */
};

struct api_values {
	const struct api_field	*field;			/* the declaration, NULL-name ended */
	struct api_value	 v[API_MAX_FIELDS];
	struct json_object	*errors;		/* DRF's {"field": ["msg", ...]}: request-owned, maybe empty */
};

/*
 * Checks data (a JSON object) against the fields (ended by a NULL name): valid values into out
 * (texts in a), each refusal appended to errors in DRF's shape and words. Returns the number of
 * fields refused.
 */
int			 api_fields_check(struct arena *a, struct json_object *data, const struct api_field *field,
			    struct api_value out[API_MAX_FIELDS], struct json_object *errors);
/*
 * The request's body (api_body) checked against its route's route_fields[] entry. NULL after
 * answering 400 or 415 (an unreadable body); else the values (request-owned), whose errors the
 * handler may add to (cross-field checks) and answers as a 400 when not empty.
 */
struct api_values	*api_fields(struct req *, struct resp *);
/* A checked text field's value, or NULL (absent, refused or not declared). */
const char		*api_text(const struct api_values *, const char *name);
/* A checked integer field's value, or -1 (absent, refused or not declared). */
int64_t			 api_int(const struct api_values *, const char *name);

#endif
