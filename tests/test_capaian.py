"""Unit tests for the capaian engine (pure functions, no app, no database).

Expected values are worked out by hand in the comments beside them.
"""

import dataclasses
import json
from decimal import Decimal, localcontext

import pytest

from portal.capaian.kategori import (
    KATEGORI_PERMENDAGRI_86_2017,
    OPINI_BPK,
    PREDIKAT_EVALUASI_SAKIP,
    PREDIKAT_SAKIP,
    Band,
    KategoriScale,
    OrdinalScale,
    PredikatTidakValid,
)
from portal.capaian.rules import (
    DEFAULT_RULES,
    NEGATIF,
    POSITIF,
    Rentang,
    RuleSet,
    average_capaian,
    classify_capaian,
    compute_capaian,
    compute_capaian_predikat,
    compute_capaian_triwulan,
    compute_serapan,
    format_angka,
    value_from_ratio,
)
from portal.capaian.values import (
    BELUM_DIISI,
    DIHITUNG,
    KUMULATIF,
    NILAI_AKHIR,
    RATA_RATA,
    TIDAK_BERLAKU,
    TIDAK_DAPAT_DIHITUNG,
    AngkaTidakValid,
    State,
    parse_angka,
    roll_up,
)

D = Decimal
INVERSE = RuleSet(negative_rule="inverse")
P = pytest.param


def ok(value, rule, *, note=None):
    """Expected fields of a computed result, for a readable equality check."""
    return {"value": D(value), "state": DIHITUNG, "rule": rule, "note": note}


def fields(result, keys):
    return {k: getattr(result, k) for k in keys}


# --- positive polarity ------------------------------------------------------


@pytest.mark.parametrize(
    ("r", "t", "expected"),
    [
        P(D(113), D(100), D(113), id="113_of_100_raw_kept"),
        P(D(100), D(100), D(100), id="exact"),
        P(D(45), D(50), D(90), id="90pct"),
        P(D(0), D(50), D(0), id="zero_is_a_real_value"),
        P(D("12.5"), D(10), D(125), id="decimal_input"),
        P(D(-2), D(5), D(-40), id="negative_R_not_floored"),
        P(113, 100, D(113), id="int_inputs_accepted"),
    ],
)
def test_positive_r_over_t(r, t, expected):
    res = compute_capaian(r, t, POSITIF)
    assert fields(res, ["value", "state", "rule", "rule_label", "note"]) == {
        "value": expected,
        "state": DIHITUNG,
        "rule": "positif",
        "rule_label": "Positif: R / T × 100",
        "note": None,
    }
    assert type(res.value) is Decimal


def test_positive_non_terminating_keeps_raw_and_rounds_for_display():
    res = compute_capaian(D(1), D(3), POSITIF)
    # 100 / 3 to the fixed 28 significant digits
    assert res.value == D("33.33333333333333333333333333")
    assert res.rounded == D("33.33")
    assert res.display() == "33,33"
    assert compute_capaian(D(2), D(3), POSITIF).rounded == D("66.67")


def test_no_exponent_form_in_raw_values():
    res = compute_capaian(D(1), D("0.5"), POSITIF)
    assert str(res.value) == "200"


def test_positive_t_zero_cannot_be_computed():
    res = compute_capaian(D(5), D(0), POSITIF)
    assert (res.value, res.state, res.rule) == (None, TIDAK_DAPAT_DIHITUNG, "positif")
    assert res.note == "T = 0, rumus R / T tidak dapat dihitung"
    assert res.display() == "Tidak dapat dihitung"


@pytest.mark.parametrize("polaritas", [POSITIF, NEGATIF])
def test_negative_target_is_flagged(polaritas):
    res = compute_capaian(D(-4), D(-2), polaritas)
    assert res.state == TIDAK_DAPAT_DIHITUNG
    assert res.note == "T negatif, rumus rasio tidak bermakna"


# --- negative polarity, default rule (2T - R) / T ---------------------------


@pytest.mark.parametrize(
    ("r", "t", "expected", "note"),
    [
        P(D(80), D(100), D(120), None, id="better_than_target"),  # (200-80)/100
        P(D(100), D(100), D(100), None, id="on_target"),
        P(D(150), D(100), D(50), None, id="worse"),  # (200-150)/100
        P(D(200), D(100), D(0), None, id="exactly_zero_no_floor_note"),
        P(
            D(250),
            D(100),
            D(0),
            "Hasil rumus -50,00 dibatasi minimal 0",  # (200-250)/100 = -50
            id="floored_at_zero",
        ),
        P(D("9.2"), D(8), D(85), None, id="kemiskinan_9_2_vs_8"),  # (16-9.2)/8
        P(D(0), D(10), D(200), None, id="R_zero"),  # (20-0)/10
    ],
)
def test_negative_default(r, t, expected, note):
    res = compute_capaian(r, t, NEGATIF)
    assert fields(res, ["value", "state", "rule", "note"]) == ok(expected, "negatif", note=note)
    assert res.rule_label == "Negatif: (2T - R) / T × 100, minimal 0"


@pytest.mark.parametrize("rules", [DEFAULT_RULES, INVERSE], ids=["default", "inverse"])
@pytest.mark.parametrize(("r", "expected"), [P(D(0), D(100), id="R_zero_100"), P(D(3), D(0), id="R_positive_0")])
def test_negative_t_zero(r, expected, rules):
    res = compute_capaian(r, D(0), NEGATIF, rules)
    assert fields(res, ["value", "state", "rule", "rule_label"]) == {
        "value": expected,
        "state": DIHITUNG,
        "rule": "negatif_t_nol",
        "rule_label": "Negatif, T = 0: 100 jika R = 0, selain itu 0",
    }


