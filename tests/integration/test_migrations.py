"""test_migrations.py: db/migrate.sh makes a fresh database right and adopts Django-made ones without losing a row.

Each test makes its own databases on the stack's PostgreSQL (the movies role has CREATEDB) and
drops them afterwards. Django-made databases come from real Django 3.2 (Debian's /usr/bin/python3,
see django_models/run_django.py) or, for the 4.1+ identity-column form, from Django 5.2's DDL.
"""
import base64
import hashlib
import json
import os
import re
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import pytest

ROOT = Path(__file__).resolve().parents[2]
MIGRATE = ROOT / "db" / "migrate.sh"
MIGRATIONS = sorted((ROOT / "db" / "migrations").glob("[0-9]*.sql"))
DB_C = ROOT / "common" / "db.c"
RUN_DJANGO = Path(__file__).resolve().parent / "django_models" / "run_django.py"

# Django's own tables, and the README's WatchlistMovie's: what a fresh migrate.sh must make exactly as Django does.
DJANGO_TABLES = ["django_content_type", "auth_permission", "auth_group", "auth_group_permissions",
                 "auth_user", "auth_user_groups", "auth_user_user_permissions", "django_session",
                 "users_watchlistmovie"]
# Tables whose rows must survive, with the column to order them by.
DATA_TABLES = {"auth_user": "id", "django_session": "session_key", "users_favoritemovie": "id",
               "django_migrations": "id", "django_content_type": "id", "auth_permission": "id"}


# ---------------------------------------------------------------------------------------------
# Databases of our own

def url_with_database(url, name):
    u = urlsplit(url)
    return urlunsplit((u.scheme, u.netloc, "/" + name, u.query, u.fragment))


@pytest.fixture
def new_db(database_url):
    """Returns make(tag) -> URL of a new empty database; all are dropped at the end."""
    admin = psycopg2.connect(database_url)
    admin.autocommit = True
    made = []

    def make(tag):
        name = f"migtest_{tag}_{uuid.uuid4().hex[:8]}"
        with admin.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return url_with_database(database_url, name)

    yield make
    failed = []
    for name in made:
        try:
            with admin.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except psycopg2.Error as e:
            failed.append(f"{name}: {e}")
    admin.close()
    assert not failed, f"could not drop test databases: {failed}"


def connect(url):
    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cur:
        # The C program's connection setting; row dumps then print instants the same way.
        cur.execute("SET TIME ZONE 'UTC'")
    return conn


def query(conn, sql, params=None):
    with conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall() if cur.description else cur.rowcount


