"""The nea2018 generator: one module per source or concern, each with the numbers it supplies
and the sources.yaml keys they come from. Run it as `python data/nea2018/generate.py`."""
