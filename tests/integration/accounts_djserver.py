"""accounts_djserver.py: real Django (Debian's 3.2) on the stack's database, driven over stdin/stdout.

Run by accounts_support.DjangoPeer as `/usr/bin/python3 accounts_djserver.py`; reads one JSON
request per line ({"op": NAME, ...}) and answers one JSON line ({"result": ...} or {"error": ...}).
Django runs in its own process so its settings (this stack's SECRET_KEY and database) never
clash with the in-process Django of other test modules.

DJANGO_SESSION_ENGINE=cached_db (DjangoPeer(session_engine="cached_db")) runs Django's cached_db
session engine with django-redis on the stack's Redis (REDIS_URL), as a Django beside the site
in that mode would; the default is Django's db engine.

Hasher lists: "django51" is Django 5.1's default PASSWORD_HASHERS (PBKDF2 with 870000 iterations
first, scrypt with p=5), reproduced on 3.2 with test-local subclasses; "all" adds every other
hasher Django ever shipped (plain bcrypt, md5, sha1, unsalted md5/sha1, crypt).
"""
import json
import os
import sys
import traceback
import warnings
from urllib.parse import unquote, urlsplit

warnings.simplefilter("ignore", DeprecationWarning)   # Python 3.11 and Django 3.2's crypt import

import django  # noqa: E402
from django.conf import settings  # noqa: E402

D = "django.contrib.auth.hashers."
SHARED = "django_test_hashers."     # 4.0's scrypt and 5.1's defaults, which 3.2 lacks
DJANGO51 = [SHARED + "PBKDF2Django51PasswordHasher", SHARED + "PBKDF2SHA1Django51PasswordHasher",
            D + "Argon2PasswordHasher", D + "BCryptSHA256PasswordHasher", SHARED + "Scrypt51PasswordHasher"]
ALL = DJANGO51 + [D + "BCryptPasswordHasher", D + "MD5PasswordHasher", D + "SHA1PasswordHasher",
                  D + "UnsaltedMD5PasswordHasher", D + "UnsaltedSHA1PasswordHasher",
                  D + "CryptPasswordHasher"]
LISTS = {"django51": DJANGO51, "all": ALL}


def database_settings(url):
    u = urlsplit(url)
    return {"ENGINE": "django.db.backends.postgresql", "NAME": unquote(u.path.lstrip("/")),
            "USER": unquote(u.username or ""), "PASSWORD": unquote(u.password or ""),
            "HOST": u.hostname or "", "PORT": str(u.port or "")}


def session_settings():
    """Django's default db engine, or cached_db on the stack's Redis through django-redis."""
    if os.environ.get("DJANGO_SESSION_ENGINE", "db") != "cached_db":
        return {}
    return {"SESSION_ENGINE": "django.contrib.sessions.backends.cached_db",
            "CACHES": {"default": {"BACKEND": "django_redis.cache.RedisCache",
                                   "LOCATION": os.environ["REDIS_URL"],
                                   "KEY_PREFIX": os.environ.get("DJANGO_CACHE_KEY_PREFIX", ""),
                                   "VERSION": int(os.environ.get("DJANGO_CACHE_VERSION", "1"))}}}


def configure():
    settings.configure(
        **session_settings(),
        SECRET_KEY=os.environ["SECRET_KEY"],
        INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes",
                        "django.contrib.sessions"],
        DATABASES={"default": database_settings(os.environ["DATABASE_URL"])},
        PASSWORD_HASHERS=DJANGO51, USE_TZ=True, TIME_ZONE="UTC",
        DEFAULT_AUTO_FIELD="django.db.models.AutoField")
    django.setup()


def hashers(name):
    from django.test.utils import override_settings
    return override_settings(PASSWORD_HASHERS=LISTS[name])


def op_make(req):
    """An encoded hash by one hasher (all enabled); salt and iterations optional."""
    from django.contrib.auth.hashers import get_hasher
    with hashers("all"):
        h = get_hasher(req["algorithm"])
        salt = req.get("salt") or h.salt()
        if "iterations" in req:
            return h.encode(req["password"], salt, req["iterations"])
        return h.encode(req["password"], salt)   # each hasher's own salt() (2 chars for crypt)


def op_check(req):
    """Django's check_password under a hasher list: (correct, must_update as the setter sees it)."""
    from django.contrib.auth.hashers import check_password, identify_hasher, get_hasher
    with hashers(req.get("hashers", "django51")):
        calls = []
        ok = check_password(req["password"], req["encoded"], setter=lambda raw: calls.append(1))
        try:
            hasher = identify_hasher(req["encoded"])
            preferred = get_hasher("default")
            must_update = (hasher.algorithm != preferred.algorithm
                           or preferred.must_update(req["encoded"]))
        except ValueError:
            must_update = None
        return {"correct": ok, "setter_called": bool(calls), "must_update": must_update}


def user_dict(user):
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return {"id": user.pk, "username": user.username, "password": user.password,
            "session_auth_hash": user.get_session_auth_hash()}


