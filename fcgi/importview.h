/* importview.h: what the import pages show (the list choice, progress, the preview of matches) and the CSV an export writes. */
#ifndef IMPORTVIEW_H
#define IMPORTVIEW_H

#include <json-c/json.h>

#include "buf.h"
#include "http.h"
#include "model_import.h"

#define IMPORT_MAX_CHOICES	50	/* ambiguous rows offered a choice: a form holds REQ_MAX_PARAMS fields */

/* The lists an import may go into, for a select, and their exports: [{name, label, csv_url, selected}]. */
struct json_object	*importview_lists(struct req *, enum movie_list selected);
/* The progress page's context: done, total, percent, the job's address. */
struct json_object	*importview_progress(struct req *, const struct import_job *);
/*
 * The preview's context: matched (present[i]: row i's movie is in the list already), ambiguous
 * rows with their candidates (radio buttons for the first IMPORT_MAX_CHOICES), not found.
 */
struct json_object	*importview_preview(struct req *, const struct import_job *, const int *present);
/* The export: a header Name,Year,tmdbID and one row per movie (title and year from its card). */
void			 importview_csv(struct buf *, const struct list_row *rows, int n);

#endif
