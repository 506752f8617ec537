"""Benchmarks: a synthetic data generator, wrk load scripts and an in-process profiler (docs/benchmarks.md)."""
