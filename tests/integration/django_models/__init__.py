"""django_models: tiny Django apps reproducing the two users_favoritemovie tables, each with the README's watchlist (test_migrations.py)."""
