"""Pangkat and golongan ruang of a PNS (PP 99/2000): the official pairs, and reading a
typed or imported value. Pure.

A value is kept as "Pangkat (golongan)", e.g. "Pembina Utama Muda (IV/c)". A value naming a
pangkat and a golongan that do not belong together is refused, because it is printed in
the official documents' signature blocks; free text naming neither (an old value) is shown
as it is and may stay, never be typed anew.
"""
import re

PANGKAT = {
    "I/a": "Juru Muda", "I/b": "Juru Muda Tingkat I", "I/c": "Juru", "I/d": "Juru Tingkat I",
    "II/a": "Pengatur Muda", "II/b": "Pengatur Muda Tingkat I", "II/c": "Pengatur", "II/d": "Pengatur Tingkat I",
    "III/a": "Penata Muda", "III/b": "Penata Muda Tingkat I", "III/c": "Penata", "III/d": "Penata Tingkat I",
    "IV/a": "Pembina", "IV/b": "Pembina Tingkat I", "IV/c": "Pembina Utama Muda", "IV/d": "Pembina Utama Madya",
    "IV/e": "Pembina Utama",
}
CHOICES = [f"{name} ({golongan})" for golongan, name in PANGKAT.items()]
_GOLONGAN = re.compile(r"\b(IV|III|II|I)\s*/\s*([a-eA-E])\b")
_BY_NAME = {name.lower(): golongan for golongan, name in PANGKAT.items()}


def _name(text: str) -> str:
    text = re.sub(r"\btk\.?\s*", "tingkat ", text.lower())
    text = re.sub(r"[(),.;:-]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def is_legacy(text: str) -> bool:
    """Free text naming neither a pangkat nor a golongan of the list (an old value)."""
    text = (text or "").strip()
    return bool(text) and not _GOLONGAN.search(text) and _name(text) not in _BY_NAME


def read(text: str) -> tuple[str, str | None]:
    """(the value to keep, a problem or None). Empty stays empty; a recognised pangkat
    or golongan becomes "Pangkat (golongan)"; a mismatching pair is a problem; other text
    is returned as it is, with the problem that it names no pangkat of the list."""
    text = (text or "").strip()
    if not text:
        return "", None
    found = _GOLONGAN.search(text)
    golongan = f"{found.group(1)}/{found.group(2).lower()}" if found else None
    name = _name(_GOLONGAN.sub(" ", text))
    named = _BY_NAME.get(name) if name else None
    if golongan and named and named != golongan:
        return text, (f"Pangkat {PANGKAT[named]} adalah golongan {named}, bukan {golongan} "
                      f"(golongan {golongan}: {PANGKAT[golongan]}).")
    if golongan and name and not named:
        return text, f"{text!r} bukan pangkat golongan {golongan}; pilih dari daftar (golongan {golongan}: " \
                     f"{PANGKAT[golongan]})."
    chosen = golongan or named
    if chosen:
        return f"{PANGKAT[chosen]} ({chosen})", None
    return text, f"{text!r} bukan pangkat/golongan PNS; pilih dari daftar (mis. Pembina Utama Muda (IV/c))."
