"""Factories for the six banks' CNAB integration tests: one Fiber Bank Agreement per bank and layout, with the
account data the bank-like test files carry, and retorno files of that bank and layout for our boletos.

The retorno records come from ``tests/data/cnab/bank_records.py`` (the core tier's test-data generator: records
written at the positions the banks' manuals print, independent of the app's CNAB layouts), so a wrong position in
the app's reader shows up here too.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import frappe

import fiber_onboarding

COMPANY_CNPJ = "11222333000181"  # the CNPJ the bank-like files carry (bank_records.COMPANY)
# Per bank: the agreement as the bank-like files state it (bank_records.BANKS[bank]["account"]) plus what the
# remessa header needs (tests/test_cnab_remessa.py AGREEMENTS); digits only, as Fiber Bank Agreement stores them
AGREEMENTS = {
	"001": {"agency": "1234", "account": "56789", "wallet": "17019", "agreement_code": "1234567"},
	"341": {"agency": "0057", "account": "12345", "wallet": "109"},
	"237": {
		"agency": "3381",
		"agency_dv": "2",
		"account": "1234567",
		"account_dv": "8",
		"wallet": "09",
		"agreement_code": "4567890",
		"transmission_code": "00000000000004567890",
	},
	"104": {"agency": "1234", "agency_dv": "0", "account": "0", "wallet": "1", "beneficiary_code": "005507"},
	"033": {
		"agency": "3001",
		"account": "13000123",
		"account_dv": "4",
		"wallet": "101",
		"beneficiary_code": "0282033",
		"transmission_code": "300100028203300",
	},
	"756": {
		"agency": "4133",
		"agency_dv": "3",
		"account": "123456",
		"account_dv": "7",
		"wallet": "1",
		"beneficiary_code": "1234567",
		"beneficiary_dv": "9",
	},
}
SANTANDER_400_CODE = "30010002820330001300"  # Santander's CNAB 400 código de transmissão has 20 digits
BANKS = tuple(AGREEMENTS)
LAYOUTS = (240, 400)


def bank_records():
	"""The core tier's bank-like record writer (``tests/data/cnab/bank_records.py`` of this clone)."""
	if "fo_bank_records" in sys.modules:
		return sys.modules["fo_bank_records"]
	root = Path(fiber_onboarding.__file__).resolve().parents[3]
	path = root / "tests" / "data" / "cnab" / "bank_records.py"
	spec = importlib.util.spec_from_file_location("fo_bank_records", path)
	module = importlib.util.module_from_spec(spec)
	sys.modules["fo_bank_records"] = module
	spec.loader.exec_module(module)
	return module


def ensure_agreement(bank: str, layout: int) -> str:
	"""An active Fiber Bank Agreement of ``bank`` and ``layout`` (registration by CNAB file)."""
	name = f"CNAB Teste {bank} {layout}"
	if frappe.db.exists("Fiber Bank Agreement", name):
		return name
	agreement_doc(bank, layout, name).insert(ignore_permissions=True)
	return name


def agreement_doc(bank: str, layout: int, name: str, **changes):
	"""A new (unsaved) Fiber Bank Agreement of ``bank`` and ``layout`` with the test files' account data."""
	site = frappe.get_doc(
		"Fiber Bank Agreement", frappe.db.get_single_value("Fiber Onboarding Settings", "bank_agreement")
	)
	values = dict(AGREEMENTS[bank])
	if (bank, layout) == ("033", 400):
		values["transmission_code"] = SANTANDER_400_CODE
	return frappe.get_doc(
		{
			"doctype": "Fiber Bank Agreement",
			"agreement_name": name,
			"company": site.company,
			"bank_account": site.bank_account,
			"is_active": 1,
			"bank_code": bank,
			"cnab_layout": f"CNAB {layout}",
			"registration_method": "CNAB File",
			"beneficiary_name": "Fibra Rapida Telecom",
			"beneficiary_cnpj": COMPANY_CNPJ,
			"next_nosso_numero": 1,
			**values,
			**changes,
		}
	)


def title(boleto, scenario: str, paid_on: str, credit_on: str = "", paid=None, pix=False) -> dict:
	"""One title of a bank-like retorno for ``boleto`` (scenario: entrada, liquidacao, baixa, rejeicao; dates
	DDMMYYYY)."""
	amount = f"{boleto.amount:.2f}"
	t = {"scenario": scenario, "seq": int(boleto.sequence), "doc": boleto.name[-10:], "title": amount}
	if scenario == "liquidacao":
		t.update({"paid": paid or amount, "net": paid or amount, "fees": "2.50"})
		t.update({"paid_on": paid_on, "credit_on": credit_on or paid_on})
	elif scenario in ("baixa", "rejeicao"):
		t["paid_on"] = paid_on
	if pix:
		t["pix"] = True
	return t


def retorno(bank: str, layout: int, titles: list[dict]) -> bytes:
	"""A retorno of ``bank`` in ``layout`` with ``titles`` (each with its own scenario), as the bank writes it."""
	rec = bank_records()
	spec = rec.BANKS[bank]
	if layout == 240:
		lines = rec.header_240(bank)
		seq = 1
		for t in titles:
			code = spec["codes240"][t["scenario"]]
			details = rec.detail_240(bank, seq, code, t, spec["motives240"].get(t["scenario"], ""))
			lines += details
			seq += len(details)
		lot_trailer = rec.Rec(240).put(1, bank).put(4, "0001").put(8, "5")
		lines.append(lot_trailer.put(18, str(len(lines)).zfill(6)).text())
		trailer = rec.Rec(240).put(1, bank).put(4, "9999").put(8, "9").put(18, "000001")
		lines.append(trailer.put(24, str(len(lines) + 1).zfill(6)).text())
		return ("\r\n".join(lines) + "\r\n").encode("ascii")
	records = [rec.header_400(bank)]
	for t in titles:
		code = spec["codes400"][t["scenario"]]
		records += rec.detail_400(bank, code, t, spec["motives400"].get(t["scenario"], ""))
	records.append(rec.trailer_400(bank, len(titles)))
	for number, r in enumerate(records, start=1):
		r.put(395, str(number).zfill(6))
	return ("\r\n".join(r.text() for r in records) + "\r\n").encode("ascii")
