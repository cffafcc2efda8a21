"""THCE generation."""
