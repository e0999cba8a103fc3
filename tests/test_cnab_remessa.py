"""CNAB remessa of the six banks in CNAB 240 and 400: every remessa written is read back (``read_remessa`` and the
``inspect`` CLI) and checked field by field — counts, totals, sequences, titles; bad input refused in pt-BR."""

import json
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest

from fiber_onboarding.core.boleto import generate
from fiber_onboarding.core.cnab import (
	SUPPORTED,
	Agreement,
	BankAccount,
	CnabError,
	Payer,
	RemessaError,
	RemessaItem,
	TitleError,
	manuals,
	read_remessa,
	read_retorno,
	retorno_key,
	write_remessa,
)
from fiber_onboarding.core.cnab.__main__ import main

DOC = "11.222.333/0001-81"
NAME = "Fibra Rápida Telecom"
AGREEMENTS = {
	"001": Agreement(BankAccount("001", "1234", "56789", wallet="17-019", agreement="1234567"), NAME, DOC),
	"341": Agreement(BankAccount("341", "0057", "12345", wallet="109"), NAME, DOC),
	"237": Agreement(
		BankAccount("237", "3381", "1234567", account_dv="8", wallet="09", agreement="4567890"),
		NAME,
		DOC,
		transmission_code="00000000000004567890",
		agency_dv="2",
	),
	"104": Agreement(BankAccount("104", "1234", "", beneficiary_code="005507"), NAME, DOC, agency_dv="0"),
	"033": Agreement(
		BankAccount("033", "3001", "13000123", account_dv="4", wallet="101", beneficiary_code="0282033"),
		NAME,
		DOC,
		transmission_code="300100028203300",
	),
	"756": Agreement(
		BankAccount("756", "4133", "123456", account_dv="7", wallet="1", beneficiary_code="1234567"),
		NAME,
		DOC,
		agency_dv="3",
		beneficiary_dv="9",
	),
}
SANTANDER_400_CODE = "30010002820330001300"  # Santander's CNAB 400 código de transmissão has 20 digits
PAYERS = [
	Payer("Padaria São João Ltda", "11.222.333/0001-81", "Av. Paulista, 1000", "01310-100", "São Paulo", "SP", "Bela Vista"),
	Payer("Maria José da Conceição", "123.456.789-09", "Rua das Flores, 12", "30130-010", "Belo Horizonte", "mg"),
]  # fmt: skip
GENERATED = datetime(2026, 3, 2, 14, 5, 9)
CASES = [(bank, layout) for bank in sorted(SUPPORTED) for layout in (240, 400)]


def agreement(bank, layout):
	found = AGREEMENTS[bank]
	return replace(found, transmission_code=SANTANDER_400_CODE) if (bank, layout) == ("033", 400) else found


def items(n=4):
	return [
		RemessaItem(
			nosso_numero=100 + i,
			document_number=f"FAT-{i:05d}",
			due_date=date(2026, 3, 10 + i),
			amount=Decimal("150.00") + Decimal(i) / 4,
			issue_date=date(2026, 3, 2),
			payer=PAYERS[i % 2],
			fine_percent=Decimal("2") if i % 2 == 0 else Decimal("0"),
			monthly_interest_percent=Decimal("1"),
			movement="02" if i == n - 1 else "01",
		)
		for i in range(n)
	]


