/* form.c: reading a posted form's fields with length caps and building the view of its errors. */
#include <stdio.h>
#include <string.h>

#include <utf8proc.h>

#include "app.h"
#include "form.h"
#include "util.h"

void
form_init(struct form *f, struct req *r)
{
	f->req = r;
	/* Owned by the request: a handler that answers without rendering the form leaks nothing. */
	f->view = req_keep_json(r, json_object_new_object());
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

/* Python's str.isspace(), which CharField's strip() removes: ASCII blanks and Unicode spaces. */
static int
py_space(int32_t c)
{
	if ((c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0)
		return 1;
	if (c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 ||
	    c == 0x202f || c == 0x205f || c == 0x3000)
		return 1;
	return 0;
}

const char *
form_strip(const char *v, size_t *len)
{
	const utf8proc_uint8_t	*u = (const utf8proc_uint8_t *)v;
	utf8proc_int32_t	 c;
	utf8proc_ssize_t	 n;

	while (*len && (n = utf8proc_iterate(u, (utf8proc_ssize_t)*len, &c)) > 0 && py_space(c)) {
		u += n;
		*len -= (size_t)n;
	}
	while (*len) {
		size_t start = *len - 1;

		while (start > 0 && (u[start] & 0xc0) == 0x80)
			start--;
		n = utf8proc_iterate(u + start, (utf8proc_ssize_t)(*len - start), &c);
		if (n <= 0 || !py_space(c))
			break;
		*len = start;
	}
	return (const char *)u;
}

const char *
form_field(struct form *f, const char *name, size_t max, int trim, int keep_value)
{
	const char	*v = params_get(&f->req->form, name);
	size_t		 len, chars;
	char		 msg[128];

	if (v == NULL)
		v = "";
	len = strlen(v);
	if (trim) {
		/* Values were checked as UTF-8 when the form was parsed. */
		v = form_strip(v, &len);
		v = arena_strndup(f->req->arena, v, len);
	}
	if (keep_value)
		json_object_object_add(field_view(f, name), "value", json_object_new_string_len(v, (int)len));
	if (len == 0) {
		form_error(f, name, "This field is required.");
		return NULL;
	}
	chars = utf8_length(v, len);
	if (chars > max) {
		snprintf(msg, sizeof(msg), "Ensure this value has at most %zu characters (it has %zu).", max, chars);
		form_error(f, name, msg);
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
