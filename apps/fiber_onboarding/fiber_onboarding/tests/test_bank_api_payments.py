"""Payments through the bank's API, driven through the local bank simulator: Inter's webhook (authenticated by the
agreement's URL token, replay-safe, verified by a query to the bank) and the periodic query (BB) feed the same
idempotent path as the CNAB retorno: one Payment Entry per paid boleto, however many notices arrive."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import frappe
from frappe.utils import now_datetime, set_request

from fiber_onboarding.api import bank_api, bank_webhook
from fiber_onboarding.fiber_billing import boleto_service
from fiber_onboarding.fiber_billing.boleto_service import bank_api_setup, bank_payments
from fiber_onboarding.tests.bank_api_factory import SimulatorTestCase

PATH = "/api/method/fiber_onboarding.api.bank_webhook.inter"


def call_webhook(agreement: str | None, token: str | None, payload, user: str = "Guest", headers=None):
	"""POST ``payload`` to the webhook in process, as ``user`` (Inter calls it as a visitor)."""
	query = {k: v for k, v in (("agreement", agreement), ("token", token)) if v is not None}
	body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
	set_request(
		method="POST",
		path=PATH,
		query_string=query,
		data=body,
		content_type="application/json",
		headers=headers or {},
	)
	frappe.set_user(user)
	ip, frappe.local.request_ip = getattr(frappe.local, "request_ip", None), "203.0.113.17"  # Inter's side
	try:
		return bank_webhook.inter()
	finally:
		frappe.set_user("Administrator")
		frappe.local.request = None
		frappe.local.request_ip = ip


class TestBankApiPayments(SimulatorTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		# the webhook URL registered at Inter must be https (a production site behind its TLS proxy)
		previous = frappe.local.conf.get("host_name")
		frappe.local.conf["host_name"] = "https://fibra.example.com.br"
		cls.addClassCleanup(frappe.local.conf.__setitem__, "host_name", previous)

	def token(self) -> str:
		url = bank_api_setup.webhook_url(frappe.get_doc("Fiber Bank Agreement", self.inter.name))
		return parse_qs(urlsplit(url).query)["token"][0]

	def status(self, boleto) -> str:
		return frappe.db.get_value("Fiber Boleto", boleto.name, "status")

	# -- BB: the periodic query --------------------------------------------------------------------------------
	def test_bb_payment_found_by_the_query_job_pays_once(self):
		_case, boleto = self.issue("1500.00")
		self.assertEqual(bank_payments.poll_bank_payments().get(boleto.name), "Unchanged")
		self.sim.bb.pay(boleto.bank_reference)
		self.assertEqual(bank_payments.poll_bank_payments().get(boleto.name), "Paid")
		boleto.reload()
		self.assertEqual((boleto.status, boleto.payment_source), ("Paid", "Bank API"))
		self.assertEqual(frappe.db.get_value("Sales Invoice", boleto.sales_invoice, "status"), "Paid")
		self.assertEqual(bank_payments.poll_bank_payments().get(boleto.name), None)  # Paid: not asked again
		self.assertEqual(bank_payments.apply_bank_answer(boleto, _paid(boleto)), "Already Paid")
		self.assertEqual(len(self.payment_entries(boleto)), 1)

	def test_bb_other_amount_becomes_a_finance_exception_once(self):
		_case, boleto = self.issue("1000.00")
		self.sim.bb.pay(boleto.bank_reference, amount=1012.50)
		self.assertEqual(bank_payments.poll_bank_payments().get(boleto.name), "Amount Mismatch")
		self.assertEqual(bank_payments.poll_bank_payments().get(boleto.name), "Amount Mismatch")
		self.assertEqual(self.status(boleto), "Registered")
		self.assertEqual(frappe.db.count("Fiber Finance Exception", {"boleto": boleto.name}), 1)
		self.assertEqual(self.payment_entries(boleto), [])

	def test_bb_payment_for_a_cancelled_case_is_recorded_for_finance_not_applied(self):
		# the same rule as the CNAB retorno (payment.payment_problem): money that arrived is recorded, the
		# cancelled case's project is not moved, and the next query adds nothing
		case, boleto = self.issue("1500.00")
		case.reload()
		case.cancelled = 1
		case.cancel_reason = "Cliente desistiu"
		case.save(ignore_permissions=True)
		self.sim.bb.pay(boleto.bank_reference)
		self.assertEqual(bank_payments.poll_bank_payments().get(boleto.name), "Cancelled Case Paid")
		self.assertEqual(bank_payments.poll_bank_payments().get(boleto.name), "Cancelled Case Paid")
		self.assertEqual(self.status(boleto), "Registered")
		self.assertEqual(
			frappe.db.count(
				"Fiber Finance Exception", {"boleto": boleto.name, "exception_type": "Cancelled Case Paid"}
			),
			1,
		)
		self.assertEqual(self.payment_entries(boleto), [])

	def test_payment_by_hand_then_by_the_bank_is_reported_once(self):
		_case, boleto = self.issue("1500.00")
		boleto_service.mark_paid_manually(boleto.name, 1500, frappe.utils.nowdate())
		boleto.reload()
		self.assertEqual(bank_payments.apply_bank_answer(boleto, _paid(boleto)), "Already Paid Manually")
		self.assertEqual(bank_payments.apply_bank_answer(boleto, _paid(boleto)), "Already Paid")
		self.assertEqual(
			frappe.db.count(
				"Fiber Finance Exception", {"boleto": boleto.name, "exception_type": "Already Paid Manually"}
			),
			1,
		)
		self.assertEqual(len(self.payment_entries(boleto)), 1)

	def test_bank_down_during_the_query_changes_nothing(self):
		_case, boleto = self.issue("800.00")
		self.sim.bb.pay(boleto.bank_reference)
		self.sim.fault("bb", "query", self.simulator.server_error(503))
		with self.assertRaises(frappe.get_attr("fiber_onboarding.core.bankapi.BankApiError")):
			bank_payments.query_and_apply(boleto.name)
		self.assertEqual(self.status(boleto), "Registered")
		self.assertEqual(bank_payments.poll_bank_payments().get(boleto.name), "Paid")

	# -- Inter: the webhook --------------------------------------------------------------------------------------
	def test_inter_webhook_registration_at_the_bank(self):
		self.addCleanup(setattr, self.sim.inter, "webhook_config", None)  # the simulator would call this URL
		answer = bank_api.register_inter_webhook(self.inter.name)
		self.assertTrue(answer["ok"], answer)
		url = self.sim.inter.webhook_config["webhookUrl"]
		self.assertIn(PATH, url)
		self.assertEqual(parse_qs(urlsplit(url).query)["token"], [self.token()])
		self.assertEqual(parse_qs(urlsplit(url).query)["agreement"], [self.inter.name])

	def test_inter_webhook_pays_once_and_refuses_forged_and_replayed_calls(self):
		self.use(self.inter)
		_case, boleto = self.issue("1300.00")
		self.assertEqual(boleto.status, "Registered")
		payload = self.sim.inter.pay(boleto.bank_reference, origin="PIX")  # no webhook registered: we deliver
		notices = frappe.db.count("Fiber Bank Notice")

		# forged: no token, a made-up token, another agreement's name, a token for another agreement
		for agreement, token in (
			(self.inter.name, None),
			(self.inter.name, "0" * 64),
			(self.bb.name, self.token()),
			(None, self.token()),
		):
			with self.assertRaises(frappe.PermissionError):
				call_webhook(agreement, token, payload)
		self.assertEqual(self.status(boleto), "Registered")
		self.assertEqual(frappe.db.count("Fiber Bank Notice"), notices)

		# authentic: the notice is verified with the bank and pays the boleto once
		self.assertEqual(call_webhook(self.inter.name, self.token(), payload), {"accepted": 1})
		boleto.reload()
		self.assertEqual((boleto.status, boleto.payment_source), ("Paid", "Bank API"))
		notice = frappe.get_all("Fiber Bank Notice", filters={"boleto": boleto.name}, fields=["outcome"])
		self.assertEqual([n.outcome for n in notice], ["Paid"])

		# replayed (Inter's own retry, or a captured request): accepted as delivered, applied never again
		self.assertEqual(call_webhook(self.inter.name, self.token(), payload), {"accepted": 0})
		self.assertEqual(len(self.payment_entries(boleto)), 1)

	def test_inter_webhook_body_is_never_trusted(self):
		self.use(self.inter)
		_case, boleto = self.issue("1400.00")
		charge = self.sim.inter.charges[boleto.bank_reference]["cobranca"]
		lie = [
			{
				"codigoSolicitacao": boleto.bank_reference,
				"seuNumero": charge["seuNumero"],
				"situacao": "RECEBIDO",
				"dataHoraSituacao": now_datetime().strftime("%Y-%m-%dT%H:%M:%S.000Z"),
				"valorTotalRecebido": "1400.00",
				"origemRecebimento": "PIX",
			}
		]
		# even with the right token, a notice the bank does not confirm pays nothing
		self.assertEqual(call_webhook(self.inter.name, self.token(), lie), {"accepted": 1})
		self.assertEqual(self.status(boleto), "Registered")
		self.assertEqual(self.payment_entries(boleto), [])
		# a notice older than the replay window is not accepted at all
		old = [dict(lie[0], dataHoraSituacao="2020-01-05T10:00:00.000Z")]
		self.assertEqual(call_webhook(self.inter.name, self.token(), old), {"accepted": 0})
		# a customer (logged in) gets the same refusal as anyone without the token
		user = self.issue("1400.00", portal=True)[0].portal_user
		with self.assertRaises(frappe.PermissionError):
			call_webhook(self.inter.name, "x", lie, user=user)
		# malformed bodies are refused with a pt-BR message, nothing stored
		before = frappe.db.count("Fiber Bank Notice")
		with self.assertRaises(frappe.ValidationError):
			call_webhook(self.inter.name, self.token(), b"<html>")
		with self.assertRaises(frappe.ValidationError):
			call_webhook(self.inter.name, self.token(), [{"situacao": "RECEBIDO"}])
		self.assertEqual(frappe.db.count("Fiber Bank Notice"), before)

	def test_webhook_over_http_refuses_a_forged_call(self):
		"""Through the WSGI app (its own connection, the portal gate, Frappe's parsing of a JSON array body)."""
		from urllib.parse import urlencode

		from fiber_onboarding.tests.test_portal_gate import Browserless, message_of

		visitor = Browserless(ip="198.51.100.40")
		forged = json.dumps([{"codigoSolicitacao": "x", "situacao": "RECEBIDO", "valorTotalRecebido": "9"}])
		query = urlencode({"agreement": self.inter.name, "token": "0" * 64})
		response = visitor.post(f"{PATH}?{query}", data=forged, headers={"Content-Type": "application/json"})
		self.assertEqual(response.status_code, 403, response.get_data(as_text=True))
		self.assertIn("token do webhook", message_of(response))
		self.assertNotIn("Traceback", response.get_data(as_text=True))
		self.assertIn(visitor.get(PATH).status_code, (403, 405))  # POST only

	def test_inter_notice_while_the_bank_is_down_is_caught_by_the_query(self):
		self.use(self.inter)
		_case, boleto = self.issue("1100.00")
		payload = self.sim.inter.pay(boleto.bank_reference, origin="BOLETO")
		self.sim.fault("inter", "query", self.simulator.server_error(503))
		self.assertEqual(call_webhook(self.inter.name, self.token(), payload), {"accepted": 1})
		self.assertEqual(self.status(boleto), "Registered")
		outcome = frappe.db.get_value("Fiber Bank Notice", {"boleto": boleto.name}, "outcome")
		self.assertIn("503", outcome)
		self.assertEqual(bank_payments.poll_bank_payments().get(boleto.name), "Paid")
		self.assertEqual(len(self.payment_entries(boleto)), 1)


def _paid(boleto):
	from decimal import Decimal

	from fiber_onboarding.adapters.banks.registrar import ApiRegistrationResult

	return ApiRegistrationResult(
		"", "", "", "paid", "Liquidado.", paid_amount=Decimal(str(boleto.amount)), paid_on=boleto.due_date
	)


class TestInterClientCertificate(SimulatorTestCase):
	"""With "Require Inter's Client Certificate", the proxy's verification header is needed too."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		previous = frappe.local.conf.get("host_name")
		frappe.local.conf["host_name"] = "https://fibra.example.com.br"
		cls.addClassCleanup(frappe.local.conf.__setitem__, "host_name", previous)
		frappe.db.set_value("Fiber Bank Agreement", cls.inter.name, "inter_webhook_require_client_cert", 1)

	def test_notice_without_the_verified_certificate_is_refused(self):
		self.use(self.inter)
		_case, boleto = self.issue("1250.00")
		payload = self.sim.inter.pay(boleto.bank_reference)
		url = bank_api_setup.webhook_url(frappe.get_doc("Fiber Bank Agreement", self.inter.name))
		token = parse_qs(urlsplit(url).query)["token"][0]
		for headers in ({}, {"X-SSL-Client-Verify": "FAILED:unable to verify"}):
			with self.assertRaises(frappe.PermissionError):
				call_webhook(self.inter.name, token, payload, headers=headers)
		self.assertEqual(frappe.db.get_value("Fiber Boleto", boleto.name, "status"), "Registered")
		answer = call_webhook(self.inter.name, token, payload, headers={"X-SSL-Client-Verify": "SUCCESS"})
		self.assertEqual(answer, {"accepted": 1})
		self.assertEqual(frappe.db.get_value("Fiber Boleto", boleto.name, "status"), "Paid")
