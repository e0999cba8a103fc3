"""The six banks' CNAB through the payment path, and the bank return applied line by line.

- For each bank (001, 033, 104, 237, 341, 756) and layout (CNAB 240 and 400): issue → remessa (read back by
  ``core.cnab.read_remessa`` and checked: counts, totals, sequence, key) → retorno entrada → retorno liquidação →
  one Payment Entry; the same file again is refused, the same payment in another file is "Already Paid".
- A file that parses is applied line by line: a payment for a cancelled case, a boleto paid by hand, another amount,
  an unknown nosso número or an unexpected error on one line becomes a Finance Exception and never blocks the
  other customers' payments in the same file.
- The daily remessa job: one file per agreement with boletos pending, Finance e-mailed, never a boleto twice.
"""

from __future__ import annotations

from decimal import Decimal
from unittest import mock

import frappe
from frappe.utils import getdate, nowdate

from fiber_onboarding.adapters import cnab_files
from fiber_onboarding.core import cnab
from fiber_onboarding.fiber_billing import boleto_service
from fiber_onboarding.fiber_billing.doctype.cnab_retorno.cnab_retorno import DuplicateRetornoError
from fiber_onboarding.tests import cnab_bank_factory as banks
from fiber_onboarding.tests.billing_factory import build_retorno, make_registered_case, retorno_item

try:  # v16
	from frappe.tests import IntegrationTestCase as TestCase
except ImportError:  # v15
	from frappe.tests.utils import FrappeTestCase as TestCase

SETTINGS = "Fiber Onboarding Settings"


def _payment_entries(boleto) -> list[str]:
	return frappe.get_all(
		"Payment Entry",
		filters={"reference_no": boleto.nosso_numero, "docstatus": 1, "party": boleto.customer},
		pluck="name",
	)


def _remessa_text(remessa) -> bytes:
	content = frappe.get_doc("File", {"file_url": remessa.file}).get_content()
	return content.encode("latin-1") if isinstance(content, str) else content