@pytest.mark.parametrize("bank,layout", CASES)
def test_remessa_is_read_back_field_by_field(bank, layout):
	ag, its = agreement(bank, layout), items()
	text = write_remessa(ag, its, 7, GENERATED, layout)
	assert text.endswith("\r\n") and text.isascii()
	lines = text[:-2].split("\r\n")
	assert all(len(line) == layout for line in lines)
	# the company as its layout identifies it: the CNPJ, or (no CNPJ in the detail) its code at the bank
	expect = {("001", 400): "1234567", ("237", 400): "4567890"}.get((bank, layout), DOC)
	remessa = read_remessa(text.encode("ascii"), expect_company=expect)
	assert (remessa.layout, remessa.bank_code) == (layout, bank)
	assert remessa.records == len(lines)
	assert remessa.generated_on == date(2026, 3, 2)
	assert remessa.file_sequence == (0 if (bank, layout) in (("341", 400), ("033", 400)) else 7)
	assert remessa.company_document.lstrip("0") == (
		"" if (bank, layout) == ("237", 400) else "11222333000181"
	)
	assert remessa.total_amount == sum(i.amount for i in its)
	assert len(remessa.items) == len(its)
	for title, item in zip(remessa.items, its, strict=True):
		assert title.nosso_numero == retorno_key(ag.account, item.nosso_numero)
		assert title.movement == item.movement
		assert title.document_number == item.document_number
		assert (title.due_date, title.issue_date, title.amount) == (
			item.due_date,
			item.issue_date,
			item.amount,
		)
		assert title.payer_document == "".join(c for c in item.payer.document if c.isdigit()).lstrip("0")
		assert (
			title.payer_name
			== item.payer.name.upper()
			.replace("Ã", "A")
			.replace("É", "E")
			.replace("Ç", "C")[: len(title.payer_name)]
		)
		assert title.payer_cep == item.payer.cep.replace("-", "")
		if bank == "104" and layout == 400:  # Caixa CNAB 400 carries the fine as an amount
			assert title.fine_amount == (item.amount * item.fine_percent / 100).quantize(Decimal("0.01"))
		else:
			assert title.fine_percent == (item.fine_percent or None)
		assert title.interest_value is not None and title.interest_value > 0


@pytest.mark.parametrize("bank,layout", CASES)
def test_remessa_inspected_by_the_cli(bank, layout, tmp_path, capsys):
	ag, its = agreement(bank, layout), items(3)
	path = tmp_path / "remessa.rem"
	path.write_bytes(write_remessa(ag, its, 9, GENERATED, layout).encode("ascii"))
	assert main(["inspect", str(path), "--json"]) == 0
	printed = json.loads(capsys.readouterr().out)
	assert (printed["kind"], printed["layout"], printed["bank_code"]) == ("remessa", layout, bank)
	assert printed["records"] == len(path.read_bytes().split(b"\r\n")) - 1
	assert printed["total_amount"] == f"{sum(i.amount for i in its):.2f}"
	assert [i["nosso_numero"] for i in printed["items"]] == [
		retorno_key(ag.account, i.nosso_numero) for i in its
	]
	assert [i["amount"] for i in printed["items"]] == [f"{i.amount:.2f}" for i in its]
	assert [i["due_date"] for i in printed["items"]] == [i.due_date.isoformat() for i in its]


def test_remessa_cli_from_json(tmp_path, capsys):
	spec = {
		"layout": 400,
		"file_sequence": 12,
		"generated_at": "2026-03-02T14:05:09",
		"agreement": {
			"bank_code": "237",
			"agency": "3381",
			"account": "1234567",
			"account_dv": "8",
			"wallet": "09",
			"company_name": NAME,
			"company_document": DOC,
			"transmission_code": "4567890",
		},
		"items": [
			{
				"nosso_numero": 55,
				"document_number": "FAT-55",
				"due_date": "2026-03-10",
				"amount": "99.90",
				"issue_date": "2026-03-02",
				"payer": {
					"name": "Padaria",
					"document": DOC,
					"cep": "01310100",
					"uf": "SP",
					"city": "São Paulo",
				},
				"fine_percent": "2",
				"monthly_interest_percent": "1",
			}
		],
	}
	source, output = tmp_path / "remessa.json", tmp_path / "remessa.rem"
	source.write_text(json.dumps(spec), encoding="utf-8")
	assert main(["remessa", str(source), "-o", str(output)]) == 0
	remessa = read_remessa(output.read_bytes())
	assert (remessa.bank_code, remessa.layout, remessa.file_sequence) == ("237", 400, 12)
	assert remessa.items[0].nosso_numero == "00000000055" and remessa.items[0].amount == Decimal("99.90")
	del spec["items"][0]["due_date"]
	source.write_text(json.dumps(spec), encoding="utf-8")
	assert main(["remessa", str(source)]) == 1
	assert "due_date" in capsys.readouterr().err


