/* scoreboard.c: one shared-memory slot per worker naming the request it is serving, for the master's crash reports. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "log.h"
#include "scoreboard.h"

/*
 * A slot is written only by its worker and read by the master after that worker died, so no
 * lock is needed: at worst a crash in the middle of scoreboard_set leaves a mixed text, which
 * the reader still cuts at the slot's end.
 */
struct slot {
	char	text[SCOREBOARD_TEXT];
};

static struct slot	*slots;
static int		 nslots;

int
scoreboard_init(int n)
{
	void *p = mmap(NULL, sizeof(struct slot) * (size_t)n, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		log_error("scoreboard: mmap: %s (crash reports will not name the request)", strerror(errno));
		return -1;
	}
	slots = p;
	nslots = n;
	return 0;
}

void
scoreboard_set(int slot, const char *method, const char *path)
{
	char	clean[SCOREBOARD_TEXT];
	int	n;

	if (slots == NULL || slot < 0 || slot >= nslots)
		return;
	log_sanitize(path ? path : "-", clean, sizeof(clean));
	n = snprintf(slots[slot].text, sizeof(slots[slot].text), "%.16s ", method ? method : "-");
	if (n > 0 && (size_t)n < sizeof(slots[slot].text))
		memcpy(slots[slot].text + n, clean, strnlen(clean, sizeof(slots[slot].text) - (size_t)n - 1) + 1);
	slots[slot].text[sizeof(slots[slot].text) - 1] = '\0';
}

void
scoreboard_clear(int slot)
{
	if (slots != NULL && slot >= 0 && slot < nslots)
		slots[slot].text[0] = '\0';
}

void
scoreboard_get(int slot, char *out, size_t outsz)
{
	out[0] = '\0';
	if (slots == NULL || slot < 0 || slot >= nslots || outsz == 0)
		return;
	memcpy(out, slots[slot].text, outsz < SCOREBOARD_TEXT ? outsz : SCOREBOARD_TEXT);
	out[outsz - 1] = '\0';
}
