/* page_schema.h: the API's OpenAPI 3 document at /api/schema/, read once from DATA_DIR/openapi.json. */
#ifndef PAGE_SCHEMA_H
#define PAGE_SCHEMA_H

#include "http.h"

/*
 * Reads and checks (JSON object with an "openapi" member) dir/openapi.json, replacing the one
 * held before (process lifetime, shared by the workers after fork). 0, or -1 after logging why.
 */
int	 page_schema_load(const char *dir);
/* GET /api/schema/: the document as it is in the file. */
void	 page_api_schema(struct req *, struct resp *);

#endif
