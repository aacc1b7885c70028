"""watchlist.py: the README's WatchlistMovie (both test apps use it) and the migration that makes its table."""
from django.conf import settings
from django.db import migrations, models


class WatchlistMovieBase(models.Model):
    """The README's model, abstract here so each test app (label "users") can have it."""
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    movie_id = models.IntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        unique_together = [("user", "movie_id")]
        indexes = [models.Index(fields=["user", "-created_at"], name="users_watch_user_created_idx")]


# What makemigrations (Django 3.2) writes for it.
OPERATIONS = [
    migrations.CreateModel(
        name="WatchlistMovie",
        fields=[
            ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            ("movie_id", models.IntegerField()),
            ("created_at", models.DateTimeField(auto_now_add=True)),
            ("user", models.ForeignKey(on_delete=models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)),
        ],
    ),
    migrations.AddIndex(
        model_name="watchlistmovie",
        index=models.Index(fields=["user", "-created_at"], name="users_watch_user_created_idx"),
    ),
    migrations.AlterUniqueTogether(name="watchlistmovie", unique_together={("user", "movie_id")}),
]
