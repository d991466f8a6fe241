"""Benchmarks of beltacrawl's own cost, each runnable as ``python -m bench.<name> [--quick]``.

See docs/performance.md for what each measures, the targets and the latest figures.
"""
