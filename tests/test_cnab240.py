"""core.cnab240 (compatibility module over core.cnab): remessa writer (BB, Itaú), retorno parser, malformed files
rejected with line and column."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fiber_onboarding.core.boleto import BankAccount, generate
from fiber_onboarding.core.cnab240 import (
	CnabError,
	Payer,
	RemessaError,
	RemessaHeader,
	RemessaItem,
	build_remessa,
	parse_retorno,
	retorno_key,
)

BB = BankAccount("001", "1234", "56789", wallet="17-019", agreement="1234567")
ITAU = BankAccount("341", "0057", "12345", wallet="109")
PAYER = Payer(
	name="Padaria São João Ltda",
	document="11.222.333/0001-81",
	address="Av. Paulista, 1000 - conj. 12",
	cep="01310-100",
	city="São Paulo",
	uf="sp",
	neighborhood="Bela Vista",
)
GENERATED = datetime(2026, 3, 2, 14, 5, 9)


def header(account):
	return RemessaHeader(account, "Fibra Rápida Telecom S.A.", "12.ABC.345/01DE-35")


def items(n=3):
	return [
		RemessaItem(
			nosso_numero=100 + i,
			document_number=f"ACC-SINV-{i:05d}",
			due_date=date(2026, 3, 10),
			amount=Decimal("1500.00") + i,
			issue_date=date(2026, 3, 2),
			payer=PAYER,
			fine_percent=Decimal("2"),
			monthly_interest_percent=Decimal("1"),
		)
		for i in range(n)
	]


def split(text):
	assert text.endswith("\r\n")
	return text[:-2].split("\r\n")


# -- remessa ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("account", [BB, ITAU], ids=["bb", "itau"])
def test_remessa_structure(account):
	lines = split(build_remessa(header(account), items(3), 42, GENERATED))
	assert all(len(line) == 240 for line in lines)
	assert all(line.isascii() for line in lines)
	assert [line[7] for line in lines] == ["0", "1"] + ["3"] * 9 + ["5", "9"]
	assert [line[13] for line in lines[2:11]] == ["P", "Q", "R"] * 3
	assert all(line[0:3] == account.bank_code for line in lines)
	head = lines[0]
	assert head[142] == "1"  # remessa
	assert head[143:151] == "02032026" and head[151:157] == "140509"
	assert head[157:163] == "000042"  # NSA = file_sequence
	assert head[17] == "2" and head[18:32] == "12ABC34501DE35"
	assert lines[1][183:191] == "00000042"
	assert [int(line[8:13]) for line in lines[2:11]] == list(range(1, 10))
	assert int(lines[-2][17:23]) == 11  # lot: header + 9 details + trailer
	assert lines[-1][3:8] == "99999"
	assert int(lines[-1][17:23]) == 1 and int(lines[-1][23:29]) == len(lines)


@pytest.mark.parametrize("account", [BB, ITAU], ids=["bb", "itau"])
def test_remessa_title_fields(account):
	lines = split(build_remessa(header(account), items(1), 1, GENERATED))
	p, q, r = lines[2:5]
	assert p[77:85] == "10032026"  # due date
	assert p[85:100] == "000000000150000"  # R$ 1.500,00
	assert p[109:117] == "02032026"  # issue date
	assert p[118:126] == "11032026"  # interest from the day after the due date
	assert p[195:220].rstrip() == "ACC-SINV-00000"
	assert r[65] == "2" and r[66:74] == "11032026" and r[74:89] == "000000000000200"  # fine 2,00 %
	assert q[17] == "2" and q[18:33] == "000011222333000181"[-15:]
	assert q[33:63].rstrip() == "PADARIA SAO JOAO LTDA"
	assert q[73:113].rstrip() == "AV. PAULISTA, 1000 - CONJ. 12"
	assert q[128:136] == "01310100" and q[151:153] == "SP"
	boleto = generate(account, 100, date(2026, 3, 10), Decimal("1500.00"))
	if account.bank_code == "001":
		assert p[37:57].rstrip() == retorno_key(account, 100) == boleto.nosso_numero
		assert p[117] == "2" and p[126:141] == "000000000000100"  # taxa mensal 1,00 %
		assert lines[0][32:52] == "001234567" + "0014" + "17" + "019" + "  "
	else:
		# Itaú: carteira, nosso número and DAC equal to the boleto's free field
		assert p[37:49] == boleto.free_field[0:12]
		assert p[117] == "1" and p[126:141] == "000000000000050"  # R$ 0,50 a day (1 % a month / 30)
		assert p[36] == boleto.free_field[21]


def test_remessa_rejects_bad_data():
	good = items(1)[0]
	cases = [
		(header(BB), [good], 0),
		(header(BB), [good], 1_000_000),
		(header(BB), [], 1),
		(header(BankAccount("237", "1", "1", wallet="09")), [good], 1),
		(
			header(BankAccount("001", "1234", "5", wallet="17", agreement="1234567")),
			[good],
			1,
		),  # no variation
		(RemessaHeader(BB, "X", "123"), [good], 1),
	]
	bad_items = [
		dict(amount=Decimal("0")),
		dict(amount=Decimal("1.001")),
		dict(due_date=date(2026, 3, 1)),
		dict(nosso_numero=10**10),
		dict(payer=Payer("A", "123", "R", "01310100", "SP", "SP")),
		dict(payer=Payer("A", "11222333000181", "R", "0131010", "SP", "SP")),
		dict(payer=Payer("A", "11222333000181", "R", "01310100", "SP", "S")),
		dict(payer=Payer("", "11222333000181", "R", "01310100", "SP", "SP")),
		dict(fine_percent=Decimal("100")),
		dict(movement="09"),
	]
	for change in bad_items:
		values = {**good.__dict__, **change}
		cases.append((header(BB), [RemessaItem(**values)], 1))
	for head, its, seq in cases:
		with pytest.raises(RemessaError):
			build_remessa(head, its, seq, GENERATED)


# -- synthetic retorno built from our remessa -------------------------------------------------------------------


def put(line: str, start: int, value: str) -> str:
	"""Write ``value`` at 1-based ``start``."""
	return line[: start - 1] + value + line[start - 1 + len(value) :]


def money(value: str) -> str:
	return str(int(Decimal(value) * 100)).zfill(15)


def retorno_from_remessa(remessa: str, answers: list[dict], nsa=7) -> str:
	"""A bank-like retorno: per P segment of the remessa, a T/U pair with the given answer."""
	lines = split(remessa)
	bank = lines[0][0:3]
	head = put(put(lines[0], 143, "2"), 144, "05032026")
	head = put(head, 158, str(nsa).zfill(6))
	lot = put(put(lines[1], 9, "T"), 184, str(nsa).zfill(8))
	out = [head, lot]
	seq = 0
	p_lines = [line for line in lines if line[7] == "3" and line[13] == "P"]
	for p, answer in zip(p_lines, answers, strict=False):
		seq += 1
		t = bank + "0001" + "3" + str(seq).zfill(5) + "T" + " " + answer["code"]
		t = t.ljust(240)
		t = put(t, 18, p[17:37])  # agency/account block
		if bank == "341":
			t = put(t, 38, p[37:49])  # carteira + nosso número + DAC
			t = put(t, 59, p[62:72])  # document number (10)
		else:
			t = put(t, 38, p[37:57])  # identificação do título
			t = put(t, 58, p[57])
			t = put(t, 59, p[62:77])
		t = put(t, 74, p[77:85])  # due date
		t = put(t, 82, p[85:100])  # amount
		t = put(t, 97, "00000000")
		t = put(t, 199, money(answer.get("fee", "0")))
		t = put(t, 214, answer.get("motives", "").ljust(10 if bank == "001" else 8, "0"))
		seq += 1
		u = (bank + "0001" + "3" + str(seq).zfill(5) + "U" + " " + answer["code"]).ljust(240)
		u = put(u, 18, money(answer.get("interest", "0")))
		u = put(u, 33, "0" * 60)
		u = put(u, 78, money(answer.get("paid", "0")))
		u = put(u, 93, money(answer.get("net", "0")))
		u = put(u, 108, "0" * 30)
		u = put(u, 138, answer.get("paid_on", "00000000"))
		u = put(u, 146, answer.get("credit_on", "00000000"))
		out += [t, u]
	trailer = (bank + "0001" + "5" + " " * 9 + str(len(out)).zfill(6)).ljust(240, "0")
	out.append(trailer)
	out.append((bank + "9999" + "9" + " " * 9 + "000001" + str(len(out) + 1).zfill(6)).ljust(240))
	return "\r\n".join(out) + "\r\n"


ANSWERS = [
	{"code": "02"},
	{"code": "03", "motives": "0848"},
	{
		"code": "06",
		"paid": "1502.00",
		"net": "1498.50",
		"fee": "3.50",
		"interest": "0.00",
		"paid_on": "04032026",
		"credit_on": "05032026",
		"motives": "04",
	},  # fmt: skip
	{"code": "09", "motives": "10"},
	{
		"code": "17",
		"paid": "1530.00",
		"interest": "26.00",
		"paid_on": "20032026",
		"credit_on": "23032026",
	},
	{"code": "28", "fee": "1.20"},
]


@pytest.mark.parametrize("account", [BB, ITAU], ids=["bb", "itau"])
def test_remessa_to_retorno_round_trip(account):
	remessa = build_remessa(header(account), items(6), 7, GENERATED)
	retorno = parse_retorno(retorno_from_remessa(remessa, ANSWERS))
	assert retorno.bank_code == account.bank_code
	assert retorno.file_sequence == 7
	assert retorno.generated_on == date(2026, 3, 5)
	assert [i.nosso_numero for i in retorno.items] == [retorno_key(account, 100 + k) for k in range(6)]
	assert [i.status for i in retorno.items] == [
		"registered",
		"rejected",
		"paid",
		"cancelled",
		"paid",
		"other",
	]
	registered, rejected, paid, cancelled, late, fee = retorno.items
	assert registered.reason == "" and registered.amount_title == Decimal("1500.00")
	assert registered.payment_date is None and registered.credit_date is None
	assert rejected.reason == "Nosso número inválido; CEP inválido"
	assert rejected.reason_codes == ("08", "48")
	assert paid.amount_paid == Decimal("1502.00") and isinstance(paid.amount_paid, Decimal)
	assert paid.fees == Decimal("3.50") and paid.net_credit == Decimal("1498.50")
	assert paid.payment_date == date(2026, 3, 4) and paid.credit_date == date(2026, 3, 5)
	assert paid.amount_title == Decimal("1502.00")
	assert paid.reason == "Compensação eletrônica"
	assert cancelled.reason == "Comandada pelo cliente via arquivo"
	assert late.occurrence_code == "17" and late.interest == Decimal("26.00")
	assert late.amount_paid == Decimal("1530.00")
	assert fee.fees == Decimal("1.20") and fee.occurrence_text == "Débito de tarifas/custas"
	assert [i.line_number for i in retorno.items] == [3, 5, 7, 9, 11, 13]
	assert retorno.items[0].due_date == date(2026, 3, 10)
	# document number: 15 positions at BB, 10 at Itaú
	assert retorno.items[2].document_number == (
		"ACC-SINV-00002" if account.bank_code == "001" else "ACC-SINV-0"
	)


def test_retorno_accepts_lf_and_trailing_eof():
	remessa = build_remessa(header(BB), items(1), 7, GENERATED)
	text = retorno_from_remessa(remessa, ANSWERS[:1]).replace("\r\n", "\n") + "\x1a"
	assert len(parse_retorno(text).items) == 1
	assert len(parse_retorno("\ufeff" + text).items) == 1  # a byte-order mark decoded into the text


def test_remessa_unchanged_for_existing_callers():
	"""The compatibility module writes what core.cnab writes, and only for BB and Itaú (the CNAB registrar's)."""
	from fiber_onboarding.core.cnab import Agreement, write_remessa

	for account in (BB, ITAU):
		agreement = Agreement(account, "Fibra Rápida Telecom S.A.", "12.ABC.345/01DE-35")
		assert build_remessa(header(account), items(2), 5, GENERATED) == write_remessa(
			agreement, items(2), 5, GENERATED, 240
		)
	with pytest.raises(RemessaError):
		retorno_key(BankAccount("033", "", "", wallet="101", beneficiary_code="0282033"), 1)


# -- malformed files ----------------------------------------------------------------------------------------------


@pytest.fixture
def good_lines():
	remessa = build_remessa(header(BB), items(3), 7, GENERATED)
	return split(retorno_from_remessa(remessa, ANSWERS[:3]))


def join(lines):
	return "\r\n".join(lines) + "\r\n"


def error_of(lines) -> CnabError:
	with pytest.raises(CnabError) as exc:
		parse_retorno(join(lines) if isinstance(lines, list) else lines)
	return exc.value


def test_good_fixture_parses(good_lines):
	assert len(parse_retorno(join(good_lines)).items) == 3


def test_truncated_file(good_lines):
	err = error_of(good_lines[:-1])
	assert (err.line, err.column) == (
		len(good_lines),
		1,
	) and "trailer de arquivo" in err.message
	err = error_of(good_lines[:5])  # cut after a T segment
	assert err.line == 6 and "segmento U" in err.message
	err = error_of(good_lines[:6])  # cut after a pair: lot trailer missing
	assert err.line == 7 and "trailer" in err.message


def test_truncated_in_the_middle_of_a_line(good_lines):
	text = join(good_lines)
	err = error_of(text[: 242 * 4 + 100])  # four full lines with CR LF, then 100 characters
	assert (err.line, err.column) == (5, 101)


@pytest.mark.parametrize("k", [1, 2, 4, 7, 9])
def test_wrong_length_at_line_k(good_lines, k):
	short = list(good_lines)
	short[k - 1] = short[k - 1][:239]
	err = error_of(short)
	assert (err.line, err.column) == (k, 240)
	long = list(good_lines)
	long[k - 1] += "X"
	err = error_of(long)
	assert (err.line, err.column) == (k, 241)
	padded = list(good_lines)
	padded[k - 1] += "  "  # blanks past column 240 are tolerated (real bank files have them)
	assert len(parse_retorno(join(padded)).items) == 3


@pytest.mark.parametrize(
	"k,column,what",
	[
		(3, 82, "T amount"),
		(3, 200, "T fee"),
		(4, 80, "U paid amount"),
		(4, 139, "U payment date"),
		(1, 160, "header NSA"),
		(9, 20, "lot trailer count"),
		(10, 25, "file trailer count"),
		(3, 10, "T sequence"),
	],
)
def test_letter_in_numeric_field(good_lines, k, column, what):
	lines = list(good_lines)
	lines[k - 1] = put(lines[k - 1], column, "A")
	err = error_of(lines)
	assert (err.line, err.column) == (k, column), what
	assert "numérico" in err.message


@pytest.mark.parametrize(
	"k,column,value",
	[
		(3, 74, "31022026"),
		(4, 138, "32032026"),
		(4, 146, "05132026"),
		(1, 144, "00000000"),
	],
)
def test_bad_dates(good_lines, k, column, value):
	lines = list(good_lines)
	lines[k - 1] = put(lines[k - 1], column, value)
	err = error_of(lines)
	assert (err.line, err.column) == (k, column)
	assert "data" in err.message


def test_missing_trailer_and_counts(good_lines):
	err = error_of(good_lines[:-2] + good_lines[-1:])  # lot trailer missing
	assert (err.line, err.column) == (len(good_lines) - 1, 8)
	lines = list(good_lines)
	lines[-2] = put(lines[-2], 18, "000099")
	err = error_of(lines)
	assert (err.line, err.column) == (len(lines) - 1, 18) and "99" in err.message
	lines = list(good_lines)
	lines[-1] = put(lines[-1], 24, "000011")
	err = error_of(lines)
	assert (err.line, err.column) == (len(lines), 24)
	lines = list(good_lines)
	lines[-1] = put(lines[-1], 18, "000002")
	err = error_of(lines)
	assert (err.line, err.column) == (len(lines), 18)


def test_segment_u_without_t(good_lines):
	lines = good_lines[:2] + good_lines[3:]  # drop the first T
	err = error_of(lines)
	assert (err.line, err.column) == (3, 14) and "sem o segmento T" in err.message


def test_t_followed_by_t(good_lines):
	lines = list(good_lines)
	lines[3] = lines[4]  # the U at line 4 replaced by the next T
	err = error_of(lines)
	assert (err.line, err.column) == (4, 14)


def test_unknown_record_type_and_segment(good_lines):
	lines = list(good_lines)
	lines[4] = put(lines[4], 8, "4")
	err = error_of(lines)
	assert (err.line, err.column) == (5, 8) and "desconhecido" in err.message
	lines = list(good_lines)
	lines[4] = put(lines[4], 14, "Z")
	err = error_of(lines)
	assert (err.line, err.column) == (5, 14)


def test_other_structural_errors(good_lines):
	lines = list(good_lines)
	lines[5] = put(lines[5], 1, "341")
	assert (error_of(lines).line, error_of(lines).column) == (6, 1)
	lines = list(good_lines)
	lines[0] = put(lines[0], 143, "1")  # a remessa
	assert (error_of(lines).line, error_of(lines).column) == (1, 143)
	lines = list(good_lines)
	lines[4] = put(lines[4], 9, "00009")
	assert (error_of(lines).line, error_of(lines).column) == (5, 9)
	assert error_of([*good_lines, good_lines[-1]]).line == len(good_lines) + 1
	assert error_of(good_lines[1:]).line == 1
	assert error_of("").line == 1
	lines = list(good_lines)
	lines[3] = put(lines[3], 16, "09")
	assert (error_of(lines).line, error_of(lines).column) == (4, 16)
	lines = list(good_lines)
	lines[0] = put(lines[0], 1, "999")
	assert (error_of(lines).line, error_of(lines).column) == (1, 1)
	lines = list(good_lines)
	lines[0] = put(lines[0], 1, "237")  # a supported bank, but not the bank of the other lines
	assert (error_of(lines).line, error_of(lines).column) == (2, 1)


def test_error_message_names_line_and_column(good_lines):
	lines = list(good_lines)
	lines[2] = put(lines[2], 82, "X")
	err = error_of(lines)
	assert str(err).startswith("Linha 3, coluna 82:")


# -- fuzzing: a damaged file is either rejected with CnabError or parsed; never another exception ------------------


_REMESSA = build_remessa(header(BB), items(4), 7, GENERATED)
_RETORNO = retorno_from_remessa(_REMESSA, ANSWERS[:4])


@settings(
	max_examples=300,
	deadline=None,
	suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
	st.integers(min_value=0, max_value=len(_RETORNO) - 1),
	st.characters(codec="latin-1"),
)
def test_single_character_damage_never_crashes(position, char):
	damaged = _RETORNO[:position] + char + _RETORNO[position + 1 :]
	try:
		result = parse_retorno(damaged)
	except CnabError as exc:
		assert exc.line >= 1 and 1 <= exc.column <= 241
		return
	assert len(result.items) == 4  # damage in a free-text field: still a whole, consistent parse


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=len(_RETORNO) - 3))
def test_any_truncation_is_rejected(cut):
	with pytest.raises(CnabError):
		parse_retorno(_RETORNO[:cut])


def test_core_modules_never_import_frappe():
	import subprocess
	import sys

	from conftest import APP_DIR

	code = (
		"import sys; sys.modules['frappe'] = None\n"
		"import fiber_onboarding.core.boleto, fiber_onboarding.core.boleto.image, fiber_onboarding.core.boleto.__main__\n"
		"import fiber_onboarding.core.pix, fiber_onboarding.core.cnab240, fiber_onboarding.core.bankapi\n"
		"import fiber_onboarding.core.cnab, fiber_onboarding.core.cnab.__main__\n"
		"assert 'frappe' not in [m for m in sys.modules if sys.modules[m] is not None]\n"
	)
	result = subprocess.run(
		[sys.executable, "-c", code],
		cwd=APP_DIR,
		capture_output=True,
		text=True,
		timeout=60,
	)
	assert result.returncode == 0, result.stderr
