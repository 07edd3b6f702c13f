"""Reading typed fields out of a marked YAML mapping, collecting problems as we go."""
import re
from datetime import date

from portal.marked_yaml import MarkedDict, MarkedList, Problem

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KEY = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Fields:
    """Collects Problems for one file; every getter returns a usable default on error
    so that one pass finds every problem in the file."""

    def __init__(self, file: str, problems: list[Problem]):
        self.file = file
        self.problems = problems

    def problem(self, where, key: str, message: str) -> None:
        last = key.rsplit(".", 1)[-1].split("[", 1)[0]  # "people[2].lanes[1]" -> "lanes"
        line = where.line_of(last) if isinstance(where, MarkedDict) else getattr(where, "line", 0)
        self.problems.append(Problem(self.file, line, key, message))

    def mapping(self, parent, key: str, path: str, required: bool = True) -> MarkedDict:
        value = parent.get(key) if isinstance(parent, dict) else None
        if value is None:
            if required:
                self.problem(parent, path, "wajib diisi")
            empty = MarkedDict()
            empty.line, empty.key_lines = getattr(parent, "line", 0), {}
            return empty
        if not isinstance(value, MarkedDict):
            self.problem(parent, path, "harus berupa pemetaan (kunci: nilai)")
            empty = MarkedDict()
            empty.line, empty.key_lines = getattr(parent, "line", 0), {}
            return empty
        return value

    def items(self, parent, key: str, path: str, required: bool = False) -> list:
        value = parent.get(key) if isinstance(parent, dict) else None
        if value is None:
            if required:
                self.problem(parent, path, "wajib diisi")
            return []
        if not isinstance(value, list):
            self.problem(parent, path, "harus berupa daftar")
            return []
        return value

    def text(self, parent: MarkedDict, key: str, path: str, required: bool = True,
             max_len: int = 2000, default: str = "") -> str:
        value = parent.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(parent, path, "wajib diisi")
            return default
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.problem(parent, path, "harus berupa teks")
            return default
        value = str(value).strip()
        if len(value) > max_len:
            self.problem(parent, path, f"terlalu panjang (maksimal {max_len} karakter)")
            return value[:max_len]
        return value

    def pattern(self, parent: MarkedDict, key: str, path: str, regex, what: str, required: bool = True) -> str:
        value = self.text(parent, key, path, required=required, max_len=80)
        if value and not regex.match(value):
            self.problem(parent, path, f"{value!r} bukan {what}")
        return value

    def choice(self, parent: MarkedDict, key: str, path: str, allowed, required: bool = True,
               default: str | None = None) -> str | None:
        value = parent.get(key)
        if value is None:
            if required:
                self.problem(parent, path, "wajib diisi; pilihan: " + ", ".join(allowed))
            return default
        if str(value) not in allowed:
            self.problem(parent, path, f"{value!r} tidak dikenal; pilihan: " + ", ".join(allowed))
            return default
        return str(value)

    def integer(self, parent: MarkedDict, key: str, path: str, required: bool = True,
                minimum: int | None = None) -> int | None:
        value = parent.get(key)
        if value is None:
            if required:
                self.problem(parent, path, "wajib diisi")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(parent, path, f"{value!r} bukan bilangan bulat")
            return None
        if minimum is not None and value < minimum:
            self.problem(parent, path, f"harus paling sedikit {minimum}")
            return None
        return value

    def day(self, parent: MarkedDict, key: str, path: str) -> date | None:
        value = parent.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.problem(parent, path, f"{value!r} bukan tanggal (format TTTT-BB-HH)")
            return None

    def texts(self, parent: MarkedDict, key: str, path: str) -> list[str]:
        out = []
        for index, item in enumerate(self.items(parent, key, path)):
            if isinstance(item, (str, int, float)) and not isinstance(item, bool) and str(item).strip():
                out.append(str(item).strip())
            else:
                where = parent.get(key)
                line = where.item_lines[index] if isinstance(where, MarkedList) else parent.line_of(key)
                self.problems.append(Problem(self.file, line, f"{path}[{index + 1}]",
                                             "harus berupa teks yang tidak kosong"))
        return out

    def unknown_keys(self, parent: MarkedDict, allowed: set[str], path: str) -> None:
        for key in parent:
            if key not in allowed:
                where = f"{path}.{key}" if path else str(key)
                self.problem(parent, where, "kunci tidak dikenal; yang dikenal: " + ", ".join(sorted(allowed)))
