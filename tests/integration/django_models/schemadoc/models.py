"""models.py: the schema document's FavoriteMovie (django-compat.md §3.3), and the README's WatchlistMovie."""
from django.conf import settings
from django.db import models

from django_models.watchlist import WatchlistMovieBase
from django.utils import timezone


class FavoriteMovie(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    movie_id = models.IntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "movie_id"],
                                               name="users_favoritemovie_user_movie_uniq")]
        indexes = [models.Index(fields=["created_at"], name="users_fav_created_idx")]


class WatchlistMovie(WatchlistMovieBase):
    """The README's model (django_models/watchlist.py)."""
