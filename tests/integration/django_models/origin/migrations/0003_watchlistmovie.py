# The README's WatchlistMovie, added beside the origin app's FavoriteMovie.
from django.conf import settings
from django.db import migrations

from django_models.watchlist import operations as watchlist_operations


class Migration(migrations.Migration):

    dependencies = [migrations.swappable_dependency(settings.AUTH_USER_MODEL), ("users", "0002_favoritemovie_movie_copy")]

    operations = watchlist_operations()
