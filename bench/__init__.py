"""`make bench`: latency and throughput of the running system, written to bench/results/."""