# --- negative polarity, tenant option "inverse" T / R -----------------------


@pytest.mark.parametrize(
    ("r", "t", "expected"),
    [
        P(D(8), D(10), D(125), id="better"),  # 10/8
        P(D(10), D(10), D(100), id="on_target"),
        P(D(20), D(10), D(50), id="worse"),  # 10/20
        P(D(1000), D(10), D(1), id="much_worse_never_negative"),
    ],
)
def test_negative_inverse(r, t, expected):
    res = compute_capaian(r, t, NEGATIF, INVERSE)
    assert fields(res, ["value", "state", "rule", "rule_label"]) == {
        "value": expected,
        "state": DIHITUNG,
        "rule": "negatif_inverse",
        "rule_label": "Negatif (pilihan daerah): T / R × 100",
    }


@pytest.mark.parametrize(
    ("r", "note"),
    [
        P(D(0), "R = 0, rumus T / R tidak dapat dihitung", id="R_zero_flagged"),
        P(D(-1), "R negatif, rumus T / R tidak bermakna", id="R_negative_flagged"),
    ],
)
def test_negative_inverse_flags(r, note):
    res = compute_capaian(r, D(10), NEGATIF, INVERSE)
    assert (res.value, res.state, res.rule, res.note) == (
        None,
        TIDAK_DAPAT_DIHITUNG,
        "negatif_inverse",
        note,
    )


# --- range targets ------------------------------------------------------------


@pytest.mark.parametrize(
    ("polaritas", "rules", "r", "expected", "rule"),
    [
        P(POSITIF, DEFAULT_RULES, D(7), D(100), "rentang", id="pos_inside"),
        P(POSITIF, DEFAULT_RULES, D(5), D(100), "rentang", id="pos_at_lower_bound"),
        P(POSITIF, DEFAULT_RULES, D(10), D(100), "rentang", id="pos_at_upper_bound"),
        P(POSITIF, DEFAULT_RULES, D(12), D(120), "rentang_positif", id="pos_above"),  # 12/10
        P(POSITIF, DEFAULT_RULES, D(4), D(80), "rentang_positif", id="pos_below"),  # 4/5
        P(NEGATIF, DEFAULT_RULES, D(7), D(100), "rentang", id="neg_inside"),
        P(NEGATIF, DEFAULT_RULES, D(12), D(80), "rentang_negatif", id="neg_above"),  # (20-12)/10
        P(NEGATIF, DEFAULT_RULES, D(4), D(120), "rentang_negatif", id="neg_below"),  # (10-4)/5
        P(NEGATIF, DEFAULT_RULES, D(25), D(0), "rentang_negatif", id="neg_above_floored"),
        P(NEGATIF, INVERSE, D(4), D(125), "rentang_negatif_inverse", id="inv_below"),  # 5/4
        P(NEGATIF, INVERSE, D(20), D(50), "rentang_negatif_inverse", id="inv_above"),  # 10/20
    ],
)
def test_range_target(polaritas, rules, r, expected, rule):
    res = compute_capaian(r, Rentang(D(5), D(10)), polaritas, rules)
    assert (res.value, res.state, res.rule) == (expected, DIHITUNG, rule)


def test_range_labels_and_notes():
    inside = compute_capaian(D(7), Rentang(D(5), D(10)), POSITIF)
    assert inside.rule_label == "Target rentang: 100 jika R di dalam rentang"
    assert inside.note == "R di dalam rentang 5–10"
    above = compute_capaian(D(12), Rentang(D(5), D(10)), POSITIF)
    assert above.rule_label == ("Target rentang, R di atas batas atas (T = batas atas): Positif: R / T × 100")
    assert above.note == "R di atas batas atas rentang 5–10"
    below = compute_capaian(D(4), Rentang(D("5.5"), D(10)), NEGATIF)
    assert below.rule_label.startswith("Target rentang, R di bawah batas bawah (T = batas bawah)")
    assert below.rounded == D("127.27")  # (11 - 4) / 5.5 = 127.2727...
    floored = compute_capaian(D(25), Rentang(D(5), D(10)), NEGATIF)
    assert floored.note == ("R di atas batas atas rentang 5–10; Hasil rumus -50,00 dibatasi minimal 0")


def test_range_lower_bound_zero_below_is_flagged_for_positive():
    res = compute_capaian(D(-1), Rentang(D(0), D(10)), POSITIF)
    assert (res.state, res.rule) == (TIDAK_DAPAT_DIHITUNG, "rentang_positif")


def test_range_single_point_behaves_as_target():
    assert compute_capaian(D(10), Rentang(D(10), D(10)), POSITIF).value == D(100)
    assert compute_capaian(D(12), Rentang(D(10), D(10)), POSITIF).value == D(120)


def test_range_validation():
    assert Rentang(5, 10) == Rentang(D(5), D(10))
    assert type(Rentang(5, 10).bawah) is Decimal
    with pytest.raises(ValueError, match="Batas bawah rentang melebihi batas atas"):
        Rentang(D(10), D(5))
    with pytest.raises(TypeError):
        Rentang(BELUM_DIISI, D(5))
    with pytest.raises(TypeError):
        Rentang(5.0, 10)


