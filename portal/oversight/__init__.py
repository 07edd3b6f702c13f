"""Oversight across OPDs: the completeness and timeliness matrix, late work, the same
indicator compared across kab/kota, charts, and the home page by person."""
