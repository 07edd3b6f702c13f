"""Column pieces every model module may use (no feature imports here)."""
from portal.clock import utcnow  # noqa: F401 (naive UTC, as every timestamp column stores it; models import it here)


def one_of(column: str, values) -> str:
    """SQL for a CHECK constraint: `column` holds one of `values` (an enum or a tuple)."""
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"