# --- value states ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("r", "t", "state", "note"),
    [
        P(BELUM_DIISI, D(100), BELUM_DIISI, None, id="R_blank"),
        P(TIDAK_BERLAKU, D(100), TIDAK_BERLAKU, None, id="R_tidak_berlaku"),
        P(D(50), TIDAK_BERLAKU, TIDAK_BERLAKU, None, id="T_tidak_berlaku"),
        P(D(50), BELUM_DIISI, TIDAK_DAPAT_DIHITUNG, "T belum diisi", id="T_blank"),
        P(BELUM_DIISI, BELUM_DIISI, BELUM_DIISI, None, id="both_blank"),
        P(TIDAK_BERLAKU, BELUM_DIISI, TIDAK_BERLAKU, None, id="tidak_berlaku_wins"),
        P(BELUM_DIISI, TIDAK_BERLAKU, TIDAK_BERLAKU, None, id="T_tidak_berlaku_wins"),
        P(
            TIDAK_DAPAT_DIHITUNG,
            D(100),
            TIDAK_DAPAT_DIHITUNG,
            "R tidak dapat dihitung",
            id="R_not_computable",
        ),
        P(
            D(1),
            TIDAK_DAPAT_DIHITUNG,
            TIDAK_DAPAT_DIHITUNG,
            "T tidak dapat dihitung",
            id="T_not_computable",
        ),
    ],
)
@pytest.mark.parametrize("polaritas", [POSITIF, NEGATIF])
def test_value_states_stay_distinct(r, t, state, note, polaritas):
    res = compute_capaian(r, t, polaritas)
    assert (res.value, res.state, res.note) == (None, state, note)
    assert res.rule == ("positif" if polaritas == POSITIF else "negatif")


def test_blank_and_zero_are_different():
    blank = compute_capaian(BELUM_DIISI, D(100), POSITIF)
    zero = compute_capaian(D(0), D(100), POSITIF)
    assert (blank.state, blank.value, blank.display()) == (BELUM_DIISI, None, "Belum diisi")
    assert (zero.state, zero.value, zero.display()) == (DIHITUNG, D(0), "0,00")
    na = compute_capaian(TIDAK_BERLAKU, D(100), POSITIF)
    assert na.display() == "Tidak berlaku"


@pytest.mark.parametrize(
    ("bad", "exc"),
    [
        P(0.5, TypeError, id="float"),
        P(None, TypeError, id="None"),
        P("12,5", TypeError, id="unparsed_text"),
        P(True, TypeError, id="bool"),
        P(DIHITUNG, TypeError, id="DIHITUNG_state"),
        P(D("NaN"), ValueError, id="NaN"),
        P(D("Infinity"), ValueError, id="Infinity"),
    ],
)
def test_invalid_inputs_are_refused(bad, exc):
    with pytest.raises(exc):
        compute_capaian(bad, D(100), POSITIF)
    with pytest.raises(exc):
        compute_capaian(D(100), bad, POSITIF)


def test_unknown_polarity():
    with pytest.raises(ValueError, match="Polaritas"):
        compute_capaian(D(1), D(1), "netral")


def test_result_is_frozen_and_as_value():
    res = compute_capaian(D(113), D(100), POSITIF)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.value = D(100)
    assert res.as_value() == D(113)
    assert compute_capaian(BELUM_DIISI, D(1), POSITIF).as_value() is BELUM_DIISI
    assert compute_capaian(D(1), D(0), POSITIF).as_value() is TIDAK_DAPAT_DIHITUNG


def test_arithmetic_ignores_callers_decimal_context():
    with localcontext() as ctx:
        ctx.prec = 3
        res = compute_capaian(D(1), D(3), POSITIF)
    assert res.value == D("33.33333333333333333333333333")


def test_state_strings_are_machine_codes():
    assert [str(s) for s in State] == [
        "dihitung",
        "belum_diisi",
        "tidak_berlaku",
        "tidak_dapat_dihitung",
    ]
    assert compute_capaian(BELUM_DIISI, D(1), POSITIF).state == "belum_diisi"


# --- predikat targets -------------------------------------------------------------


@pytest.mark.parametrize(
    ("scale", "r", "t", "rounded"),
    [
        P(OPINI_BPK, "WTP", "WTP", D("100.00"), id="bpk_equal"),
        P(OPINI_BPK, "WTP", "WDP", D("133.33"), id="bpk_better"),  # 4/3
        P(OPINI_BPK, "WDP", "WTP", D("75.00"), id="bpk_worse"),  # 3/4
        P(OPINI_BPK, "TMP", "WTP", D("25.00"), id="bpk_worst"),  # 1/4
        P(OPINI_BPK, "TW", "WDP", D("66.67"), id="bpk_tw_vs_wdp"),  # 2/3
        P(PREDIKAT_SAKIP, "BB", "BB", D("100.00"), id="sakip_equal"),
        P(PREDIKAT_SAKIP, "BB", "A", D("83.33"), id="sakip_worse"),  # 5/6
        P(PREDIKAT_SAKIP, "AA", "A", D("116.67"), id="sakip_better"),  # 7/6
        P(PREDIKAT_SAKIP, "D", "AA", D("14.29"), id="sakip_worst"),  # 1/7
        P(PREDIKAT_SAKIP, "CC", "B", D("75.00"), id="sakip_cc_vs_b"),  # 3/4
    ],
)
def test_predikat(scale, r, t, rounded):
    res = compute_capaian_predikat(r, t, scale)
    assert (res.state, res.rule, res.rounded) == (DIHITUNG, "predikat", rounded)


def test_predikat_raw_kept_label_and_note():
    res = compute_capaian_predikat(" wtp ", "WDP", OPINI_BPK)
    assert res.value == D("133.3333333333333333333333333")
    assert res.rule_label == "Predikat: skor R / skor T × 100 (skala Opini BPK)"
    assert res.note == "R = WTP (skor 4), T = WDP (skor 3)"


@pytest.mark.parametrize(
    ("r", "t", "state"),
    [
        P("", "WTP", BELUM_DIISI, id="R_empty_text"),
        P(BELUM_DIISI, "WTP", BELUM_DIISI, id="R_blank"),
        P(TIDAK_BERLAKU, "WTP", TIDAK_BERLAKU, id="R_tidak_berlaku"),
        P("WTP", "  ", TIDAK_DAPAT_DIHITUNG, id="T_blank"),
    ],
)
def test_predikat_states(r, t, state):
    res = compute_capaian_predikat(r, t, OPINI_BPK)
    assert (res.value, res.state) == (None, state)
    assert res.rule_label.endswith("(skala Opini BPK)")


