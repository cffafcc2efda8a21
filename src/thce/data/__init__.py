"""Data layer: example formats, chat templates, quality checks, PHI, preprocessing, dataset building."""
