"""Boleto core: the bank manuals' worked examples (brazil-banking.md §5-§7), errors and the CLI."""

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal

import pytest
from conftest import APP_DIR, ROOT

from fiber_onboarding.core.boleto import (
	BankAccount,
	Boleto,
	BoletoError,
	date_for_factor,
	decode,
	factor_for,
	generate,
)
from fiber_onboarding.core.boleto.banks import (
	bb_nn_dv,
	bradesco_nn_dv,
	caixa_dv,
	get_bank,
	santander_nn_dv,
	sicoob_nn_dv,
)
from fiber_onboarding.core.boleto.codes import general_dv, mod10

BB_BARCODE = "00192376900000135000000001238798777770016818"
BB_LINE = "00190.00009 01238.798779 77700.168188 2 37690000013500"
SANTANDER_LINE = "03399.02827 03356.661243 57800.201022 6 20460000027371"
SANTANDER_BARCODE = "03396204600000273719028203356661245780020102"


# -- factor ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
	"day,factor",
	[
		(date(2000, 7, 3), 1000),
		(date(2000, 7, 4), 1001),
		(date(2002, 5, 1), 1667),
		(date(2003, 5, 15), 2046),
		(date(2008, 2, 1), 3769),
		(date(2010, 11, 17), 4789),
		(date(2025, 2, 21), 9999),
		(date(2025, 2, 22), 1000),
		(date(2025, 2, 23), 1001),
		(date(2025, 2, 26), 1004),
		(date(2026, 1, 1), 1313),
		(date(2027, 1, 1), 1678),
		(date(2049, 10, 13), 9999),
		(date(2049, 10, 14), 1000),
	],
)
def test_factor_table(day, factor):
	assert factor_for(day) == factor


def test_factor_before_first_cycle_is_refused():
	with pytest.raises(BoletoError):
		factor_for(date(2000, 7, 2))


@pytest.mark.parametrize(
	"factor,today,expected",
	[
		(1000, date(2026, 1, 1), date(2025, 2, 22)),
		(9999, date(2024, 6, 1), date(2025, 2, 21)),
		(1313, date(2026, 1, 1), date(2026, 1, 1)),
		(3769, date(2008, 1, 10), date(2008, 2, 1)),
		(1000, date(2001, 1, 1), date(2000, 7, 3)),
	],
)
def test_windowed_decoding(factor, today, expected):
	assert date_for_factor(factor, today) == expected


def test_window_edges_and_gap():
	today = date(2026, 1, 1)
	low, high = today - timedelta(days=3000), today + timedelta(days=5500)
	assert date_for_factor(factor_for(low), today) == low
	assert date_for_factor(factor_for(high), today) == high
	# the day after the window's end has the factor of a date 8999 days earlier, outside the window too
	gap_day = high + timedelta(days=1)
	with pytest.raises(BoletoError) as exc:
		date_for_factor(factor_for(gap_day), today)
	assert "fora da janela" in str(exc.value)
	for bad in (999, 10000, 0):
		with pytest.raises(BoletoError):
			date_for_factor(bad, today)


# -- worked examples -----------------------------------------------------------------------------------------------


def test_bb_manual_example_round_trip():
	b = decode(BB_LINE, today=date(2008, 1, 15))
	assert b.barcode == BB_BARCODE
	assert b.bank_code == "001"
	assert b.amount == Decimal("135.00")
	assert b.due_date == date(2008, 2, 1)
	assert b.nosso_numero == "12387987777700168"
	assert b.free_field == "0000001238798777770016818"
	assert b.valid and b.problems == ()
	assert b.line_formatted == BB_LINE
	assert decode(BB_BARCODE, today=date(2008, 1, 15)) == b
	account = BankAccount("001", "1234", "5678", wallet="18", agreement="1238798")
	assert generate(account, 7777700168, date(2008, 2, 1), Decimal("135.00")) == b


