"""apps.py: app config as startapp writes it (BigAutoField ids), labelled "users" like the real app."""
from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "django_models.schemadoc"
    label = "users"
    default_auto_field = "django.db.models.BigAutoField"
