"""Reports from a written run: Excel, Parquet and IAMC export, figures, one HTML report."""