def op_authenticate(req):
    """ModelBackend through django.contrib.auth.authenticate (may re-hash, as Django would)."""
    from django.contrib.auth import authenticate
    with hashers(req.get("hashers", "django51")):
        return user_dict(authenticate(None, username=req["username"], password=req["password"]))


def session_store():
    """The configured engine's SessionStore (db or cached_db)."""
    from importlib import import_module
    return import_module(settings.SESSION_ENGINE).SessionStore


def request_with_session(session_key=None):
    from django.http import HttpRequest
    request = HttpRequest()
    request.META["SERVER_NAME"] = "testserver"
    request.META["SERVER_PORT"] = "80"
    request.session = session_store()(session_key)
    return request


def op_login_session(req):
    """django.contrib.auth.login for a user (by username) into a new saved session; extra keys first."""
    from django.contrib.auth import login
    from django.contrib.auth.models import User
    request = request_with_session()
    for k, v in req.get("extra", {}).items():
        request.session[k] = v
    user = User.objects.get(username=req["username"])
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session.save()
    return request.session.session_key


def op_anonymous_session(req):
    """A saved session holding only the given keys (a visitor who is not logged in)."""
    request = request_with_session()
    for k, v in req["data"].items():
        request.session[k] = v
    request.session.save()
    return request.session.session_key


def op_load_session(req):
    """SessionStore(key).load(): the decoded data ({} when missing or bad, as Django reads it)."""
    return session_store()(req["session_key"]).load()


def op_get_user(req):
    """django.contrib.auth.get_user on the session (flushes it on a stale auth hash)."""
    from django.contrib.auth import get_user
    request = request_with_session(req["session_key"])
    user = get_user(request)
    out = user_dict(user)
    return {"user": out, "session_exists": request.session.exists(req["session_key"])}


def op_cached_session(req):
    """cached_db: Django's cache.get of the session's entry (None when absent), as load() reads it first."""
    from django.contrib.sessions.backends.cached_db import KEY_PREFIX
    from django.core.cache import caches
    return caches[settings.SESSION_CACHE_ALIAS].get(KEY_PREFIX + req["session_key"])


def op_logout(req):
    """django.contrib.auth.logout on the session: flush() (row, and cache entry in cached_db)."""
    from django.contrib.auth import get_user, logout
    request = request_with_session(req["session_key"])
    request.user = get_user(request)
    logout(request)
    return None


def op_delete_session_rows(req):
    """A queryset delete of the rows, behind every session engine's back (no cache touched)."""
    from django.contrib.sessions.models import Session
    return Session.objects.filter(session_key=req["session_key"]).delete()[0]


def op_validate_password(req):
    """Django's default validators' messages for a password and a would-be user."""
    from django.contrib.auth.models import User
    from django.contrib.auth.password_validation import validate_password, get_default_password_validators
    from django.core.exceptions import ValidationError
    from django.test.utils import override_settings
    V = "django.contrib.auth.password_validation."
    with override_settings(AUTH_PASSWORD_VALIDATORS=[
            {"NAME": V + "UserAttributeSimilarityValidator"}, {"NAME": V + "MinimumLengthValidator"},
            {"NAME": V + "CommonPasswordValidator"}, {"NAME": V + "NumericPasswordValidator"}]):
        get_default_password_validators.cache_clear()
        try:
            validate_password(req["password"], User(username=req["username"], email=req["email"]))
            return []
        except ValidationError as e:
            return list(e.messages)


def op_username_messages(req):
    """The username field's validation messages on Django's User model (NFKC first)."""
    from django.contrib.auth.models import User
    from django.core.exceptions import ValidationError
    field = User._meta.get_field("username")
    value = User.normalize_username(req["username"])
    try:
        field.clean(value, None)
        return {"normalized": value, "errors": []}
    except ValidationError as e:
        return {"normalized": value, "errors": list(e.messages)}


def op_reset_make(req):
    """A password reset link's parts as Django makes them (ts: seconds from 2001, else now)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.tokens import default_token_generator as g
    from django.utils.http import urlsafe_base64_encode
    user = get_user_model().objects.get(pk=req["user_id"])
    token = (g._make_token_with_timestamp(user, req["ts"]) if req.get("ts") is not None
             else g.make_token(user))
    return {"uid": urlsafe_base64_encode(str(user.pk).encode()), "token": token}


def op_reset_check(req):
    """default_token_generator.check_token for the user's current row."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.tokens import default_token_generator as g
    return g.check_token(get_user_model().objects.get(pk=req["user_id"]), req["token"])


OPS = {name[3:]: fn for name, fn in globals().items() if name.startswith("op_")}


def main():
    configure()
    from django.db import connection
    for line in sys.stdin:
        req = json.loads(line)
        try:
            out = {"result": OPS[req["op"]](req)}
        except Exception:
            out = {"error": traceback.format_exc()}
        finally:
            connection.close_if_unusable_or_obsolete()
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
