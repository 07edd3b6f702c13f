"""Days off beyond the national calendar: cuti bersama and hari libur daerah, kept per
tenant in the browser and inherited down the tree (a pemda's dates count for its OPDs)."""