def test_santander_manual_example():
	b = decode(SANTANDER_LINE, today=date(2003, 5, 1))
	assert b.barcode == SANTANDER_BARCODE
	assert b.amount == Decimal("273.71")
	assert b.due_date == date(2003, 5, 15)
	assert b.nosso_numero == "566612457800-2"
	assert b.valid
	account = BankAccount("033", "", "", wallet="102", beneficiary_code="0282033")
	assert generate(account, "566612457800", date(2003, 5, 15), "273.71") == b


def test_santander_nn_dv():
	assert santander_nn_dv("566612457800") == 2


def test_bradesco_nn_dv():
	assert bradesco_nn_dv("19" + "00000000002") == "8"
	assert bradesco_nn_dv("19" + "00000000001") == "P"
	b = generate(BankAccount("237", "1234", "7654321", wallet="19"), 1, date(2026, 3, 1), "10.00")
	assert b.nosso_numero == "19/00000000001-P"
	assert b.free_field == "1234" + "19" + "00000000001" + "7654321" + "0"
	assert decode(b.line, today=date(2026, 1, 1)) == b


def test_caixa_sigcb_examples():
	assert caixa_dv("14000000000000019") == 7
	assert caixa_dv("005507722213334777777777") == 1
	b = generate(
		BankAccount("104", "", "", beneficiary_code="005507"),
		222333777777777,
		date(2026, 5, 5),
		"1.00",
	)
	assert b.free_field == "005507" + "7" + "222" + "1" + "333" + "4" + "777777777" + "1"
	b2 = generate(
		BankAccount("104", "", "", beneficiary_code="005507"),
		19,
		date(2026, 5, 5),
		"1.00",
	)
	assert b2.nosso_numero == "14000000000000019-7"
	assert decode(b.line, today=date(2026, 5, 1)) == b


def test_itau_dacs():
	assert mod10("005712345") == 7  # agency/account DAC
	b = generate(
		BankAccount("341", "0057", "12345", wallet="110"),
		12345678,
		date(2026, 1, 1),
		"10.50",
	)
	assert b.nosso_numero == "110/12345678-8"
	assert b.free_field == "110" + "12345678" + "8" + "0057" + "12345" + "7" + "000"
	with pytest.raises(BoletoError):  # wrong account DV given
		generate(
			BankAccount("341", "0057", "12345", account_dv="3", wallet="110"),
			1,
			date(2026, 1, 1),
			"1.00",
		)
	with pytest.raises(BoletoError):  # special-layout wallet
		generate(
			BankAccount("341", "0057", "12345", wallet="198"),
			1,
			date(2026, 1, 1),
			"1.00",
		)


def test_itau_wallet_nn_only_dac():
	b = generate(
		BankAccount("341", "0057", "12345", wallet="126"),
		12345678,
		date(2026, 1, 1),
		"1.00",
	)
	assert b.free_field[11] == str(mod10("126" + "12345678"))


def test_bb_agreements_with_dv():
	assert bb_nn_dv("05009401448") == "1"  # the manual's table (its prose says 3: typo)
	b6 = generate(
		BankAccount("001", "1234", "99999", wallet="18", agreement="050094"),
		1448,
		date(2026, 2, 2),
		"5",
	)
	assert b6.nosso_numero == "05009401448-1"
	assert b6.free_field == "050094" + "01448" + "1234" + "00099999" + "18"
	b4 = generate(
		BankAccount("001", "1234", "99999", wallet="18", agreement="1234"),
		7,
		date(2026, 2, 2),
		"5",
	)
	assert b4.free_field == "1234" + "0000007" + "1234" + "00099999" + "18"
	assert b4.nosso_numero == "12340000007-" + bb_nn_dv("12340000007")
	for b in (b6, b4):
		assert decode(b.line, today=date(2026, 1, 1)) == b
	with pytest.raises(BoletoError):
		generate(
			BankAccount("001", "1234", "1", wallet="18", agreement="12345"),
			1,
			date(2026, 2, 2),
			"5",
		)


def test_bb_dv_x_for_remainder_10():
	# find an 11-digit NN whose remainder is 10 and check it prints X
	for seq in range(1, 200):
		nn = "050094" + str(seq).zfill(5)
		if bb_nn_dv(nn) == "X":
			break
	else:
		pytest.fail("no remainder-10 case found")
	b = generate(
		BankAccount("001", "1234", "1", wallet="18", agreement="050094"),
		seq,
		date(2026, 2, 2),
		"5",
	)
	assert b.nosso_numero.endswith("-X")