def test_retorno_key_is_the_boletos_nosso_numero():
	"""One source for the nosso número: the key's digits are the boleto's (core.boleto) printed nosso número."""
	for bank in sorted(SUPPORTED):
		account = AGREEMENTS[bank].account
		for sequence in (1, 100, 4321):
			printed = "".join(
				c
				for c in generate(account, sequence, date(2026, 3, 10), Decimal("10")).nosso_numero
				if c.isdigit()
			)
			key = retorno_key(account, sequence)
			assert key.lstrip("0") in printed, (bank, key, printed)


def test_manuals_named_for_every_bank_and_layout():
	named = manuals()
	assert sorted(named) == sorted(SUPPORTED)
	for layouts in named.values():
		assert all(len(layouts[size]) > 30 for size in (240, 400))


@pytest.mark.parametrize(
	"change,message",
	[
		(dict(layout=300), "Leiaute"),
		(dict(bank="999"), "não suportado"),
		(dict(sequence=0), "sequencial"),
		(dict(items=[]), "ao menos um título"),
		(dict(bank="237", agency_dv=""), "dígito verificador da agência"),
		(dict(bank="104", agency_dv=""), "dígito verificador da agência"),
		(dict(bank="756", layout=400, beneficiary_dv=""), "código do cliente"),
		(dict(bank="033", transmission_code="1" * 16), "transmissão"),
		(dict(bank="001", layout=400, convenio="123456"), "7 dígitos"),
		(dict(item=dict(amount=Decimal("0"))), "maior que zero"),
		(dict(item=dict(amount=Decimal("1.001"))), "casas decimais"),
		(dict(item=dict(due_date=date(2026, 3, 1))), "vencimento anterior"),
		(dict(item=dict(movement="09")), "movimento"),
		(dict(item=dict(payer=replace(PAYERS[0], cep="0131"))), "CEP"),
		(dict(item=dict(payer=replace(PAYERS[0], document="123"))), "CPF"),
		(dict(item=dict(nosso_numero=10**12)), "Nosso número"),
	],
)
def test_remessa_refuses_bad_data(change, message):
	bank = change.get("bank", "001")
	ag = AGREEMENTS.get(bank, AGREEMENTS["001"])
	if bank == "999":
		ag = replace(ag, account=replace(ag.account, bank_code="999"))
	for key in ("agency_dv", "beneficiary_dv", "transmission_code"):
		if key in change:
			ag = replace(ag, **{key: change[key]})
	if "convenio" in change:
		ag = replace(ag, account=replace(ag.account, agreement=change["convenio"]))
	its = change.get("items", [replace(items(1)[0], **change.get("item", {}))])
	with pytest.raises(RemessaError) as exc:
		write_remessa(ag, its, change.get("sequence", 1), GENERATED, change.get("layout", 240))
	assert message in str(exc.value)
	# a title's own data is a TitleError (the app leaves that boleto out); the agreement's or the file's is not
	assert isinstance(exc.value, TitleError) == ("item" in change)
	if "item" in change:
		assert (exc.value.index, exc.value.nosso_numero) == (1, its[0].nosso_numero)
		assert message in exc.value.reason and not exc.value.reason.startswith("título")


