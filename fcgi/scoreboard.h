/* scoreboard.h: one shared-memory slot per worker naming the request it is serving, for the master's crash reports. */
#ifndef SCOREBOARD_H
#define SCOREBOARD_H

#include <stddef.h>

#define SCOREBOARD_TEXT	96

/* Maps the slots (master, before the first fork; the children share them). 0 or -1 (logged). */
int		 scoreboard_init(int nslots);
/* The worker in slot notes what it serves ("GET /movie/550"; cut to fit), or "" when idle. */
void		 scoreboard_set(int slot, const char *method, const char *path);
void		 scoreboard_clear(int slot);
/* What the slot's worker was last serving into out ("" if idle or no scoreboard). */
void		 scoreboard_get(int slot, char *out, size_t outsz);

#endif
