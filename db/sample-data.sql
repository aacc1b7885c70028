-- sample-data.sql: the schema document's demo user and favorites, loaded on the stack's first start.
-- psql variable :password_hash is the Django hash of the demo password (made by deploy/stack.sh).
INSERT INTO auth_user (password, last_login, is_superuser, username, first_name, last_name, email,
                       is_staff, is_active, date_joined)
VALUES (:'password_hash', NULL, false, 'moviebuff', '', '', 'user@example.com', false, true,
        '2023-07-25 14:30:00+00')
ON CONFLICT (username) DO NOTHING;

INSERT INTO users_favoritemovie (user_id, movie_id, created_at)
SELECT u.id, f.movie_id, f.created_at
FROM auth_user u,
     (VALUES (550, timestamptz '2023-07-25 14:35:00+00'),
             (680, timestamptz '2023-07-25 14:40:00+00')) AS f (movie_id, created_at)
WHERE u.username = 'moviebuff'
ON CONFLICT (user_id, movie_id) DO NOTHING;
