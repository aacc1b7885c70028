/* pickle.h: Python pickles (protocol 4) of JSON-typed values, as Django's Redis caches store a dict. */
#ifndef PICKLE_H
#define PICKLE_H

#include "buf.h"

struct json_object;

/*
 * Appends to out the pickle of v that Python's pickle.dumps(x, protocol=4) writes for the value
 * x that json.loads gives for v's JSON: dict, list, str, int (any json-c int, big ones as
 * LONG1), float, bool and None, with Python's memo, batching and (single) frame. Byte for byte
 * the same as Python's for values under 64 KiB with no string object repeated; pickle.loads
 * reads any output back exactly. Returns 0, or -1 (out then holds a partial pickle) when a
 * string is not valid UTF-8 or a surrogate, which Python's str could hold but we do not write.
 */
int	 pickle_json(struct json_object *v, struct buf *out);

#endif
