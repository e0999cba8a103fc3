"""Billing integration tests: invoice and boleto at registration, remittance, bank return (idempotent payment,
exceptions, malformed files), manual payment, reissue and expiry, and the customer's boleto page."""

from __future__ import annotations

from decimal import Decimal

import frappe
from frappe.utils import add_days, add_to_date, getdate, now_datetime, nowdate

from fiber_onboarding.core.boleto import decode
from fiber_onboarding.fiber_billing import boleto_service
from fiber_onboarding.fiber_billing.doctype.cnab_retorno.cnab_retorno import DuplicateRetornoError
from fiber_onboarding.tests.billing_factory import (
	build_retorno,
	make_registered_case,
	retorno_item,
)

try:  # v16
	from frappe.tests import IntegrationTestCase as TestCase
except ImportError:  # v15
	from frappe.tests.utils import FrappeTestCase as TestCase


def _agreement():
	return frappe.get_doc(
		"Fiber Bank Agreement", frappe.db.get_single_value("Fiber Onboarding Settings", "bank_agreement")
	)


def _next_file_sequence() -> int:
	"""A bank-side file sequence never used by an earlier return in this database (keeps file hashes new)."""
	used = frappe.db.sql("select max(file_sequence) from `tabCNAB Retorno`")[0][0] or 0
	return int(used) + 1 + frappe.flags.get("fo_test_seq", 0)


def _payment_entries(boleto) -> list[str]:
	return frappe.get_all(
		"Payment Entry",
		filters={"reference_no": boleto.nosso_numero, "docstatus": 1, "party": boleto.customer},
		pluck="name",
	)


def _import(items, sequence=None):
	sequence = sequence or _next_file_sequence()
	frappe.flags.fo_test_seq = frappe.flags.get("fo_test_seq", 0) + 1
	text = build_retorno(items, sequence)
	return boleto_service.import_retorno(text.encode("ascii"), f"retorno-{sequence}.ret"), text


