"""apps.py: app config of the origin app's users app (BigAutoField ids), labelled "users"."""
from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "django_models.origin"
    label = "users"
    default_auto_field = "django.db.models.BigAutoField"