def test_predikat_unknown_label():
    with pytest.raises(PredikatTidakValid) as err:
        compute_capaian_predikat("XYZ", "WTP", OPINI_BPK)
    assert isinstance(err.value, ValueError)
    assert str(err.value) == "Predikat tidak dikenal: 'XYZ' (pilihan: WTP, WDP, TW, TMP)"
    with pytest.raises(TypeError):
        compute_capaian_predikat(D(4), "WTP", OPINI_BPK)


def test_ordinal_scale_scores_and_round_trip():
    assert [OPINI_BPK.score(x) for x in ("WTP", "WDP", "TW", "TMP")] == [4, 3, 2, 1]
    assert [PREDIKAT_SAKIP.score(x) for x in ("AA", "A", "BB", "B", "CC", "C", "D")] == [
        7,
        6,
        5,
        4,
        3,
        2,
        1,
    ]
    assert OPINI_BPK.to_dict() == {"name": "Opini BPK", "levels": ["WTP", "WDP", "TW", "TMP"]}
    assert OrdinalScale.from_dict(json.loads(json.dumps(OPINI_BPK.to_dict()))) == OPINI_BPK
    custom = OrdinalScale.from_dict({"name": "Akreditasi", "levels": ["A", "B", "C"]})
    assert compute_capaian_predikat("B", "A", custom).rounded == D("66.67")  # 2/3


@pytest.mark.parametrize(
    "levels",
    [P(["A"], id="one_level"), P(["A", "a"], id="duplicate"), P(["A", " "], id="empty")],
)
def test_ordinal_scale_validation(levels):
    with pytest.raises(ValueError):
        OrdinalScale("x", tuple(levels))


# --- quarterly roll-up ------------------------------------------------------------

Q = [D(10), D(20), D(30), D(40)]


@pytest.mark.parametrize(
    ("sifat", "n", "expected"),
    [
        P(KUMULATIF, 1, D(10), id="kumulatif_tw1"),
        P(KUMULATIF, 2, D(30), id="kumulatif_tw2"),
        P(KUMULATIF, 3, D(60), id="kumulatif_tw3"),
        P(KUMULATIF, 4, D(100), id="kumulatif_tw4"),
        P(NILAI_AKHIR, 2, D(20), id="nilai_akhir_tw2"),
        P(NILAI_AKHIR, 4, D(40), id="nilai_akhir_tw4"),
        P(RATA_RATA, 2, D(15), id="rata_rata_tw2"),
        P(RATA_RATA, 4, D(25), id="rata_rata_tw4"),
    ],
)
def test_roll_up_full_data(sifat, n, expected):
    ru = roll_up(Q, n, sifat)
    assert (ru.value, ru.state, ru.blank, ru.note) == (expected, DIHITUNG, (), None)


@pytest.mark.parametrize(
    ("values", "n", "sifat", "value", "used", "blank"),
    [
        P([D(10), BELUM_DIISI, D(30), BELUM_DIISI], 3, KUMULATIF, D(40), (1, 3), (2,), id="kum_gap"),
        P([D(10), TIDAK_BERLAKU, D(30)], 3, KUMULATIF, D(40), (1, 3), (), id="kum_tidak_berlaku"),
        P([D(10), D(0), BELUM_DIISI], 3, KUMULATIF, D(10), (1, 2), (3,), id="kum_zero_counts"),
        P([D(10), D(20), BELUM_DIISI, BELUM_DIISI], 4, NILAI_AKHIR, D(20), (2,), (3, 4),
          id="akhir_latest_filled"),
        P([BELUM_DIISI, D(20)], 2, NILAI_AKHIR, D(20), (2,), (), id="akhir_earlier_blank_irrelevant"),
        P([D(5), D(0)], 2, NILAI_AKHIR, D(0), (2,), (), id="akhir_zero_is_latest"),
        P([D(7), TIDAK_BERLAKU], 2, NILAI_AKHIR, D(7), (1,), (), id="akhir_skips_tidak_berlaku"),
        P([D(80), BELUM_DIISI, D(90), TIDAK_BERLAKU], 4, RATA_RATA, D(85), (1, 3), (2,),
          id="rata_gap_and_tidak_berlaku"),
        P([D(1), D(2), D(2)], 3, RATA_RATA, D("1.666666666666666666666666667"), (1, 2, 3), (),
          id="rata_non_terminating"),
        P([D(10), D(0)], 2, RATA_RATA, D(5), (1, 2), (), id="rata_zero_counts"),
    ],
)  # fmt: skip
def test_roll_up_gaps(values, n, sifat, value, used, blank):
    ru = roll_up(values, n, sifat)
    assert (ru.value, ru.state, ru.used, ru.blank) == (value, DIHITUNG, used, blank)


def test_roll_up_note_names_blank_quarters():
    ru = roll_up([D(10), BELUM_DIISI, BELUM_DIISI, D(5)], 4, KUMULATIF)
    assert ru.note == "TW II, TW III belum diisi"


@pytest.mark.parametrize(
    ("values", "state"),
    [
        P([BELUM_DIISI, BELUM_DIISI], BELUM_DIISI, id="all_blank"),
        P([TIDAK_BERLAKU, TIDAK_BERLAKU], TIDAK_BERLAKU, id="all_tidak_berlaku"),
        P([TIDAK_BERLAKU, BELUM_DIISI], BELUM_DIISI, id="mixed_still_awaiting"),
    ],
)
@pytest.mark.parametrize("sifat", [KUMULATIF, NILAI_AKHIR, RATA_RATA])
def test_roll_up_nothing_filled(values, state, sifat):
    ru = roll_up(values, 2, sifat)
    assert (ru.value, ru.state, ru.used, ru.as_value()) == (None, state, (), state)


