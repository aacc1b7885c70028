/* model_health.h: whether the database answers, for the health check. */
#ifndef MODEL_HEALTH_H
#define MODEL_HEALTH_H

#include "fail.h"

/* Runs a trivial statement: FAIL_OK or FAIL_DB. */
enum fail	 model_health_db_reachable(void);

#endif
