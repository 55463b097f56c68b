"""Command-line tools for operators (``questline-catalog``)."""