class TestBilling(TestCase):
	SHOW_TRANSACTION_COMMIT_WARNINGS = True

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		# Frappe refuses a 61st User per hour and site (anti-abuse); the shared test site creates many: not
		# what these tests are about, so the limit is lifted for this process only, and restored afterwards
		previous = frappe.local.conf.get("throttle_user_limit")
		frappe.local.conf["throttle_user_limit"] = 100_000
		cls.addClassCleanup(_restore_conf, "throttle_user_limit", previous)

	def setUp(self):
		frappe.set_user("Administrator")

	def tearDown(self):
		frappe.set_user("Administrator")

	def issue(self, setup_fee="1500.00", portal=False):
		case = make_registered_case(setup_fee, portal)
		boleto = boleto_service.issue_boleto(case)
		return frappe.get_doc("Fiber Onboarding", case.name), boleto

	# -- registration ---------------------------------------------------------------------------------------
	def test_registration_creates_invoice_and_boleto(self):
		case, boleto = self.issue("1500.00")
		invoice = frappe.get_doc("Sales Invoice", boleto.sales_invoice)
		self.assertEqual(invoice.docstatus, 1)
		self.assertEqual(invoice.customer, case.customer)
		self.assertEqual(frappe.db.get_value("Customer", invoice.customer, "tax_id"), case.cnpj)
		self.assertEqual(Decimal(str(invoice.grand_total)), Decimal("1500"))
		self.assertEqual(invoice.items[0].item_code, "SETUP-FIBRA")
		self.assertEqual(case.sales_invoice, invoice.name)
		self.assertEqual(case.boleto, boleto.name)

		self.assertEqual(boleto.status, "Submitted")
		self.assertEqual(boleto.customer, case.customer)
		decoded = decode(boleto.digitable_line)
		self.assertTrue(decoded.valid, decoded.problems)
		self.assertEqual(decoded.barcode, boleto.barcode)
		self.assertEqual(decoded.amount, Decimal("1500.00"))
		self.assertEqual(decoded.due_date, getdate(boleto.due_date))
		self.assertTrue(frappe.db.exists("Fiber Notification Log", f"boleto:{boleto.name}"))

		# registration retried: the same boleto, no second invoice
		again = boleto_service.issue_boleto(case.name)
		self.assertEqual(again.name, boleto.name)
		self.assertEqual(frappe.db.count("Sales Invoice", {"customer": case.customer, "docstatus": 1}), 1)

	def test_customer_is_idempotent_on_cnpj(self):
		from fiber_onboarding.adapters.erpnext_accounting import ensure_customer

		case, _boleto = self.issue(portal=True)
		again = ensure_customer("Outro Nome", case.cnpj, None, None, None, case.portal_user)
		self.assertEqual(again, case.customer)
		customer = frappe.get_doc("Customer", case.customer)
		self.assertEqual([p.user for p in customer.portal_users], [case.portal_user])
		self.assertEqual(customer.customer_type, "Company")
		from fiber_onboarding.adapters.erpnext_accounting import add_contact

		tech = add_contact(
			case.customer, "Técnico Responsável", "ti@cliente.example.com", "+55 11 98888-0000"
		)
		self.assertEqual(add_contact(case.customer, "Outro", "ti@cliente.example.com"), tech)
		self.assertNotEqual(tech, customer.customer_primary_contact)
		self.assertEqual(frappe.db.get_value("Contact", tech, "is_primary_contact"), 0)
		address = frappe.get_doc("Address", customer.customer_primary_address)
		self.assertEqual(address.country, "Brazil")
		self.assertEqual(address.pincode, "01310-100")

	def test_nosso_numero_is_unique_per_agreement(self):
		_case, first = self.issue()
		_case, second = self.issue()
		self.assertNotEqual(first.nosso_numero, second.nosso_numero)
		self.assertEqual(int(second.sequence), int(first.sequence) + 1)
		dup = frappe.copy_doc(second)
		dup.nosso_numero = first.nosso_numero
		dup.sequence = first.sequence
		with self.assertRaises(frappe.UniqueValidationError):
			dup.insert(ignore_permissions=True)

	def test_bank_pix_payload_is_shown_with_the_boleto(self):
		from fiber_onboarding.www import boleto as page

		case, boleto = self.issue(portal=True)
		payload = _pix_payload()
		boleto.pix_payload = payload
		boleto.save(ignore_permissions=True)

		frappe.set_user(case.portal_user)
		frappe.form_dict.name = boleto.name
		context = page.get_context(frappe._dict())
		self.assertIn("<svg", context.bol["pix_markup"])
		self.assertEqual(context.bol["pix_payload"], payload)
		html = frappe.render_template("fiber_onboarding/templates/includes/boleto_layout.html", context)
		self.assertIn("Pix copia e cola", html)

	def test_invalid_pix_payload_is_refused(self):
		_case, boleto = self.issue()
		boleto.pix_payload = "00020126580014br.gov.bcb.pix0136invalid6304ABCD"
		with self.assertRaises(frappe.ValidationError):
			boleto.save(ignore_permissions=True)

	# -- remittance -----------------------------------------------------------------------------------------
	def test_remessa_sends_pending_boletos_with_increasing_sequence(self):
		_case, boleto = self.issue()
		agreement = _agreement()
		before = int(agreement.last_remessa_sequence or 0)
		remessa = boleto_service.build_remessa_file(agreement.name)
		self.assertEqual(remessa.sequence, before + 1)
		self.assertIn(boleto.name, [row.boleto for row in remessa.items])
		self.assertEqual(frappe.db.get_value("Fiber Boleto", boleto.name, "remessa"), remessa.name)
		file_doc = frappe.get_doc("File", {"file_url": remessa.file})
		self.assertTrue(file_doc.is_private)
		lines = file_doc.get_content().splitlines()
		self.assertTrue(all(len(line) == 240 for line in lines))
		self.assertEqual(lines[0][157:163], f"{before + 1:06d}")

		with self.assertRaises(boleto_service.NothingToSendError):
			boleto_service.build_remessa_file(agreement.name)
		self.assertEqual(
			frappe.db.get_value("Fiber Bank Agreement", agreement.name, "last_remessa_sequence"), before + 1
		)

	def test_counters_never_go_back(self):
		agreement = _agreement()
		agreement.last_remessa_sequence = int(agreement.last_remessa_sequence or 0) + 5
		agreement.save(ignore_permissions=True)  # forward is fine
		agreement.reload()
		agreement.last_remessa_sequence -= 1
		with self.assertRaises(frappe.ValidationError):
			agreement.save(ignore_permissions=True)
		agreement.reload()
		agreement.next_nosso_numero = int(agreement.next_nosso_numero) + 3
		agreement.save(ignore_permissions=True)
		agreement.reload()
		agreement.next_nosso_numero = int(agreement.next_nosso_numero) - 1
		with self.assertRaises(frappe.ValidationError):
			agreement.save(ignore_permissions=True)

	# -- bank return ----------------------------------------------------------------------------------------
	def test_paid_return_imported_twice_pays_once(self):
		case, boleto = self.issue("1500.00")
		paid_on = getdate(nowdate())
		credit = add_days(paid_on, 1)
		items = [
			retorno_item(boleto.retorno_key, "02", "1500.00"),
			retorno_item(
				boleto.retorno_key, "06", "1500.00", "1500.00", paid_on, credit, boleto.due_date, "2.50"
			),
		]
		retorno, text = _import(items)
		self.assertEqual(retorno.status, "Processed", retorno.error_message)
		self.assertEqual(retorno.paid_count, 1)
		self.assertEqual(retorno.registered_count, 1)
		boleto.reload()
		self.assertEqual(boleto.status, "Paid")
		self.assertEqual(getdate(boleto.paid_on), paid_on)
		self.assertEqual(getdate(boleto.credit_date), credit)
		entries = _payment_entries(boleto)
		self.assertEqual(entries, [boleto.payment_entry])
		pe = frappe.get_doc("Payment Entry", boleto.payment_entry)
		self.assertEqual(pe.reference_no, boleto.nosso_numero)
		self.assertEqual(getdate(pe.reference_date), credit)
		self.assertEqual(pe.paid_to, _agreement().bank_account)
		self.assertEqual(frappe.db.get_value("Sales Invoice", boleto.sales_invoice, "status"), "Paid")
		self.assertEqual(getdate(frappe.db.get_value("Fiber Onboarding", case.name, "paid_on")), paid_on)
		project = frappe.db.get_value("Fiber Onboarding", case.name, "project")
		self.assertTrue(project)
		self.assertEqual(frappe.db.get_value("Fiber Project", project, "workflow_state"), "Drafting")

		# the same file again: refused, nothing changes
		with self.assertRaises(DuplicateRetornoError):
			boleto_service.import_retorno(text.encode("ascii"), "retorno-copia.ret")
		# the same payment inside another file: skipped
		second, _text = _import(items[1:])
		self.assertEqual(second.status, "Processed")
		self.assertEqual(second.rows[0].outcome, "Already Paid")
		self.assertEqual(second.skipped_count, 1)
		self.assertEqual(_payment_entries(boleto), entries)

	def test_amount_mismatch_and_unknown_nosso_numero_raise_exceptions(self):
		_case, boleto = self.issue("1500.00")
		today = getdate(nowdate())
		unknown = "1234567" + "9999999999"
		retorno, _text = _import(
			[
				retorno_item(boleto.retorno_key, "06", "1500.00", "1400.00", today, today, boleto.due_date),
				retorno_item(unknown, "06", "800.00", "800.00", today, today, today),
			]
		)
		self.assertEqual(retorno.status, "Processed")
		self.assertEqual([r.outcome for r in retorno.rows], ["Amount Mismatch", "Unknown Nosso Número"])
		self.assertEqual(retorno.exception_count, 2)
		boleto.reload()
		self.assertEqual(boleto.status, "Submitted")
		self.assertFalse(boleto.payment_entry)
		self.assertEqual(_payment_entries(boleto), [])
		mismatch = frappe.get_doc("Fiber Finance Exception", retorno.rows[0].finance_exception)
		self.assertEqual(mismatch.exception_type, "Amount Mismatch")
		self.assertEqual(Decimal(str(mismatch.expected_amount)), Decimal("1500"))
		self.assertEqual(Decimal(str(mismatch.received_amount)), Decimal("1400"))
		self.assertEqual(mismatch.boleto, boleto.name)
		other = frappe.get_doc("Fiber Finance Exception", retorno.rows[1].finance_exception)
		self.assertEqual(other.exception_type, "Unknown Nosso Número")
		self.assertEqual(other.nosso_numero, unknown)
		self.assertFalse(frappe.db.exists("Payment Entry", {"reference_no": unknown}))
		for exc in (mismatch, other):
			self.assertTrue(frappe.db.exists("Fiber Notification Log", f"finance-exception:{exc.name}"))

	def test_finance_accepts_a_late_payment_with_interest(self):
		_case, boleto = self.issue("1500.00")
		today = getdate(nowdate())
		retorno, _text = _import(
			[retorno_item(boleto.retorno_key, "06", "1500.00", "1531.50", today, today, boleto.due_date)]
		)
		exc = retorno.rows[0].finance_exception
		self.assertEqual(retorno.rows[0].outcome, "Amount Mismatch")
		self.assertEqual(_payment_entries(boleto), [])

		paid = boleto_service.accept_overpayment(exc)
		self.assertEqual(paid.status, "Paid")
		self.assertEqual(Decimal(str(paid.paid_amount)), Decimal("1531.50"))
		pe = frappe.get_doc("Payment Entry", paid.payment_entry)
		self.assertEqual(Decimal(str(pe.paid_amount)), Decimal("1531.5"))
		self.assertEqual(Decimal(str(pe.unallocated_amount)), Decimal("31.5"))
		self.assertEqual(frappe.db.get_value("Sales Invoice", paid.sales_invoice, "status"), "Paid")
		self.assertEqual(frappe.db.get_value("Fiber Finance Exception", exc, "status"), "Resolved")
		with self.assertRaises(boleto_service.BillingError):
			boleto_service.accept_overpayment(exc)
		self.assertEqual(len(_payment_entries(paid)), 1)

	def test_rejected_registration(self):
		_case, boleto = self.issue()
		retorno, _text = _import([retorno_item(boleto.retorno_key, "03", "1500.00", motives="48")])
		self.assertEqual(retorno.rows[0].outcome, "Rejected")
		boleto.reload()
		self.assertEqual(boleto.status, "Rejected")
		self.assertIn("CEP", boleto.rejection_reason)
		exc = frappe.get_doc("Fiber Finance Exception", retorno.rows[0].finance_exception)
		self.assertEqual(exc.exception_type, "Rejected Registration")

	def test_malformed_return_changes_nothing(self):
		_case, boleto = self.issue()
		today = getdate(nowdate())
		text = build_retorno(
			[
				retorno_item(boleto.retorno_key, "06", "1500.00", "1500.00", today, today, boleto.due_date),
			],
			_next_file_sequence(),
		)
		lines = text.split("\r\n")
		lines[3] = lines[3][:76] + "X" + lines[3][77:]  # segment U, paid amount: a letter in a numeric field
		retorno = boleto_service.import_retorno("\r\n".join(lines).encode("ascii"), "quebrado.ret")
		self.assertEqual(retorno.status, "Failed")
		self.assertEqual((retorno.error_line, retorno.error_column), (4, 77))
		self.assertIn("4", retorno.error_message)
		self.assertEqual(retorno.rows, [])
		boleto.reload()
		self.assertEqual(boleto.status, "Submitted")
		self.assertEqual(_payment_entries(boleto), [])

	def test_desk_upload_then_import_button(self):
		from fiber_onboarding.api.boleto import start_retorno_import

		_case, boleto = self.issue("1500.00")
		today = getdate(nowdate())
		text = build_retorno(
			[retorno_item(boleto.retorno_key, "06", "1500.00", "1500.00", today, today, boleto.due_date)],
			_next_file_sequence(),
		)
		# what the desk does: upload the file (private), save the CNAB Retorno, press Import
		file_doc = frappe.get_doc(
			{
				"doctype": "File",
				"file_name": "retorno-desk.ret",
				"content": text.encode("ascii"),
				"is_private": 1,
			}
		).insert(ignore_permissions=True)
		retorno = frappe.get_doc({"doctype": "CNAB Retorno", "file": file_doc.file_url}).insert()
		self.assertEqual(len(retorno.file_hash), 64)
		self.assertEqual(retorno.status, "Pending")
		start_retorno_import(retorno.name)
		retorno.reload()
		self.assertEqual(retorno.status, "Processed")
		self.assertEqual(frappe.db.get_value("Fiber Boleto", boleto.name, "status"), "Paid")
		with self.assertRaises(boleto_service.BillingError):  # a processed return is never applied twice
			start_retorno_import(retorno.name)
		# a job the queue lost can be queued again after a while, never while it may still run
		retorno.db_set("status", "Queued", update_modified=False)
		with self.assertRaises(boleto_service.BillingError):
			start_retorno_import(retorno.name)
		frappe.db.set_value(
			"CNAB Retorno",
			retorno.name,
			"modified",
			add_to_date(now_datetime(), hours=-2),
			update_modified=False,
		)
		start_retorno_import(retorno.name)
		retorno.reload()
		self.assertEqual(retorno.status, "Processed")
		self.assertEqual(retorno.rows[0].outcome, "Already Paid")  # applied again: still exactly one payment
		self.assertEqual(len(_payment_entries(frappe.get_doc("Fiber Boleto", boleto.name))), 1)
		duplicate = frappe.get_doc({"doctype": "CNAB Retorno", "file": file_doc.file_url})
		with self.assertRaises(DuplicateRetornoError):
			duplicate.insert()

	def test_finance_endpoints_refuse_other_roles(self):
		from fiber_onboarding.api import boleto as api

		case, boleto = self.issue(portal=True)
		frappe.set_user(case.portal_user)
		for call in (
			lambda: api.mark_paid_manually(boleto.name, "1500.00", nowdate()),
			lambda: api.reissue(boleto.name, add_days(nowdate(), 3)),
			lambda: api.generate_remessa(boleto.bank_agreement),
		):
			with self.assertRaises(frappe.PermissionError):
				call()
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value("Fiber Boleto", boleto.name, "status"), "Submitted")
		self.assertFalse(frappe.db.get_value("Fiber Boleto", boleto.name, "remessa"))

	# -- finance actions ------------------------------------------------------------------------------------
	def test_mark_paid_manually_needs_finance(self):
		case, boleto = self.issue("990.50", portal=True)
		frappe.set_user(case.portal_user)
		with self.assertRaises(frappe.PermissionError):
			boleto_service.mark_paid_manually(boleto.name, "990.50", nowdate())
		frappe.set_user("Administrator")
		with self.assertRaises(boleto_service.BillingError):
			boleto_service.mark_paid_manually(boleto.name, "990.00", nowdate())
		doc = boleto_service.mark_paid_manually(boleto.name, "990.50", nowdate())
		self.assertEqual(doc.status, "Paid")
		self.assertEqual(doc.payment_source, "Manual")
		self.assertEqual(frappe.db.get_value("Sales Invoice", doc.sales_invoice, "status"), "Paid")
		with self.assertRaises(boleto_service.AlreadyPaidError):
			boleto_service.mark_paid_manually(boleto.name, "990.50", nowdate())
		self.assertEqual(len(_payment_entries(doc)), 1)

	def test_finance_user_marks_paid_without_gl_account_access(self):
		from fiber_onboarding.tests.test_sla_jobs import ensure_user

		finance = ensure_user("fo-finance-only@example.com", "Fiber Finance")
		case, boleto = self.issue("777.00")
		frappe.set_user(finance)
		try:
			doc = boleto_service.mark_paid_manually(boleto.name, "777.00", nowdate())
		finally:
			frappe.set_user("Administrator")
		self.assertEqual(doc.status, "Paid")
		self.assertEqual(frappe.db.get_value("Sales Invoice", doc.sales_invoice, "status"), "Paid")
		self.assertEqual(len(_payment_entries(doc)), 1)

	def test_expiry_and_reissue(self):
		case, boleto = self.issue("1200.00")
		boleto_service.build_remessa_file(boleto.bank_agreement)
		_import([retorno_item(boleto.retorno_key, "02", "1200.00")])
		self.assertEqual(frappe.db.get_value("Fiber Boleto", boleto.name, "status"), "Registered")

		with self.assertRaises(boleto_service.BillingError):
			boleto_service.reissue(boleto.name, add_days(nowdate(), 5))  # not expired yet

		grace = boleto_service.expiry_grace_days()
		self.assertNotIn(boleto.name, boleto_service.expire_overdue(add_days(boleto.due_date, grace)))
		self.assertIn(boleto.name, boleto_service.expire_overdue(add_days(boleto.due_date, grace + 1)))
		self.assertEqual(frappe.db.get_value("Fiber Boleto", boleto.name, "status"), "Expired")

		new_due = add_days(nowdate(), 7)
		new = boleto_service.reissue(boleto.name, new_due)
		old = frappe.get_doc("Fiber Boleto", boleto.name)
		self.assertEqual(old.status, "Cancelled")
		self.assertEqual(old.reissued_by, new.name)
		self.assertEqual(new.reissued_from, old.name)
		self.assertEqual(new.status, "Submitted")
		self.assertEqual(new.sales_invoice, old.sales_invoice)
		self.assertNotEqual(new.nosso_numero, old.nosso_numero)
		self.assertEqual(getdate(new.due_date), getdate(new_due))
		self.assertEqual(
			getdate(frappe.db.get_value("Sales Invoice", new.sales_invoice, "due_date")), getdate(new_due)
		)
		self.assertEqual(frappe.db.get_value("Fiber Onboarding", case.name, "boleto"), new.name)
		self.assertTrue(frappe.db.exists("Fiber Notification Log", f"boleto:{new.name}"))

		from fiber_onboarding.fiber_billing.boleto_render import render_context

		html = frappe.render_template(
			"fiber_onboarding/templates/includes/boleto_layout.html", {"bol": render_context(old)}
		)
		self.assertIn(f"/boleto?name={new.name}", html)

		remessa = boleto_service.build_remessa_file(boleto.bank_agreement)
		movements = {row.boleto: row.movement for row in remessa.items}
		self.assertEqual(movements.get(old.name), "Cancellation")
		self.assertEqual(movements.get(new.name), "Registration")

	# -- portal -----------------------------------------------------------------------------------------------
	def test_customer_sees_only_own_boleto_page(self):
		from fiber_onboarding.www import boleto as page

		case_a, boleto_a = self.issue(portal=True)
		_case_b, boleto_b = self.issue()

		frappe.set_user(case_a.portal_user)
		frappe.form_dict.name = boleto_a.name
		context = page.get_context(frappe._dict())
		self.assertEqual(context.bol["digitable_line"], boleto_a.digitable_line)
		self.assertTrue(context.bol["provisional"])
		self.assertIn("<svg", context.bol["barcode_markup"])
		html = frappe.render_template("fiber_onboarding/templates/includes/boleto_layout.html", context)
		self.assertIn("Ficha de Compensação", html)
		self.assertIn(boleto_a.digitable_line, html)
		self.assertIn("provisório", html)

		frappe.form_dict.name = boleto_b.name
		with self.assertRaises(frappe.PermissionError):
			page.get_context(frappe._dict())
		self.assertFalse(frappe.has_permission("Fiber Boleto", "read", boleto_b))
		self.assertNotIn(boleto_b.name, frappe.get_list("Fiber Boleto", pluck="name"))

		from fiber_onboarding.api.boleto import download_pdf

		with self.assertRaises(frappe.PermissionError):
			download_pdf(boleto_b.name)

		frappe.set_user("Guest")
		frappe.form_dict.name = boleto_a.name
		with self.assertRaises(frappe.Redirect):
			page.get_context(frappe._dict())
		self.assertIn("/login?redirect-to=", frappe.local.flags.redirect_location)

	def test_boleto_page_response(self):
		from frappe.utils import set_request
		from frappe.website.serve import get_response

		case_a, boleto_a = self.issue(portal=True)
		_case_b, boleto_b = self.issue()

		# a fake GET request makes Frappe commit its access logs: never leave it behind for the next tests
		self.addCleanup(_forget_request)

		def page(user, name):
			frappe.set_user(user)
			set_request(method="GET", path="/boleto", query_string={"name": name})
			frappe.local.form_dict = frappe._dict(name=name)
			return get_response()

		response = page(case_a.portal_user, boleto_a.name)
		self.assertEqual(response.status_code, 200)
		html = frappe.safe_decode(response.get_data())
		self.assertIn(boleto_a.digitable_line, html)
		self.assertIn("Recibo do Pagador", html)
		self.assertNotIn(boleto_b.digitable_line, html)

		response = page(case_a.portal_user, boleto_b.name)
		self.assertEqual(response.status_code, 403)
		self.assertNotIn(boleto_b.digitable_line, frappe.safe_decode(response.get_data()))

		response = page("Guest", boleto_a.name)
		self.assertEqual(response.status_code, 302)
		self.assertIn("/login?redirect-to=", response.headers.get("Location", ""))

	def test_pdf_layout_and_download(self):
		case, boleto = self.issue(portal=True)
		from fiber_onboarding.api.boleto import download_pdf

		frappe.set_user(case.portal_user)
		html = frappe.get_print("Fiber Boleto", boleto.name, print_format="Boleto")
		self.assertIn("Recibo do Pagador", html)
		self.assertIn("Ficha de Compensação", html)
		self.assertIn(boleto.digitable_line, html)
		self.assertIn("data:image/png;base64,", html)  # the ITF barcode as an image wkhtmltopdf can render
		if not _site_reachable():
			self.skipTest("wkhtmltopdf fetches the print stylesheet from the site: no web server is running")
		download_pdf(boleto.name)
		self.assertEqual(frappe.local.response.type, "pdf")
		self.assertTrue(frappe.local.response.filecontent.startswith(b"%PDF"))


