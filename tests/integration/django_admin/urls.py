"""urls.py: the admin, and nothing else (every other path belongs to the C workers)."""
from django.contrib import admin
from django.urls import path

urlpatterns = [path("admin/", admin.site.urls)]
