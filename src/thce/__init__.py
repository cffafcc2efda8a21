"""THCE: a toolkit for building small medical-coding language models.

Light on import: nothing here loads torch or transformers.
"""

__version__ = "0.1.0"
