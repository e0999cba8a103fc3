"""The daily remessa job when not everything can go to the bank.

- A boleto whose payer data the file cannot carry is left out (it stays pending), the others are sent, and Finance
  is e-mailed the agreement, the boleto and the pt-BR reason; once fixed it goes in the next file.
- When no pending boleto can go, no file is written (the sequence is not used) and Finance is e-mailed.
- An agreement whose whole file fails is rolled back, logged (Error Log) and Finance e-mailed with the boletos
  still waiting.
"""

from __future__ import annotations

import email
import email.header
from unittest import mock

import frappe

from fiber_onboarding import tasks
from fiber_onboarding.adapters import cnab_files
from fiber_onboarding.fiber_billing import boleto_service
from fiber_onboarding.tests.billing_factory import make_registered_case

try:  # v16
	from frappe.tests import IntegrationTestCase as TestCase
except ImportError:  # v15
	from frappe.tests.utils import FrappeTestCase as TestCase

SETTINGS = "Fiber Onboarding Settings"
FINANCE = "financeiro.remessa@fibra-teste.example.com"
BLOCKED = "fo_cnab_remessa_blocked"


def _mails(agreement: str) -> list[dict]:
	"""The remessa-blocked e-mails queued about ``agreement`` (recipients, subject, decoded HTML)."""
	keys = frappe.get_all(
		"Fiber Notification Log",
		filters={"email_template": BLOCKED, "reference_name": agreement},
		pluck="name",
	)
	out = []
	for q in frappe.get_all(
		"Email Queue",
		filters={"reference_doctype": "Fiber Bank Agreement", "reference_name": agreement},
		fields=["name", "message"],
		order_by="creation asc",
	):
		msg = email.message_from_string(q.message)
		html = "".join(
			part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
			for part in msg.walk()
			if part.get_content_type() == "text/html"
		)
		subject = str(email.header.make_header(email.header.decode_header(msg["Subject"])))
		recipients = frappe.get_all("Email Queue Recipient", filters={"parent": q.name}, pluck="recipient")
		out.append({"subject": subject, "html": html, "recipients": recipients})
	assert len(keys) == len(out), (keys, out)  # one log per e-mail
	return out


class TestRemessaAlerts(TestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		previous = frappe.db.get_single_value(SETTINGS, "finance_email")
		frappe.db.set_single_value(SETTINGS, "finance_email", FINANCE)
		self.addCleanup(frappe.db.set_single_value, SETTINGS, "finance_email", previous)
		self.site = frappe.db.get_single_value(SETTINGS, "bank_agreement")
		tasks.send_remessas()  # whatever earlier tests left pending goes first
		self.assertEqual(boleto_service.pending_for_remessa(self.site), [])
		frappe.db.delete("Fiber Notification Log", {"email_template": BLOCKED})
		frappe.db.delete("Email Queue", {"reference_doctype": "Fiber Bank Agreement"})

	def issue(self, fee: str):
		return boleto_service.issue_boleto(make_registered_case(fee))

	def test_bad_payer_data_leaves_only_that_boleto_out(self):
		first, bad, last = self.issue("310.00"), self.issue("320.00"), self.issue("330.00")
		good_cnpj = frappe.db.get_value("Fiber Boleto", bad.name, "payer_tax_id")
		frappe.db.set_value("Fiber Boleto", bad.name, "payer_tax_id", "123.456")
		self.addCleanup(frappe.db.set_value, "Fiber Boleto", bad.name, "payer_tax_id", good_cnpj)

		built = tasks.send_remessas()
		self.assertEqual(len(built), 1)
		remessa = frappe.get_doc("CNAB Remessa", built[0])
		self.assertEqual(sorted(r.boleto for r in remessa.items), sorted([first.name, last.name]))
		self.assertEqual(remessa.item_count, 2)
		# the bad one stays pending, in no file
		self.assertEqual(
			frappe.db.get_value("Fiber Boleto", bad.name, ["status", "remessa"]), ("Submitted", None)
		)
		self.assertEqual(boleto_service.pending_for_remessa(self.site), [(bad.name, "Registration")])
		# Finance: the usual "remessa ready" e-mail, and the boleto left out with its reason, in pt-BR
		self.assertTrue(frappe.db.exists("Fiber Notification Log", f"cnab-remessa:{remessa.name}"))
		mails = _mails(self.site)
		self.assertEqual(len(mails), 1)
		mail = mails[0]
		self.assertEqual(mail["recipients"], [FINANCE])
		self.assertEqual(mail["subject"], f"Remessa CNAB {remessa.name}: 1 boleto(s) fora do arquivo")
		self.assertIn(bad.name, mail["html"])
		self.assertIn(self.site, mail["html"])
		self.assertIn(
			"Documento do pagador '123.456' não é CPF (11 dígitos) nem CNPJ (14 caracteres).", mail["html"]
		)
		self.assertIn("continuam pendentes", mail["html"])
		self.assertNotIn(first.name, mail["html"])
		self.assertNotIn(last.name, mail["html"])

		# next run, the same day, still bad: no file (the sequence is not used), Finance told once
		sequence = frappe.db.get_value("Fiber Bank Agreement", self.site, "last_remessa_sequence")
		self.assertEqual(tasks.send_remessas(), [])
		self.assertEqual(tasks.send_remessas(), [])
		self.assertEqual(
			frappe.db.get_value("Fiber Bank Agreement", self.site, "last_remessa_sequence"), sequence
		)
		mails = _mails(self.site)
		self.assertEqual(len(mails), 2)
		self.assertIn("Remessa CNAB não gerada", mails[1]["subject"])
		self.assertIn("nenhum boleto pendente", mails[1]["html"])
		self.assertIn(bad.name, mails[1]["html"])

		# fixed, it goes in the next file
		frappe.db.set_value("Fiber Boleto", bad.name, "payer_tax_id", good_cnpj)
		built = tasks.send_remessas()
		self.assertEqual(len(built), 1)
		self.assertEqual([r.boleto for r in frappe.get_doc("CNAB Remessa", built[0]).items], [bad.name])
		self.assertEqual(boleto_service.pending_for_remessa(self.site), [])

	def test_failed_file_is_rolled_back_logged_and_e_mailed(self):
		waiting = self.issue("340.00")
		sequence = frappe.db.get_value("Fiber Bank Agreement", self.site, "last_remessa_sequence")
		remessas = frappe.db.count("CNAB Remessa")
		logs = frappe.db.count("Error Log")
		with mock.patch.object(cnab_files, "remessa_text", side_effect=RuntimeError("falha simulada")):
			self.assertEqual(tasks.send_remessas(), [])
		self.assertEqual(frappe.db.count("CNAB Remessa"), remessas)
		self.assertEqual(
			frappe.db.get_value("Fiber Bank Agreement", self.site, "last_remessa_sequence"), sequence
		)
		self.assertEqual(frappe.db.count("Error Log"), logs + 1)
		log = frappe.get_last_doc("Error Log")
		self.assertIn(self.site, log.method)
		mails = _mails(self.site)
		self.assertEqual(len(mails), 1)
		self.assertIn("Remessa CNAB não gerada", mails[0]["subject"])
		self.assertIn("o arquivo inteiro falhou", mails[0]["html"])
		self.assertIn(f"Erro inesperado (RuntimeError). Detalhes no Error Log {log.name}.", mails[0]["html"])
		self.assertIn(waiting.name, mails[0]["html"])  # still waiting for the next file
		self.assertEqual(boleto_service.pending_for_remessa(self.site), [(waiting.name, "Registration")])
		# the next run sends it
		self.assertEqual(len(tasks.send_remessas()), 1)
