"""origin: the origin app's FavoriteMovie (origin-app.md "Its real database"), app label "users"."""
