"""Speed and memory benchmarks (run with ./dev bench)."""
