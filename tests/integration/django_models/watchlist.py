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


def operations():
    """The migration that makes its table, read from the model above so the two cannot differ
    (makemigrations finds nothing to add). Called by the migrations, once the apps are loaded."""
    meta = WatchlistMovieBase._meta
    return [
        migrations.CreateModel(
            name="WatchlistMovie",
            fields=[("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                               verbose_name="ID"))]
            # makemigrations lists the relations last, so the table's columns come in that order.
            + [(f.name, f.clone()) for f in sorted(meta.local_fields, key=lambda f: f.is_relation)],
            options={"unique_together": set(meta.unique_together), "indexes": [i.clone() for i in meta.indexes]},
        ),
    ]
