/* page_schema.c: the API's OpenAPI 3 document at /api/schema/, read once from DATA_DIR/openapi.json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "log.h"
#include "page_schema.h"
#include "util.h"

#define SCHEMA_MAX_BYTES	(1024 * 1024)

static struct buf schema = BUF_INIT;

int
page_schema_load(const char *dir)
{
	struct buf		 path = BUF_INIT, text = BUF_INIT;
	struct json_object	*doc = NULL;
	FILE			*f;
	char			 chunk[8192];
	size_t			 n;
	int			 rv = -1;

	buf_printf(&path, "%s/openapi.json", dir);
	if ((f = fopen(buf_cstr(&path), "rb")) == NULL) {
		log_error("schema: cannot open %s", buf_cstr(&path));
		goto out;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && text.len <= SCHEMA_MAX_BYTES)
		buf_append(&text, chunk, n);
	fclose(f);
	/* A broken document would break every client generator: refuse to start with it. */
	if (text.len > SCHEMA_MAX_BYTES || (doc = json_tokener_parse(buf_cstr(&text))) == NULL ||
	    !json_object_is_type(doc, json_type_object) || !json_object_object_get_ex(doc, "openapi", NULL)) {
		log_error("schema: %s is not an OpenAPI document in JSON", buf_cstr(&path));
		goto out;
	}
	buf_free(&schema);
	schema = text;
	text = (struct buf)BUF_INIT;
	rv = 0;
out:
	json_object_put(doc);
	buf_free(&text);
	buf_free(&path);
	return rv;
}

void
page_api_schema(struct req *r, struct resp *rs)
{
	(void)r;
	rs->status = 200;
	rs->content_type = "application/json";
	buf_reset(&rs->body);
	buf_append(&rs->body, buf_cstr(&schema), schema.len);
}
