"""The benchmarks: search (build, size, latency; backends side by side), typo tolerance, pages."""
