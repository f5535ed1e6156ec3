"""training library."""
