"""Optical power readings: pass/fail per reading and the circuit's verdict (core, no frappe)."""

import subprocess
import sys
from decimal import Decimal

import pytest
from conftest import APP_DIR
from hypothesis import given
from hypothesis import strategies as st

from fiber_onboarding.core.optical import (
	FAIL,
	PASS,
	OpticalError,
	Thresholds,
	check_reading,
	classify,
	evaluate,
	format_dbm,
	thresholds,
	to_dbm,
)

LIMITS = thresholds(-25, -8)


def test_core_module_does_not_import_frappe():
	code = "import sys, fiber_onboarding.core.optical; sys.exit('frappe' in sys.modules)"
	result = subprocess.run([sys.executable, "-c", code], cwd=APP_DIR, check=False)
	assert result.returncode == 0


@pytest.mark.parametrize(
	"power, expected",
	[
		(-25, PASS),  # lower limit inclusive
		(-8, PASS),  # upper limit inclusive
		(-17.3, PASS),
		(-25.01, FAIL),
		(-7.99, FAIL),
		(-30, FAIL),
		(0, FAIL),
		("-12,5", PASS),  # pt-BR decimal comma typed by staff
		(Decimal("-24.999"), PASS),
	],
)
def test_classify(power, expected):
	assert classify(power, LIMITS) == expected


def test_float_from_database_compares_exactly():
	# -25.0 stored as a Float must equal the limit -25, and 0.1-style float noise must not push a value over
	assert classify(-25.0, thresholds(-25.0, -8.0)) == PASS
	assert classify(-8.1 + 0.1, thresholds(-25, -8)) == PASS  # -7.999999999999999: inside the window
	assert to_dbm(-25.0) == Decimal("-25.0")


def test_fail_details_are_pt_br_and_name_the_point():
	low = check_reading("CEO-03", -27.5, LIMITS)
	assert low.result == FAIL
	assert low.detail == "Ponto CEO-03: -27,50 dBm abaixo do mínimo de -25,00 dBm."
	high = check_reading("DIO cliente", -5, LIMITS)
	assert high.detail == "Ponto DIO cliente: -5,00 dBm acima do máximo de -8,00 dBm."
	assert check_reading("OLT", -15, LIMITS).detail == ""


def test_evaluate_all_pass():
	verdict = evaluate([("OLT", -12), ("CEO-01", -18.4), ("Cliente", -21)], LIMITS)
	assert verdict.ok
	assert verdict.problems == ()
	assert [r.result for r in verdict.results] == [PASS, PASS, PASS]


def test_evaluate_one_failure_blocks_and_lists_it():
	verdict = evaluate([("OLT", -12), ("Cliente", -26)], LIMITS)
	assert not verdict.ok
	assert [r.point for r in verdict.failing] == ["Cliente"]
	assert verdict.problems == ("Ponto Cliente: -26,00 dBm abaixo do mínimo de -25,00 dBm.",)


def test_evaluate_without_readings_is_not_ok():
	verdict = evaluate([], LIMITS)
	assert not verdict.ok
	assert verdict.problems == ("Nenhuma leitura de potência óptica registrada no circuito.",)


@pytest.mark.parametrize("bad", [None, "", "  ", "abc", float("nan"), float("inf"), True, -61, 31, "1e400"])
def test_invalid_readings_rejected(bad):
	with pytest.raises(OpticalError):
		to_dbm(bad)


def test_thresholds_must_be_ordered():
	with pytest.raises(OpticalError, match="mínimo"):
		thresholds(-8, -25)
	with pytest.raises(OpticalError):
		Thresholds(Decimal("-10"), Decimal("-10"))


def test_format_dbm():
	assert format_dbm(Decimal("-25")) == "-25,00 dBm"
	assert format_dbm(Decimal("-7.456")) == "-7,46 dBm"
	assert format_dbm(Decimal("-0.001")) == "0,00 dBm"


@given(
	lo=st.decimals(min_value=-59, max_value=0, places=2),
	width=st.decimals(min_value="0.01", max_value=29, places=2),
	power=st.decimals(min_value=-60, max_value=30, places=2),
)
def test_classify_matches_window(lo, width, power):
	limits = thresholds(lo, lo + width)
	assert (classify(power, limits) == PASS) == (limits.min_dbm <= power <= limits.max_dbm)
	verdict = evaluate([("p", power)], limits)
	assert verdict.ok == (classify(power, limits) == PASS)