@pytest.mark.parametrize("bank,layout", CASES)
def test_title_error_names_the_title_and_its_reason(bank, layout):
	its = items(3)
	its[1] = replace(its[1], payer=replace(PAYERS[0], cep="0131"))
	with pytest.raises(TitleError) as exc:
		write_remessa(agreement(bank, layout), its, 1, GENERATED, layout)
	assert (exc.value.index, exc.value.nosso_numero) == (2, its[1].nosso_numero)
	assert exc.value.reason == "CEP do pagador '0131' inválido."
	assert str(exc.value) == f"título 2 (nosso número {its[1].nosso_numero}): CEP do pagador '0131' inválido."
	# without it, the others are written
	assert (
		len(read_remessa(write_remessa(agreement(bank, layout), its[::2], 1, GENERATED, layout)).items) == 2
	)


def test_remessa_is_not_a_retorno_and_other_company_refused():
	text = write_remessa(AGREEMENTS["237"], items(2), 3, GENERATED, 400)
	with pytest.raises(CnabError) as exc:
		read_retorno(text)
	assert (exc.value.line, exc.value.column) == (1, 2)
	with pytest.raises(CnabError) as exc:
		read_remessa(text, expect_company="7654321")
	assert "outra empresa" in exc.value.message and (exc.value.line, exc.value.column) == (1, 27)
	with pytest.raises(CnabError) as exc:  # Bradesco's CNAB 400 remessa detail has no CNPJ of the company
		read_remessa(text, expect_company="99.888.777/0001-61")
	assert "não foi possível conferir" in exc.value.message
	with pytest.raises(CnabError) as exc:
		read_remessa(write_remessa(AGREEMENTS["756"], items(2), 3, GENERATED, 400), "99.888.777/0001-61")
	assert "outra empresa" in exc.value.message
	text = write_remessa(AGREEMENTS["341"], items(2), 3, GENERATED, 240)
	with pytest.raises(CnabError) as exc:
		read_retorno(text)
	assert (exc.value.line, exc.value.column) == (1, 143)


def test_damaged_remessa_refused_with_line_and_column():
	text = write_remessa(AGREEMENTS["033"], items(2), 3, GENERATED, 240)
	lines = text[:-2].split("\r\n")
	lines[2] = lines[2][:90] + "X" + lines[2][91:]  # segment P, amount (86-100)
	with pytest.raises(CnabError) as exc:
		read_remessa("\r\n".join(lines))
	assert (exc.value.line, exc.value.column) == (3, 91)
	text = write_remessa(agreement("033", 400), items(2), 3, GENERATED, 400)
	lines = text[:-2].split("\r\n")
	lines[-1] = lines[-1][:1] + "000009" + lines[-1][7:]  # trailer: quantidade de documentos
	with pytest.raises(CnabError) as exc:
		read_remessa("\r\n".join(lines))
	assert (exc.value.line, exc.value.column) == (len(lines), 2)


@pytest.mark.parametrize("bank,layout", CASES)
def test_remessa_read_back_with_the_full_agreement(bank, layout):
	"""The read-back the app does: ``expect_company`` = the Agreement that wrote the file (bank, CNPJ, code)."""
	ag = agreement(bank, layout)
	remessa = read_remessa(write_remessa(ag, items(2), 7, GENERATED, layout), expect_company=ag)
	assert (remessa.bank_code, len(remessa.items)) == (bank, 2)


def test_santander_400_remessa_checks_the_transmission_code():
	"""Santander's CNAB 400 remessa header carries the 20-digit código de transmissão (27-46), not the conta
	cobrança (the retorno's identifier): it is compared with the agreement's transmission code."""
	ag = agreement("033", 400)
	text = write_remessa(ag, items(2), 3, GENERATED, 400)
	assert read_remessa(text, expect_company=ag).agreement == SANTANDER_400_CODE
	other = replace(ag, transmission_code="30010002820330009999")
	with pytest.raises(CnabError) as exc:
		read_remessa(text, expect_company=other)
	assert "outra empresa" in exc.value.message and (exc.value.line, exc.value.column) == (1, 27)
	# an agreement without a transmission code: the CNPJ in the details is what is checked
	assert read_remessa(text, expect_company=replace(ag, transmission_code="")).bank_code == "033"


