"""Validation: published results beside abatelink's, each on a setup built to match it.

`python -m abatelink.validation --out docs/validation.md` solves every setup and writes the
table: study, quantity, published result, abatelink's, whether direction and order agree, and
where and why they differ. A top-level stage like `compare`: it may use every stage up to
`run` and `compare`; nothing imports it.
"""

from abatelink.validation.document import generate, render

__all__ = ["generate", "render"]
