"""run_django.py: runs real Django (Debian's 3.2, /usr/bin/python3) against one database for test_migrations.py.

Usage: DJANGO_DB_URL=postgresql://... run_django.py APP ACTION [JSON]
  APP     schemadoc (the schema document's model) or origin (the origin app's model)
  ACTION  migrate: Django builds the database itself, as a Django project would;
          check:   the ORM, auth and sessions keep working; JSON names what to look at.
Prints one JSON object on stdout. One process per database: settings.configure runs once.
"""
import json
import os
import sys
from urllib.parse import unquote, urlsplit

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import django  # noqa: E402
from django.conf import settings  # noqa: E402


def database_settings(url):
    u = urlsplit(url)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(u.path.lstrip("/")),
        "USER": unquote(u.username or ""),
        "PASSWORD": unquote(u.password or ""),
        "HOST": u.hostname or "",
        "PORT": str(u.port or ""),
    }


def configure(app):
    settings.configure(
        DEBUG=False,
        SECRET_KEY="migration-test-not-secret",
        INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes",
                        "django.contrib.sessions", f"django_models.{app}.apps.UsersConfig"],
        DATABASES={"default": database_settings(os.environ["DJANGO_DB_URL"])},
        USE_TZ=True,
        TIME_ZONE="UTC",
        # The startproject template's value since 3.2.
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
    )
    django.setup()


def favorite_dict(f):
    d = {"id": f.id, "user_id": f.user_id, "username": f.user.username, "movie_id": f.movie_id,
         "created_at": f.created_at.isoformat()}
    for name in ("title", "overview", "release_date", "poster_path", "backdrop_path"):
        if hasattr(f, name):
            value = getattr(f, name)
            d[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return d


def check(app, args):
    from django.contrib.auth import authenticate
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import IntegrityError, transaction

    if app == "origin":
        from django_models.origin.models import FavoriteMovie, WatchlistMovie
    else:
        from django_models.schemadoc.models import FavoriteMovie, WatchlistMovie

    out = {}
    if args.get("django_made"):
        # Django must find every one of its migrations applied and nothing to do.
        try:
            call_command("migrate", check_unapplied=True, verbosity=0)
            out["migrate_check"] = "clean"
        except SystemExit as e:
            out["migrate_check"] = f"unapplied migrations (exit {e.code})"

    # Everything already in the table (Django's rows and the C program's).
    out["all_favorites"] = [favorite_dict(f) for f in
                            FavoriteMovie.objects.select_related("user").order_by("id")]

    # The user the C program registered, with a hash it wrote.
    cu = User.objects.get(username=args["c_username"])
    out["c_user"] = {"id": cu.pk, "is_active": cu.is_active, "is_staff": cu.is_staff,
                     "email": cu.email, "has_usable_password": cu.has_usable_password()}
    who = authenticate(username=args["c_username"], password=args["c_password"])
    out["c_user_authenticates"] = who is not None and who.pk == cu.pk

    # A user Django makes itself.
    u = User.objects.create_user(args["django_username"], "Someone@EXAMPLE.com",
                                 args["django_password"])
    out["django_user"] = {"id": u.pk, "username": u.username, "email": u.email}
    who = authenticate(username=args["django_username"], password=args["django_password"])
    out["django_user_authenticates"] = who is not None and who.pk == u.pk
    out["wrong_password_rejected"] = authenticate(username=args["django_username"],
                                                  password="not-the-password") is None

    # Favorites through the ORM: create, refuse a duplicate, list newest first, delete.
    movie_copy = {}
    if app == "origin":
        movie_copy = {"title": "Matrix, The — Überarbeitet", "overview": "Neo.",
                      "release_date": "1999-03-30", "poster_path": "/p.jpg", "backdrop_path": None}
    FavoriteMovie.objects.create(user=u, movie_id=603, **movie_copy)
    FavoriteMovie.objects.create(user=u, movie_id=604, **movie_copy)
    try:
        with transaction.atomic():
            FavoriteMovie.objects.create(user=u, movie_id=603, **movie_copy)
        out["orm_duplicate"] = "accepted"
    except IntegrityError:
        out["orm_duplicate"] = "IntegrityError"
    out["orm_list"] = list(FavoriteMovie.objects.filter(user=u)
                           .order_by("-created_at", "-id").values_list("movie_id", flat=True))
    deleted, _ = FavoriteMovie.objects.filter(user=u, movie_id=603).delete()
    out["orm_deleted"] = deleted
    out["orm_list_after_delete"] = list(FavoriteMovie.objects.filter(user=u)
                                        .values_list("movie_id", flat=True))

    # The watchlist: the C program's rows as Django reads them, one row of Django's for the C
    # user (auto_now_add), a refused duplicate, and Django's cascade when a user is deleted.
    out["c_watchlist"] = [{"id": w.id, "movie_id": w.movie_id, "created_at": w.created_at.isoformat()}
                          for w in WatchlistMovie.objects.filter(user=cu).order_by("-created_at", "-id")]
    WatchlistMovie.objects.create(user=cu, movie_id=105)
    WatchlistMovie.objects.create(user=u, movie_id=603)
    try:
        with transaction.atomic():
            WatchlistMovie.objects.create(user=u, movie_id=603)
        out["watchlist_orm_duplicate"] = "accepted"
    except IntegrityError:
        out["watchlist_orm_duplicate"] = "IntegrityError"

    # A database session, as the Django app's login would store it.
    s = SessionStore()
    s["_auth_user_id"] = str(u.pk)
    s.create()
    out["session_roundtrip"] = SessionStore(session_key=s.session_key).get("_auth_user_id") == str(u.pk)

    # Django deletes a user's favorites itself (the FK has no ON DELETE).
    uid = u.pk
    u.delete()
    out["favorites_left_after_user_delete"] = FavoriteMovie.objects.filter(user_id=uid).count()
    out["watchlist_left_after_user_delete"] = WatchlistMovie.objects.filter(user_id=uid).count()
    return out


def main():
    app, action = sys.argv[1], sys.argv[2]
    args = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}
    configure(app)
    if action == "migrate":
        from django.core.management import call_command
        call_command("migrate", verbosity=0)
        out = {"migrated": True}
    elif action == "check":
        out = check(app, args)
    else:
        sys.exit(f"unknown action {action}")
    json.dump(out, sys.stdout, default=str)


if __name__ == "__main__":
    main()
