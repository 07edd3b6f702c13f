"""Column pieces every model module may use (no feature imports here)."""
from datetime import UTC, datetime


def utcnow() -> datetime:
    """Naive UTC, as every timestamp column stores it."""
    return datetime.now(UTC).replace(tzinfo=None)


def one_of(column: str, values) -> str:
    """SQL for a CHECK constraint: `column` holds one of `values` (an enum or a tuple)."""
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"
