/* form.h: reading a posted form's fields with length caps and building the view of its errors. */
#ifndef FORM_H
#define FORM_H

#include <json-c/json.h>

#include "http.h"

struct form {
	struct req		*req;
	struct json_object	*view;	/* {"field": {"value": "...", "errors": [...]}, "errors": [...]} */
	int			 nerrors;
};

/*
 * A site form sent as multipart/form-data (one with a file input): its fields into r->form
 * (UTF-8 without NUL, as urlencoded ones) and its files into r->files. 0, or -1 and *why.
 */
int		 form_read_multipart(struct req *, const char **why);

void		 form_init(struct form *, struct req *);
/*
 * The trimmed (when trim) value of a POST field, capped at max code points; records
 * Django's "This field is required." or "Ensure this value has at most N characters (it has M)."
 * and returns NULL when the field is missing, empty or too long. keep_value: echo it back.
 */
const char	*form_field(struct form *, const char *name, size_t max, int trim, int keep_value);
void		 form_error(struct form *, const char *field, const char *message);
/* An error that belongs to no single field. */
void		 form_error_all(struct form *, const char *message);
/* Puts the form's view (request-owned) into ctx under "form"; the form is done with it. */
void		 form_into(struct form *, struct json_object *ctx);

#endif
