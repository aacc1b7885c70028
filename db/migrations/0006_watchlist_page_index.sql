-- 0006: the watchlist page's own order as an index, with the film in it, as 0005 is for the
-- favorites: a page of a user's watchlist (common/db.c watch_list, and the page read with the
-- session: ORDER BY created_at DESC, id DESC with LIMIT/OFFSET) is an index-only scan that stops
-- at the page. Only adds: 0004's (user_id, created_at DESC) index stays, as Django's model has it.
CREATE INDEX IF NOT EXISTS users_watchlistmovie_user_page_idx
    ON users_watchlistmovie (user_id, created_at DESC, id DESC) INCLUDE (movie_id);
