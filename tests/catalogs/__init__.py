"""Catalogs that tests of more than one kind run on, kept as files: the local system reads them by
path, in-process tests by their text."""

from pathlib import Path

TIME_SCENARIOS = Path(__file__).with_name("time_scenarios.yaml")
