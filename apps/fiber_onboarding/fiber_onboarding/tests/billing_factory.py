"""Factories for the billing integration tests: a registered case (customer through the ERPNext adapter, its portal
user, proposal and project) and CNAB 240 return files written the way Banco do Brasil writes them.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import frappe
from frappe.utils import add_days, getdate, nowdate

from fiber_onboarding.adapters.erpnext_accounting import ensure_customer

LEGAL_CPF = "52998224725"


def check_digit(digits: list[int], weights: list[int]) -> int:
	r = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
	return 0 if r < 2 else 11 - r


def make_cnpj() -> str:
	"""A random valid numeric CNPJ (so every case gets its own ERPNext Customer)."""
	base = [random.randint(0, 9) for _ in range(8)] + [0, 0, 0, 1]
	dv1 = check_digit(base, [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2])
	dv2 = check_digit([*base, dv1], [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2])
	return "".join(map(str, [*base, dv1, dv2]))


def make_portal_user(email: str | None = None) -> str:
	"""A portal user holding Fiber Customer (created once per e-mail)."""
	email = email or f"cliente-{frappe.generate_hash(length=10)}@cliente.example.com"
	if not frappe.db.exists("User", email):
		user = frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": "Cliente",
				"user_type": "Website User",
				"send_welcome_email": 0,
			}
		)
		user.insert(ignore_permissions=True)
		user.add_roles("Fiber Customer")
	return email


def make_proposal(cnpj: str, setup_fee="1500.00") -> str:
	doc = frappe.get_doc(
		{
			"doctype": "Fiber Proposal",
			"proposal_number": f"PROP-{frappe.generate_hash(length=8)}".upper(),
			"company_name": "Empresa Teste Ltda",
			"cnpj": cnpj,
			"valid_until": add_days(nowdate(), 30),
			"bandwidth_mbps": 500,
			"term_months": 36,
			"sla_business_days": 30,
			"setup_fee": float(setup_fee),  # a Currency field value, as the desk would send it
			"monthly_fee": 899.9,
		}
	)
	doc.insert(ignore_permissions=True)
	return doc.name


def make_registered_case(setup_fee="1500.00", portal: bool = False):
	"""What portal registration does before the boleto: customer (ERPNext), portal user, case and project.

	Frappe throttles user creation (60 an hour per site), so only tests that log in as the customer get one.
	"""
	cnpj = make_cnpj()
	user = make_portal_user() if portal else None
	company_name = f"Empresa Teste {frappe.generate_hash(length=6)} Ltda"
	proposal = make_proposal(cnpj, setup_fee)
	address = {
		"address_line1": "Avenida Paulista",
		"number": "1000",
		"neighborhood": "Bela Vista",
		"city": "São Paulo",
		"state": "SP",
		"cep": "01310100",
	}
	email = user or f"contato-{frappe.generate_hash(length=6)}@cliente.example.com"
	customer = ensure_customer(
		company_name, cnpj, email, "+55 11 99999-0000", address, user, "Maria da Silva"
	)
	case = frappe.get_doc(
		{
			"doctype": "Fiber Onboarding",
			"proposal": proposal,
			"customer": customer,
			"portal_user": user,
			"company_name": company_name,
			"cnpj": cnpj,
			"site_identifier": "matriz-sp",
			"address_line1": "Avenida Paulista",
			"address_number": "1000",
			"neighborhood": "Bela Vista",
			"city": "São Paulo",
			"state": "SP",
			"cep": "01310100",
			"legal_name": "Maria da Silva",
			"legal_cpf": LEGAL_CPF,
			"legal_email": f"juridico-{frappe.generate_hash(length=6)}@cliente.example.com",
			"tech_name": "Técnico Responsável",
			"tech_email": f"ti-{frappe.generate_hash(length=6)}@cliente.example.com",
			"sla_business_days": 30,
		}
	)
	case.insert(ignore_permissions=True)
	try:
		from fiber_onboarding.fiber_field.project_service import create_project
	except ImportError:  # the field module is optional for billing
		return case
	project = create_project(case)
	if project and not frappe.db.get_value("Fiber Onboarding", case.name, "project"):
		frappe.db.set_value("Fiber Onboarding", case.name, "project", project.name)
	return frappe.get_doc("Fiber Onboarding", case.name)


# ---------------------------------------------------------------------------------------------------------------
# CNAB 240 return files (Banco do Brasil layout, as core.cnab240.parse_retorno reads it)
# ---------------------------------------------------------------------------------------------------------------


class Line:
	def __init__(self):
		self.chars = [" "] * 240

	def put(self, start: int, value: str):
		"""``start`` is 1-based, like the bank manuals."""
		for i, ch in enumerate(value):
			self.chars[start - 1 + i] = ch
		return self

	def text(self) -> str:
		return "".join(self.chars)


def _d(value: date | None) -> str:
	return value.strftime("%d%m%Y") if value else "00000000"


def _m(value) -> str:
	return f"{int(Decimal(str(value)) * 100):015d}"


def retorno_item(
	nosso_numero: str,
	code: str,
	amount_title,
	amount_paid="0",
	payment_date=None,
	credit_date=None,
	due_date=None,
	fees="0",
	motives="",
) -> dict:
	return {
		"nosso_numero": nosso_numero,
		"code": code,
		"amount_title": amount_title,
		"amount_paid": amount_paid,
		"payment_date": getdate(payment_date) if payment_date else None,
		"credit_date": getdate(credit_date) if credit_date else None,
		"due_date": getdate(due_date) if due_date else None,
		"fees": fees,
		"motives": motives,
	}


def build_retorno(items: list[dict], sequence: int, generated_on=None, bank: str = "001") -> str:
	generated_on = getdate(generated_on or nowdate())
	lines = [
		Line()
		.put(1, bank)
		.put(4, "0000")
		.put(8, "0")
		.put(18, "2")
		.put(19, "11222333000181")
		.put(143, "2")
		.put(144, _d(generated_on))
		.put(152, "080000")
		.put(158, f"{sequence:06d}")
		.text(),
		Line().put(1, bank).put(4, "0001").put(8, "1").text(),
	]
	seq = 0
	for item in items:
		seq += 1
		t = (
			Line()
			.put(1, bank)
			.put(4, "0001")
			.put(8, "3")
			.put(9, f"{seq:05d}")
			.put(14, "T")
			.put(16, item["code"])
		)
		t.put(38, item["nosso_numero"].ljust(20)).put(58, "7").put(59, "DOC".ljust(15))
		t.put(74, _d(item["due_date"])).put(82, _m(item["amount_title"])).put(199, _m(item["fees"]))
		t.put(214, item["motives"].ljust(10, "0") if item["motives"] else "0" * 10)
		lines.append(t.text())
		seq += 1
		u = (
			Line()
			.put(1, bank)
			.put(4, "0001")
			.put(8, "3")
			.put(9, f"{seq:05d}")
			.put(14, "U")
			.put(16, item["code"])
		)
		u.put(18, "0" * 120).put(78, _m(item["amount_paid"])).put(93, _m(item["amount_paid"]))
		u.put(138, _d(item["payment_date"])).put(146, _d(item["credit_date"]))
		lines.append(u.text())
	lines.append(Line().put(1, bank).put(4, "0001").put(8, "5").put(18, f"{seq + 2:06d}").text())
	lines.append(
		Line()
		.put(1, bank)
		.put(4, "9999")
		.put(8, "9")
		.put(18, "000001")
		.put(24, f"{len(lines) + 1:06d}")
		.text()
	)
	return "\r\n".join(lines) + "\r\n"
