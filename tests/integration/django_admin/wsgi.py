"""wsgi.py: the WSGI entry point gunicorn runs (django_admin.wsgi:application)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "django_admin.settings")
application = get_wsgi_application()
