"""Results: from a priced solution to every table (prices, quantities, money, projects)."""

from abatelink.results.tables import TABLE_NAMES, tables

__all__ = ["TABLE_NAMES", "tables"]
