/* importview.h: what the import pages show (the list choice, progress, the preview of matches) and the CSV an export writes. */
#ifndef IMPORTVIEW_H
#define IMPORTVIEW_H

#include <json-c/json.h>

#include "buf.h"
#include "http.h"
#include "model_import.h"

/* The lists an import may go into, for a select, and their exports: [{name, label, csv_url, selected}]. */
struct json_object	*importview_lists(struct req *, enum movie_list selected);
/* The progress page's context: done, total, percent, the job's address. */
struct json_object	*importview_progress(struct req *, const struct import_job *);
/* A built preview's context: the job, the groups' counts (n_matched, n_ambiguous, n_missing, n_already). */
struct json_object	*importview_preview_context(struct req *, const struct import_job *);
/*
 * Adds one page's rows to ctx: matched, already (in the list when the preview was built),
 * ambiguous (radio buttons for the choosable ones), missing; a long list folds.
 */
void			 importview_preview(struct req *, struct json_object *ctx, const struct import_job *,
			    const struct import_page *);
/* The export: a header Name,Year,tmdbID and one row per movie (title and year from its card). */
void			 importview_csv(struct buf *, const struct list_row *rows, int n);

#endif