def run_migrate(url):
    r = subprocess.run([str(MIGRATE)], env={**os.environ, "DATABASE_URL": url},
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, f"migrate.sh failed ({r.returncode}):\n{r.stdout}\n{r.stderr}"
    assert "warning" not in r.stderr, r.stderr
    return r.stdout


def pg_dump(url, *args):
    r = subprocess.run(["pg_dump", "--no-owner", "--no-privileges", *args, "-d", url],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    # pg_dump 15.14+ brackets its output with a random \restrict key; it says nothing of the data.
    return "\n".join(line for line in r.stdout.splitlines()
                     if not line.startswith(("\\restrict", "\\unrestrict")))


def schema_dump(url):
    return pg_dump(url, "--schema-only")


def data_dump(url):
    """Every row and sequence value, except our own tables (applied files, password changes, outbox)."""
    return pg_dump(url, "--data-only", "--exclude-table=movies_schema_migrations",
                   "--exclude-table=movies_password_change", "--exclude-table=movies_outbox",
                   "--exclude-table=movies_outbox_id_seq")


def row_dumps(conn):
    """{table: [row as JSON text, ...]} for the tables with rows that must survive."""
    out = {}
    for table, key in DATA_TABLES.items():
        if query(conn, "SELECT to_regclass(%s)", (table,))[0][0] is None:
            continue
        out[table] = [r[0] for r in query(conn, f"SELECT row_to_json(t)::text FROM {table} t "
                                                f"ORDER BY {key}")]
    return out


def schema_migration_rows(conn):
    return query(conn, "SELECT name, checksum, applied_at FROM movies_schema_migrations ORDER BY name")


def migrate_twice(url):
    """Runs migrate.sh twice; the second run must report up to date and change nothing."""
    first = run_migrate(url)
    conn = connect(url)
    schema, rows = schema_dump(url), schema_migration_rows(conn)
    second = run_migrate(url)
    assert "up to date" in second and "applied" not in second, second
    assert schema_dump(url) == schema, "the second migrate.sh changed the schema"
    assert schema_migration_rows(conn) == rows
    conn.close()
    return first


# ---------------------------------------------------------------------------------------------
# The catalog, described so two databases can be compared

def columns(conn, table):
    """[(name, type, max length, nullable, default)] in column order; None if no such table."""
    rows = query(conn, """
        SELECT column_name, data_type, character_maximum_length, is_nullable,
               column_default, is_identity, identity_generation
        FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = %s ORDER BY ordinal_position""",
                 (table,))
    return [(n, t, m, nl, d) for n, t, m, nl, d, _, _ in rows] if rows else None


# Indexes the migrations add beside Django's own for the program's queries (0005, 0006), by table,
# with their definition: a fresh database and one Django made have them and only them on top.
PAGE_INDEXES = {
    "users_watchlistmovie": {"users_watchlistmovie_user_page_idx":
                             "CREATE INDEX users_watchlistmovie_user_page_idx ON users_watchlistmovie "
                             "USING btree (user_id, created_at DESC, id DESC) INCLUDE (movie_id)"},
}


def without_page_indexes(cat):
    """catalog() minus PAGE_INDEXES, after checking that each is there as the migration made it."""
    out = {}
    for table, parts in cat.items():
        idx = dict(parts["indexes"])
        for name, definition in PAGE_INDEXES.get(table, {}).items():
            assert idx.pop(name, None) == definition, (table, name, parts["indexes"])
        out[table] = {**parts, "indexes": idx}
    return out


def indexes(conn, table):
    """{index name: definition without the schema}."""
    return {n: d.replace("public.", "") for n, d in query(conn, """
        SELECT indexname, indexdef FROM pg_indexes
        WHERE schemaname = current_schema() AND tablename = %s""", (table,))}


def constraints(conn, table):
    """{constraint name: (type, definition, deferrable, initially deferred)}."""
    return {n: (t, d.replace("public.", ""), df, dd) for n, t, d, df, dd in query(conn, """
        SELECT conname, contype::text, pg_get_constraintdef(oid), condeferrable, condeferred
        FROM pg_constraint WHERE conrelid = to_regclass(%s)""", (table,))}


def catalog(conn, tables):
    """Columns, constraints and indexes; serial and identity ids both read "auto"."""
    out = {}
    for table in tables:
        cols = []
        for n, t, m, nl, d in columns(conn, table) or []:
            is_id = query(conn, """SELECT is_identity FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = %s AND column_name = %s""",
                          (table, n))[0][0] == "YES"
            if is_id or (d or "").startswith("nextval("):
                d = "auto"
            cols.append((n, t, m, nl, d))
        out[table] = {"columns": cols, "constraints": constraints(conn, table),
                      "indexes": indexes(conn, table)}
    return out


def index_columns(conn, table):
    """[(index name, unique, key part text like 'user_id, created_at DESC', partial)]."""
    out = []
    for name, definition in indexes(conn, table).items():
        m = re.search(r"USING \w+ \((.*)\)( WHERE .*)?$", definition)
        unique = definition.startswith("CREATE UNIQUE")
        out.append((name, unique, m.group(1), m.group(2) is not None))
    return out


# ---------------------------------------------------------------------------------------------
# The C program's SQL, read from common/db.c so the test follows the code

def c_statement(enum_name):
    """The SQL text of stmts[enum_name] in common/db.c (string literals and string macros)."""
    src = DB_C.read_text()
    literal = r'"(?:[^"\\]|\\.)*"'
    macros = {name: "".join(re.findall(literal, body)) for name, body in
              re.findall(r"^#define\s+(\w+)\s+((?:" + literal + r"\s*)+)$", src, re.M)}
    m = re.search(r"\[" + enum_name + r"\]\s*=\s*\{\s*\"\w+\"\s*,\s*\d+\s*,((?:\s*(?:" + literal
                  + r"|\w+))+)\s*\}", src)
    assert m, f"{enum_name} not found in common/db.c"
    parts = re.findall(literal + r"|\w+", m.group(1))
    text = "".join(macros[p] if p in macros else p for p in parts)
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', text)).replace('\\"', '"')


def run_c(conn, enum_name, *params):
    """Runs one of db.c's statements with text parameters, as libpq sends them."""
    sql = c_statement(enum_name).replace("%", "%%")
    sql = re.sub(r"\$(\d+)", lambda m: f"%(p{m.group(1)})s", sql)
    return query(conn, sql, {f"p{i + 1}": None if p is None else str(p) for i, p in enumerate(params)})


def django_pbkdf2(password, salt="c0mpat1blesalt", iterations=260000):
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    return f"pbkdf2_sha256${iterations}${salt}${base64.b64encode(digest).decode()}"


# ---------------------------------------------------------------------------------------------
# Databases as Django makes them

def run_django(url, app, action, args=None):
    cmd = ["/usr/bin/python3", str(RUN_DJANGO), app, action]
    if args is not None:
        cmd.append(json.dumps(args))
    r = subprocess.run(cmd, env={**os.environ, "DJANGO_DB_URL": url},
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"Django {action} failed:\n{r.stdout}\n{r.stderr}"
    return json.loads(r.stdout)


# Django 5.2 (4.1+: identity columns) for auth, contenttypes, sessions and the schema document's
# model (django-compat.md §3.3), in the final state of all their migrations.
DJANGO52_DDL = """
CREATE TABLE "django_migrations" ("id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY,
  "app" varchar(255) NOT NULL, "name" varchar(255) NOT NULL, "applied" timestamp with time zone NOT NULL);
CREATE TABLE "django_content_type" ("id" integer NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY,
  "app_label" varchar(100) NOT NULL, "model" varchar(100) NOT NULL);
ALTER TABLE "django_content_type" ADD CONSTRAINT "django_content_type_app_label_model_76bd3d3b_uniq" UNIQUE ("app_label", "model");
CREATE TABLE "auth_permission" ("id" integer NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY,
  "name" varchar(255) NOT NULL, "content_type_id" integer NOT NULL, "codename" varchar(100) NOT NULL);
CREATE TABLE "auth_group" ("id" integer NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY,
  "name" varchar(150) NOT NULL UNIQUE);
CREATE TABLE "auth_group_permissions" ("id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY,
  "group_id" integer NOT NULL, "permission_id" integer NOT NULL);
CREATE TABLE "auth_user" ("id" integer NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY,
  "password" varchar(128) NOT NULL, "last_login" timestamp with time zone NULL, "is_superuser" boolean NOT NULL,
  "username" varchar(150) NOT NULL UNIQUE, "first_name" varchar(150) NOT NULL, "last_name" varchar(150) NOT NULL,
  "email" varchar(254) NOT NULL, "is_staff" boolean NOT NULL, "is_active" boolean NOT NULL,
  "date_joined" timestamp with time zone NOT NULL);
CREATE TABLE "auth_user_groups" ("id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY,
  "user_id" integer NOT NULL, "group_id" integer NOT NULL);
CREATE TABLE "auth_user_user_permissions" ("id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY,
  "user_id" integer NOT NULL, "permission_id" integer NOT NULL);
ALTER TABLE "auth_permission" ADD CONSTRAINT "auth_permission_content_type_id_2f476e4b_fk_django_co" FOREIGN KEY ("content_type_id") REFERENCES "django_content_type" ("id") DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE "auth_permission" ADD CONSTRAINT "auth_permission_content_type_id_codename_01ab375a_uniq" UNIQUE ("content_type_id", "codename");
CREATE INDEX "auth_permission_content_type_id_2f476e4b" ON "auth_permission" ("content_type_id");
CREATE INDEX "auth_group_name_a6ea08ec_like" ON "auth_group" ("name" varchar_pattern_ops);
ALTER TABLE "auth_group_permissions" ADD CONSTRAINT "auth_group_permissions_group_id_permission_id_0cd325b0_uniq" UNIQUE ("group_id", "permission_id");
ALTER TABLE "auth_group_permissions" ADD CONSTRAINT "auth_group_permissions_group_id_b120cbf9_fk_auth_group_id" FOREIGN KEY ("group_id") REFERENCES "auth_group" ("id") DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE "auth_group_permissions" ADD CONSTRAINT "auth_group_permissio_permission_id_84c5c92e_fk_auth_perm" FOREIGN KEY ("permission_id") REFERENCES "auth_permission" ("id") DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX "auth_group_permissions_group_id_b120cbf9" ON "auth_group_permissions" ("group_id");
CREATE INDEX "auth_group_permissions_permission_id_84c5c92e" ON "auth_group_permissions" ("permission_id");
ALTER TABLE "auth_user_groups" ADD CONSTRAINT "auth_user_groups_user_id_6a12ed8b_fk_auth_user_id" FOREIGN KEY ("user_id") REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE "auth_user_groups" ADD CONSTRAINT "auth_user_groups_group_id_97559544_fk_auth_group_id" FOREIGN KEY ("group_id") REFERENCES "auth_group" ("id") DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE "auth_user_groups" ADD CONSTRAINT "auth_user_groups_user_id_group_id_94350c0c_uniq" UNIQUE ("user_id", "group_id");
CREATE INDEX "auth_user_groups_user_id_6a12ed8b" ON "auth_user_groups" ("user_id");
CREATE INDEX "auth_user_groups_group_id_97559544" ON "auth_user_groups" ("group_id");
ALTER TABLE "auth_user_user_permissions" ADD CONSTRAINT "auth_user_user_permissions_user_id_a95ead1b_fk_auth_user_id" FOREIGN KEY ("user_id") REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE "auth_user_user_permissions" ADD CONSTRAINT "auth_user_user_permi_permission_id_1fbb5f2c_fk_auth_perm" FOREIGN KEY ("permission_id") REFERENCES "auth_permission" ("id") DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE "auth_user_user_permissions" ADD CONSTRAINT "auth_user_user_permissions_user_id_permission_id_14a6b632_uniq" UNIQUE ("user_id", "permission_id");
CREATE INDEX "auth_user_user_permissions_user_id_a95ead1b" ON "auth_user_user_permissions" ("user_id");
CREATE INDEX "auth_user_user_permissions_permission_id_1fbb5f2c" ON "auth_user_user_permissions" ("permission_id");
CREATE INDEX "auth_user_username_6821ab7c_like" ON "auth_user" ("username" varchar_pattern_ops);
CREATE TABLE "django_session" ("session_key" varchar(40) NOT NULL PRIMARY KEY, "session_data" text NOT NULL,
  "expire_date" timestamp with time zone NOT NULL);
CREATE INDEX "django_session_expire_date_a5c62663" ON "django_session" ("expire_date");
CREATE INDEX "django_session_session_key_c0390e0f_like" ON "django_session" ("session_key" varchar_pattern_ops);
CREATE TABLE "users_favoritemovie" ("id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY,
  "movie_id" integer NOT NULL, "created_at" timestamp with time zone NOT NULL, "user_id" integer NOT NULL,
  CONSTRAINT "users_favoritemovie_user_movie_uniq" UNIQUE ("user_id", "movie_id"));
ALTER TABLE "users_favoritemovie" ADD CONSTRAINT "users_favoritemovie_user_id_4136a140_fk_auth_user_id"
  FOREIGN KEY ("user_id") REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX "users_favoritemovie_user_id_4136a140" ON "users_favoritemovie" ("user_id");
CREATE INDEX "users_fav_created_idx" ON "users_favoritemovie" ("created_at");
CREATE TABLE "users_watchlistmovie" ("id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY,
  "movie_id" integer NOT NULL, "created_at" timestamp with time zone NOT NULL, "user_id" integer NOT NULL);
CREATE INDEX "users_watch_user_created_idx" ON "users_watchlistmovie" ("user_id", "created_at" DESC);
ALTER TABLE "users_watchlistmovie" ADD CONSTRAINT "users_watchlistmovie_user_id_movie_id_bc5bc3da_uniq" UNIQUE ("user_id", "movie_id");
ALTER TABLE "users_watchlistmovie" ADD CONSTRAINT "users_watchlistmovie_user_id_3bc8fabb_fk_auth_user_id"
  FOREIGN KEY ("user_id") REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX "users_watchlistmovie_user_id_3bc8fabb" ON "users_watchlistmovie" ("user_id");
"""

DJANGO52_MIGRATIONS = (
    [("contenttypes", "0001_initial"), ("auth", "0001_initial")]
    + [("contenttypes", "0002_remove_content_type_name")]
    + [("auth", n) for n in (
        "0002_alter_permission_name_max_length", "0003_alter_user_email_max_length",
        "0004_alter_user_username_opts", "0005_alter_user_last_login_null",
        "0006_require_contenttypes_0002", "0007_alter_validators_add_error_messages",
        "0008_alter_user_username_max_length", "0009_alter_user_last_name_max_length",
        "0010_alter_group_name_max_length", "0011_update_proxy_permissions",
        "0012_alter_user_first_name_max_length")]
    + [("sessions", "0001_initial"), ("users", "0001_initial"), ("users", "0002_watchlistmovie")])

# The §3.3 variant `unique_together` + `created_at = DateTimeField(db_index=True)`, as 3.2 makes it.
DBINDEX_VARIANT_DDL = """
DROP TABLE users_favoritemovie;
CREATE TABLE "users_favoritemovie" ("id" bigserial NOT NULL PRIMARY KEY, "movie_id" integer NOT NULL,
  "created_at" timestamp with time zone NOT NULL, "user_id" integer NOT NULL);
ALTER TABLE "users_favoritemovie" ADD CONSTRAINT "users_favoritemovie_user_id_movie_id_249c2eec_uniq" UNIQUE ("user_id", "movie_id");
CREATE INDEX "users_favoritemovie_created_at_c974e882" ON "users_favoritemovie" ("created_at");
CREATE INDEX "users_favoritemovie_user_id_4136a140" ON "users_favoritemovie" ("user_id");
ALTER TABLE "users_favoritemovie" ADD CONSTRAINT "users_favoritemovie_user_id_4136a140_fk_auth_user_id"
  FOREIGN KEY ("user_id") REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED;
"""

USERS = [  # username, password, last_login, date_joined
    ("moviebuff", django_pbkdf2("movienight-demo"), "2024-01-02 03:04:05.678901+00",
     "2023-07-25 14:30:00+00"),
    ("Zoë", "argon2$argon2id$v=19$m=102400,t=2,p=8$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", None,
     "2023-08-01 00:00:00.000001+00"),
    ("山田太郎", "!" + "x" * 40, None, "2024-02-29 12:00:00+00"),
    ("Åsa.O'Neil+tv@-_", "bcrypt_sha256$$2b$12$abcdefghijklmnopqrstuu5Nk0bQ2fz1p5q4C6f2kk5dLtqC8vJmS",
     "2025-12-31 23:59:59.999999+00", "2020-02-02 02:02:02+00"),
]
FAVORITES = [  # username, movie_id, created_at, title, overview, release_date, poster, backdrop
    ("moviebuff", 550, "2023-07-25 14:35:00+00", "Fight Club", "An insomniac office worker…",
     "1999-10-15", "/pB8BM7pdSp6B6Ih7QZ4DrQ3PmJK.jpg", None),
    ("moviebuff", 680, "2023-07-25 14:40:00.123456+00", "Pulp Fiction", "", "1994-09-10", None,
     "/suaEOtk1N1sgg2MTM7oZd2cfVp3.jpg"),
    ("Zoë", 550, "2024-02-29 23:59:59.999999+00", "Fight Club", "Zoë's \"favourite\"\n\ttab",
     "1999-10-15", None, None),
    ("山田太郎", 129, "2001-01-01 00:00:00+09", "千と千尋の神隠し", "湯屋で働く少女の物語。",
     "2001-07-20", "/39wmItIWsg5sZMyRUHLkWBcuVCM.jpg", "/bSXfU4dwZyBA1vMmXvejdRXBvuF.jpg"),
]
SESSIONS = [
    ("0123456789abcdefghijklmnopqrstuv", "eyJfYXV0aF91c2VyX2lkIjoiMSJ9:1qOxyz:signature", "2030-01-01 00:00:00+00"),
    ("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", "e30:1qOabc:otherSignature", "2020-06-15 08:30:00.5+00"),
]


def seed(conn, with_movie_copy):
    """Rows in every table: users (non-ASCII too), sessions, favorites at given instants."""
    ids = {}
    for username, password, last_login, joined in USERS:
        ids[username] = query(conn, """
            INSERT INTO auth_user (password, last_login, is_superuser, username, first_name,
                                   last_name, email, is_staff, is_active, date_joined)
            VALUES (%s, %s, false, %s, 'Fïrst', 'Läst', 'someone@example.com', false, true, %s)
            RETURNING id""", (password, last_login, username, joined))[0][0]
    for key, data, expire in SESSIONS:
        query(conn, "INSERT INTO django_session VALUES (%s, %s, %s)", (key, data, expire))
    for username, movie_id, created, title, overview, release, poster, backdrop in FAVORITES:
        if with_movie_copy:
            query(conn, """INSERT INTO users_favoritemovie (user_id, movie_id, created_at, title,
                               overview, release_date, poster_path, backdrop_path)
                           VALUES (%s, %s, %s, %s, %s, %s, %s, %s)""",
                  (ids[username], movie_id, created, title, overview, release, poster, backdrop))
        else:
            query(conn, "INSERT INTO users_favoritemovie (user_id, movie_id, created_at) "
                        "VALUES (%s, %s, %s)", (ids[username], movie_id, created))
    return ids


def build(url, kind):
    """Makes the database `kind` describes, with rows; returns {username: id}."""
    if kind == "fresh":
        run_migrate(url)
        return {}
    if kind == "django32":
        run_django(url, "schemadoc", "migrate")
    elif kind == "django32_dbindex":
        run_django(url, "schemadoc", "migrate")
        conn = connect(url)
        query(conn, DBINDEX_VARIANT_DDL)
        conn.close()
    elif kind == "origin":
        run_django(url, "origin", "migrate")
    elif kind == "django52":
        conn = connect(url)
        query(conn, DJANGO52_DDL)
        for i, (app, name) in enumerate(DJANGO52_MIGRATIONS):
            query(conn, "INSERT INTO django_migrations (app, name, applied) VALUES (%s, %s, %s)",
                  (app, name, f"2025-04-0{1 + i % 9} 10:{i:02d}:00.{i:06d}+00"))
        conn.close()
    else:
        raise ValueError(kind)
    conn = connect(url)
    ids = seed(conn, with_movie_copy=(kind == "origin"))
    conn.close()
    return ids


# ---------------------------------------------------------------------------------------------
# 1. A fresh database

AUTH_USER_COLUMNS = [  # django-compat.md §3.1
    ("id", "integer", None, "NO", None),
    ("password", "character varying", 128, "NO", None),
    ("last_login", "timestamp with time zone", None, "YES", None),
    ("is_superuser", "boolean", None, "NO", None),
    ("username", "character varying", 150, "NO", None),
    ("first_name", "character varying", 150, "NO", None),
    ("last_name", "character varying", 150, "NO", None),
    ("email", "character varying", 254, "NO", None),
    ("is_staff", "boolean", None, "NO", None),
    ("is_active", "boolean", None, "NO", None),
    ("date_joined", "timestamp with time zone", None, "NO", None),
]


def test_migrations_fresh_database(new_db):
    url = new_db("fresh")
    out = run_migrate(url)
    for path in MIGRATIONS:
        assert f"applied {path.name}" in out
    conn = connect(url)

    # auth_user: every column of Django's, no defaults, an identity id (Django 4.1+ form).
    assert columns(conn, "auth_user") == AUTH_USER_COLUMNS
    assert query(conn, """SELECT is_identity, identity_generation FROM information_schema.columns
                          WHERE table_name = 'auth_user' AND column_name = 'id'""") == [("YES", "BY DEFAULT")]
    assert constraints(conn, "auth_user")["auth_user_pkey"][:2] == ("p", "PRIMARY KEY (id)")
    assert constraints(conn, "auth_user")["auth_user_username_key"][:2] == ("u", "UNIQUE (username)")
    assert indexes(conn, "auth_user")["auth_user_username_6821ab7c_like"] == (
        "CREATE INDEX auth_user_username_6821ab7c_like ON auth_user USING btree "
        "(username varchar_pattern_ops)")

    # django_session with its three indexes.
    assert columns(conn, "django_session") == [
        ("session_key", "character varying", 40, "NO", None),
        ("session_data", "text", None, "NO", None),
        ("expire_date", "timestamp with time zone", None, "NO", None)]
    assert {k: v.split(" USING btree ")[1] for k, v in indexes(conn, "django_session").items()} == {
        "django_session_pkey": "(session_key)",
        "django_session_session_key_c0390e0f_like": "(session_key varchar_pattern_ops)",
        "django_session_expire_date_a5c62663": "(expire_date)"}

    # users_favoritemovie.
    assert columns(conn, "users_favoritemovie") == [
        ("id", "bigint", None, "NO", None),
        ("movie_id", "integer", None, "NO", None),
        ("created_at", "timestamp with time zone", None, "NO", "now()"),
        ("user_id", "integer", None, "NO", None)]
    fks = [c for c in constraints(conn, "users_favoritemovie").values() if c[0] == "f"]
    assert fks == [("f", "FOREIGN KEY (user_id) REFERENCES auth_user(id) DEFERRABLE INITIALLY DEFERRED",
                    True, True)]
    idx = index_columns(conn, "users_favoritemovie")
    assert [i for i in idx if i[1] and i[2] == "user_id, movie_id" and not i[3]], idx
    assert [i for i in idx if i[2] == "created_at"], idx
    assert [i for i in idx if i[2] == "user_id, created_at DESC"], idx

    # Our record, and none in Django's.
    assert [(n, c) for n, c, _ in schema_migration_rows(conn)] == [
        (p.name, hashlib.sha256(p.read_bytes()).hexdigest()) for p in MIGRATIONS]
    assert query(conn, "SELECT to_regclass('django_migrations')") == [(None,)]

    # Django's tables are what Django makes (3.2's serial ids and 5.2's identity ids both read
    # "auto"): compare with real Django 3.2 and with the 5.2 DDL used below.
    mine = without_page_indexes(catalog(conn, DJANGO_TABLES))
    for kind in ("django32", "django52"):
        django_url = new_db("cmp" + kind)
        build(django_url, kind)
        cdj = connect(django_url)
        django = catalog(cdj, DJANGO_TABLES)
        cdj.close()
        for table in DJANGO_TABLES:
            for part in ("columns", "constraints", "indexes"):
                assert mine[table][part] == django[table][part], f"{table} {part} differ from {kind}'s"
    conn.close()


# ---------------------------------------------------------------------------------------------
# 2. Idempotence

def test_migrations_second_run_changes_nothing(new_db):
    url = new_db("twice")
    run_migrate(url)
    conn = connect(url)
    schema, rows = schema_dump(url), schema_migration_rows(conn)
    out = run_migrate(url)
    assert "up to date" in out and "applied" not in out, out
    assert schema_dump(url) == schema
    assert schema_migration_rows(conn) == rows
    conn.close()


# ---------------------------------------------------------------------------------------------
# 3. Databases Django made from the schema document's model

def check_favorites_adopted(conn, user_id):
    """created_at defaulted, the indexes there, inserts of (user_id, movie_id) work and dedupe."""
    cols = {c[0]: c for c in columns(conn, "users_favoritemovie")}
    assert cols["created_at"] == ("created_at", "timestamp with time zone", None, "NO", "now()")
    idx = index_columns(conn, "users_favoritemovie")
    assert len([i for i in idx if i[1] and i[2] == "user_id, movie_id" and not i[3]]) == 1, idx
    assert len([i for i in idx if i[2] == "created_at"]) == 1, idx
    assert [i for i in idx if i[2] == "user_id, created_at DESC"], idx
    fk = [c for c in constraints(conn, "users_favoritemovie").values() if c[0] == "f"]
    assert [c[2:] for c in fk] == [(True, True)]

    [(new_id, created, recent)] = query(conn, """
        INSERT INTO users_favoritemovie (user_id, movie_id) VALUES (%s, 4242)
        RETURNING id, created_at, created_at > now() - interval '1 minute'""", (user_id,))
    assert recent, created
    assert query(conn, """INSERT INTO users_favoritemovie (user_id, movie_id) VALUES (%s, 4242)
                          ON CONFLICT (user_id, movie_id) DO NOTHING""", (user_id,)) == 0
    assert query(conn, "SELECT count(*) FROM users_favoritemovie WHERE user_id = %s AND movie_id = 4242",
                 (user_id,)) == [(1,)]
    # And the C program's own statement.
    assert run_c(conn, "DB_FAV_ADD", user_id, 4243) != []
    assert run_c(conn, "DB_FAV_ADD", user_id, 4243) == []


@pytest.mark.parametrize("kind", [
    "django32", "django52",
    "django32_dbindex",  # Django's own created_at index must not be duplicated
])
def test_migrations_adopt_django_made_database(new_db, kind):
    url = new_db(kind)
    ids = build(url, kind)
    conn = connect(url)
    rows_before, data_before = row_dumps(conn), data_dump(url)
    assert len(rows_before["auth_user"]) == len(USERS)
    assert len(rows_before["users_favoritemovie"]) == len(FAVORITES)
    assert len(rows_before["django_migrations"]) >= 15
    id_type = query(conn, "SELECT is_identity FROM information_schema.columns "
                          "WHERE table_name = 'auth_user' AND column_name = 'id'")[0][0]
    assert id_type == ("YES" if kind == "django52" else "NO")
    django_indexes = indexes(conn, "users_favoritemovie")
    django_watchlist = catalog(conn, ["users_watchlistmovie"])

    out = migrate_twice(url)
    assert "applied 0002_favorites.sql" in out

    # Every row, every sequence value, byte for byte; django_migrations included.
    assert row_dumps(conn) == rows_before
    assert data_dump(url) == data_before
    assert query(conn, "SELECT count(*) FROM django_migrations WHERE app NOT IN "
                       "('auth', 'contenttypes', 'sessions', 'users')") == [(0,)]
    # The exact instants survived (not just their text).
    assert query(conn, "SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') "
                       "FROM users_favoritemovie WHERE user_id = %s AND movie_id = 129",
                 (ids["山田太郎"],)) == [("2000-12-31 15:00:00.000000",)]

    # Django's constraint and indexes are kept as they were.
    after = indexes(conn, "users_favoritemovie")
    assert {n: after.get(n) for n in django_indexes} == django_indexes
    check_favorites_adopted(conn, ids["moviebuff"])
    # The watchlist table Django made is the one 0004 would make: only 0006's page index is added.
    assert without_page_indexes(catalog(conn, ["users_watchlistmovie"])) == django_watchlist
    conn.close()


# ---------------------------------------------------------------------------------------------
# 4. The origin app's real database

ORIGIN_COLUMNS = [  # origin-app.md "Its real database"
    ("id", "bigint", None, "NO", "auto"),
    ("movie_id", "integer", None, "NO", None),
    ("created_at", "timestamp with time zone", None, "NO", None),
    ("user_id", "integer", None, "NO", None),
    ("backdrop_path", "character varying", 255, "YES", None),
    ("overview", "text", None, "NO", None),
    ("poster_path", "character varying", 255, "YES", None),
    ("release_date", "date", None, "NO", None),
    ("title", "character varying", 255, "NO", None),
]


def test_migrations_adopt_origin_database(new_db):
    url = new_db("origin")
    ids = build(url, "origin")
    conn = connect(url)

    # The database is the one origin-app.md describes.
    before = catalog(conn, ["users_favoritemovie", "auth_user"])
    assert before["users_favoritemovie"]["columns"] == ORIGIN_COLUMNS
    assert query(conn, "SELECT column_default FROM information_schema.columns WHERE "
                       "table_name = 'users_favoritemovie' AND column_name = 'id'")[0][0].startswith("nextval(")
    assert set(before["users_favoritemovie"]["indexes"]) == {
        "users_favoritemovie_pkey", "users_favoritemovie_user_id_movie_id_249c2eec_uniq",
        "users_favoritemovie_user_id_4136a140"}
    assert before["users_favoritemovie"]["constraints"][
        "users_favoritemovie_user_id_4136a140_fk_auth_user_id"][2:] == (True, True)
    assert [c[:4] for c in before["auth_user"]["columns"]] == [c[:4] for c in AUTH_USER_COLUMNS]
    rows_before, data_before = row_dumps(conn), data_dump(url)

    migrate_twice(url)

    assert row_dumps(conn) == rows_before
    assert data_dump(url) == data_before

    # No column dropped, renamed or retyped; the only changes are the ones 0002 means to make.
    after = catalog(conn, ["users_favoritemovie", "auth_user"])
    assert after["auth_user"] == before["auth_user"]
    changed = {a[0]: (b[3:], a[3:]) for a, b in zip(after["users_favoritemovie"]["columns"], ORIGIN_COLUMNS)
               if a != b}
    assert [c[:3] for c in after["users_favoritemovie"]["columns"]] == [c[:3] for c in ORIGIN_COLUMNS]
    assert changed == {
        "created_at": (("NO", None), ("NO", "now()")),
        "overview": (("NO", None), ("NO", "''::text")),
        "release_date": (("NO", None), ("YES", None)),
        "title": (("NO", None), ("NO", "''::character varying")),
    }
    # Django's constraint and index are kept; ours are added beside them.
    for name in ("users_favoritemovie_user_id_movie_id_249c2eec_uniq", "users_favoritemovie_user_id_4136a140"):
        assert after["users_favoritemovie"]["indexes"][name] == before["users_favoritemovie"]["indexes"][name]
    idx = index_columns(conn, "users_favoritemovie")
    assert len([i for i in idx if i[1] and i[2] == "user_id, movie_id"]) == 1, idx
    check_favorites_adopted_origin(conn, ids["moviebuff"])
    conn.close()


def check_favorites_adopted_origin(conn, user_id):
    # The C program's legacy insert, with an empty release date (unknown to TMDb) and a full one.
    [(legacy_id, _)] = run_c(conn, "DB_FAV_ADD_LEGACY", user_id, 10001, "Unreleased — ß", "", "", None, None)
    [(dated_id, _)] = run_c(conn, "DB_FAV_ADD_LEGACY", user_id, 10002, "Dated", "Ov.", "2024-05-17",
                          "/p.jpg", "/b.jpg")
    assert run_c(conn, "DB_FAV_ADD_LEGACY", user_id, 10001, "again", "", "", None, None) == []
    assert query(conn, "SELECT title, overview, release_date::text, poster_path, backdrop_path "
                       "FROM users_favoritemovie WHERE id IN (%s, %s) ORDER BY id",
                 (legacy_id, dated_id)) == [("Unreleased — ß", "", None, None, None),
                                            ("Dated", "Ov.", "2024-05-17", "/p.jpg", "/b.jpg")]
    # An import's one-statement insert with titles (arrays as the C model writes them): a movie saved
    # already and one twice in the file are skipped.
    assert run_c(conn, "DB_FAV_ADD_MANY_LEGACY", user_id, "{10004,10001,10004}",
                 '{"Many \\"One\\" \\\\ x","dup","Many again"}') == 1
    assert query(conn, "SELECT title, overview, release_date FROM users_favoritemovie "
                       "WHERE user_id = %s AND movie_id = 10004", (user_id,)) == [('Many "One" \\ x', "", None)]
    run_c(conn, "DB_FAV_REMOVE", user_id, 10004)
    # The plain insert of (user_id, movie_id), and the C program's.
    assert query(conn, "INSERT INTO users_favoritemovie (user_id, movie_id) VALUES (%s, 10003) "
                       "RETURNING title, overview, release_date, created_at > now() - interval '1 minute'",
                 (user_id,)) == [("", "", None, True)]
    assert query(conn, "INSERT INTO users_favoritemovie (user_id, movie_id) VALUES (%s, 10003) "
                       "ON CONFLICT (user_id, movie_id) DO NOTHING", (user_id,)) == 0
    assert run_c(conn, "DB_FAV_ADD", user_id, 10004) != []
    assert run_c(conn, "DB_FAV_ADD", user_id, 10004) == []
    idx = index_columns(conn, "users_favoritemovie")
    assert [i for i in idx if i[2] == "created_at"], idx
    assert [i for i in idx if i[2] == "user_id, created_at DESC"], idx


# ---------------------------------------------------------------------------------------------
# 5. Both keep working: real Django on the migrated database, beside the C program's rows

@pytest.mark.parametrize("kind", ["fresh", "django32", "django52", "origin"])
def test_migrations_django_keeps_working(new_db, kind):
    url = new_db("dj" + kind)
    build(url, kind)
    if kind != "fresh":
        migrate_twice(url)
    conn = connect(url)

    # The C program registers a user and adds favorites with its own statements.
    c_user, c_password = "c_Jürgen_" + uuid.uuid4().hex[:6], "correct horse battery"
    [(c_id,)] = run_c(conn, "DB_USER_INSERT", django_pbkdf2(c_password, iterations=1000), c_user,
                      "jurgen@example.com")
    if kind == "origin":
        run_c(conn, "DB_FAV_ADD_LEGACY", c_id, 550, "Fight Club", "Ov.", "1999-10-15", "/f.jpg", None)
        run_c(conn, "DB_FAV_ADD_LEGACY", c_id, 777, "Sans date", "", "", None, None)
    else:
        run_c(conn, "DB_FAV_ADD", c_id, 550)
        run_c(conn, "DB_FAV_ADD", c_id, 777)
    c_rows = query(conn, "SELECT id, movie_id, to_char(created_at AT TIME ZONE 'UTC', "
                         "'YYYY-MM-DD\"T\"HH24:MI:SS.US') FROM users_favoritemovie "
                         "WHERE user_id = %s ORDER BY id", (c_id,))
    # And a watchlist.
    [(w13, _)] = run_c(conn, "DB_WATCH_ADD", c_id, 13)
    [(w680, _)] = run_c(conn, "DB_WATCH_ADD", c_id, 680)
    assert run_c(conn, "DB_WATCH_ADD", c_id, 680) == []
    c_watch = query(conn, "SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US') "
                          "FROM users_watchlistmovie WHERE user_id = %s ORDER BY id", (c_id,))

    out = run_django(url, "origin" if kind == "origin" else "schemadoc", "check", {
        "django_made": kind != "fresh",
        "c_username": c_user, "c_password": c_password,
        "django_username": "dj_Ñandú_" + uuid.uuid4().hex[:6], "django_password": "another s3cret pass",
    })

    if kind != "fresh":
        assert out["migrate_check"] == "clean"
    assert out["c_user"] == {"id": c_id, "is_active": True, "is_staff": False,
                             "email": "jurgen@example.com", "has_usable_password": True}
    assert out["c_user_authenticates"]
    assert out["django_user_authenticates"]
    assert out["wrong_password_rejected"]
    assert out["django_user"]["email"] == "Someone@example.com"

    # Django reads the C program's rows, and (on Django-made databases) the rows it had.
    seen = {(f["username"], f["movie_id"]): f for f in out["all_favorites"]}
    for row_id, movie_id, created in c_rows:
        f = seen[(c_user, movie_id)]
        assert f["id"] == row_id
        assert f["created_at"].startswith(created) and f["created_at"].endswith("+00:00")
    if kind == "origin":
        assert seen[(c_user, 550)]["title"] == "Fight Club"
        assert seen[(c_user, 550)]["release_date"] == "1999-10-15"
        assert seen[(c_user, 777)]["release_date"] is None
    if kind != "fresh":
        assert seen[("Zoë", 550)]["created_at"] == "2024-02-29T23:59:59.999999+00:00"
        assert seen[("山田太郎", 129)]["created_at"] == "2000-12-31T15:00:00+00:00"
        assert len(seen) == len(FAVORITES) + 2
        if kind == "origin":
            assert seen[("山田太郎", 129)]["title"] == "千と千尋の神隠し"

    assert out["orm_duplicate"] == "IntegrityError"
    assert sorted(out["orm_list"]) == [603, 604]
    assert out["orm_deleted"] == 1
    assert out["orm_list_after_delete"] == [604]
    assert out["session_roundtrip"]
    assert out["favorites_left_after_user_delete"] == 0

    # Django reads the C program's watchlist, newest first, and keeps its own rules on it.
    assert [(w["id"], w["movie_id"]) for w in out["c_watchlist"]] == [(w680, 680), (w13, 13)]
    for w, (created,) in zip(reversed(out["c_watchlist"]), c_watch):
        assert w["created_at"].startswith(created) and w["created_at"].endswith("+00:00")
    assert out["watchlist_orm_duplicate"] == "IntegrityError"
    assert out["watchlist_left_after_user_delete"] == 0

    # What Django wrote, the C program reads.
    assert run_c(conn, "DB_USER_BY_USERNAME", c_user)[0][0] == c_id
    assert run_c(conn, "DB_FAV_COUNT", c_id) == [(2,)]
    assert [m for m, _, _ in run_c(conn, "DB_WATCH_LIST", c_id, 20, 0)] == [105, 680, 13]
    # "Watched it": off the watchlist, into favorites, on this kind of favorites table too.
    if kind == "origin":
        assert run_c(conn, "DB_WATCH_TO_FAV_LEGACY", c_id, 13, "Finding Nemo", "", "2003-05-30", None, None) == [(1, 1)]
    else:
        assert run_c(conn, "DB_WATCH_TO_FAV", c_id, 13) == [(1, 1)]
    assert run_c(conn, "DB_FAV_COUNT", c_id) == [(3,)] and run_c(conn, "DB_WATCH_COUNT", c_id) == [(2,)]
    assert run_c(conn, "DB_FAV_EXISTS", c_id, 13) == [(1,)]
    # An import's statements on this database: the many-row insert into either list (a movie on it
    # already, or twice in the file, is skipped) and the preview's "already in the list".
    assert run_c(conn, "DB_WATCH_ADD_MANY", c_id, "{680,550,550,24}") == 2
    assert sorted(run_c(conn, "DB_WATCH_AMONG", c_id, "{550,24,13,999}")) == [(24,), (550,)]
    if kind != "origin":
        assert run_c(conn, "DB_FAV_ADD_MANY", c_id, "{550,603,603}") == 1
    assert sorted(run_c(conn, "DB_FAV_AMONG", c_id, "{550,603,13,999}")) == (
        [(13,), (550,)] if kind == "origin" else [(13,), (550,), (603,)])
    conn.close()
