"""Benchmarks shipped with the runner (`rpa bench NAME`), each beside its reference."""
