"""ERPNext accounting adapter: the only module that creates ERPNext Customers, Sales Invoices and Payment Entries.

Callers pass plain values or our own documents; everything ERPNext-specific (field names, defaults, the payment
helper) stays here, so an ERPNext change touches one place. Documents are created as the system (these run
from the registration endpoint, the bank-return job or a Finance action that already checked permissions).
"""

from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import add_days, flt, getdate, nowdate
from frappe.utils.nestedset import get_root_of

from fiber_onboarding.utils.system import as_administrator

COUNTRY = "Brazil"


class AccountingError(frappe.ValidationError):
	pass


# ---------------------------------------------------------------------------------------------------------------
# Customer
# ---------------------------------------------------------------------------------------------------------------


def _selling_default(field: str, doctype: str) -> str:
	value = frappe.db.get_single_value("Selling Settings", field)
	return value or get_root_of(doctype)


def ensure_customer(
	company_name: str,
	cnpj: str,
	email: str | None = None,
	phone: str | None = None,
	address: dict | None = None,
	portal_user: str | None = None,
	contact_name: str | None = None,
) -> str:
	"""The Customer whose tax_id is ``cnpj`` (created with Address and Contact when missing); returns its name.

	Idempotent on the CNPJ: a second call adds the portal user (if new) and nothing else.
	"""
	cnpj = (cnpj or "").strip().upper()
	if not cnpj:
		frappe.throw(_("The CNPJ is required to create the customer."), AccountingError)

	name = frappe.db.get_value("Customer", {"tax_id": cnpj}, "name")
	if name:
		if portal_user:
			add_portal_user(name, portal_user)
		return name

	customer = frappe.get_doc(
		{
			"doctype": "Customer",
			"customer_name": company_name,
			"customer_type": "Company",
			"customer_group": _selling_default("customer_group", "Customer Group"),
			"territory": _selling_default("territory", "Territory"),
			"tax_id": cnpj,
			"default_currency": "BRL" if frappe.db.exists("Currency", "BRL") else None,
		}
	)
	if portal_user:
		customer.append("portal_users", {"user": portal_user})
	customer.insert(ignore_permissions=True)

	if address:
		address_name = _create_address(customer.name, company_name, address, email, phone)
		customer.db_set("customer_primary_address", address_name)
	if email or phone:
		contact_name = _create_contact(customer.name, contact_name or company_name, email, phone, portal_user)
		customer.db_set("customer_primary_contact", contact_name)
		if email:
			customer.db_set("email_id", email)
		if phone:
			customer.db_set("mobile_no", phone)
	return customer.name


def add_portal_user(customer: str, user: str):
	if frappe.db.exists("Portal User", {"parenttype": "Customer", "parent": customer, "user": user}):
		return
	doc = frappe.get_doc("Customer", customer)
	doc.append("portal_users", {"user": user})
	doc.save(ignore_permissions=True)


def add_contact(customer: str, full_name: str, email: str | None = None, phone: str | None = None) -> str:
	"""Another Contact of the Customer (e.g. the technical contact registered on the portal); the existing one when
	a Contact of this Customer already has that e-mail. Returns the Contact's name."""
	if email:
		linked = frappe.get_all(
			"Dynamic Link",
			filters={"link_doctype": "Customer", "link_name": customer, "parenttype": "Contact"},
			pluck="parent",
		)
		same = frappe.get_all(
			"Contact Email", filters={"parent": ("in", linked or [""]), "email_id": email}, pluck="parent"
		)
		if same:
			return same[0]
	# not primary: the customer's primary contact stays the legal responsible
	return _create_contact(customer, full_name, email, phone, None, primary=False)


def _address_line1(address: dict) -> str:
	line = (address.get("address_line1") or "").strip()
	number = (address.get("number") or address.get("address_number") or "").strip()
	return f"{line}, {number}" if number else line


def _create_address(customer: str, title: str, address: dict, email: str | None, phone: str | None) -> str:
	line2 = ", ".join(
		p
		for p in ((address.get("address_line2") or "").strip(), (address.get("neighborhood") or "").strip())
		if p
	)
	cep = "".join(ch for ch in (address.get("pincode") or address.get("cep") or "") if ch.isdigit())
	doc = frappe.get_doc(
		{
			"doctype": "Address",
			"address_title": title,
			"address_type": "Billing",
			"address_line1": _address_line1(address),
			"address_line2": line2 or None,
			"city": address.get("city"),
			"state": address.get("state"),
			"pincode": f"{cep[:5]}-{cep[5:]}" if len(cep) == 8 else cep,
			"country": COUNTRY,
			"email_id": email,
			"phone": phone,
			"is_primary_address": 1,
			"links": [{"link_doctype": "Customer", "link_name": customer}],
		}
	)
	doc.insert(ignore_permissions=True)
	return doc.name


def _create_contact(
	customer: str,
	full_name: str,
	email: str | None,
	phone: str | None,
	user: str | None,
	primary: bool = True,
) -> str:
	first_name, _sep, last_name = (full_name or customer).partition(" ")
	doc = frappe.get_doc(
		{
			"doctype": "Contact",
			"first_name": first_name,
			"last_name": last_name,
			"is_primary_contact": 1 if primary else 0,
			"user": user if user and frappe.db.exists("User", user) else None,
			"links": [{"link_doctype": "Customer", "link_name": customer}],
		}
	)
	if email:
		doc.append("email_ids", {"email_id": email, "is_primary": 1})
	if phone:
		doc.append("phone_nos", {"phone": phone, "is_primary_mobile_no": 1})
	doc.insert(ignore_permissions=True)
	return doc.name


# ---------------------------------------------------------------------------------------------------------------
# Sales Invoice for the setup fee
# ---------------------------------------------------------------------------------------------------------------


