"""Settings shared by the whole suite.

Hypothesis (the property-based tests, tests/test_properties_*.py) runs
seeded and bounded: the same examples on every run and every machine, no
example database written into the checkout, no per-example deadline (a
loaded machine is not a failure).  Each test still states its own
``@settings(derandomize=True, max_examples=..., deadline=None)``.
"""

from hypothesis import settings

settings.register_profile("scratchnn", derandomize=True, database=None, deadline=None)
settings.load_profile("scratchnn")
