"""Oversight decisions in plain functions: which cells a filter keeps, how rows sort,
the coordinator's indicator references and links."""
from dataclasses import replace

from portal.oversight.queries import Matrix, MatrixRow

SORTS = {
    "nama": lambda r: (r.name,),
    "pemda": lambda r: (r.pemda_name, r.name),
    "terlambat": lambda r: (-r.late_count, r.pemda_name, r.name),
    "disahkan": lambda r: (r.done_count, r.pemda_name, r.name),
}


def filter_matrix(m: Matrix, periode: str = "", status: str = "", late_only: bool = False,
                  sort: str = "pemda") -> Matrix:
    """Keep the chosen period column; keep rows with at least one cell of the chosen status
    (or late); sort. The percentages stay those of the whole tenant."""
    periods = m.periods
    if periode:
        kind, _, no = periode.partition("-")
        periods = [p for p in m.periods if p == (kind, int(no))]
    keep = {m.periods.index(p) for p in periods}
    rows: list[MatrixRow] = []
    for row in m.rows:
        cells = [c for i, c in enumerate(row.cells) if i in keep]
        matching = [c for c in cells if (not status or c.state == status) and (not late_only or c.late)]
        if (status or late_only) and not matching:
            continue
        rows.append(replace(row, cells=cells))
    rows.sort(key=SORTS.get(sort, SORTS["pemda"]))
    return replace(m, periods=periods, rows=rows)