def test_roll_up_ignores_quarters_after_n():
    assert roll_up([D(1), BELUM_DIISI, D(100), D(100)], 2, KUMULATIF).value == D(1)


@pytest.mark.parametrize(
    ("values", "n", "sifat"),
    [
        P(Q, 0, KUMULATIF, id="n_zero"),
        P(Q, 5, KUMULATIF, id="n_five"),
        P(Q[:2], 3, KUMULATIF, id="n_beyond_values"),
        P(Q + [D(1)], 1, KUMULATIF, id="five_quarters"),
        P(Q, 2, "total", id="unknown_sifat"),
        P([TIDAK_DAPAT_DIHITUNG], 1, KUMULATIF, id="not_computable_quarter"),
    ],
)
def test_roll_up_invalid(values, n, sifat):
    with pytest.raises(ValueError):
        roll_up(values, n, sifat)


# --- capaian TW n and progress towards the annual target -----------------------------


def test_triwulan_positive_kumulatif():
    tw = compute_capaian_triwulan([D(25), D(30), BELUM_DIISI, BELUM_DIISI], 2, KUMULATIF, POSITIF, D(50), D(100))
    assert tw.realisasi_sd.value == D(55)
    assert (tw.capaian.value, tw.capaian.rule) == (D(110), "positif")  # 55 / 50
    assert tw.capaian.rule_label == "Positif: R / T × 100"
    assert tw.progres_tahunan.value == D(55)  # 55 / 100
    assert tw.progres_tahunan.rule_label == ("Progres terhadap target tahunan: Positif: R / T × 100")
    assert tw.capaian.note is None


def test_triwulan_gap_is_noted_in_both_figures():
    tw = compute_capaian_triwulan([D(25), BELUM_DIISI, D(30), BELUM_DIISI], 3, KUMULATIF, POSITIF, D(75), D(100))
    assert tw.capaian.rounded == D("73.33")  # 55 / 75
    assert tw.capaian.note == "TW II belum diisi"
    assert tw.progres_tahunan.note == "TW II belum diisi"


def test_triwulan_negative_nilai_akhir():
    # Angka kemiskinan: R s.d. TW II = 9,2; T s.d. TW II = 9; annual target 8.
    tw = compute_capaian_triwulan([D("9.5"), D("9.2"), BELUM_DIISI, BELUM_DIISI], 2, NILAI_AKHIR, NEGATIF, D(9), D(8))
    assert tw.capaian.rounded == D("97.78")  # (18 - 9.2) / 9 = 97.777...
    assert tw.progres_tahunan.value == D(85)  # (16 - 9.2) / 8
    assert tw.capaian.note is None  # TW III and IV lie after n, so nothing is missing


def test_triwulan_tw4_progress_equals_annual_capaian():
    tw = compute_capaian_triwulan([D(30)] * 4, 4, KUMULATIF, POSITIF, D(100), D(100))
    assert (tw.capaian.value, tw.progres_tahunan.value) == (D(120), D(120))


def test_triwulan_rata_rata_with_range_target():
    tw = compute_capaian_triwulan([D(6), D(14)], 2, RATA_RATA, POSITIF, Rentang(D(5), D(10)), Rentang(D(8), D(12)))
    assert tw.realisasi_sd.value == D(10)
    assert (tw.capaian.value, tw.capaian.rule) == (D(100), "rentang")
    assert (tw.progres_tahunan.value, tw.progres_tahunan.rule) == (D(100), "rentang")


def test_triwulan_nothing_entered():
    tw = compute_capaian_triwulan([BELUM_DIISI] * 4, 1, KUMULATIF, POSITIF, D(25), D(100))
    assert (tw.capaian.state, tw.progres_tahunan.state) == (BELUM_DIISI, BELUM_DIISI)
    assert tw.capaian.note is None


def test_triwulan_inverse_rule_passed_through():
    tw = compute_capaian_triwulan([D(0), D(0)], 2, KUMULATIF, NEGATIF, D(5), D(10), INVERSE)
    assert tw.capaian.state == TIDAK_DAPAT_DIHITUNG
    assert tw.capaian.note == "R = 0, rumus T / R tidak dapat dihitung"


# --- pembilang / penyebut ------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "persen", "expected", "rule"),
    [
        P(D(45), D(50), True, D(90), "rasio_persen", id="percent"),
        P(D(45), D(50), False, D("0.9"), "rasio", id="plain_ratio"),
        P(D(0), D(50), True, D(0), "rasio_persen", id="zero_numerator"),
        P(D(1), D(3), True, D("33.33333333333333333333333333"), "rasio_persen", id="third"),
        P(D(1234), D(1000), False, D("1.234"), "rasio", id="per_mille_satuan"),
    ],
)
def test_ratio(a, b, persen, expected, rule):
    res = value_from_ratio(a, b, persen)
    assert (res.value, res.state, res.rule) == (expected, DIHITUNG, rule)


def test_ratio_labels():
    assert value_from_ratio(D(1), D(2), True).rule_label == "Pembilang / Penyebut × 100"
    assert value_from_ratio(D(1), D(2), False).rule_label == "Pembilang / Penyebut"


