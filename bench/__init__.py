"""`make bench`: seed PostgreSQL with 10k-1M tickets, load-test the pages, measure the sync pipeline.

Not an installed app and not imported by the help desk: gunicorn loads `bench.urls` only when the
benchmark sets ROOT_URLCONF=bench.urls. See docs/benchmarks.md.
"""