def test_compiled_records_write_what_their_templates_say():
	"""Every record of every layout: the compiled f-string gives exactly ``template.format_map``."""
	from fiber_onboarding.core.cnab.banks import PROFILES_240, PROFILES_400
	from fiber_onboarding.core.cnab.fields import Record

	records = {
		id(value): value
		for profiles in (PROFILES_240, PROFILES_400)
		for profile in profiles.values()
		for value in vars(profile).values()
		if isinstance(value, Record)
	}
	records.update({id(r): r for r in (Record(20, "teste", ('1-4 = {"a}', "5-8 X t", "9-20 9 n")),)})
	assert len(records) > 12
	for record in records.values():
		for sample in ("Ab{}\\\"'", "", "X" * 500):
			values = {
				name: 7 if kind == "9" else sample for _s, _e, kind, name in record.fields if kind in "9X"
			}
			assert record.format(values) == record.template.format_map(values)
			bound = record.bind({k: v for i, (k, v) in enumerate(values.items()) if i % 2})
			assert bound.format(values) == bound.template.format_map(values)


def test_per_file_title_checks_agree_with_check_title():
	"""``title_checker`` (per-file caches) returns what ``check_title`` returns and refuses with its message, in its
	order (a title with several problems names the first), also when a bad payer or percentage repeats."""
	from fiber_onboarding.core.cnab.titles import check_title, title_checker

	bad_payer = replace(PAYERS[0], cep="0131", uf="X")
	base = items(4)
	variants = [
		dict(),
		dict(amount=Decimal("1.001")),
		dict(amount="12.34"),
		dict(amount=Decimal("NaN")),
		dict(amount=1.5),
		dict(fine_percent=Decimal("100")),
		dict(fine_percent=True),
		dict(fine_percent="2", monthly_interest_percent=1),
		dict(monthly_interest_percent=Decimal("sNaN")),
		dict(monthly_interest_percent=[1]),
		dict(payer=bad_payer),
		dict(payer=bad_payer, fine_percent=Decimal("-1")),
		dict(payer=replace(PAYERS[0], document="123"), amount=Decimal("0")),
		dict(payer=replace(PAYERS[1], name="  ")),
		dict(payer=replace(PAYERS[1], uf=["S", "P"])),
		dict(due_date=date(2026, 3, 1)),
		dict(due_date=datetime(2026, 3, 12)),
		dict(movement="09", amount=Decimal("0")),
	]
	check = title_checker()
	for round_ in range(2):  # the second time from the caches
		for n, change in enumerate(variants):
			item = replace(base[n % 4], **change)
			try:
				expected = check_title(n + 1, item)
			except Exception as exc:  # the same exception either way
				with pytest.raises(type(exc)) as got:
					check(n + 1, item)
				assert str(got.value) == str(exc), (round_, change)
			else:
				assert check(n + 1, item) == expected, (round_, change)


