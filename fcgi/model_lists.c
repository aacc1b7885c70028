/* model_lists.c: the lists a user keeps, behind one enum: each list operation importing and exporting need, sent to that list's model. */
#include <string.h>

#include "model_lists.h"
#include "util.h"

static const struct {
	const char	*name, *label, *url;
} lists[LIST_KIND_COUNT] = {
	[LIST_FAVORITES] = { "favorites", "Favorites", "/favorites" },
};

const char *
list_name(enum list_kind k)
{
	return lists[k].name;
}

const char *
list_label(enum list_kind k)
{
	return lists[k].label;
}

const char *
list_url(enum list_kind k)
{
	return lists[k].url;
}

int
list_kind_by_name(const char *name, enum list_kind *k)
{
	for (size_t i = 0; name && i < NELEM(lists); i++)
		if (strcmp(name, lists[i].name) == 0) {
			*k = (enum list_kind)i;
			return 0;
		}
	return -1;
}

enum fail
list_add_many(struct req *r, enum list_kind k, int64_t user_id, const int64_t *ids, const char *const *titles,
    size_t n, long long *added)
{
	switch (k) {
	case LIST_FAVORITES:
		return favorites_add_many(r, user_id, ids, titles, n, added);
	case LIST_KIND_COUNT:
		break;
	}
	return FAIL_INTERNAL;
}

enum fail
list_among(struct req *r, enum list_kind k, int64_t user_id, const int64_t *ids, size_t n, int *present)
{
	switch (k) {
	case LIST_FAVORITES:
		return favorites_among(r, user_id, ids, n, present);
	case LIST_KIND_COUNT:
		break;
	}
	return FAIL_INTERNAL;
}

enum fail
list_all(struct req *r, enum list_kind k, int64_t user_id, struct favorite **rows, int *n)
{
	switch (k) {
	case LIST_FAVORITES:
		return favorites_all(r, user_id, rows, n);
	case LIST_KIND_COUNT:
		break;
	}
	return FAIL_INTERNAL;
}