def test_sicoob_illustration():
	assert [sicoob_nn_dv("0001", "0000012345", nn) for nn in ("0000001", "0000002", "0000003")] == [0, 7, 4]
	b = generate(
		BankAccount("756", "0001", "", wallet="1", beneficiary_code="12345"),
		2,
		date(2026, 2, 2),
		"9",
	)
	assert b.free_field == "1" + "0001" + "01" + "0012345" + "0000002" + "7" + "001"
	assert b.nosso_numero == "0000002-7"
	assert decode(b.line, today=date(2026, 1, 1)) == b


def test_general_dv_never_zero_and_rule():
	# a body whose remainder is 0/1/10 gets DV 1
	found = set()
	for n in range(3000):
		body = "0019" + str(n).zfill(39)
		dv = general_dv(body)
		assert 1 <= dv <= 9
		total = sum(int(c) * w for c, w in zip(reversed(body), [2, 3, 4, 5, 6, 7, 8, 9] * 6, strict=False))
		r = total % 11
		assert dv == (1 if 11 - r in (0, 10, 11) else 11 - r)
		found.add(r)
	assert {0, 1, 10} <= found


# -- amounts ------------------------------------------------------------------------------------------------------

ACCOUNT = BankAccount("001", "1234", "5678", wallet="18", agreement="1238798")


def test_amount_limits_and_types():
	top = generate(ACCOUNT, 1, date(2026, 1, 1), Decimal("99999999.99"))
	assert top.barcode[9:19] == "9999999999"
	assert top.amount == Decimal("99999999.99")
	assert generate(ACCOUNT, 1, date(2026, 1, 1), "1.234,56").amount == Decimal("1234.56")
	assert generate(ACCOUNT, 1, date(2026, 1, 1), 7).amount == Decimal("7.00")
	for bad in (
		Decimal("100000000.00"),
		Decimal("0"),
		Decimal("-1"),
		Decimal("1.001"),
		1.5,
		"abc",
		Decimal("NaN"),
	):
		with pytest.raises(BoletoError):
			generate(ACCOUNT, 1, date(2026, 1, 1), bad)


def test_nosso_numero_overflow_and_bad_bank():
	with pytest.raises(BoletoError):
		generate(ACCOUNT, 10**10, date(2026, 1, 1), "1.00")
	with pytest.raises(BoletoError):
		generate(ACCOUNT, -1, date(2026, 1, 1), "1.00")
	with pytest.raises(BoletoError):
		generate(BankAccount("999", "1", "1"), 1, date(2026, 1, 1), "1.00")
	assert get_bank("1").code == "001"


def test_as_dict_is_json_ready():
	d = generate(ACCOUNT, 7777700168, date(2008, 2, 1), Decimal("135")).as_dict()
	assert json.loads(json.dumps(d))["amount"] == "135.00"
	assert d["due_date"] == "2008-02-01"
	assert d["valid"] is True


# -- decode errors --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
	"text,fragment",
	[
		("0019000009012387987797770016818823769000001350", "Tamanho inválido"),
		("00190.00009 01238.798779 77700.168188 2 3769000001350A", "não numérico"),
		("", "Informe"),
		("00190.00008 01238.798779 77700.168188 2 37690000013500", "campo 1"),
		("00190.00009 01238.798778 77700.168188 2 37690000013500", "campo 2"),
		("00190.00009 01238.798779 77700.168187 2 37690000013500", "campo 3"),
		("00190.00009 01238.798779 77700.168188 3 37690000013500", "geral"),
		("00190.00009 01238.798779 77700.168188 2 37690000013501", "geral"),
		("00193376900000135000000001238798777770016818", "geral"),
		("836200000005 667800481000 180975657313 001589636081", "arrecadação"),
	],
)
def test_decode_rejects(text, fragment):
	with pytest.raises(BoletoError) as exc:
		decode(text, today=date(2008, 1, 15))
	assert fragment in str(exc.value)