@pytest.mark.parametrize(
    ("a", "b", "state", "note"),
    [
        P(D(5), D(0), TIDAK_DAPAT_DIHITUNG, "Penyebut = 0, tidak dapat dihitung", id="div_zero"),
        P(D(0), D(0), TIDAK_DAPAT_DIHITUNG, "Penyebut = 0, tidak dapat dihitung", id="zero_zero"),
        P(BELUM_DIISI, D(10), BELUM_DIISI, None, id="numerator_blank"),
        P(D(5), BELUM_DIISI, BELUM_DIISI, "Penyebut belum diisi", id="denominator_blank"),
        P(TIDAK_BERLAKU, D(10), TIDAK_BERLAKU, None, id="tidak_berlaku"),
    ],
)
def test_ratio_states(a, b, state, note):
    res = value_from_ratio(a, b, True)
    assert (res.value, res.state, res.note) == (None, state, note)


def test_ratio_feeds_capaian():
    r = value_from_ratio(D(45), D(50), True).as_value()  # 90 %
    assert compute_capaian(r, D(80), POSITIF).value == D("112.5")
    bad = value_from_ratio(D(45), D(0), True).as_value()
    res = compute_capaian(bad, D(80), POSITIF)
    assert (res.state, res.note) == (TIDAK_DAPAT_DIHITUNG, "R tidak dapat dihitung")


# --- serapan anggaran ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("realisasi", "pagu", "expected"),
    [
        P(D(750_000_000), D(1_000_000_000), D(75), id="75pct"),
        P(D(0), D(1_000_000), D(0), id="nothing_spent"),
        P(D(1_050_000), D(1_000_000), D(105), id="over_absorption_raw_kept"),
        P(D("333333.33"), D(1_000_000), D("33.333333"), id="rupiah_cents"),
    ],
)
def test_serapan(realisasi, pagu, expected):
    res = compute_serapan(realisasi, pagu)
    assert fields(res, ["value", "state", "rule", "rule_label"]) == {
        "value": expected,
        "state": DIHITUNG,
        "rule": "serapan",
        "rule_label": "Serapan: Realisasi Rp / Pagu × 100",
    }


@pytest.mark.parametrize(
    ("realisasi", "pagu", "state", "note"),
    [
        P(D(5), D(0), TIDAK_DAPAT_DIHITUNG, "Pagu = 0, serapan tidak dapat dihitung", id="pagu_0"),
        P(D(5), D(-1), TIDAK_DAPAT_DIHITUNG, "Pagu negatif, serapan tidak dapat dihitung",
          id="pagu_negative"),
        P(D(5), BELUM_DIISI, TIDAK_DAPAT_DIHITUNG, "Pagu belum diisi", id="pagu_blank"),
        P(BELUM_DIISI, D(100), BELUM_DIISI, None, id="realisasi_blank"),
        P(TIDAK_BERLAKU, D(100), TIDAK_BERLAKU, None, id="tidak_berlaku"),
    ],
)  # fmt: skip
def test_serapan_states(realisasi, pagu, state, note):
    res = compute_serapan(realisasi, pagu)
    assert (res.value, res.state, res.note) == (None, state, note)


# --- averaging into sasaran / OPD scores (the only place a cap applies) ------------


def results(*values):
    return [compute_capaian(D(v), D(100), POSITIF) for v in values]


def test_average_without_cap():
    res = average_capaian(results(113, 90, 70))
    assert fields(res, ["value", "state", "rule", "rule_label", "note"]) == {
        "value": D(91),  # 273 / 3
        "state": DIHITUNG,
        "rule": "rata_rata",
        "rule_label": "Rata-rata capaian indikator",
        "note": None,
    }


@pytest.mark.parametrize(
    ("cap", "values", "rounded", "note"),
    [
        P("100", (113, 90, 70), D("86.67"), "1 dari 3 capaian dibatasi 100%", id="cap_100"),
        P("120", (150, 113, 70), D("101.00"), "1 dari 3 capaian dibatasi 120%", id="cap_120"),
        P("120", (80, 90), D("85.00"), "0 dari 2 capaian dibatasi 120%", id="cap_unused"),
        P("100", (100, 100), D("100.00"), "0 dari 2 capaian dibatasi 100%", id="at_cap"),
    ],
)
def test_average_with_cap_is_labelled(cap, values, rounded, note):
    items = results(*values)
    res = average_capaian(items, RuleSet(cap=D(cap)))
    assert (res.rounded, res.rule, res.note) == (rounded, "rata_rata_dibatasi", note)
    assert res.rule_label == (f"Rata-rata capaian indikator, tiap capaian dibatasi maks. {cap}%")
    # The indicator figures themselves keep their raw values.
    assert [x.value for x in items] == [D(v) for v in values]


def test_average_skips_uncomputed_and_says_so():
    items = [compute_capaian(BELUM_DIISI, D(1), POSITIF), *results(80, 90)]
    items.append(compute_capaian(D(1), D(0), POSITIF))
    res = average_capaian(items)
    assert res.value == D(85)
    assert res.note == ("2 indikator tidak dihitung (belum diisi/tidak berlaku/tidak dapat dihitung)")


@pytest.mark.parametrize(
    "items",
    [P([], id="empty"), P([compute_capaian(BELUM_DIISI, D(1), POSITIF)], id="all_blank")],
)
def test_average_nothing_to_average(items):
    res = average_capaian(items, RuleSet(cap=D(120)))
    assert (res.value, res.state) == (None, TIDAK_DAPAT_DIHITUNG)
    assert res.note.startswith("Tidak ada capaian indikator yang dapat dihitung")


def test_average_accepts_only_results():
    with pytest.raises(TypeError):
        average_capaian([D(100), D(90)])


def test_average_of_predikat_and_numeric_results():
    items = [compute_capaian_predikat("WDP", "WTP", OPINI_BPK), *results(125)]
    assert average_capaian(items).value == D(100)  # (75 + 125) / 2


