"""django_admin: a minimal Django project serving only Django's admin, beside the C site (test_scale_out.py)."""