def test_per_file_bank_numbers_agree_with_the_boleto_core():
	"""BB keys, Sicoob and Bradesco nosso-número DVs computed with the account's share once per file give what the
	boleto core gives (and its refusals), for many sequences; daily interest in integers as in Decimals."""
	import random
	from decimal import ROUND_HALF_UP

	from fiber_onboarding.core.boleto.banks import bradesco_nn_dv
	from fiber_onboarding.core.cnab.banks import bb, bradesco, sicoob
	from fiber_onboarding.core.cnab.fields import daily_interest, digits

	rng = random.Random(16)
	sequences = [0, 1, 9, 10**7 - 1, 10**7, 10**10 - 1, 10**10, -1, "123", "12a", 1.0, True]
	sequences += [rng.randrange(10**11) for _ in range(500)] + list(range(2000))

	def outcome(fn, *args):
		try:
			return fn(*args)
		except Exception as exc:
			return type(exc), str(exc)

	for convenio in ("1234567", "123456", "1234", "12"):
		account = replace(AGREEMENTS["001"].account, agreement=convenio)
		keys = bb.Keys(account)
		for s in sequences:
			assert outcome(keys, s) == outcome(bb.key, account, s), (convenio, s)
	for coop, client in (("4133", "1234567"), ("0001", "9"), ("9999", "0"), ("41a3", "1")):
		account = replace(AGREEMENTS["756"].account, agency=coop, beneficiary_code=client)
		numbers = sicoob.Numbers(account)
		for s in sequences:
			assert outcome(numbers, s) == outcome(sicoob.nosso_numero, account, s), (coop, client, s)
	for wallet in ("09", "00", "99", "12"):
		for s in sequences[-2500:]:
			nn = digits(s, "Nosso número", 11)
			assert bradesco.nn_dv(wallet, nn) == bradesco_nn_dv(wallet + nn)
	rates = [Decimal(x).scaleb(-2) for x in range(0, 10000, 37)] + [
		Decimal("0.333"),
		Decimal("1E+1"),
		Decimal(2),
	]
	for rate in rates:
		for amount in [1, 2, 149999, 150000, 300000, 450000] + [rng.randrange(1, 10**13) for _ in range(50)]:
			decimal = (Decimal(amount) * rate / Decimal(3000)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
			assert daily_interest(amount, rate) == (int(max(decimal, 1)) if rate else 0), (amount, rate)


def test_santander_nosso_numero_dv_agrees_with_the_boleto_core():
	from fiber_onboarding.core.boleto.banks import santander_nn_dv
	from fiber_onboarding.core.cnab.banks import santander

	for s in [*range(3000), 10**12 - 1, 987654321012, 123456789012]:
		nn = str(s).zfill(12)
		assert santander.nn_dv(nn) == santander_nn_dv(nn)
	assert santander.nn_dv("12345") == santander_nn_dv("12345")


@pytest.mark.parametrize("bank,layout", CASES)
def test_a_field_too_long_names_its_record_and_positions(bank, layout):
	its = items(3)
	its[1] = replace(its[1], amount=Decimal("1E+20"))
	with pytest.raises(TitleError) as exc:
		write_remessa(agreement(bank, layout), its, 1, GENERATED, layout)
	assert (exc.value.index, exc.value.nosso_numero) == (2, its[1].nosso_numero)
	assert "amount '10000000000000000000000' não cabe nas posições" in exc.value.reason
	assert exc.value.reason.startswith("segmento P:" if layout == 240 else "registro detalhe")


def test_joined_records_write_each_record_with_its_renamed_fields():
	from fiber_onboarding.core.cnab.fields import Record, joined

	a = Record(12, "a", ('1-4 = {"a}', "5-8 X t", "9-12 9 n"))
	b = Record(8, "b", ("1-4 9 n", "5-8 X t"))
	format, size = joined((a, b), "\r\n", ({}, {"n": "m"}))
	assert size == 22
	assert format({"t": "ab\\c", "n": 7, "m": 12}) == '{"a}ab\\c0007\r\n0012ab\\c'
	assert len(format({"t": "x", "n": 12345, "m": 1})) == size + 1


def test_itau_nosso_numero_dac_agrees_with_the_boleto_core():
	import random

	from fiber_onboarding.core.boleto.codes import mod10
	from fiber_onboarding.core.cnab.banks import itau

	rng = random.Random(341)
	for wallet in ("109", "126", "175", "168"):
		for agency, acct in (("0057", "12345"), ("9999", "00000"), ("1234", "98765")):
			prefix = mod10(wallet if wallet in itau._BANK.WALLET_NN_ONLY else agency + acct + wallet)
			for s in [*range(300), 99_999_999, *(rng.randrange(10**8) for _ in range(300))]:
				nn = f"{s:08d}"
				assert itau.nn_dac(agency, acct, wallet, nn, prefix) == itau._BANK.nn_dac(
					agency, acct, wallet, nn
				)
