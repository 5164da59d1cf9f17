"""Benchmarks and tools for measuring talks-bot against public IR test collections."""
