"""settings.py: Django's admin beside the C site: the same database, SECRET_KEY and session cookie.

Run under gunicorn behind the same nginx (nginx.conf.example's /admin/ and /static/admin/):
  DJANGO_SETTINGS_MODULE=django_admin.settings gunicorn django_admin.wsgi
Environment: SECRET_KEY, DATABASE_URL (the C workers' values), ALLOWED_HOSTS (comma-separated),
DJANGO_STATIC_ROOT (where collectstatic puts the admin's files; nginx serves them).
Sessions are Django's defaults, which the C program reads and writes: the database backend
(django_session), JSON serializer, cookie "sessionid" on path "/". The password hashers are
Django's defaults: give the C workers DJANGO_VERSION set to this Django's version, so neither
side re-hashes the other's logins (a changed hash would log the user out on the other side).
"""
import os

from django_models.run_django import database_settings

SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "django_admin.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
WSGI_APPLICATION = "django_admin.wsgi.application"
DATABASES = {"default": database_settings(os.environ["DATABASE_URL"])}
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
# nginx terminates TLS and says so; Django then checks the Referer of HTTPS form posts.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /static/admin/... comes from nginx (alias of STATIC_ROOT/admin/), never from the C workers.
STATIC_URL = "/static/"
STATIC_ROOT = os.environ.get("DJANGO_STATIC_ROOT", "/srv/movies/django-static")
