"""Studies of many scenarios: sweeps on Dask, the outputs they keep, sensitivity analysis.

`sweep` runs a study's design in batches into a resumable Parquet store; `compiled` is the fast
path for studies that only move bounds; `outputs` reads the kept outputs of one solve;
`sensitivity` computes tornado, Morris and Sobol indices.
"""
