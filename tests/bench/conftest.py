"""Benchmarks run on demand (``make bench``), never under pytest: collect nothing here."""

collect_ignore_glob = ["*.py"]
