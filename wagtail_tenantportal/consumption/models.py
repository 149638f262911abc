"""Models of the consumption app."""