def test_decode_outside_window():
	with pytest.raises(BoletoError):
		decode(BB_LINE, today=date(2017, 1, 1))  # 3769: 2008-02-01 is too old, 2032-09-09 too far ahead
	assert decode(BB_LINE, today=date(2030, 1, 1)).due_date == date(2008, 2, 1) + timedelta(days=9000)


def test_bank_dv_mismatch_reported_not_raised():
	# Santander free field with a wrong NN DV but consistent general and field DVs
	from fiber_onboarding.core.boleto.codes import build_barcode, line_from_barcode

	barcode = build_barcode("033", 2046, 27371, "9028203356661245780030102")
	b = decode(line_from_barcode(barcode), today=date(2003, 5, 1))
	assert not b.valid
	assert "Santander" in b.problems[0]


def test_zero_factor_has_no_due_date():
	from fiber_onboarding.core.boleto.codes import build_barcode

	b = decode(build_barcode("104", 0, 100, "0055077222133347777777771"))
	assert b.due_date is None and b.valid and b.as_dict()["due_date"] is None


# -- CLI ------------------------------------------------------------------------------------------------------------


def run_cli(*args):
	env = dict(os.environ, PYTHONPATH=str(APP_DIR))
	return subprocess.run(
		[sys.executable, "-m", "fiber_onboarding.core.boleto", *args],
		capture_output=True,
		text=True,
		env=env,
		cwd=ROOT,
		timeout=60,
	)


def test_cli_decode_formatted_line():
	result = run_cli("decode", BB_LINE, "--today", "2008-01-15")
	assert result.returncode == 0, result.stderr
	data = json.loads(result.stdout)
	assert data["bank_code"] == "001"
	assert data["amount"] == "135.00"
	assert data["due_date"] == "2008-02-01"
	assert data["barcode"] == BB_BARCODE
	assert data["line"] == BB_LINE.replace(".", "").replace(" ", "")
	assert data["valid"] is True


def test_cli_decode_split_arguments_and_barcode():
	assert run_cli("decode", *BB_LINE.split(" "), "--today", "2008-01-15").returncode == 0
	result = run_cli("decode", BB_BARCODE, "--today", "2008-01-15")
	assert json.loads(result.stdout)["line"].startswith("00190000090")


@pytest.mark.parametrize(
	"text,fragment",
	[
		("123", "Tamanho inválido"),
		(
			"00190.00009 01238.798779 77700.168188 3 37690000013500",
			"Dígito verificador geral",
		),
		("0019X000090123879877977700168188237690000013500", "não numérico"),
	],
)
def test_cli_invalid_input_exits_1(text, fragment):
	result = run_cli("decode", text, "--today", "2008-01-15")
	assert result.returncode == 1
	assert result.stdout == ""
	assert fragment in result.stderr


def test_cli_bad_today_exits_1():
	result = run_cli("decode", BB_LINE, "--today", "15/01/2008")
	assert result.returncode == 1
	assert "Erro" in result.stderr


def test_cli_encode():
	result = run_cli(
		"encode",
		"--bank", "001", "--agency", "1234", "--account", "5678", "--wallet", "18", "--agreement", "1238798",
		"--nosso-numero", "7777700168", "--due-date", "2008-02-01", "--amount", "135.00",
	)  # fmt: skip
	assert result.returncode == 0, result.stderr
	data = json.loads(result.stdout)
	assert data["barcode"] == BB_BARCODE
	assert data["line_formatted"] == BB_LINE
	bad = run_cli("encode", "--bank", "001", "--agreement", "1238798", "--wallet", "18", "--nosso-numero", "1",
		"--due-date", "2008-02-01", "--amount", "100000000.00")  # fmt: skip
	assert bad.returncode == 1 and "máximo" in bad.stderr


def test_boleto_is_frozen():
	b = decode(BB_BARCODE, today=date(2008, 1, 15))
	with pytest.raises(AttributeError):
		b.amount = Decimal("1")
	assert isinstance(b, Boleto)
