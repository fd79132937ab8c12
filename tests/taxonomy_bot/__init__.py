"""Fixture taxonomy (valid/, invalid/) and helpers shared by the taxonomy bot's tests."""
