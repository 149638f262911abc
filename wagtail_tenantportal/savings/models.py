"""Models of the savings app."""
