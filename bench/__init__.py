"""Benchmarks: realistic data at scale, Tandem against bare Bolt, one results table.

Run ``make bench`` (or ``python -m bench``; ``--quick`` for the small sizes only).
Nothing here is imported by the bot or by the test suite's timing-free checks.
"""
