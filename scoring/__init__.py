"""scoring library."""
