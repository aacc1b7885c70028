"""django_models: tiny Django apps reproducing the two users_favoritemovie tables (test_migrations.py)."""
