"""Developer tools: the benchmarks, the search evaluation and the reliability runs.

They measure and test the archive from outside; the thin management commands of the same names
(benchmark_search, benchmark_pages, benchmark_typos, evaluate_search, reliability) run them.
Nothing the site runs (views, API, search, models, settings) imports this package.
"""
