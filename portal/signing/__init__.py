"""Signed figures: what the Kepala signed, kept as a record that never changes."""
