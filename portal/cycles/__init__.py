"""The measurement cycle: an OPD's SOP run as tasks for one period."""
