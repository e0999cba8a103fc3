"""Hypothesis: generate → decode round trips for the six banks, line ↔ barcode, corruption detection."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fiber_onboarding.core.boleto import BankAccount, BoletoError, decode, generate
from fiber_onboarding.core.boleto.codes import (
	barcode_from_line,
	general_dv,
	line_from_barcode,
)

ACCOUNTS = {
	"bb7": (BankAccount("001", "1234", "5678", wallet="17", agreement="1238798"), 10),
	"bb6": (BankAccount("001", "4321", "87654321", wallet="18", agreement="050094"), 5),
	"bb4": (BankAccount("001", "0001", "1", wallet="18", agreement="1234"), 7),
	"itau": (BankAccount("341", "0057", "12345", wallet="109"), 8),
	"itau126": (BankAccount("341", "0057", "12345", wallet="126"), 8),
	"bradesco": (BankAccount("237", "3381", "1234567", wallet="09"), 11),
	"caixa": (BankAccount("104", "", "", beneficiary_code="005507"), 15),
	"santander": (
		BankAccount("033", "", "", wallet="101", beneficiary_code="0282033"),
		12,
	),
	"sicoob": (
		BankAccount("756", "4133", "", wallet="1", beneficiary_code="1234567"),
		7,
	),
}

dates = st.dates(min_value=date(2000, 7, 3), max_value=date(2070, 12, 31))
amounts = st.integers(min_value=1, max_value=9_999_999_999).map(lambda c: Decimal(c).scaleb(-2))


@st.composite
def boletos(draw):
	name = draw(st.sampled_from(sorted(ACCOUNTS)))
	account, size = ACCOUNTS[name]
	seq = draw(st.integers(min_value=0, max_value=10**size - 1))
	due = draw(dates)
	return generate(account, seq, due, draw(amounts)), due


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(boletos(), st.integers(min_value=-5500, max_value=3000))
def test_generate_decode_round_trip(case, offset):
	boleto, due = case
	today = due + timedelta(days=offset)  # any "today" that keeps the due date inside the window
	assert decode(boleto.line, today=today) == boleto
	assert decode(boleto.barcode, today=today) == boleto
	assert decode(boleto.line_formatted, today=today) == boleto
	assert boleto.valid and boleto.problems == ()
	assert 1 <= int(boleto.barcode[4]) <= 9
	assert len(boleto.barcode) == 44 and len(boleto.line) == 47


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789", min_size=44, max_size=44))
def test_line_barcode_bijection(digits):
	barcode = digits[:4] + str(general_dv(digits[:4] + digits[5:])) + digits[5:]
	line = line_from_barcode(barcode)
	assert barcode_from_line(line) == barcode
	assert line_from_barcode(barcode_from_line(line)) == line


@settings(max_examples=60, deadline=None)
@given(boletos())
def test_every_single_digit_corruption_of_the_line_is_detected(case):
	"""Fields 1-3 are guarded by mod 10 and field 4 by the general DV: every substitution there is caught.

	Field 5 (factor + amount) is guarded only by the general mod-11 DV, whose remainders 0, 1 and 10 all map to
	digit 1: a substitution there can pass only when the printed general DV is 1 (both remainders in that class).
	"""
	boleto, due = case
	line = boleto.line
	for i in range(47):
		for d in "0123456789":
			if d == line[i]:
				continue
			corrupted = line[:i] + d + line[i + 1 :]
			try:
				decoded = decode(corrupted, today=due)
			except BoletoError:
				continue
			assert i >= 33, f"substitution at position {i + 1} went undetected"
			assert line[32] == "1"
			assert decoded.barcode != boleto.barcode


@pytest.mark.parametrize("name", sorted(ACCOUNTS))
def test_round_trip_extremes(name):
	account, size = ACCOUNTS[name]
	for seq in (0, 1, 10**size - 1):
		for due in (
			date(2000, 7, 3),
			date(2025, 2, 21),
			date(2025, 2, 22),
			date(2049, 10, 13),
		):
			for amount in (Decimal("0.01"), Decimal("99999999.99")):
				b = generate(account, seq, due, amount)
				assert decode(b.line, today=due) == b


@settings(max_examples=400, deadline=None)
@given(
	st.one_of(
		st.text(max_size=60),
		st.text(alphabet="0123456789", min_size=44, max_size=44),
		st.text(alphabet="0123456789", min_size=47, max_size=47),
		st.text(alphabet="0123456789 .", min_size=40, max_size=60),
	),
	st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 1, 1)),
)
def test_decode_any_text_raises_only_boleto_error(text, today):
	try:
		b = decode(text, today=today)
	except BoletoError as exc:
		assert exc.message and str(exc) == exc.message
		return
	assert len(b.barcode) == 44 and b.line_formatted.replace(".", "").replace(" ", "") == b.line
	assert decode(b.barcode, today=today) == b
