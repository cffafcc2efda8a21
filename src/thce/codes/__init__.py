"""Code systems."""
