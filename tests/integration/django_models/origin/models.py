"""models.py: the origin app's FavoriteMovie, which keeps a copy of each movie in the row, and the README's WatchlistMovie."""
from django.conf import settings
from django.db import models

from django_models.watchlist import WatchlistMovieBase


class FavoriteMovie(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    movie_id = models.IntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    title = models.CharField(max_length=255)
    overview = models.TextField()
    release_date = models.DateField()
    poster_path = models.CharField(max_length=255, null=True, blank=True)
    backdrop_path = models.CharField(max_length=255, null=True, blank=True)

    class Meta:
        db_table = "users_favoritemovie"
        unique_together = [("user", "movie_id")]


class WatchlistMovie(WatchlistMovieBase):
    """The README's model (django_models/watchlist.py)."""
