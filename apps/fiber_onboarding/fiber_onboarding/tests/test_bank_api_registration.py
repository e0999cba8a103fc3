"""Bank API registration through the local bank simulator (HTTPS, client certificate required): the agreement's
"Testar conexão", registration at issue with the bank's codes and Pix, the bank down (retry with backoff, page
"being registered", e-mail when ready), a duplicate read back, codes that differ, a refused title, and the
write-off (baixa) on expiry and reissue."""

from __future__ import annotations

import frappe
from frappe.utils import add_days, add_to_date, now_datetime, nowdate

from fiber_onboarding.api import bank_api
from fiber_onboarding.fiber_billing import boleto_service
from fiber_onboarding.fiber_billing.boleto_render import render_context
from fiber_onboarding.fiber_billing.boleto_service import api_registration
from fiber_onboarding.tests.bank_api_factory import SimulatorTestCase, make_agreement, private_file

LAYOUT = "fiber_onboarding/templates/includes/boleto_layout.html"


def later(hours: int = 6):
	return add_to_date(now_datetime(), hours=hours)


class TestBankApiRegistration(SimulatorTestCase):
	# -- Testar conexão ----------------------------------------------------------------------------------------
	def test_connection_button_reports_in_pt_br(self):
		answer = bank_api.test_connection(self.bb.name)
		self.assertTrue(answer["ok"], answer)
		self.assertIn("Conexão com o Banco do Brasil (sandbox) confirmada", answer["message"])
		self.assertIn("Conexão com o Banco Inter", bank_api.test_connection(self.inter.name)["message"])

		wrong = make_agreement(self.sim, "bb", api_client_secret="segredo-errado")
		answer = bank_api.test_connection(wrong.name)
		self.assertFalse(answer["ok"])
		self.assertIn("recusou as credenciais", answer["message"])
		self.assertNotIn("segredo-errado", answer["message"])

		expired = make_agreement(self.sim, "inter", identity=self.pki.expired_client())
		answer = bank_api.test_connection(expired.name)
		self.assertFalse(answer["ok"])
		self.assertIn("venceu em", answer["message"])

		foreign = make_agreement(self.sim, "bb", identity=self.pki.foreign_client())
		answer = bank_api.test_connection(foreign.name)
		self.assertFalse(answer["ok"])
		self.assertRegex(answer["message"], "recusou o certificado|Não foi possível conectar")

	def test_connection_button_is_for_finance_only(self):
		from fiber_onboarding.tests.test_sla_jobs import ensure_user

		manager = ensure_user("fo-bank-api-manager@example.com", "Fiber Onboarding Manager")
		frappe.set_user(manager)
		tokens = self.sim.count("bb", "token")
		with self.assertRaises(frappe.PermissionError):
			bank_api.test_connection(self.bb.name)
		self.assertEqual(self.sim.count("bb", "token"), tokens)  # refused before any call to the bank

	def test_certificate_must_be_a_private_file(self):
		public = frappe.get_doc(
			{"doctype": "File", "file_name": "publico.pem", "content": "x", "is_private": 0}
		).insert(ignore_permissions=True)
		agreement = make_agreement(self.sim, "bb")
		agreement.api_certificate = public.file_url
		with self.assertRaises(frappe.ValidationError):
			agreement.save()
		agreement.reload()
		agreement.api_certificate = private_file("ok.pem", "x")
		agreement.save()  # a private file is accepted (its content is checked by Testar conexão)

	# -- registration at issue ---------------------------------------------------------------------------------
	def test_bb_boleto_is_registered_at_issue_with_pix(self):
		registers = self.sim.count("bb", "register")
		case, boleto = self.issue("1500.00", portal=True)
		self.assertEqual(self.sim.count("bb", "register"), registers + 1)
		self.assertEqual((boleto.status, boleto.api_state), ("Registered", "Registered"))
		title = self.sim.bb.titles[boleto.bank_reference]
		# the bank's codes equal ours (the simulator computes them with its own FEBRABAN code)
		self.assertEqual(boleto.barcode, title["barcode"])
		self.assertEqual(boleto.digitable_line.replace(".", "").replace(" ", ""), title["line"])
		self.assertEqual(boleto.pix_payload, title["qrCode"]["emv"])
		self.assertEqual(boleto.pix_txid, title["qrCode"]["txId"])

		bol = render_context(boleto)
		self.assertFalse(bol["provisional"] or bol["registering"])
		self.assertIn("<svg", bol["pix_markup"])  # the Pix QR from the first print
		html = frappe.get_print("Fiber Boleto", boleto.name, print_format="Boleto")
		self.assertIn("QR Code Pix", html)
		self.assertIn(boleto.pix_payload, html)

		# the jobs never register it again
		api_registration.retry_due_registrations(later(48))
		self.assertEqual(self.sim.count("bb", "register"), registers + 1)

	def test_an_issue_undone_after_the_bank_registered_burns_the_number_and_writes_the_title_off(self):
		from unittest.mock import patch

		_case, boleto = self.issue("720.00")
		undo = [
			f
			for f in frappe.db.after_rollback._functions
			if getattr(f, "func", None) is api_registration.undo_registration
			and boleto.bank_reference in f.args
		]
		self.assertEqual(len(undo), 1)  # armed for this transaction's rollback
		with patch.object(frappe.db, "commit"):  # the callback commits its counter: not inside this test
			undo[0]()
		self.assertEqual(self.sim.bb.titles[boleto.bank_reference]["state"], 7)
		counter = frappe.db.get_value("Fiber Bank Agreement", self.bb.name, "next_nosso_numero")
		self.assertGreater(counter, boleto.sequence)

	def test_bank_down_then_retried_and_customer_emailed(self):
		self.sim.fault("bb", "register", self.simulator.server_error(503))
		case, boleto = self.issue("990.00", portal=True)
		self.assertEqual(
			(boleto.status, boleto.api_state, boleto.api_attempts), ("Submitted", "Waiting Retry", 1)
		)
		self.assertIn("503", boleto.api_message)
		self.assertTrue(boleto.api_next_retry)
		self.assertNotIn(boleto.name, [n for n, _m in boleto_service.pending_for_remessa(self.bb.name)])

		bol = render_context(boleto, for_pdf=False)
		self.assertTrue(bol["registering"])
		self.assertEqual((bol["digitable_line"], bol["barcode_markup"], bol["pix_markup"]), ("", "", ""))
		html = frappe.render_template(LAYOUT, {"bol": bol})
		self.assertIn("Boleto em registro no banco", html)
		self.assertNotIn(boleto.barcode, html)
		from fiber_onboarding.www import boleto as page  # what the customer gets at /boleto

		frappe.set_user(case.portal_user)
		frappe.form_dict.name = boleto.name
		self.addCleanup(frappe.form_dict.pop, "name", None)
		self.assertTrue(page.get_context(frappe._dict()).bol["registering"])
		frappe.set_user("Administrator")

		# not due yet: nothing is sent; due: registered, and the customer hears it once
		self.assertEqual(api_registration.retry_due_registrations(now_datetime()), [])
		self.sim.fault("bb", "register", self.simulator.rate_limited("900"))
		self.assertEqual(api_registration.retry_due_registrations(later()), [])
		boleto.reload()
		self.assertEqual((boleto.api_state, boleto.api_attempts), ("Waiting Retry", 2))
		self.assertGreaterEqual((boleto.api_next_retry - now_datetime()).total_seconds(), 890)  # Retry-After
		self.assertIn(boleto.name, api_registration.retry_due_registrations(later()))
		boleto.reload()
		self.assertEqual(
			(boleto.status, boleto.api_state, boleto.api_attempts), ("Registered", "Registered", 3)
		)
		self.assertTrue(boleto.pix_payload)
		self.assertTrue(frappe.db.exists("Fiber Notification Log", f"boleto-ready:{boleto.name}"))
		self.assertFalse(api_registration.notify_ready(boleto))  # once

	def test_a_title_the_bank_already_has_is_read_back_not_sent_twice(self):
		self.sim.fault("bb", "register", self.simulator.server_error(502))
		_case, boleto = self.issue("700.00")
		self.assertEqual(boleto.api_state, "Waiting Retry")
		# the first request did reach the bank after all (its answer was lost): the bank has the title
		registrar = frappe.get_attr("fiber_onboarding.adapters.bank_registration.registrar_for")(self.bb)
		with registrar:
			first = registrar.register(
				frappe.get_attr("fiber_onboarding.adapters.bank_registration.request_for")(boleto)
			)
		titles = len(self.sim.bb.titles)
		api_registration.retry_due_registrations(later())
		boleto.reload()
		self.assertEqual(boleto.status, "Registered")
		self.assertEqual(boleto.bank_reference, first.bank_reference)
		self.assertEqual(len(self.sim.bb.titles), titles)  # no second title for the nosso número
		self.assertIn("lido de volta", boleto.api_message)

	def test_finance_retries_a_waiting_boleto_from_the_desk(self):
		from fiber_onboarding.api import boleto as boleto_api
		from fiber_onboarding.tests.test_sla_jobs import ensure_user

		self.sim.fault("bb", "register", self.simulator.server_error(504))
		_case, boleto = self.issue("630.00")
		self.assertEqual(boleto.api_state, "Waiting Retry")
		frappe.set_user(ensure_user("fo-bank-api-manager@example.com", "Fiber Onboarding Manager"))
		registers = self.sim.count("bb", "register")
		with self.assertRaises(frappe.PermissionError):
			boleto_api.retry_registration(boleto.name)
		self.assertEqual(self.sim.count("bb", "register"), registers)
		frappe.set_user(ensure_user("fo-bank-api-finance@example.com", "Fiber Finance"))
		self.assertEqual(boleto_api.retry_registration(boleto.name)["status"], "Registered")
		frappe.set_user("Administrator")
		self.assertTrue(frappe.db.exists("Fiber Notification Log", f"boleto-ready:{boleto.name}"))
		with self.assertRaises(boleto_service.BillingError):  # registered: nothing to retry
			boleto_api.retry_registration(boleto.name)

	def test_codes_that_differ_from_ours_are_not_payable(self):
		self.sim.bb.carteira_override = 11
		self.addCleanup(setattr, self.sim.bb, "carteira_override", None)
		_case, boleto = self.issue("640.00")
		self.assertEqual((boleto.status, boleto.api_state), ("Rejected", "Code Mismatch"))
		exception = frappe.get_all(
			"Fiber Finance Exception", filters={"boleto": boleto.name}, fields=["exception_type", "detail"]
		)
		self.assertEqual(len(exception), 1)
		self.assertIn("código", exception[0].detail.lower())
		bol = render_context(boleto)
		self.assertTrue(bol["code_mismatch"])
		self.assertEqual((bol["digitable_line"], bol["barcode_markup"], bol["pix_markup"]), ("", "", ""))
		self.assertIn("ainda não", frappe.render_template(LAYOUT, {"bol": bol}))
		api_registration.retry_due_registrations(later())  # a mismatch is Finance's: no automatic retry
		self.assertEqual(frappe.db.get_value("Fiber Boleto", boleto.name, "api_state"), "Code Mismatch")

	def test_a_silent_or_garbled_bank_leaves_the_boleto_waiting(self):
		agreement = make_agreement(self.sim, "bb", api_timeout=1, next_nosso_numero=800_000)
		self.use(agreement)
		self.sim.fault("bb", "register", self.simulator.hang())
		_case, silent = self.issue("660.00")
		self.assertEqual((silent.status, silent.api_state), ("Submitted", "Waiting Retry"))
		self.assertIn("não respondeu", silent.api_message)
		self.sim.fault("bb", "register", self.simulator.malformed())
		_case, garbled = self.issue("670.00")
		self.assertEqual((garbled.status, garbled.api_state), ("Submitted", "Waiting Retry"))
		self.assertIn("não é JSON", garbled.api_message)
		# both are registered once the bank answers again
		changed = api_registration.retry_due_registrations(later())
		self.assertIn(silent.name, changed)
		self.assertIn(garbled.name, changed)

	def test_a_title_the_bank_refuses_is_rejected_for_finance(self):
		reply = self.simulator.Reply(
			400, {"erros": [{"codigo": "4678409", "versao": "1", "mensagem": "UF do pagador inválida"}]}
		)
		self.sim.fault("bb", "register", reply)
		_case, boleto = self.issue("610.00")
		self.assertEqual(boleto.status, "Rejected")
		self.assertIn("UF do pagador inválida", boleto.rejection_reason)
		self.assertTrue(
			frappe.db.exists(
				"Fiber Finance Exception", {"boleto": boleto.name, "exception_type": "Rejected Registration"}
			)
		)

	def test_wrong_credentials_keep_the_boleto_waiting_and_visible(self):
		# same convênio as self.bb at the simulator: its own range of nosso números
		agreement = make_agreement(self.sim, "bb", api_client_secret="errado", next_nosso_numero=900_000)
		self.use(agreement)
		_case, boleto = self.issue("620.00")
		self.assertEqual((boleto.status, boleto.api_state), ("Submitted", "Needs Attention"))
		self.assertIn("recusou as credenciais", boleto.api_message)
		alert = f"bank-api-attention:{agreement.name}:{nowdate()}"
		self.assertTrue(frappe.db.exists("Fiber Notification Log", alert))  # Finance is told, once a day
		self.issue("625.00")
		self.assertEqual(frappe.db.count("Fiber Notification Log", {"key": alert}), 1)
		self.assertNotIn("errado", boleto.api_message)
		# staff fix the secret: the next attempt registers it
		agreement.reload()
		agreement.api_client_secret = self.sim.credentials("bb")["client_secret"]
		agreement.save()
		frappe.clear_document_cache("Fiber Bank Agreement", agreement.name)
		self.assertIn(boleto.name, api_registration.retry_due_registrations(later()))
		self.assertEqual(frappe.db.get_value("Fiber Boleto", boleto.name, "status"), "Registered")
		# the secrets live encrypted (Password fields), never in the row, its history (if kept) or the boleto
		secret = agreement.get_password("api_client_secret")
		self.assertEqual(secret, self.sim.credentials("bb")["client_secret"])
		history = frappe.get_all(
			"Version",
			filters={"ref_doctype": "Fiber Bank Agreement", "docname": agreement.name},
			pluck="data",
		)
		stored = frappe.db.get_value("Fiber Bank Agreement", agreement.name, "api_client_secret")
		boleto_text = frappe.as_json(frappe.get_doc("Fiber Boleto", boleto.name).as_dict())
		for text in (*history, stored, boleto_text):
			self.assertNotIn(secret, text or "")

	# -- Inter: the bank numbers the title; its codes are printed after the structural check -----------------
	def test_inter_boleto_gets_the_bank_codes_and_pix(self):
		self.use(self.inter)
		_case, boleto = self.issue("1200.00")
		self.assertEqual((boleto.status, boleto.api_state), ("Registered", "Registered"))
		charge = self.sim.inter.charges[boleto.bank_reference]
		self.assertEqual(boleto.barcode, charge["boleto"]["codigoBarras"])
		self.assertEqual(boleto.bank_nosso_numero, charge["boleto"]["nossoNumero"])
		self.assertEqual(boleto.pix_payload, charge["pix"]["pixCopiaECola"])
		self.assertEqual(charge["cobranca"]["seuNumero"], boleto.nosso_numero)
		self.assertEqual(render_context(boleto)["bank_code_label"], "077-9")

	def test_inter_still_issuing_is_read_back_by_its_reference(self):
		self.use(self.inter)
		self.sim.inter.processing_reads = 1  # EM_PROCESSAMENTO on the first read
		self.addCleanup(setattr, self.sim.inter, "processing_reads", 0)
		_case, boleto = self.issue("1210.00", portal=True)
		self.assertEqual((boleto.status, boleto.api_state), ("Submitted", "Registering"))
		self.assertTrue(boleto.bank_reference)
		registers = self.sim.count("inter", "register")
		self.assertIn(boleto.name, api_registration.retry_due_registrations(later()))
		self.assertEqual(self.sim.count("inter", "register"), registers)  # queried, not issued again
		boleto.reload()
		self.assertEqual((boleto.status, boleto.api_state), ("Registered", "Registered"))
		self.assertTrue(boleto.pix_payload)
		self.assertTrue(frappe.db.exists("Fiber Notification Log", f"boleto-ready:{boleto.name}"))

	# -- write-off (baixa) -------------------------------------------------------------------------------------
	def test_expiry_and_reissue_send_the_banks_baixa(self):
		_case, boleto = self.issue("880.00")
		grace = boleto_service.expiry_grace_days()
		# the bank is down for every write-off of this run (other open boletos of the class expire too)
		self.sim.fault("bb", "cancel", self.simulator.server_error(500), times=1000)
		self.assertIn(boleto.name, boleto_service.expire_overdue(add_days(boleto.due_date, grace + 1)))
		self.sim.faults[("bb", "cancel")].clear()
		boleto.reload()
		self.assertEqual((boleto.status, boleto.bank_write_off), ("Expired", "Pending"))
		self.assertEqual(self.sim.bb.titles[boleto.bank_reference]["state"], 1)
		self.assertIn(
			boleto.name,
			frappe.get_attr("fiber_onboarding.fiber_billing.boleto_service.bank_payments.retry_write_offs")(),
		)
		self.assertEqual(frappe.db.get_value("Fiber Boleto", boleto.name, "bank_write_off"), "Sent")
		self.assertEqual(self.sim.bb.titles[boleto.bank_reference]["state"], 7)  # baixado at the bank

		new = boleto_service.reissue(boleto.name, add_days(nowdate(), 5))
		self.assertEqual(new.status, "Registered")
		self.assertEqual(frappe.db.get_value("Fiber Boleto", boleto.name, "status"), "Cancelled")

		# a mismatch (registered at the bank, not payable) is written off when Finance reissues it
		self.sim.bb.carteira_override = 11
		_case, odd = self.issue("650.00")
		self.sim.bb.carteira_override = None
		boleto_service.reissue(odd.name, add_days(nowdate(), 5))
		self.assertEqual(self.sim.bb.titles[odd.bank_reference]["state"], 7)