# --- kategori scales -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "label"),
    [
        P("-10", "Sangat Rendah", id="negative"),
        P("0", "Sangat Rendah", id="0"),
        P("50", "Sangat Rendah", id="50"),
        P("50.5", "Sangat Rendah", id="50.5"),
        P("50.994", "Sangat Rendah", id="50.994_shown_50,99"),
        P("50.995", "Rendah", id="50.995_shown_51,00"),
        P("51", "Rendah", id="51"),
        P("65", "Rendah", id="65"),
        P("65.5", "Rendah", id="65.5"),
        P("66", "Sedang", id="66"),
        P("75", "Sedang", id="75"),
        P("75.99", "Sedang", id="75.99"),
        P("76", "Tinggi", id="76"),
        P("90", "Tinggi", id="90"),
        P("90.5", "Tinggi", id="90.5"),
        P("90.994", "Tinggi", id="90.994_shown_90,99"),
        P("90.995", "Sangat Tinggi", id="90.995_shown_91,00"),
        P("91", "Sangat Tinggi", id="91"),
        P("113", "Sangat Tinggi", id="113"),
    ],
)
def test_kategori_permendagri_boundaries(value, label):
    assert KATEGORI_PERMENDAGRI_86_2017.classify(D(value)) == label


@pytest.mark.parametrize(
    ("value", "label"),
    [
        P("100", "AA", id="100"),
        P("90.01", "AA", id="90.01"),
        P("90", "A", id="90"),
        P("80.5", "A", id="80.5"),
        P("80", "BB", id="80"),
        P("70.01", "BB", id="70.01"),
        P("70", "B", id="70"),
        P("60.01", "B", id="60.01"),
        P("60", "CC", id="60"),
        P("50.01", "CC", id="50.01"),
        P("50", "C", id="50"),
        P("30.01", "C", id="30.01"),
        P("30", "D", id="30"),
        P("30.004", "D", id="30.004_shown_30,00"),
        P("0", "D", id="0"),
    ],
)
def test_predikat_evaluasi_sakip_boundaries(value, label):
    assert PREDIKAT_EVALUASI_SAKIP.classify(D(value)) == label


def test_classify_capaian():
    assert classify_capaian(compute_capaian(D(113), D(100), POSITIF)) == "Sangat Tinggi"
    assert classify_capaian(compute_capaian(D(2), D(3), POSITIF)) == "Sedang"  # 66.67
    assert classify_capaian(compute_capaian(BELUM_DIISI, D(3), POSITIF)) is None
    assert classify_capaian(compute_capaian(D(1), D(0), POSITIF)) is None
    score = average_capaian(results(95, 85))  # 90
    assert classify_capaian(score, PREDIKAT_EVALUASI_SAKIP) == "A"


def test_classify_refuses_float():
    with pytest.raises(TypeError):
        KATEGORI_PERMENDAGRI_86_2017.classify(90.5)


def test_tenant_scale_from_data():
    data = {
        "name": "Skala Kab. Contoh",
        "bands": [
            {"label": "Baik", "lower": "85"},
            {"label": "Cukup", "lower": 60},
            {"label": "Kurang", "lower": None},
        ],
    }
    scale = KategoriScale.from_dict(data)
    assert [scale.classify(D(v)) for v in ("85", "84.99", "60", "59.5")] == [
        "Baik",
        "Cukup",
        "Cukup",
        "Kurang",
    ]
    assert scale.bands[1] == Band("Cukup", D(60), True)


@pytest.mark.parametrize(
    "bands",
    [
        P([], id="no_bands"),
        P([Band("A", D(50)), Band("B", D(10))], id="last_band_bounded"),
        P([Band("A", D(50)), Band("B", D(60)), Band("C", None)], id="not_descending"),
        P([Band("A", D(50)), Band("B", D(50)), Band("C", None)], id="equal_bounds"),
        P([Band("A", None), Band("B", None)], id="two_open_bands"),
        P([Band("A", D(50)), Band("A", None)], id="duplicate_label"),
        P([Band(" ", D(50)), Band("B", None)], id="empty_label"),
    ],
)
def test_kategori_scale_validation(bands):
    with pytest.raises(ValueError):
        KategoriScale("x", tuple(bands))


@pytest.mark.parametrize("lower", ["abc", "NaN", True, [1]])
def test_kategori_from_dict_bad_bound(lower):
    with pytest.raises(ValueError):
        KategoriScale.from_dict({"name": "x", "bands": [{"label": "A", "lower": lower}]})


# --- RuleSet ---------------------------------------------------------------------------


def test_default_rules_to_dict():
    assert DEFAULT_RULES.to_dict() == {
        "version": 1,
        "negative_rule": "default",
        "cap": None,
        "kategori": {
            "name": "Permendagri 86/2017",
            "bands": [
                {"label": "Sangat Tinggi", "lower": "91", "inclusive": True},
                {"label": "Tinggi", "lower": "76", "inclusive": True},
                {"label": "Sedang", "lower": "66", "inclusive": True},
                {"label": "Rendah", "lower": "51", "inclusive": True},
                {"label": "Sangat Rendah", "lower": None, "inclusive": True},
            ],
        },
    }


@pytest.mark.parametrize(
    "rules",
    [
        P(DEFAULT_RULES, id="default"),
        P(RuleSet("inverse", PREDIKAT_EVALUASI_SAKIP, D("120")), id="inverse_sakip_cap120"),
        P(RuleSet(cap=D("100.5")), id="fractional_cap"),
    ],
)
def test_rules_json_round_trip(rules):
    frozen = json.dumps(rules.to_dict())
    assert RuleSet.from_dict(json.loads(frozen)) == rules


