"""Quality and speed measurement: evaluation on question sets and IR collections, benchmarks."""
