"""THCE training."""