def _settings():
	return frappe.get_single("Fiber Onboarding Settings")


def setup_fee_of(onboarding) -> Decimal:
	fee = (
		frappe.db.get_value("Fiber Proposal", onboarding.proposal, "setup_fee")
		if onboarding.proposal
		else None
	)
	if not fee or flt(fee) <= 0:
		frappe.throw(
			_("Proposal {0} has no setup fee; the invoice cannot be created.").format(onboarding.proposal),
			AccountingError,
		)
	return Decimal(str(flt(fee, 2))).quantize(Decimal("0.01"))


def create_setup_invoice(onboarding, due_date=None) -> str:
	"""Submitted Sales Invoice for the proposal's setup fee; returns its name (the case's existing one if any)."""
	if isinstance(onboarding, str):
		onboarding = frappe.get_doc("Fiber Onboarding", onboarding)
	if onboarding.get("sales_invoice"):
		existing = frappe.db.get_value("Sales Invoice", onboarding.sales_invoice, "docstatus")
		if existing == 1:
			return onboarding.sales_invoice

	settings = _settings()
	if not settings.company or not settings.setup_item:
		frappe.throw(
			_("Set the company and the setup item in Fiber Onboarding Settings first."), AccountingError
		)
	if not onboarding.customer:
		frappe.throw(_("Onboarding {0} has no customer.").format(onboarding.name), AccountingError)

	fee = setup_fee_of(onboarding)
	posting_date = getdate(nowdate())
	due = getdate(due_date) if due_date else add_days(posting_date, int(settings.boleto_due_days or 5))
	invoice = frappe.get_doc(
		{
			"doctype": "Sales Invoice",
			"customer": onboarding.customer,
			"company": settings.company,
			"currency": frappe.get_cached_value("Company", settings.company, "default_currency"),
			"posting_date": posting_date,
			"due_date": due,
			"po_no": onboarding.proposal,
			"disable_rounded_total": 1,  # the boleto charges the exact fee, centavos included
			"remarks": _("Setup fee, proposal {0}, onboarding {1}").format(
				onboarding.proposal, onboarding.name
			),
			"items": [
				{
					"item_code": settings.setup_item,
					"qty": 1,
					"rate": fee,
					"description": _("Setup fee, proposal {0}").format(onboarding.proposal),
				}
			],
		}
	)
	invoice.flags.ignore_permissions = True
	invoice.insert()
	if Decimal(str(flt(invoice.grand_total, 2))) != fee:
		frappe.throw(
			_("The invoice total {0} differs from the setup fee {1}; check the default taxes.").format(
				invoice.grand_total, fee
			),
			AccountingError,
		)
	invoice.submit()
	return invoice.name


def invoice_outstanding(invoice: str) -> Decimal:
	value = frappe.db.get_value("Sales Invoice", invoice, "outstanding_amount") or 0
	return Decimal(str(flt(value, 2))).quantize(Decimal("0.01"))


def set_invoice_due_date(invoice: str, due_date):
	"""Move a submitted invoice's due date (and its payment schedule) when the boleto is reissued."""
	due = getdate(due_date)
	frappe.db.set_value("Sales Invoice", invoice, "due_date", due)
	for row in frappe.get_all("Payment Schedule", filters={"parent": invoice, "parenttype": "Sales Invoice"}):
		frappe.db.set_value("Payment Schedule", row.name, "due_date", due)
	frappe.get_doc("Sales Invoice", invoice).add_comment(
		"Info", _("Due date moved to {0} (boleto reissued)").format(frappe.format(due, "Date"))
	)


# ---------------------------------------------------------------------------------------------------------------
# Payment Entry
# ---------------------------------------------------------------------------------------------------------------


def create_payment_entry(boleto, amount, credit_date) -> str:
	"""Submitted Payment Entry for ``boleto``'s invoice, into the agreement's bank GL account; returns its name.

	``reference_no`` is the nosso número and ``reference_date`` the credit date, as the bank reports them.
	"""
	amount = Decimal(str(amount)).quantize(Decimal("0.01"))
	if amount <= 0:
		frappe.throw(_("The paid amount must be greater than zero."), AccountingError)
	if not boleto.sales_invoice:
		frappe.throw(_("Boleto {0} has no sales invoice.").format(boleto.name), AccountingError)
	bank_account = frappe.db.get_value("Fiber Bank Agreement", boleto.bank_agreement, "bank_account")
	credit_date = getdate(credit_date)

	# The caller checked the user's role (Finance) or is the system (bank return); ERPNext also checks the session
	# user's own rights on Payment Entry and GL accounts deep inside, so the entry is made as the system and its
	# remarks name the boleto (the boleto's timeline names the user).
	with as_administrator():
		return _submit_payment_entry(boleto, amount, bank_account, credit_date)


def _submit_payment_entry(boleto, amount: Decimal, bank_account: str, credit_date) -> str:
	from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry

	# without party_amount the reference row keeps the invoice's real outstanding amount
	pe = get_payment_entry(
		"Sales Invoice",
		boleto.sales_invoice,
		bank_account=bank_account,
		reference_date=credit_date,
		ignore_permissions=True,
	)
	pe.posting_date = credit_date
	pe.reference_no = boleto.nosso_numero
	pe.reference_date = credit_date
	pe.paid_amount = float(amount)
	pe.received_amount = float(amount)
	for row in pe.references:
		# the whole invoice when enough was paid; anything above stays as the customer's unallocated credit
		row.allocated_amount = min(float(amount), flt(row.outstanding_amount))
	pe.remarks = _("Boleto {0}, nosso número {1}").format(boleto.name, boleto.nosso_numero)
	pe.flags.ignore_permissions = True
	pe.insert()
	pe.submit()
	return pe.name
