"""Oversight across OPDs: the completeness and timeliness matrix, late work, the same
indicator compared across kab/kota, and charts."""
