-- 0005: the favorites list's own order as an index, with the film in it: a page of a user's
-- favorites (common/db.c fav_list: ORDER BY created_at DESC, id DESC with LIMIT/OFFSET) is an
-- index-only scan that stops at the page, with no sort of every favorite of the user. Measured
-- on 1 million users and 20 million favorites (tests/bench/favorites_scale.sh, BENCHMARKS.md).
-- Only adds: the (user_id, created_at DESC) index of 0002 stays for Django and older versions.
CREATE INDEX IF NOT EXISTS users_favoritemovie_user_page_idx
    ON users_favoritemovie (user_id, created_at DESC, id DESC) INCLUDE (movie_id);
