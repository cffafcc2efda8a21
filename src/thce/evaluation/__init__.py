"""THCE evaluation."""
