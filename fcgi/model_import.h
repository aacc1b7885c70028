/* model_import.h: import jobs: a user's uploaded list kept in Redis while its rows are matched to TMDb movies in bounded batches, until confirmed. */
#ifndef MODEL_IMPORT_H
#define MODEL_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "fail.h"
#include "http.h"
#include "listfile.h"
#include "model_lists.h"

#define IMPORT_TTL_S		3600	/* a job not confirmed within an hour is gone */
#define IMPORT_BATCH		150	/* rows matched per request: one page's worth of TMDb calls */
#define IMPORT_MAX_CANDIDATES	5	/* shown for an ambiguous row */
#define IMPORT_MAX_STALLS	5	/* batches in a row that matched nothing before rows are given up */
#define IMPORT_PAGE_ROWS	100	/* rows a preview page shows */
#define IMPORT_GROUPS		4	/* the preview's groups: several candidates, matched, not found, already listed */
#define IMPORT_MAX_CHOICES	50	/* ambiguous rows offered a choice: a form holds REQ_MAX_PARAMS fields */
#define IMPORT_RESULT_BYTES	160	/* a row's stored match, as counted against IMPORT_MAX_BYTES */

enum import_state {
	IMPORT_MATCHED,		/* one movie: cand[0] */
	IMPORT_AMBIGUOUS,	/* several: cand[0..ncand) for the user to pick from */
	IMPORT_MISSING,		/* none (failed: the movie service never answered for it) */
};

struct import_candidate {
	int64_t		 id;
	const char	*title;
	const char	*year;		/* "" when unknown */
	const char	*date;		/* the release date, "" when unknown: tells twins apart */
};

struct import_row {
	long		 line;
	const char	*title;		/* "" when the file has none */
	int		 year;
	int64_t		 tmdb_id;	/* 0 unless the file gave it */
	const char	*imdb_id;	/* NULL unless the file gave it */
	/* Once matched (row index < job.done): */
	enum import_state		 state;
	int				 failed;
	struct import_candidate		 cand[IMPORT_MAX_CANDIDATES];
	int				 ncand;
	size_t				 index;		/* its place among the file's rows (the pick<i> field) */
	/* In a built preview: */
	int				 present;	/* matched a movie the list held when it was built */
	int				 choosable;	/* ambiguous, among the first IMPORT_MAX_CHOICES */
};

/* One page of a built preview: its rows, grouped (several candidates, matched, not found, already). */
struct import_page {
	struct import_row	*rows;
	size_t			 n;
};

/*
 * A job as stored (Redis key import:<user id>:<job id>, JSON, IMPORT_TTL_S from its upload);
 * request-owned. While matched it holds every row and the results so far; once matched, its
 * preview is built once: the rows go, grouped, to pages import:<user id>:<job id>:<p> of
 * IMPORT_PAGE_ROWS each, and the job keeps only the counts and how many pages.
 */
struct import_job {
	int64_t			 id;
	enum movie_list		 list;
	const char		*format;	/* listfile_format_name() */
	const char		*filename;
	size_t			 total, done;
	int			 stalls;	/* batches in a row without progress */
	int			 slot;		/* which of the user's IMPORT_MAX_JOBS slots it holds */
	const char		*token;		/* the slot's value while the job holds it */
	struct import_row	*rows;		/* total of them (NULL once built) */
	struct json_object	*doc;		/* the stored form, request-owned */
	/* Once its preview is built: */
	int			 built;
	size_t			 pages;
	size_t			 n_ambiguous, n_matched, n_missing, n_already;
};

/*
 * The decoders of what Redis holds (text: len bytes, need not be terminated; any bytes are
 * safe): a job's summary into job, or one preview page into pg. 0, or -1 when it is not one
 * (job and pg are then to be ignored). Everything they point to lives in the arena.
 */
int		 import_decode(struct arena *, const char *text, size_t len, struct import_job *job);
int		 import_decode_page(struct arena *, const char *text, size_t len, struct import_page *pg);

/*
 * Counts an upload of the user against IMPORT_UPLOAD_LIMIT a window: 1 (refuse it, *retry_after
 * set) or 0. Fails open when Redis is down (import_create then fails).
 */
int		 import_throttled(struct req *, int64_t user_id, int *retry_after);
/*
 * Stores the parsed file as a new job of the user, in one of their IMPORT_MAX_JOBS slots and
 * within IMPORT_MAX_BYTES for all of them: FAIL_OK and *job_id; FAIL_THROTTLED (every slot
 * taken), FAIL_TOO_LARGE (over the bytes) or FAIL_CACHE, and nothing is stored.
 */
enum fail	 import_create(struct req *, int64_t user_id, enum movie_list, const struct listfile *,
		    const char *filename, int64_t *job_id);
/* The user's job: FAIL_OK, FAIL_NOT_FOUND (none, expired, another user's) or FAIL_CACHE. */
enum fail	 import_load(struct req *, int64_t user_id, int64_t job_id, struct import_job *);
/*
 * Matches the next IMPORT_BATCH rows concurrently through the movie layer (tmdbID by details,
 * IMDb ids by /find, titles by search with the year) on imports' share of the TMDb budget and
 * stores the job. Rows the movie service could not answer, or the share had no call for, wait
 * for the next batch. FAIL_OK or FAIL_CACHE.
 */
enum fail	 import_match_next(struct req *, int64_t user_id, struct import_job *);
/*
 * Builds the preview of a matched job (done == total, not built): which rows' movies the list
 * holds already (one query), the pages, the summary; job becomes the built one. FAIL_OK,
 * FAIL_DB or FAIL_CACHE (then the job stays as it was and the next request builds it).
 */
enum fail	 import_build_preview(struct req *, int64_t user_id, struct import_job *);
/* Pages first..first+n-1 (from 1) of a built job into out[0..n): FAIL_OK, FAIL_NOT_FOUND or FAIL_CACHE. */
enum fail	 import_load_pages(struct req *, int64_t user_id, const struct import_job *, size_t first,
		    size_t n, struct import_page *out);
/* Forgets the job and its pages (after it was saved) and frees its slot. */
void		 import_forget(struct req *, int64_t user_id, const struct import_job *);

#endif
