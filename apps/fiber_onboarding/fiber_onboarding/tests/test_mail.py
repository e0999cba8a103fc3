"""Integration: e-mails from Email Templates are queued once per event, escaped, with a subject that fits."""

import email
from email import policy

import frappe

from fiber_onboarding.utils.mail import already_sent, send_once

try:
	from frappe.tests import IntegrationTestCase as TestCase
except ImportError:
	from frappe.tests.utils import FrappeTestCase as TestCase

RECIPIENT = "fo-mail-test@example.com"


def html_part(raw: str) -> str:
	"""The text/html part of a queued message (the text/plain alternative is derived from it)."""
	message = email.message_from_string(raw, policy=policy.default)
	return message.get_body(preferencelist=("html",)).get_content()


def queued(recipient: str = RECIPIENT) -> list[dict]:
	return frappe.get_all(
		"Email Queue",
		filters=[["Email Queue Recipient", "recipient", "=", recipient]],
		fields=["name", "message"],
	)


class TestSendOnce(TestCase):
	def setUp(self):
		frappe.set_user("Administrator")

	def test_queues_exactly_once_per_key(self):
		context = {"customer_name": "Padaria Teste", "tech_name": "Ana", "circuit": {"circuit_id": "CIR-1"}}
		key = f"test-mail:{frappe.generate_hash(length=8)}"
		self.assertTrue(send_once(key, "fo_activation", RECIPIENT, context))
		self.assertFalse(send_once(key, "fo_activation", RECIPIENT, context))
		self.assertTrue(already_sent(key))
		self.assertEqual(len([q for q in queued() if "Padaria Teste" in (q.message or "")]), 1)

	def test_customer_text_is_escaped_in_the_body(self):
		name = "<script>alert(1)</script> Ltda"
		key = f"test-mail:{frappe.generate_hash(length=8)}"
		context = {
			"customer_name": name,
			"tech_name": "<b>x</b>",
			"circuit": {},
			"portal_url": "https://x/a?b=1&c=2",
		}
		send_once(key, "fo_activation", RECIPIENT, context)
		bodies = [html_part(q.message) for q in queued() if "alert(1)" in (q.message or "")]
		self.assertEqual(len(bodies), 1)
		self.assertNotIn("<script>", bodies[0])
		self.assertNotIn("<b>x</b>", bodies[0])
		self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt; Ltda", bodies[0])
		self.assertIn('href="https://x/a?b=1&amp;c=2"', bodies[0])

	def test_long_subject_is_logged_truncated(self):
		key = f"test-mail:{frappe.generate_hash(length=8)}"
		send_once(
			key, "fo_activation", RECIPIENT, {"customer_name": "X" * 300, "tech_name": "", "circuit": {}}
		)
		self.assertLessEqual(len(frappe.db.get_value("Fiber Notification Log", key, "subject")), 140)

	def test_no_recipient_sends_nothing(self):
		key = f"test-mail:{frappe.generate_hash(length=8)}"
		self.assertFalse(send_once(key, "fo_activation", [None, ""], {"customer_name": "Y"}))
		self.assertFalse(already_sent(key))
