/* regions.c: the countries whose streaming offers the site can show (TMDb's watch providers come from JustWatch). */
#include <string.h>

#include "regions.h"
#include "util.h"

/* The countries JustWatch (TMDb's source for this data) covers, in the order of their English names. */
static const struct { const char *code, *name; } regions[] = {
	{ "AR", "Argentina" }, { "AU", "Australia" }, { "AT", "Austria" },
	{ "BE", "Belgium" }, { "BR", "Brazil" }, { "BG", "Bulgaria" },
	{ "CA", "Canada" }, { "CL", "Chile" }, { "CO", "Colombia" },
	{ "HR", "Croatia" }, { "CZ", "Czechia" }, { "DK", "Denmark" },
	{ "EG", "Egypt" }, { "EE", "Estonia" }, { "FI", "Finland" },
	{ "FR", "France" }, { "DE", "Germany" }, { "GR", "Greece" },
	{ "HK", "Hong Kong" }, { "HU", "Hungary" }, { "IS", "Iceland" },
	{ "IN", "India" }, { "ID", "Indonesia" }, { "IE", "Ireland" },
	{ "IL", "Israel" }, { "IT", "Italy" }, { "JP", "Japan" },
	{ "LV", "Latvia" }, { "LT", "Lithuania" }, { "MY", "Malaysia" },
	{ "MX", "Mexico" }, { "NL", "Netherlands" }, { "NZ", "New Zealand" },
	{ "NO", "Norway" }, { "PE", "Peru" }, { "PH", "Philippines" },
	{ "PL", "Poland" }, { "PT", "Portugal" }, { "RO", "Romania" },
	{ "SA", "Saudi Arabia" }, { "RS", "Serbia" }, { "SG", "Singapore" },
	{ "SK", "Slovakia" }, { "SI", "Slovenia" }, { "ZA", "South Africa" },
	{ "KR", "South Korea" }, { "ES", "Spain" }, { "SE", "Sweden" },
	{ "CH", "Switzerland" }, { "TW", "Taiwan" }, { "TH", "Thailand" },
	{ "TR", "Türkiye" }, { "UA", "Ukraine" }, { "GB", "United Kingdom" },
	{ "US", "United States" },
};

const char *
region_name(const char *code)
{
	for (size_t i = 0; code && i < NELEM(regions); i++)
		if (strcmp(regions[i].code, code) == 0)
			return regions[i].name;
	return NULL;
}

const char *
region_at(size_t i, const char **name)
{
	if (i >= NELEM(regions))
		return NULL;
	*name = regions[i].name;
	return regions[i].code;
}
