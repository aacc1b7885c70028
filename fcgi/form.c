/* form.c: reading a posted form's fields with length caps and building the view of its errors. */
#include <stdio.h>
#include <string.h>

#include "fail.h"
#include "form.h"
#include "multipart.h"
#include "reqjson.h"
#include "util.h"
#include "validators.h"

int
form_read_multipart(struct req *r, const char **why)
{
	const char		*boundary = multipart_boundary(r->arena, r->content_type);
	struct multipart	*mp = arena_alloc(r->arena, sizeof(*mp));

	const char		*reason = "the boundary is missing or invalid";

	if (boundary == NULL || multipart_parse(mp, r->arena, boundary, r->body ? r->body : "", r->body_len,
	    &reason) != 0) {
		*why = msg_format(r->arena, MSG_REQ_BAD_MULTIPART, reason);
		return -1;
	}
	for (size_t i = 0; i < mp->n; i++) {
		const struct multipart_part *pt = &mp->part[i];

		if (pt->filename) {
			if (r->nfiles < REQ_MAX_FILES)
				r->files[r->nfiles++] = (struct upload){ pt->name, pt->filename, pt->data, pt->len };
			continue;
		}
		if (memchr(pt->data, '\0', pt->len) || !utf8_valid(pt->data, pt->len) || r->form.n == REQ_MAX_PARAMS) {
			*why = msg_text(MSG_REQ_BAD_MULTIPART_FIELD);
			return -1;
		}
		r->form.v[r->form.n++] = (struct param){ pt->name, arena_strndup(r->arena, pt->data, pt->len), pt->len };
	}
	return 0;
}

void
form_init(struct form *f, struct req *r)
{
	f->req = r;
	f->view = req_object(r);
	f->nerrors = 0;
}

static struct json_object *
field_view(struct form *f, const char *name)
{
	struct json_object *v;

	if (!json_object_object_get_ex(f->view, name, &v)) {
		v = json_object_new_object();
		json_object_object_add(f->view, name, v);
	}
	return v;
}

void
form_error(struct form *f, const char *field, const char *message)
{
	struct json_object *v = field_view(f, field), *errs;

	if (!json_object_object_get_ex(v, "errors", &errs)) {
		errs = json_object_new_array();
		json_object_object_add(v, "errors", errs);
	}
	json_object_array_add(errs, json_object_new_string(message));
	/* Mustache cannot test an array's length: templates test this flag. */
	json_object_object_add(v, "invalid", json_object_new_boolean(1));
	f->nerrors++;
}

void
form_error_all(struct form *f, const char *message)
{
	form_error(f, "all", message);
}

const char *
form_field(struct form *f, const char *name, size_t max, int trim, int keep_value)
{
	const char	*v = params_get(&f->req->form, name);
	size_t		 len, chars;

	if (v == NULL)
		v = "";
	len = strlen(v);
	if (trim) {
		/* Values were checked as UTF-8 when the form was parsed. */
		v = validators_strip(v, &len);
		v = arena_strndup(f->req->arena, v, len);
	}
	if (keep_value)
		json_object_object_add(field_view(f, name), "value", json_object_new_string_len(v, (int)len));
	if (len == 0) {
		form_error(f, name, msg_text(MSG_FIELD_REQUIRED));
		return NULL;
	}
	chars = utf8_length(v, len);
	if (chars > max) {
		form_error(f, name, msg_format(f->req->arena, MSG_FORM_MAX_CHARS, max, chars));
		return NULL;
	}
	return v;
}

void
form_into(struct form *f, struct json_object *ctx)
{
	json_object_object_add(ctx, "form", json_object_get(f->view));
	if (f->nerrors)
		json_object_object_add(ctx, "form_has_errors", json_object_new_boolean(1));
	f->view = NULL;
}
