"""schemadoc: the FavoriteMovie model of the schema document (django-compat.md §3.3), app label "users"."""
