"""Benchmarks of the book's code: ``python -m benchmarks`` (see README.md here)."""
