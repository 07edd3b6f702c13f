"""A signed figure as the pages show figures (the same Figures the live rows use), so
a signed period reads from its record and never from the live tables."""
from portal.indicators.capaian import CapaianResult
from portal.indicators.figures import Figures, angka, shown_realisasi_sd
from portal.signing.models import SignedFigure


def figures_of(figure: SignedFigure) -> Figures:
    capaian = CapaianResult(figure.capaian, figure.capaian_state, figure.capaian_rule, figure.capaian_rule_label,
                            figure.capaian_note or None)
    progres = None
    if figure.progres_state is not None:
        progres = CapaianResult(figure.progres, figure.progres_state, figure.capaian_rule, figure.capaian_rule_label)
    return Figures(shown_realisasi_sd(figure.realisasi_sd, figure.realisasi_sd_state, figure.realisasi_sd_predikat),
                   figure.realisasi_sd_note or None, capaian, progres, figure.kategori, figure.kategori_scale, True)


def realisasi_text(figure: SignedFigure, triwulan: int) -> str:
    """One quarter's signed realisasi as typed ("12,5", a predikat, "tidak berlaku")."""
    value = figure.value_of(triwulan)
    if value is None or not value.filled:
        return "belum diisi"
    if value.tidak_berlaku:
        return "tidak berlaku"
    return value.predikat or angka(value.nilai)