def _restore_conf(key, previous):
	if previous is None:
		frappe.local.conf.pop(key, None)
	else:
		frappe.local.conf[key] = previous


def _pix_payload() -> str:
	"""A bank-style dynamic Pix payload (BR Code with due date), CRC included."""
	from fiber_onboarding.core.pix import crc16_ccitt_false

	def tlv(tag, value):
		return f"{tag}{len(value):02d}{value}"

	body = "".join(
		[
			tlv("00", "01"),
			tlv("01", "12"),
			tlv(
				"26", tlv("00", "br.gov.bcb.pix") + tlv("25", "qrcodepix.bb.com.br/pix/v2/cobv/9d36b84fc70b")
			),
			tlv("52", "0000"),
			tlv("53", "986"),
			tlv("54", "1500.00"),
			tlv("58", "BR"),
			tlv("59", "FIBRA DEMO TELECOM"),
			tlv("60", "SAO PAULO"),
			tlv("62", tlv("05", "***")),
		]
	)
	body += "6304"
	return body + f"{crc16_ccitt_false(body.encode()):04X}"


def _forget_request():
	if hasattr(frappe.local, "request"):
		del frappe.local.request


def _site_reachable() -> bool:
	"""wkhtmltopdf loads the print stylesheet from the site's URL: PDF output needs a running web server."""
	import socket
	from urllib.parse import urlparse

	url = urlparse(frappe.utils.get_url())
	try:
		with socket.create_connection((url.hostname, url.port or 80), timeout=1):
			return True
	except OSError:
		return False
