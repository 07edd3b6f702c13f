"""How a cell of an imported workbook is read: a formula by the result the file stored
with it (Excel and LibreOffice store it when they save; read with data_only), and a
formula without a stored result as Formula, which the import refuses with its row and
column, never as an empty cell."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Formula:
    """A formula cell whose file stores no result (written by a program that does not
    calculate): it cannot be read, so it is refused, never taken as empty."""

    text: str

    @property
    def message(self) -> str:
        return (f"berisi rumus {self.text} tanpa hasil tersimpan. Isi nilainya langsung, atau buka berkas di "
                "Excel/LibreOffice lalu simpan agar hasil rumus ikut tersimpan.")


def _formula_text(value) -> str | None:
    """The formula of a cell read without data_only: "=10+5", or an array formula's text."""
    text = getattr(value, "text", None) if not isinstance(value, str) else value
    return text if isinstance(text, str) and text.startswith("=") and len(text) > 1 else None


def cell_value(cached, formula):
    """The value of one cell: its stored value, or for a formula the result the file
    stored with it (`cached`, read with data_only); Formula when there is none."""
    text = _formula_text(formula)
    if text is not None and cached is None:
        return Formula(text)
    return cached