def test_rules_frozen_json_reproduces_results():
    frozen = json.dumps(RuleSet("inverse", KATEGORI_PERMENDAGRI_86_2017, D(120)).to_dict())
    rules = RuleSet.from_dict(json.loads(frozen))
    assert compute_capaian(D(8), D(10), NEGATIF, rules).value == D(125)  # T / R
    assert compute_capaian(D(0), D(10), NEGATIF, rules).state == TIDAK_DAPAT_DIHITUNG
    score = average_capaian(results(150, 90), rules)
    assert score.value == D(105)  # (120 + 90) / 2
    assert classify_capaian(score, rules.kategori) == "Sangat Tinggi"


def test_rules_from_dict_defaults_and_int_cap():
    rules = RuleSet.from_dict({"cap": 120})
    assert rules == RuleSet(cap=D(120))
    assert rules.kategori == KATEGORI_PERMENDAGRI_86_2017


@pytest.mark.parametrize(
    "data",
    [
        P({"negative_rule": "kebalikan"}, id="unknown_negative_rule"),
        P({"version": 2}, id="unknown_version"),
        P({"cap": "0"}, id="cap_zero"),
        P({"cap": "-5"}, id="cap_negative"),
        P({"cap": "abc"}, id="cap_text"),
    ],
)
def test_rules_from_dict_invalid(data):
    with pytest.raises(ValueError):
        RuleSet.from_dict(data)


def test_rules_are_frozen_and_refuse_float_cap():
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_RULES.cap = D(100)
    with pytest.raises(ValueError):
        RuleSet(cap=120.0)


# --- Indonesian number notation ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        P("12,5", D("12.5"), id="decimal_comma"),
        P("1.234,5", D("1234.5"), id="thousands_and_decimal"),
        P("1.234", D("1234"), id="thousands_only"),
        P("1.234.567,89", D("1234567.89"), id="millions"),
        P("1234", D("1234"), id="no_separators"),
        P("1234,56", D("1234.56"), id="no_thousands_dot"),
        P("0", D("0"), id="zero"),
        P("0,0", D("0"), id="zero_with_decimals"),
        P("-5", D("-5"), id="negative"),
        P("-1.234,5", D("-1234.5"), id="negative_thousands"),
        P("+7", D("7"), id="explicit_plus"),
        P("007", D("7"), id="leading_zeros"),
        P("  12,5  ", D("12.5"), id="surrounding_space"),
        P("\u00a012,5", D("12.5"), id="non_breaking_space"),
        P("1.500", D("1500"), id="dot_is_always_thousands"),
    ],
)
def test_parse_angka(text, expected):
    value = parse_angka(text)
    assert value == expected
    assert type(value) is Decimal


def test_parse_negative_zero_is_zero():
    assert str(parse_angka("-0")) == "0"


@pytest.mark.parametrize("text", ["", "   ", "\t\n"], ids=["empty", "spaces", "whitespace"])
def test_parse_blank_is_belum_diisi(text):
    assert parse_angka(text) is BELUM_DIISI


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "12.5",  # refused: a dot is a thousands separator, never a decimal point
        "1.23",
        "1.2345",
        "12.34.567",
        "1,234.5",
        ",5",
        "5,",
        "1,2,3",
        "1.234,5.6",
        "1 234",
        "12,5%",
        "-",
        "--5",
        "1e3",
        "NaN",
        "Infinity",
        "١٢",
    ],
)
def test_parse_invalid(text):
    with pytest.raises(AngkaTidakValid) as err:
        parse_angka(text)
    assert isinstance(err.value, ValueError)
    assert str(err.value) == "Angka tidak valid: gunakan format 1.234,5"
    assert err.value.text == text


def test_parse_requires_text():
    with pytest.raises(TypeError):
        parse_angka(12.5)


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        P(D("1234.56"), 2, "1.234,56", id="basic"),
        P(D("1234.5"), 2, "1.234,50", id="pads"),
        P(D("0"), 2, "0,00", id="zero"),
        P(D("113"), 2, "113,00", id="capaian"),
        P(D("1234567.891"), 2, "1.234.567,89", id="millions"),
        P(D("-1234.565"), 2, "-1.234,57", id="negative_half_away_from_zero"),
        P(D("0.005"), 2, "0,01", id="half_up"),
        P(D("0.004"), 2, "0,00", id="down"),
        P(D("-0.004"), 2, "0,00", id="no_negative_zero"),
        P(D("999.995"), 2, "1.000,00", id="carry_into_thousands"),
        P(1000, 2, "1.000,00", id="int"),
        P(D("1234.5"), 0, "1.235", id="no_decimals"),
        P(D("12.50"), None, "12,50", id="keep_digits"),
        P(D("1234"), None, "1.234", id="keep_integer"),
        P(D("0.125"), None, "0,125", id="keep_three_decimals"),
        P(D("1E+3"), None, "1.000", id="exponent_form"),
        P(D("1500000000000"), 2, "1.500.000.000.000,00", id="trillions_rupiah"),
    ],
)
def test_format_angka(value, places, text):
    assert format_angka(value, places) == text


def test_format_refuses_float():
    with pytest.raises(TypeError):
        format_angka(12.5)


@pytest.mark.parametrize(
    "value",
    ["0", "12.5", "1234.5", "-1234.56", "1234567.89", "0.01", "113", "-0.5"],
)
def test_round_trip_decimal_format_parse(value):
    assert parse_angka(format_angka(D(value))) == D(value)


@pytest.mark.parametrize("text", ["0,00", "12,50", "1.234,50", "-1.234,56", "1.234.567,89", "113,00"])
def test_round_trip_text_parse_format(text):
    assert format_angka(parse_angka(text)) == text


def test_round_trip_rounds_to_display_precision():
    assert parse_angka(format_angka(D("33.333333"))) == D("33.33")
