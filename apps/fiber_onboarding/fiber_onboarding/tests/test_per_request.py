"""Integration: ``utils.per_request.remember`` keeps a value for one read request only.

A page view (GET) reads the user's Customers once however often it asks; a POST, a request that has written since,
another request and code outside any request read afresh, so a registration that adds the user to a new Customer
is seen at once.
"""

from __future__ import annotations

import frappe
from frappe.utils import set_request

from fiber_onboarding.permissions import customers_of
from fiber_onboarding.tests.billing_factory import make_portal_user
from fiber_onboarding.tests.query_count import count_queries
from fiber_onboarding.utils.per_request import remember

try:
	from frappe.tests import IntegrationTestCase as TestCase
except ImportError:
	from frappe.tests.utils import FrappeTestCase as TestCase


def forget_request():
	if hasattr(frappe.local, "request"):
		del frappe.local.request


class TestPerRequest(TestCase):
	def tearDown(self):
		forget_request()

	def reads(self, times: int = 3) -> int:
		"""Reads of the Portal User table when asking ``times`` times for a portal user's Customers."""
		customers_of(self.user)  # the DocType's meta is cached by the first read of all
		request = getattr(frappe.local, "request", None)
		if request is not None:  # a new request of the same kind: nothing remembered yet
			set_request(method=request.method, path=request.path)
		with count_queries() as counter:
			for _ in range(times):
				customers_of(self.user)
		return sum("tabPortal User" in s for s in counter["statements"])

	def setUp(self):
		self.user = make_portal_user()

	def test_a_read_request_asks_once(self):
		set_request(method="GET", path="/ativacoes")
		self.assertEqual(self.reads(), 1)
		set_request(method="GET", path="/ativacoes")  # the next request reads again
		self.assertEqual(self.reads(), 1)

	def test_a_post_and_no_request_always_read(self):
		set_request(method="POST", path="/api/method/fiber_onboarding.api.portal.register")
		self.assertEqual(self.reads(), 3)
		forget_request()
		self.assertEqual(self.reads(), 3)

	def test_a_write_drops_what_was_remembered(self):
		set_request(method="GET", path="/ativacoes")
		calls = []
		self.assertEqual(remember("k", lambda: calls.append(1) or "first"), "first")
		self.assertEqual(remember("k", lambda: calls.append(1) or "second"), "first")
		frappe.db.set_value("User", self.user, "last_name", frappe.generate_hash(length=6))
		self.assertEqual(remember("k", lambda: calls.append(1) or "third"), "third")
		self.assertEqual(len(calls), 2)