class TestCnabBanks(TestCase):
	SHOW_TRANSACTION_COMMIT_WARNINGS = True

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		previous = frappe.local.conf.get("throttle_user_limit")
		frappe.local.conf["throttle_user_limit"] = 100_000
		cls.addClassCleanup(_restore_conf, "throttle_user_limit", previous)

	def setUp(self):
		frappe.set_user("Administrator")
		self.today = getdate(nowdate())
		self.ddmmyyyy = self.today.strftime("%d%m%Y")

	def issue(self, agreement: str | None = None, setup_fee="150.00"):
		"""A registered case and its boleto, under ``agreement`` (default: the site's)."""
		site = frappe.db.get_single_value(SETTINGS, "bank_agreement")
		if agreement and agreement != site:
			frappe.db.set_single_value(SETTINGS, "bank_agreement", agreement)
		try:
			case = make_registered_case(setup_fee)
			boleto = boleto_service.issue_boleto(case)
		finally:
			frappe.db.set_single_value(SETTINGS, "bank_agreement", site)
		return frappe.get_doc("Fiber Onboarding", case.name), boleto

	def import_file(self, data: bytes, name: str):
		return boleto_service.import_retorno(data, name)

	# -- six banks, two layouts ---------------------------------------------------------------------------------
	def test_every_bank_and_layout_through_the_payment_path(self):
		records = banks.bank_records()
		for bank in banks.BANKS:
			for layout in banks.LAYOUTS:
				with self.subTest(bank=bank, layout=layout):
					self._payment_path(records, bank, layout)

	def agreement(self, bank: str, layout: int) -> str:
		if bank != "001":
			return banks.ensure_agreement(bank, layout)
		# the site's agreement already holds the test files' BB convênio (1234567); a second agreement with the
		# same convênio could not be told apart in a BB file, so BB runs on the site's, in the layout asked
		site = frappe.db.get_single_value(SETTINGS, "bank_agreement")
		previous = frappe.db.get_value("Fiber Bank Agreement", site, "cnab_layout")
		frappe.db.set_value("Fiber Bank Agreement", site, "cnab_layout", f"CNAB {layout}")
		self.addCleanup(frappe.db.set_value, "Fiber Bank Agreement", site, "cnab_layout", previous)
		return site

	def _payment_path(self, records, bank: str, layout: int):
		agreement = self.agreement(bank, layout)
		_case, boleto = self.issue(agreement, "150.00")
		# one source for the title key: the core's, the same the bank-like files carry
		self.assertEqual(boleto.retorno_key, records.BANKS[bank]["key"](int(boleto.sequence)))

		remessa = boleto_service.build_remessa_file(agreement)
		self.assertEqual(remessa.cnab_layout, f"CNAB {layout}")
		data = _remessa_text(remessa)
		lines = data.decode("latin-1")[:-2].split("\r\n")
		self.assertTrue(all(len(line) == layout for line in lines))
		# the company as the layout identifies it: its CNPJ or, where the detail has none, its code at the bank
		expect = {("001", 400): "1234567", ("237", 400): "4567890"}.get((bank, layout), banks.COMPANY_CNPJ)
		read = cnab.read_remessa(data, expect_company=expect)
		# and as the app reads it back: the full agreement (bank, CNPJ, the code its layout carries — Santander's
		# CNAB 400 header carries the código de transmissão, not the beneficiary code)
		full = cnab_files.cnab_agreement_of(frappe.get_doc("Fiber Bank Agreement", agreement))
		self.assertEqual(cnab.read_remessa(data, expect_company=full).records, len(lines))
		self.assertEqual((read.layout, read.bank_code, read.records), (layout, bank, len(lines)))
		# Itaú and Santander CNAB 400 remessa headers carry no file sequence
		expected_sequence = 0 if (bank, layout) in (("341", 400), ("033", 400)) else remessa.sequence
		self.assertEqual(read.file_sequence, expected_sequence)
		self.assertEqual(read.generated_on, getdate(remessa.generated_at))
		self.assertEqual(len(read.items), remessa.item_count)
		self.assertEqual(read.total_amount, Decimal(str(remessa.total_amount)).quantize(Decimal("0.01")))
		mine = [t for t in read.items if t.nosso_numero == boleto.retorno_key]
		self.assertEqual(len(mine), 1)
		self.assertEqual((mine[0].movement, mine[0].amount), ("01", Decimal("150.00")))
		self.assertEqual(mine[0].due_date, getdate(boleto.due_date))

		pix = (bank, layout) == ("341", 400)  # Itaú CNAB 400 sends the Boleto Pix "copia e cola" (record 3)
		entrada = banks.retorno(bank, layout, [banks.title(boleto, "entrada", self.ddmmyyyy, pix=pix)])
		ret = self.import_file(entrada, f"entrada-{bank}-{layout}.ret")
		self.assertEqual(ret.status, "Processed", ret.error_message)
		self.assertEqual(
			(ret.bank_code, ret.cnab_layout, ret.bank_agreement), (bank, f"CNAB {layout}", agreement)
		)
		self.assertEqual([r.outcome for r in ret.rows], ["Registered"])
		boleto.reload()
		self.assertEqual(boleto.status, "Registered")
		self.assertEqual(getdate(boleto.registered_on), self.today)
		if pix:  # the bank's Pix "copia e cola" goes onto the boleto, whose page then shows its QR code
			from fiber_onboarding.fiber_billing.boleto_render import render_context

			self.assertEqual(boleto.pix_payload, records.EMV)
			self.assertIn("<svg", render_context(boleto)["pix_markup"])

		paid = banks.title(boleto, "liquidacao", self.ddmmyyyy)
		liquidacao = banks.retorno(bank, layout, [paid])
		ret = self.import_file(liquidacao, f"liquidacao-{bank}-{layout}.ret")
		self.assertEqual(ret.status, "Processed", ret.error_message)
		self.assertEqual([r.outcome for r in ret.rows], ["Paid"], [r.detail for r in ret.rows])
		boleto.reload()
		self.assertEqual(boleto.status, "Paid")
		self.assertEqual(boleto.payment_source, "Bank Return")
		entries = _payment_entries(boleto)
		self.assertEqual(entries, [boleto.payment_entry])

		with self.assertRaises(DuplicateRetornoError):  # the same file again
			self.import_file(liquidacao, f"liquidacao-{bank}-{layout}-copia.ret")
		# the same payment inside another file (with the entrada again): skipped, still one Payment Entry
		again = banks.retorno(bank, layout, [banks.title(boleto, "entrada", self.ddmmyyyy), paid])
		ret = self.import_file(again, f"outro-{bank}-{layout}.ret")
		self.assertEqual([r.outcome for r in ret.rows], ["Ignored", "Already Paid"])
		self.assertEqual(_payment_entries(boleto), entries)

	def test_rejection_motive_in_pt_br_reaches_the_boleto(self):
		for bank, layout in (("237", 240), ("033", 400)):
			with self.subTest(bank=bank, layout=layout):
				agreement = self.agreement(bank, layout)
				_case, boleto = self.issue(agreement, "120.00")
				data = banks.retorno(bank, layout, [banks.title(boleto, "rejeicao", self.ddmmyyyy)])
				ret = self.import_file(data, f"rejeicao-{bank}-{layout}.ret")
				self.assertEqual([r.outcome for r in ret.rows], ["Rejected"])
				boleto.reload()
				self.assertEqual(boleto.status, "Rejected")
				parsed = cnab.read_retorno(data)
				self.assertEqual(boleto.rejection_reason, parsed.items[0].reason)
				self.assertTrue(boleto.rejection_reason)
				self.assertIn("CEP", boleto.rejection_reason)  # the motive, in pt-BR, as the bank states it
				exc = frappe.get_doc("Fiber Finance Exception", ret.rows[0].finance_exception)
				self.assertEqual((exc.exception_type, exc.boleto), ("Rejected Registration", boleto.name))

	def test_file_of_another_company_is_refused_whole(self):
		agreement = banks.ensure_agreement("237", 400)
		_case, boleto = self.issue(agreement)
		data = banks.retorno("237", 400, [banks.title(boleto, "liquidacao", self.ddmmyyyy)])
		lines = data.decode("ascii").split("\r\n")
		lines[1] = lines[1][:3] + "99888777000161" + lines[1][17:]  # detail 004-017: another CNPJ
		ret = self.import_file("\r\n".join(lines).encode("ascii"), "outra-empresa.ret")
		self.assertEqual(ret.status, "Failed")
		self.assertEqual((ret.error_line, ret.error_column), (2, 4))
		self.assertIn("outra empresa", ret.error_message)
		self.assertEqual(ret.rows, [])
		self.assertEqual(frappe.db.get_value("Fiber Boleto", boleto.name, "status"), "Submitted")
		self.assertEqual(_payment_entries(boleto), [])

		# a bank we have no agreement with: refused whole too
		with mock.patch.object(cnab_files, "_candidates", return_value=[]):
			ret = self.import_file(data, "sem-convenio.ret")
		self.assertEqual(ret.status, "Failed")
		self.assertIn("nenhum convênio do banco 237", ret.error_message)
		self.assertEqual(frappe.db.get_value("Fiber Boleto", boleto.name, "status"), "Submitted")

	def test_agreement_the_bank_layout_cannot_use_is_refused(self):
		for bank, layout, changes, words in (
			("033", 240, {"transmission_code": ""}, "transmissão"),
			("756", 400, {"beneficiary_dv": ""}, "Sicoob"),
		):
			with self.subTest(bank=bank, layout=layout):
				doc = banks.agreement_doc(bank, layout, f"CNAB Incompleto {bank} {layout}", **changes)
				with self.assertRaises(frappe.ValidationError) as raised:
					doc.insert(ignore_permissions=True)
				self.assertIn(words, str(raised.exception))
				self.assertFalse(frappe.db.exists("Fiber Bank Agreement", doc.agreement_name))
				doc.update({k: banks.AGREEMENTS[bank][k] for k in changes})
				doc.insert(ignore_permissions=True)  # complete, it is accepted

	# -- per-line outcomes --------------------------------------------------------------------------------------
	def test_one_line_never_blocks_the_others(self):
		today = self.today
		cancelled_case, cancelled = self.issue(setup_fee="1500.00")
		cancelled_case.cancelled = 1
		cancelled_case.cancel_reason = "Cliente desistiu"
		cancelled_case.save(ignore_permissions=True)
		_c, normal = self.issue(setup_fee="1500.00")
		_c, by_hand = self.issue(setup_fee="990.00")
		boleto_service.mark_paid_manually(by_hand.name, "990.00", nowdate())
		_c, short = self.issue(setup_fee="1500.00")
		_c, rejected = self.issue(setup_fee="700.00")
		unknown = "1234567" + "9999999998"

		def paid(b, amount=None):
			value = amount or f"{b.amount:.2f}"
			return retorno_item(b.retorno_key, "06", f"{b.amount:.2f}", value, today, today, b.due_date)

		items = [
			paid(cancelled),
			paid(normal),
			paid(by_hand),
			paid(short, "1400.00"),
			retorno_item(unknown, "06", "80.00", "80.00", today, today, today),
			retorno_item(rejected.retorno_key, "03", "700.00", motives="48"),
		]
		ret = boleto_service.import_retorno(build_retorno(items, 9001).encode("ascii"), "misto.ret")
		self.assertEqual(ret.status, "Processed", ret.error_message)
		outcomes = [r.outcome for r in ret.rows]
		self.assertEqual(
			outcomes,
			[
				"Cancelled Case Paid",
				"Paid",
				"Already Paid Manually",
				"Amount Mismatch",
				"Unknown Nosso Número",
				"Rejected",
			],
		)
		self.assertEqual((ret.paid_count, ret.rejected_count, ret.exception_count), (1, 1, 5))

		# the other customer's payment is applied
		normal.reload()
		self.assertEqual(normal.status, "Paid")
		self.assertEqual(len(_payment_entries(normal)), 1)
		# the cancelled case's money is recorded for Finance, never applied (no Payment Entry, project untouched)
		cancelled.reload()
		self.assertEqual(cancelled.status, "Submitted")
		self.assertEqual(_payment_entries(cancelled), [])
		exc = frappe.get_doc("Fiber Finance Exception", ret.rows[0].finance_exception)
		self.assertEqual(exc.exception_type, "Cancelled Case Paid")
		self.assertEqual(Decimal(str(exc.received_amount)), Decimal("1500"))
		self.assertEqual(
			(exc.boleto, exc.onboarding, exc.retorno), (cancelled.name, cancelled_case.name, ret.name)
		)
		self.assertTrue(frappe.db.exists("Fiber Notification Log", f"finance-exception:{exc.name}"))
		project = frappe.db.get_value("Fiber Onboarding", cancelled_case.name, "project")
		if project:
			self.assertEqual(
				frappe.db.get_value("Fiber Project", project, "workflow_state"), "Awaiting Payment"
			)
		# paid by hand before the bank's file: one Payment Entry, Finance told once
		self.assertEqual(len(_payment_entries(by_hand)), 1)
		manual = frappe.get_doc("Fiber Finance Exception", ret.rows[2].finance_exception)
		self.assertEqual((manual.exception_type, manual.boleto), ("Already Paid Manually", by_hand.name))

		# the same payments in another file: nothing applied twice, no second exception for the same money
		again = boleto_service.import_retorno(build_retorno(items[:4], 9002).encode("ascii"), "misto-2.ret")
		self.assertEqual(
			[r.outcome for r in again.rows],
			["Cancelled Case Paid", "Already Paid", "Already Paid", "Amount Mismatch"],
		)
		self.assertEqual(again.rows[0].finance_exception, ret.rows[0].finance_exception)
		self.assertEqual(again.rows[3].finance_exception, ret.rows[3].finance_exception)
		self.assertEqual(len(_payment_entries(normal)), 1)
		self.assertEqual(frappe.db.count("Fiber Finance Exception", {"boleto": by_hand.name}), 1)

	def test_unexpected_error_on_one_line_is_undone_and_reported(self):
		from fiber_onboarding.fiber_billing.boleto_service import retorno_items

		today = self.today
		_c, broken = self.issue(setup_fee="321.00")
		_c, fine = self.issue(setup_fee="322.00")
		real = retorno_items.mark_paid

		def failing(boleto, *args, **kwargs):
			if boleto.name == broken.name:
				frappe.db.set_value("Fiber Boleto", boleto.name, "paid_amount", 1)  # a write to undo
				raise RuntimeError("falha simulada no lançamento")
			return real(boleto, *args, **kwargs)

		items = [
			retorno_item(b.retorno_key, "06", f"{b.amount:.2f}", f"{b.amount:.2f}", today, today, b.due_date)
			for b in (broken, fine)
		]
		with mock.patch.object(retorno_items, "mark_paid", failing):
			ret = boleto_service.import_retorno(build_retorno(items, 9003).encode("ascii"), "erro.ret")
		self.assertEqual(ret.status, "Processed")
		self.assertEqual([r.outcome for r in ret.rows], ["Could Not Apply", "Paid"])
		self.assertIn("falha simulada", ret.rows[0].detail)
		broken.reload()
		self.assertEqual((broken.status, broken.paid_amount), ("Submitted", 0))
		exc = frappe.get_doc("Fiber Finance Exception", ret.rows[0].finance_exception)
		self.assertEqual((exc.exception_type, exc.boleto), ("Could Not Apply", broken.name))
		self.assertEqual(Decimal(str(exc.received_amount)), Decimal("321"))
		self.assertEqual(frappe.db.get_value("Fiber Boleto", fine.name, "status"), "Paid")

	# -- daily remessa ------------------------------------------------------------------------------------------
	def test_daily_remessa_job(self):
		from fiber_onboarding import tasks

		tasks.send_remessas()  # whatever earlier tests left pending goes first
		self.assertEqual(tasks.send_remessas(), [])  # nothing pending: nothing built, nobody e-mailed

		site = frappe.db.get_single_value(SETTINGS, "bank_agreement")
		_c, first = self.issue(setup_fee="410.00")
		_c, second = self.issue(setup_fee="420.00")
		built = tasks.send_remessas()
		self.assertEqual(len(built), 1)
		remessa = frappe.get_doc("CNAB Remessa", built[0])
		self.assertEqual(remessa.bank_agreement, site)
		self.assertEqual(sorted(r.boleto for r in remessa.items), sorted([first.name, second.name]))
		self.assertTrue(frappe.db.exists("Fiber Notification Log", f"cnab-remessa:{remessa.name}"))
		read = cnab.read_remessa(_remessa_text(remessa))
		self.assertEqual(read.file_sequence, remessa.sequence)
		self.assertEqual(
			sorted(t.nosso_numero for t in read.items), sorted([first.retorno_key, second.retorno_key])
		)
		self.assertEqual(read.total_amount, Decimal("830.00"))
		self.assertEqual(tasks.send_remessas(), [])  # never the same boleto twice
		self.assertEqual(frappe.db.count("CNAB Remessa Item", {"boleto": first.name}), 1)


def _restore_conf(key, previous):
	if previous is None:
		frappe.local.conf.pop(key, None)
	else:
		frappe.local.conf[key] = previous
