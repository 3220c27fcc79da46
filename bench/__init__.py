"""Benchmarks: each prints its figures; tests check behaviour, not timings."""
