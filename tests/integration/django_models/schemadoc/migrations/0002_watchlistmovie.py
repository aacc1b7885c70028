# The README's WatchlistMovie, added beside the schema document's model.
from django.conf import settings
from django.db import migrations

from django_models.watchlist import operations as watchlist_operations


class Migration(migrations.Migration):

    dependencies = [migrations.swappable_dependency(settings.AUTH_USER_MODEL), ("users", "0001_initial")]

    operations = watchlist_operations()
