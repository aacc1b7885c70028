/* regions.h: the countries whose streaming offers the site can show (TMDb's watch providers come from JustWatch). */
#ifndef REGIONS_H
#define REGIONS_H

#include <stddef.h>

/* The English name of a country code ("GB"), or NULL when the site offers no such region. */
const char	*region_name(const char *code);
/* The i-th region by name order: its code, and *name; NULL past the last. */
const char	*region_at(size_t i, const char **name);

#endif
