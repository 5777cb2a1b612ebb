"""The performance benchmark: `python -m llama_sql bench` (benchmark.py) times training (train_bench.py)
and generation against their baselines; memory_estimate.py is the GPU memory arithmetic on paper."""
