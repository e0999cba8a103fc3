"""Integration: the portal gate, deny by default for visitors and customers at every door (security/gate.py).

1. Enumeration, so the guard cannot go stale: every module of every installed app is imported (so
   ``frappe.whitelisted`` lists every whitelisted function), then every whitelisted function, every document
   method and every Server Script API method is sent through Frappe's own auth-hook loop
   (``frappe.auth.validate_auth_via_hooks``, what ``validate_auth`` runs once the request's user is final) on a
   request built for each door (``/api/method``, ``/api/v1``, ``/api/v2``, ``/api/v2/method/<doctype>/<m>``,
   ``cmd`` on any path, ``run_doc_method``, ``/api/resource/...?run_method``), as customer B and as Guest.
   Anything not named by ``allowlist.PORTAL_METHODS`` for that user must be refused.
2. Every allowed method is called by customer B (and by Guest where guests may call it) with customer A's
   identifiers (case, proposal, boleto, contract, project, circuit, invoice, files, CNPJ, e-mails): nothing of A
   comes back, and the answer equals the answer for a made-up identifier (no existence oracle).
3. The REST doors: read-only, customer-scoped DocTypes only, through the permission system; bad parameters 400.
4. ``TestPortalGateHTTP``: real requests through the WSGI app (``frappe.app.application``, in a thread like
   Frappe's own API tests) with committed customers: a sample of refusals with the pt-BR message and no traceback
   (System Settings ``allow_error_traceback`` on), security headers, bad input never answered 500 (a fuzz of
   every allowed method), the login lock, the registration rate limit, and login/logout/ping probed with A's
   identifiers.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from collections import Counter
from threading import Thread
from unittest.mock import patch
from urllib.parse import quote, urlencode

import frappe
from frappe.app import make_form_dict
from frappe.auth import validate_auth_via_hooks
from frappe.tests.utils import patch_hooks
from frappe.utils import add_days, get_test_client, nowdate, set_request

from fiber_onboarding.api import bank_webhook, portal
from fiber_onboarding.api import boleto as boleto_api
from fiber_onboarding.api import contract as contract_api
from fiber_onboarding.core.documents import format_cnpj
from fiber_onboarding.core.registration import FIELDS as REGISTRATION_FIELDS
from fiber_onboarding.fiber_field import api as field_api
from fiber_onboarding.security import allowlist, gate, overrides
from fiber_onboarding.tests.billing_factory import make_cnpj
from fiber_onboarding.tests.test_portal_isolation import (
	case_docs,
	pay_case,
	register_new_customer,
	registration_form,
	retry_on_lock,
	send_project_of,
)

try:
	from frappe.tests import IntegrationTestCase as TestCase
except ImportError:
	from frappe.tests.utils import FrappeTestCase as TestCase

GUEST = "Guest"
SKIPPED_MODULE_PARTS = frozenset({"tests", "test", "commands", "patches"})
SKIPPED_MODULES = frozenset({"frappe.utils.bench_helper"})
# probed over HTTP in TestPortalGateHTTP (a login or a logout cannot run inside the test's transaction)
HTTP_PROBED = frozenset({"login", "logout", "web_logout", "ping"})
REFUSED_PT = "Este recurso não está disponível no portal do cliente."
TRACEBACK_KEYS = ("exc", "exception", "_exc_source")
STRONG_PASSWORD = "Fibra-Portal-Teste-2026!"
CLIENT_ERRORS = tuple(range(400, 500))


# ---------------------------------------------------------------------------------------------------------------
# Enumeration
# ---------------------------------------------------------------------------------------------------------------
def import_all_modules() -> tuple[int, list[str]]:
	"""Import every module of every installed app (tests, patches and CLI commands aside); returns how many were
	imported and the names that failed (a module that cannot be imported cannot be called either)."""
	imported, failed = 0, []
	for app in frappe.get_installed_apps():
		package = importlib.import_module(app)
		for info in pkgutil.walk_packages(package.__path__, f"{app}.", onerror=failed.append):
			parts = info.name.split(".")[1:]
			if info.name in SKIPPED_MODULES or any(
				p in SKIPPED_MODULE_PARTS or p.startswith("test_") for p in parts
			):
				continue
			try:
				importlib.import_module(info.name)
				imported += 1
			except Exception:
				failed.append(info.name)
	return imported, failed


def whitelisted() -> tuple[dict, dict]:
	"""(module functions by dotted name, document methods by module.Class.method) of ``frappe.whitelisted``."""
	functions, doc_methods = {}, {}
	for fn in frappe.whitelisted:
		if "." in fn.__qualname__:
			doc_methods[f"{fn.__module__}.{fn.__qualname__}"] = fn
		else:
			functions[f"{fn.__module__}.{fn.__name__}"] = fn
	return functions, doc_methods


def controller_doctypes() -> dict[str, str]:
	"""DocType controller module -> DocType (for ``/api/v2/method/<doctype>/<method>`` and document methods)."""
	from frappe.modules.utils import load_doctype_module

	modules = {}
	for doctype in frappe.get_all("DocType", filters={"custom": 0}, pluck="name"):
		try:
			modules[load_doctype_module(doctype).__name__] = doctype
		except Exception:
			continue
	return modules


def method_doors(name: str, doctype: str | None = None) -> list[tuple[str, str, dict | None]]:
	"""Every way to ask Frappe to run the whitelisted method ``name``."""
	doors = [
		("GET", f"/api/method/{name}", None),
		("POST", f"/api/method/{name}", None),
		("GET", f"/api/v1/method/{name}", None),
		("POST", f"/api/v2/method/{name}", None),
		("POST", "/", {"cmd": name}),  # the legacy form parameter...
		("GET", "/ativacoes", {"cmd": name}),  # ...on any path
		("GET", "/api/resource/Fiber Onboarding", {"cmd": name}),  # cmd wins over the REST route
	]
	if doctype:
		doors.append(("POST", f"/api/v2/method/{doctype}/{name.rsplit('.', 1)[1]}", None))
	return doors


def doc_method_doors(doctype: str, name: str, method: str) -> list[tuple[str, str, dict | None]]:
	"""Every way to ask Frappe to run the document method ``method`` of ``doctype`` ``name``."""
	docs = json.dumps({"doctype": doctype, "name": name})
	return [
		("POST", "/api/method/run_doc_method", {"method": method, "docs": docs}),
		("POST", "/api/method/frappe.handler.run_doc_method", {"method": method, "docs": docs}),
		("POST", "/api/method/runserverobj", {"method": method, "docs": docs}),
		("POST", "/api/method/frappe.desk.form.run_method.runserverobj", {"method": method, "docs": docs}),
		("POST", "/", {"cmd": "run_doc_method", "method": method, "docs": docs}),
		("POST", "/api/v2/method/run_doc_method", {"method": method, "document": docs}),
		("GET", f"/api/resource/{doctype}/{name}", {"run_method": method}),
		("POST", f"/api/resource/{doctype}/{name}", {"run_method": method}),
		("POST", f"/api/v2/document/{doctype}/{name}/method/{method}", None),
	]


def gate_answer(http_method: str, path: str, data: dict | None = None) -> str:
	"""Build the request, parse it as Frappe does (``make_form_dict``) and run the auth hooks as
	``frappe.auth.validate_auth`` runs them for the current user: "refused" (403), "bad" (400: the door is open
	but its arguments are missing or malformed) or "open"."""
	kwargs = {"method": http_method, "path": quote(path)}
	if data and http_method == "GET":
		kwargs["query_string"] = urlencode(data)
	elif data:
		kwargs["data"] = data
	set_request(**kwargs)
	make_form_dict(frappe.local.request)
	try:
		validate_auth_via_hooks()
	except frappe.PermissionError:
		return "refused"
	except gate.PortalRequestError:
		return "bad"
	finally:
		frappe.clear_messages()
	return "open"


def gate_refuses(http_method: str, path: str, data: dict | None = None) -> bool:
	return gate_answer(http_method, path, data) == "refused"


def bad_request(http_method: str, path: str, data: dict | None = None) -> bool:
	return gate_answer(http_method, path, data) == "bad"


def reset_request_state():
	frappe.local.request = None
	frappe.local.form_dict = frappe._dict()
	frappe.local.flags.disable_traceback = None
	frappe.clear_messages()


# ---------------------------------------------------------------------------------------------------------------
# A's identifiers and the answers B gets
# ---------------------------------------------------------------------------------------------------------------
def identifiers_of(docs: dict, form: dict) -> dict[str, str]:
	"""What belongs to customer A and to nobody else (shared test values such as the address are left out)."""
	case = docs["case"]
	ids = {
		"case": case.name,
		"proposal": case.proposal,
		"customer": case.customer,
		"company": case.company_name,
		"site": case.site_identifier,
		"cnpj": case.cnpj,
		"cnpj_formatted": format_cnpj(case.cnpj),
		"email": case.portal_user,
		"tech_email": form["tech_email"],
		"boleto": docs["boleto"].name,
		"contract": docs["contract"].name,
		"project": docs["project"].name,
		"circuit": docs["circuit"].name,
		"invoice": frappe.db.get_value("Fiber Boleto", docs["boleto"].name, "sales_invoice") or "",
	}
	if docs["boleto"].get("digitable_line"):
		ids["digitable_line"] = docs["boleto"].digitable_line
	for doctype, name in (("Fiber Contract", ids["contract"]), ("Fiber Project", ids["project"])):
		for row in frappe.get_all(
			"File",
			filters={"attached_to_doctype": doctype, "attached_to_name": name},
			fields=["name", "file_name", "file_url"],
		):
			ids[f"file {row.name}"] = row.file_name
			ids[f"url {row.name}"] = row.file_url
	return {k: v for k, v in ids.items() if v}


def forged_bank_notice(agreement: str, token: str, title: str):
	"""POST a made-up Inter payment notice for ``title`` to the bank webhook (as the current user)."""
	body = json.dumps(
		[
			{
				"codigoSolicitacao": title,
				"seuNumero": title,
				"situacao": "RECEBIDO",
				"dataHoraSituacao": "2026-01-05T10:00:00.000Z",
				"valorTotalRecebido": "1500.00",
				"origemRecebimento": "PIX",
			}
		]
	).encode()
	set_request(
		method="POST",
		path="/api/method/fiber_onboarding.api.bank_webhook.inter",
		query_string={"agreement": agreement, "token": token},
		data=body,
		content_type="application/json",
	)
	ip, frappe.local.request_ip = getattr(frappe.local, "request_ip", None), "198.51.100.23"
	try:
		return bank_webhook.inter()
	finally:
		frappe.local.request = None
		frappe.local.request_ip = ip


def made_up(value: str) -> str:
	"""An identifier of the same kind that belongs to nobody (a valid e-mail for an e-mail)."""
	return f"naoexiste.{value}" if "@" in value else f"{value}-NAO-EXISTE"


def answer_of(call) -> dict:
	"""What the caller gets from ``call()``: outcome, messages, the response's fields (download bytes included)."""
	frappe.local.response = frappe._dict()
	frappe.clear_messages()
	try:
		value = call()
		outcome = {"raised": None, "value": repr(value)}
	except Exception as e:
		outcome = {"raised": type(e).__name__, "value": str(e)}
	outcome["messages"] = [m.get("message") if isinstance(m, dict) else m for m in frappe.local.message_log]
	outcome["response"] = {k: repr(v) for k, v in frappe.local.response.items()}
	frappe.clear_messages()
	frappe.local.response = frappe._dict()
	return outcome


class TestPortalGate(TestCase):
	"""In process: the gate for every door, and the allowed methods probed with A's identifiers."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.imported, cls.import_failures = import_all_modules()
		cls.functions, cls.doc_methods = whitelisted()
		cls.controllers = controller_doctypes()
		(cls.form_a, cls.result_a), (cls.form_b, cls.result_b) = retry_on_lock(
			lambda: (register_new_customer(), register_new_customer())
		)
		pay_case(cls.result_a["case"])
		send_project_of(cls.result_a["case"])
		cls.a = case_docs(cls.result_a["case"])
		cls.b = case_docs(cls.result_b["case"])
		cls.user_a = cls.a["case"].portal_user
		cls.user_b = cls.b["case"].portal_user
		cls.ids = identifiers_of(cls.a, cls.form_a)

	def setUp(self):
		self._lang = frappe.local.lang

	def tearDown(self):
		reset_request_state()
		frappe.set_user("Administrator")
		frappe.local.lang = self._lang

	# -----------------------------------------------------------------------------------------------------------
	# 1. Every whitelisted method, every door
	# -----------------------------------------------------------------------------------------------------------
	def test_the_enumeration_is_complete(self):
		self.assertGreater(self.imported, 1500)
		self.assertGreater(len(self.functions), 900)
		self.assertGreater(len(self.doc_methods), 100)
		for name in (
			"frappe.client.get_count",
			"frappe.client.validate_link",
			"frappe.client.get_list",
			"frappe.desk.reportview.get_count",
			"frappe.desk.query_report.run",
			"frappe.utils.print_format.download_pdf",
			"erpnext.accounts.party.get_party_details",
			"fiber_onboarding.api.portal.downloads.download",  # public path: fiber_onboarding.api.portal.download
		):
			self.assertIn(name, self.functions)

	def test_every_whitelisted_method_is_allowlisted_or_refused(self):
		wrong, stats = [], Counter()
		for user in (GUEST, self.user_b):
			frappe.set_user(user)
			for name in sorted(self.functions):
				allowed = allowlist.PORTAL_METHODS.get(name)
				expect_open = allowed is not None and (user != GUEST or allowed.audience == allowlist.GUEST)
				stats["allowed" if expect_open else "refused"] += 1
				doctype = self.controllers.get(name.rsplit(".", 1)[0])
				for http_method, path, data in method_doors(name, doctype):
					stats["doors"] += 1
					if gate_refuses(http_method, path, data) == expect_open:
						wrong.append(
							f"{user} {http_method} {path} {data or ''}: {'refused' if expect_open else 'OPEN'}"
						)
		self.assertEqual(wrong, [], "\n".join(wrong[:50]))
		print(
			f"\nportal gate: {len(self.functions)} whitelisted functions of {', '.join(frappe.get_installed_apps())} "
			f"({self.imported} modules imported), as Guest and as customer: {stats['allowed']} allowed, "
			f"{stats['refused']} refused, {stats['doors']} door requests"
		)

	def test_every_document_method_is_refused(self):
		wrong, doors = [], 0
		scoped = {d: self.b[k] for d, k in (("Fiber Onboarding", "case"), ("Fiber Contract", "contract"))}
		for user in (GUEST, self.user_b):
			frappe.set_user(user)
			for dotted in sorted(self.doc_methods):
				module, method = dotted.rsplit(".", 2)[0], dotted.rsplit(".", 1)[1]
				targets = {("Fiber Onboarding", scoped["Fiber Onboarding"].name)}  # a document B may read
				if (doctype := self.controllers.get(module)) is not None:
					targets.add((doctype, scoped[doctype].name if doctype in scoped else "x"))
				for doctype, name in targets:
					for http_method, path, data in doc_method_doors(doctype, name, method):
						doors += 1
						if not gate_refuses(http_method, path, data):
							wrong.append(f"{user} {http_method} {path} {data or ''}")
		self.assertEqual(wrong, [], "\n".join(wrong[:50]))
		print(
			f"\nportal gate: {len(self.doc_methods)} document methods refused through {doors} door requests"
		)

	def test_server_script_api_methods_are_refused(self):
		names = set(frappe.get_all("Server Script", filters={"script_type": "API"}, pluck="api_method"))
		names.add("fo_probe_server_script_api")  # what a Server Script API method's name looks like
		for user in (GUEST, self.user_b):
			frappe.set_user(user)
			for name in sorted(names):
				for http_method, path, data in method_doors(name):
					self.assertTrue(gate_refuses(http_method, path, data), f"{user} {path} {data}")

	def test_unknown_doors_are_refused(self):
		frappe.set_user(self.user_b)
		for http_method, path in (
			("GET", "/api/v3/method/ping"),
			("GET", "/api/whatever"),
			("PATCH", "/api/resource/Fiber Onboarding/x"),
			("GET", "/api/v2/doctype/Fiber Onboarding/anything"),
			("GET", "/private/files/contrato.pdf"),
			("GET", "/printview"),
			("GET", "/printpreview"),
			("GET", "/backups/site.sql.gz"),
		):
			self.assertTrue(gate_refuses(http_method, path), f"{http_method} {path}")
		# other apps' document pages (ERPNext's, from their website_route_rules): 404/403 would count invoices
		invoice = self.ids.get("invoice") or "ACC-SINV-0001"
		for path in (f"/invoices/{invoice}", "/invoices", "/orders/SO-0001", "/project", "/addresses"):
			self.assertTrue(gate_refuses("GET", path), path)
		for path in (
			"/ativacoes",
			f"/ativacoes/{self.b['case'].name}",
			"/boleto",
			"/login",
			"/cadastro",
			"/projeto/aprovar",
			"/contrato/enviar",
			"/update-password",
			"/me",
			"/app/fiber-onboarding",
		):
			self.assertFalse(gate_refuses("GET", path), path)  # pages check their own permissions

	def test_a_website_user_without_the_portal_role_is_a_visitor(self):
		other = frappe.get_doc(
			{
				"doctype": "User",
				"email": f"fo-gate-website-{frappe.generate_hash(length=6)}@example.com",
				"first_name": "Outro",
				"user_type": "Website User",
				"send_welcome_email": 0,
			}
		).insert(ignore_permissions=True)
		frappe.set_user(other.name)
		self.assertTrue(
			gate_refuses("GET", "/api/method/fiber_onboarding.api.portal.download", {"case": "x"})
		)
		self.assertTrue(gate_refuses("GET", "/api/resource/Fiber Onboarding"))
		self.assertTrue(gate_refuses("GET", "/api/v2/doctype/Fiber Onboarding/count"))
		self.assertTrue(gate_refuses("GET", "/api/method/frappe.client.get_count", {"doctype": "User"}))
		self.assertFalse(gate_refuses("GET", "/api/method/ping"))
		self.assertFalse(gate_refuses("POST", "/api/method/fiber_onboarding.api.portal.register"))

	def test_allowlisted_methods_pass_for_their_audience_only(self):
		for name, allowed in allowlist.PORTAL_METHODS.items():
			for user in (GUEST, self.user_b):
				frappe.set_user(user)
				expect_open = user != GUEST or allowed.audience == allowlist.GUEST
				for http_method, path, data in method_doors(name)[:5]:
					self.assertEqual(
						not gate_refuses(http_method, path, data), expect_open, f"{user} {http_method} {path}"
					)

	def test_the_allowlist_names_whitelisted_methods(self):
		"""No stale entry: each name resolves to a whitelisted function, callable by guests where the entry says
		guests may call it; an override keeps the stock method's audience."""
		shorthand = {"logout": "frappe.handler.logout", "web_logout": "frappe.handler.web_logout"}
		for name, allowed in allowlist.PORTAL_METHODS.items():
			if name in ("login", "ping"):
				continue  # the login runs in Frappe's LoginManager; ping is frappe.ping
			target = frappe.override_whitelisted_method(shorthand.get(name, name))
			fn = frappe.get_attr(target)
			self.assertIn(fn, frappe.whitelisted, name)
			if allowed.audience == allowlist.GUEST:
				self.assertIn(fn, frappe.guest_methods, name)
			self.assertTrue(allowed.reason.strip(), name)
		self.assertIn(frappe.ping, frappe.guest_methods)

	def test_the_guard_fails_when_the_gate_is_missing(self):
		"""The checks above can fail: without the auth hook, Frappe's own doors are open to a customer."""
		frappe.set_user(self.user_b)
		self.assertTrue(gate_refuses("GET", "/api/method/frappe.client.get_count", {"doctype": "User"}))
		with patch_hooks({"auth_hooks": []}):
			self.assertFalse(gate_refuses("GET", "/api/method/frappe.client.get_count", {"doctype": "User"}))
			self.assertFalse(gate_refuses("POST", "/", {"cmd": "frappe.client.validate_link"}))

	def test_staff_are_not_gated(self):
		staff = frappe.get_doc(
			{
				"doctype": "User",
				"email": f"fo-gate-staff-{frappe.generate_hash(length=6)}@example.com",
				"first_name": "Vendas",
				"user_type": "System User",
				"send_welcome_email": 0,
				"roles": [{"role": "Fiber Sales"}],
			}
		).insert(ignore_permissions=True)
		for user in ("Administrator", staff.name):
			frappe.set_user(user)
			for http_method, path, data in (
				("GET", "/api/method/frappe.client.get_count", {"doctype": "Customer"}),
				("POST", "/", {"cmd": "frappe.client.validate_link"}),
				("GET", "/api/resource/Customer", None),
				("GET", "/api/v2/doctype/Customer/meta", None),
				(
					"POST",
					f"/api/resource/Fiber Onboarding/{self.a['case'].name}",
					{"run_method": "get_blockers"},
				),
				("GET", "/printview", {"doctype": "Fiber Onboarding", "name": self.a["case"].name}),
			):
				self.assertFalse(gate_refuses(http_method, path, data), f"{user} {path}")
			self.assertFalse(frappe.local.flags.disable_traceback)

	def test_refusals_are_short_pt_br_messages_without_traceback(self):
		compile_pt_br()
		frappe.set_user(self.user_b)
		set_request(method="GET", path="/api/method/frappe.client.get_count", query_string="doctype=User")
		make_form_dict(frappe.local.request)
		frappe.local.lang = "en"
		with self.assertRaises(frappe.PermissionError) as raised:
			validate_auth_via_hooks()
		self.assertEqual(str(raised.exception), REFUSED_PT)
		self.assertTrue(frappe.local.flags.disable_traceback)

	# -----------------------------------------------------------------------------------------------------------
	# 3. REST doors
	# -----------------------------------------------------------------------------------------------------------
	def test_rest_reads_only_the_customer_scoped_doctypes(self):
		own = {
			"Fiber Onboarding": self.b["case"].name,
			"Fiber Proposal": self.b["case"].proposal,
			"Fiber Boleto": self.b["boleto"].name,
			"Fiber Contract": self.b["contract"].name,
			"Fiber Project": self.b["project"].name,
			"Circuit": self.b["circuit"].name,
		}
		foreign = {
			"Fiber Onboarding": self.ids["case"],
			"Fiber Proposal": self.ids["proposal"],
			"Fiber Boleto": self.ids["boleto"],
			"Fiber Contract": self.ids["contract"],
			"Fiber Project": self.ids["project"],
			"Circuit": self.ids["circuit"],
		}
		frappe.set_user(self.user_b)
		for doctype in allowlist.PORTAL_DOCTYPES:
			for path in (
				f"/api/resource/{doctype}",
				f"/api/v2/document/{doctype}",
				f"/api/v2/doctype/{doctype}/count",
			):
				self.assertFalse(gate_refuses("GET", path), path)
			for path in (f"/api/v2/doctype/{doctype}/meta",):
				self.assertTrue(gate_refuses("GET", path), path)
			for http_method, path in (
				("POST", f"/api/resource/{doctype}"),
				("POST", f"/api/v2/document/{doctype}"),
			):
				self.assertTrue(gate_refuses(http_method, path), path)
		for doctype, name in own.items():
			for prefix in ("/api/resource", "/api/v1/resource", "/api/v2/document"):
				self.assertFalse(gate_refuses("GET", f"{prefix}/{doctype}/{name}"), f"own {doctype}")
				self.assertTrue(gate_refuses("PUT", f"{prefix}/{doctype}/{name}"), doctype)
				self.assertTrue(gate_refuses("DELETE", f"{prefix}/{doctype}/{name}"), doctype)
			self.assertTrue(gate_refuses("GET", f"/api/v2/document/{doctype}/{name}/copy"), doctype)
		# another customer's document and a made-up one get the same refusal (no existence oracle)
		for doctype, name in foreign.items():
			for target in (name, made_up(name)):
				for prefix in ("/api/resource", "/api/v2/document"):
					self.assertTrue(
						gate_refuses("GET", f"{prefix}/{doctype}/{target}"), f"{doctype} {target}"
					)
		for doctype in (
			"Customer",
			"User",
			"Sales Invoice",
			"Payment Entry",
			"Contact",
			"Address",
			"File",
			"Fiber Contract Upload",
			"Fiber Bank Agreement",
			"Fiber Onboarding Settings",
			"No Such DocType",
		):
			for path in (
				f"/api/resource/{doctype}",
				f"/api/resource/{doctype}/x",
				f"/api/v2/document/{doctype}",
				f"/api/v2/doctype/{doctype}/count",
				f"/api/v2/doctype/{doctype}/meta",
			):
				self.assertTrue(gate_refuses("GET", path), path)
		frappe.set_user(GUEST)
		for doctype in allowlist.PORTAL_DOCTYPES:
			self.assertTrue(gate_refuses("GET", f"/api/resource/{doctype}"), doctype)
			self.assertTrue(gate_refuses("GET", f"/api/v2/doctype/{doctype}/count"), doctype)

	def test_rest_bad_parameters_are_400(self):
		frappe.set_user(self.user_b)
		doctype = "Fiber Onboarding"
		path = f"/api/resource/{doctype}"
		good = (
			{
				"fields": '["name", "stage"]',
				"filters": '{"stage": "Awaiting Payment"}',
				"limit_page_length": "20",
			},
			{"filters": '[["Fiber Onboarding", "cnpj", "like", "1%"]]', "order_by": "creation desc"},
			{"or_filters": '[["name", "in", ["x", "y"]]]', "limit_start": "0", "as_dict": "1"},
			{"fields": '["*"]', "filters": '{"sla_due": ["is", "set"]}'},
		)
		for params in good:
			self.assertFalse(bad_request("GET", path, params), params)
		bad = (
			{"filters": "{not json"},
			{"filters": '"a string"'},
			{"filters": '[["Customer", "tax_id", "like", "1%"]]'},
			{"filters": '[["no_such_field", "=", 1]]'},
			{"filters": '[["name", "union select", 1]]'},
			{"filters": '{"name": ["in", [{"nested": 1}]]}'},
			{"or_filters": "[1, 2]"},
			{"fields": '["count(*) as n"]'},
			{"fields": '["`tabCustomer`.tax_id"]'},
			{"fields": "[]"},
			{"order_by": "name; drop table x"},
			{"order_by": "(select 1)"},
			{"limit_page_length": "0"},
			{"limit_page_length": "100000"},
			{"limit_page_length": "abc"},
			{"limit": "-1"},
			{"limit_start": "99999999999999999999"},
			{"group_by": "customer"},
			{"debug": "1"},
			{"parent": "Customer"},
			{"as_dict": "maybe"},
		)
		for params in bad:
			self.assertTrue(bad_request("GET", path, params), params)
			self.assertTrue(bad_request("GET", f"/api/v2/document/{doctype}", params), params)
		self.assertTrue(bad_request("GET", f"/api/v2/doctype/{doctype}/count", {"fields": '["name"]'}))
		self.assertTrue(bad_request("GET", f"/api/v2/doctype/{doctype}/count", {"filters": "{x"}))
		self.assertFalse(
			bad_request("GET", f"/api/v2/doctype/{doctype}/count", {"filters": '{"stage": "x"}'})
		)

	def test_allowed_methods_without_their_arguments_are_400(self):
		frappe.set_user(self.user_b)
		self.assertTrue(bad_request("GET", "/api/method/fiber_onboarding.api.portal.download", {"case": "x"}))
		self.assertTrue(bad_request("POST", "/api/method/fiber_onboarding.api.portal.report_problem"))
		self.assertFalse(
			bad_request("GET", "/api/method/fiber_onboarding.api.portal.download", {"case": "x", "kind": "y"})
		)
		frappe.set_user(GUEST)
		self.assertTrue(bad_request("POST", "/api/method/fiber_onboarding.api.portal.approve_project"))
		self.assertTrue(bad_request("POST", "/api/method/frappe.core.doctype.user.user.update_password"))

	# -----------------------------------------------------------------------------------------------------------
	# 2. Every allowed method, called by B (and Guest) with A's identifiers
	# -----------------------------------------------------------------------------------------------------------
	def assert_reveals_nothing(self, label: str, call_with, identifiers: list[str], compare: bool = True):
		"""``call_with(identifier)`` with each of A's ``identifiers`` and with a made-up one: no file bytes, none of
		A's other identifiers in the answer, and (``compare``) the same answer as for the made-up identifier."""
		for identifier in identifiers:
			answer = answer_of(lambda i=identifier: call_with(i))
			text = json.dumps(answer, default=str)
			self.assertNotIn("filecontent", answer["response"], f"{label} {identifier}: file bytes")
			for key, secret in self.ids.items():
				if secret != identifier and secret not in identifier and identifier not in secret:
					self.assertNotIn(secret, text, f"{label} with {identifier}: reveals A's {key}")
			if compare:
				fake = made_up(identifier)
				other = answer_of(lambda i=fake: call_with(i))
				self.assertEqual(
					json.loads(text.replace(identifier, "<id>")),
					json.loads(json.dumps(other, default=str).replace(fake, "<id>")),
					f"{label}: A's {identifier} is answered differently from a made-up one",
				)

	def test_allowed_methods_reveal_nothing_of_another_customer(self):
		compile_pt_br()
		ids = self.ids
		a_values = [v for k, v in ids.items() if not k.startswith(("file", "url"))]
		future = str(add_days(nowdate(), 10))
		probed = set()

		def probe(name, users, call_with, identifiers, compare=True):
			probed.add(name)
			for user in users:
				frappe.set_user(user)
				self.assert_reveals_nothing(f"{name} as {user}", call_with, identifiers, compare)

		b_and_guest = (self.user_b, GUEST)
		b = (self.user_b,)
		for kind in portal.DOWNLOAD_KINDS:
			probe(
				"fiber_onboarding.api.portal.download",
				b,
				lambda i, k=kind: portal.download(i, k),
				[ids["case"]],
			)
		probe(
			"fiber_onboarding.api.portal.download_project",
			b_and_guest,
			lambda i: portal.download_project(project=i),
			[ids["project"]],
		)
		probe(
			"fiber_onboarding.api.portal.download_project",
			b_and_guest,
			lambda i: portal.download_project(token=i),
			[ids["project"], ids["case"]],
		)
		probe(
			"fiber_onboarding.api.portal.approve_project",
			b_and_guest,
			lambda i: portal.approve_project(future, project=i, prior_visit=1),
			[ids["project"]],
		)
		probe(
			"fiber_onboarding.api.portal.approve_project",
			b_and_guest,
			lambda i: portal.approve_project(future, token=i),
			[ids["project"]],
		)
		probe(
			"fiber_onboarding.api.portal.request_prior_visit",
			b,
			lambda i: portal.request_prior_visit(i),
			[ids["case"]],
		)
		probe(
			"fiber_onboarding.api.portal.confirm_service",
			b,
			lambda i: portal.confirm_service(i),
			[ids["case"]],
		)
		probe(
			"fiber_onboarding.api.portal.report_problem",
			b,
			lambda i: portal.report_problem(i, "sem sinal"),
			[ids["case"]],
		)
		probe(
			"fiber_onboarding.api.contract.upload_signed_contract",
			b_and_guest,
			lambda i: contract_api.upload_signed_contract(contract=i),
			[ids["contract"]],
		)
		probe(
			"fiber_onboarding.api.contract.upload_signed_contract",
			b_and_guest,
			lambda i: contract_api.upload_signed_contract(token=i),
			[ids["contract"], ids["case"]],
		)
		probe(
			"fiber_onboarding.api.contract.download_contract",
			b_and_guest,
			lambda i: contract_api.download_contract(contract=i),
			[ids["contract"]],
		)
		probe(
			"fiber_onboarding.api.contract.download_contract",
			b_and_guest,
			lambda i: contract_api.download_contract(token=i),
			[ids["contract"]],
		)
		probe(
			"fiber_onboarding.api.boleto.download_pdf",
			b,
			lambda i: boleto_api.download_pdf(i),
			[ids["boleto"]],
		)
		probe(
			"fiber_onboarding.fiber_field.api.customer_confirm_service",
			b,
			lambda i: field_api.customer_confirm_service(i),
			[ids["circuit"]],
		)
		probe(
			"fiber_onboarding.fiber_field.api.customer_report_problem",
			b,
			lambda i: field_api.customer_report_problem(i, "sem sinal"),
			[ids["circuit"]],
		)
		# the bank webhook: a customer or a visitor with A's identifiers (as token, agreement, title) marks nothing
		agreement = frappe.db.get_single_value("Fiber Onboarding Settings", "bank_agreement")
		notices = frappe.db.count("Fiber Bank Notice")
		probe(
			"fiber_onboarding.api.bank_webhook.inter",
			b_and_guest,
			lambda i: forged_bank_notice(agreement, i, i),
			[ids["boleto"], ids["case"], ids["invoice"]],
		)
		probe(
			"fiber_onboarding.api.bank_webhook.inter",
			b_and_guest,
			lambda i: forged_bank_notice(i, i, ids["boleto"]),
			[ids["boleto"], ids["customer"]],
		)
		self._probe_registration(probe, b_and_guest)
		probe(
			"frappe.core.doctype.user.user.reset_password",
			(GUEST,),
			lambda i: overrides.reset_password(i),
			[ids["email"], ids["tech_email"], "Administrator", self.user_b],
		)
		probe(
			"frappe.core.doctype.user.user.update_password",
			b_and_guest,
			lambda i: overrides.update_password(STRONG_PASSWORD, key=i),
			[ids["email"], ids["case"], ids["customer"]],
		)
		probe(
			"frappe.core.doctype.user.user.test_password_strength",
			b_and_guest,
			lambda i: frappe.get_attr("frappe.core.doctype.user.user.test_password_strength")(i),
			a_values,
			compare=False,  # the strength of the string sent; the point: nothing else of A comes back
		)
		self.assertEqual(
			probed | HTTP_PROBED, set(allowlist.PORTAL_METHODS), "an allowed method without a probe"
		)
		# and nothing of A changed
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value("Fiber Project", ids["project"], "workflow_state"), "Sent")
		self.assertFalse(frappe.db.get_value("Fiber Project", ids["project"], "prior_visit_requested"))
		self.assertFalse(frappe.db.get_value("Circuit", ids["circuit"], "problem_reported"))
		self.assertEqual(frappe.db.count("Fiber Bank Notice"), notices)

	def _probe_registration(self, probe, users):
		ids = self.ids
		cases_before = frappe.db.count("Fiber Onboarding")
		fresh_cnpj = make_cnpj()

		def register(form):
			return portal.register(**form)

		def form_with(**values):
			form = registration_form("PROP-INEXISTENTE-1", fresh_cnpj, tag=frappe.generate_hash(length=6))
			form.update(values)
			return form

		# A's proposal (already used) with A's CNPJ, with another CNPJ; A's CNPJ with an unknown proposal;
		# A's e-mail (the e-mail is looked at only after a usable proposal + CNPJ: see the report on that order)
		probe(
			"fiber_onboarding.api.portal.register",
			users,
			lambda i: register(form_with(proposal_number=i, cnpj=ids["cnpj"])),
			[ids["proposal"]],
		)
		probe(
			"fiber_onboarding.api.portal.register",
			users,
			lambda i: register(form_with(proposal_number=i)),
			[ids["proposal"]],
		)
		probe(
			"fiber_onboarding.api.portal.register",
			users,
			lambda i: register(form_with(legal_email=i, tech_email=i)),
			[ids["email"], ids["tech_email"]],
		)
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.count("Fiber Onboarding"), cases_before)


def compile_pt_br():
	"""Compile the app's pt_BR catalogue into the site's assets (the web requests read it) and drop the cache."""
	from frappe.gettext.translate import _compile_translation
	from frappe.translate import MERGED_TRANSLATION_KEY

	_compile_translation("fiber_onboarding", "pt_BR", force=True)
	for lang in ("pt-BR", "pt"):
		frappe.cache.hdel(MERGED_TRANSLATION_KEY, lang)


# ---------------------------------------------------------------------------------------------------------------
# 4. Over HTTP, through the WSGI app
# ---------------------------------------------------------------------------------------------------------------
class Browserless:
	"""One visitor of the site: the WSGI app (``frappe.app.application``) called in its own thread, as a web
	server would (own ``frappe.local``, own database connection: it sees committed data only), with cookies."""

	def __init__(self, ip: str | None = None):
		self.client = get_test_client()
		self.site = frappe.local.site
		self.headers = {"X-Forwarded-For": ip} if ip else {}
		self.csrf = ""

	sent = 0  # requests sent by every visitor (the report's count of HTTP probes)

	def request(self, http_method: str, path: str, json_answer: bool = True, **kwargs):
		Browserless.sent += 1
		headers = {**self.headers, **kwargs.pop("headers", {})}
		if json_answer:
			headers.setdefault("Accept", "application/json")
		if self.csrf:
			headers.setdefault("X-Frappe-CSRF-Token", self.csrf)
		result = {}

		def run():
			try:
				with patch("frappe.app.get_site_name", return_value=self.site):
					result["response"] = self.client.open(path, method=http_method, headers=headers, **kwargs)
			except BaseException as e:  # re-raised in the test's thread
				result["error"] = e

		thread = Thread(target=run)
		thread.start()
		thread.join()
		if "error" in result:
			raise result["error"]
		return result["response"]

	def get(self, path: str, params: dict | None = None, **kwargs):
		return self.request("GET", path + ("?" + urlencode(params) if params else ""), **kwargs)

	def post(self, path: str, data=None, **kwargs):
		return self.request("POST", path, data=data, **kwargs)

	def login(self, user: str, password: str):
		response = self.post("/api/method/login", {"usr": user, "pwd": password})
		assert response.status_code == 200, response.get_data(as_text=True)
		page = self.get("/ativacoes", json_answer=False).get_data(as_text=True)
		self.csrf = re.search(r'csrf: "([0-9a-f]*)"', page).group(1)
		return self


def body_of(response) -> dict:
	try:
		data = json.loads(response.get_data(as_text=True))
	except ValueError:
		return {}
	return data if isinstance(data, dict) else {}


def message_of(response) -> str:
	"""The user-facing message of an answer (v1 ``_server_messages``, v2 ``errors``, or ``message``)."""
	data = body_of(response)
	messages = []
	for raw in json.loads(data.get("_server_messages") or "[]"):
		item = json.loads(raw) if isinstance(raw, str) else raw
		messages.append(item.get("message") if isinstance(item, dict) else str(item))
	messages += [
		e.get("message") for e in data.get("errors") or [] if isinstance(e, dict) and e.get("message")
	]
	if not messages and isinstance(data.get("message"), str):
		messages.append(data["message"])
	return " ".join(m for m in messages if m)


class TestPortalGateHTTP(TestCase):
	"""Real requests through the WSGI app. The requests see committed data only, so this class commits two
	customers and a staff user, and deletes them again at the end."""

	PASSWORD = "Portal-Gate-Teste-2026!"
	LOGIN_IP = "198.51.100.23"
	UNKNOWN_LOGIN_IP = "198.51.100.24"
	FUZZ_IP = "198.51.100.25"
	REGISTRATION_IP = "198.51.100.26"

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		compile_pt_br()
		cls.settings = frappe.db.get_value(
			"System Settings",
			"System Settings",
			["allow_error_traceback", "allow_consecutive_login_attempts", "allow_login_after_fail"],
			as_dict=True,
		)
		# tracebacks allowed by the site, as on a development site: the answers to customers must still have none
		set_system_settings(allow_error_traceback=1)
		(cls.form_a, cls.result_a), (cls.form_b, cls.result_b) = retry_on_lock(
			lambda: (register_new_customer(), register_new_customer())
		)
		cls.a = case_docs(cls.result_a["case"])
		cls.b = case_docs(cls.result_b["case"])
		cls.user_a, cls.user_b = cls.a["case"].portal_user, cls.b["case"].portal_user
		cls.staff = frappe.get_doc(
			{
				"doctype": "User",
				"email": f"fo-gate-staff-{frappe.generate_hash(length=6)}@example.com",
				"first_name": "Equipe",
				"user_type": "System User",
				"send_welcome_email": 0,
				"roles": [{"role": "System Manager"}],
			}
		).insert(ignore_permissions=True)
		for user in (cls.user_a, cls.user_b, cls.staff.name):
			frappe.utils.password.update_password(user, cls.PASSWORD)
		cls.ids = identifiers_of(cls.a, cls.form_a)
		frappe.db.commit()  # nosemgrep: the WSGI requests (own connection) read only committed data

	@classmethod
	def tearDownClass(cls):
		from fiber_onboarding.tests.test_portal_browser import delete_cases

		frappe.set_user("Administrator")
		frappe.db.rollback()
		set_system_settings(**cls.settings)
		problems = delete_cases([cls.a["case"].name, cls.b["case"].name])
		if frappe.db.exists("User", cls.staff.name):
			frappe.delete_doc("User", cls.staff.name, force=True, ignore_permissions=True)
		for key in (cls.LOGIN_IP, cls.UNKNOWN_LOGIN_IP, cls.FUZZ_IP, cls.user_a, "naoexiste." + cls.user_a):
			clear_login_tracker(key)
		frappe.db.commit()  # nosemgrep: test cleanup of committed records
		print(f"\nportal gate over HTTP: {Browserless.sent} requests through the WSGI app")
		if problems:
			print("test_portal_gate cleanup:", *problems, sep="\n  ")
		super().tearDownClass()

	def setUp(self):
		self._lang = frappe.local.lang

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.local.lang = self._lang

	def customer_b(self) -> Browserless:
		return Browserless().login(self.user_b, self.PASSWORD)

	def assert_short_pt_br_error(self, response, statuses=CLIENT_ERRORS, message: str | None = None):
		text = response.get_data(as_text=True)
		self.assertIn(response.status_code, statuses, text[:500])
		self.assertNotIn("Traceback", text)
		data = body_of(response)
		for key in TRACEBACK_KEYS:
			self.assertNotIn(key, data, text[:500])
		for error in data.get("errors") or []:
			self.assertNotIn("exception", error)
		if data:
			shown = message_of(response)
			self.assertTrue(shown, text[:500])
			self.assertLess(len(shown), 300, shown)
			if message:
				self.assertEqual(shown, message)

	# -----------------------------------------------------------------------------------------------------------
	def test_refusals_over_http(self):
		"""The issue's doors, as customer B and as Guest: 403, the short pt-BR message, no traceback; staff keep
		them. (The site allows tracebacks: without the app's handling these answers would carry one.)"""
		guest, b = Browserless(), self.customer_b()
		staff = Browserless().login(self.staff.name, self.PASSWORD)
		cnpj_prefix = self.ids["cnpj"][:4]
		doors = [
			("GET", "/api/method/frappe.client.get_count", {"doctype": "Fiber Onboarding"}),
			(
				"GET",
				"/api/method/frappe.client.get_count",
				{"doctype": "Customer", "filters": json.dumps([["tax_id", "like", f"{cnpj_prefix}%"]])},
			),
			("GET", "/api/method/frappe.client.get_count", {"doctype": "Sales Invoice"}),
			("GET", "/api/method/frappe.client.get_count", {"doctype": "User"}),
			("GET", "/api/v1/method/frappe.client.get_count", {"doctype": "Fiber Contract Upload"}),
			("GET", "/api/v2/method/frappe.client.get_count", {"doctype": "Fiber Bank Agreement"}),
			("GET", "/api/v2/doctype/Customer/count", None),
			(
				"GET",
				"/api/method/frappe.client.validate_link",
				{"doctype": "Fiber Onboarding", "docname": self.ids["case"]},
			),
			(
				"POST",
				"/",
				{
					"cmd": "frappe.client.validate_link",
					"doctype": "Fiber Onboarding",
					"docname": self.ids["case"],
				},
			),
			("POST", "/login", {"cmd": "frappe.client.get_list", "doctype": "Customer"}),
			("GET", "/api/method/frappe.desk.reportview.get_count", {"doctype": "Customer"}),
			("GET", "/api/method/frappe.desk.query_report.run", {"report_name": "Onboarding Funnel and SLA"}),
			(
				"GET",
				"/api/method/frappe.utils.print_format.download_pdf",
				{"doctype": "Fiber Onboarding", "name": self.ids["case"]},
			),
			(
				"POST",
				"/api/method/run_doc_method",
				{
					"method": "get_blockers",
					"docs": json.dumps({"doctype": "Fiber Onboarding", "name": self.ids["case"]}),
				},
			),
			("POST", f"/api/v2/document/Fiber Onboarding/{self.ids['case']}/method/get_blockers", None),
			("GET", "/api/resource/Customer", None),
			("GET", f"/api/resource/Fiber Onboarding/{self.ids['case']}", None),
			("GET", "/api/method/upload_file", None),
		]
		for http_method, path, data in doors:
			kwargs = {"params": data} if http_method == "GET" else {"data": data}
			for who, client in (("customer", b), ("guest", guest)):
				call = client.get if http_method == "GET" else client.post
				response = call(quote(path), **kwargs)
				self.assert_short_pt_br_error(response, (403,), REFUSED_PT)
				self.assertNotIn(self.ids["company"], response.get_data(as_text=True), f"{who} {path}")
		# the same doors stay open to staff (Frappe's permissions apply)
		response = staff.get("/api/method/frappe.client.get_count", {"doctype": "Fiber Onboarding"})
		self.assertEqual(response.status_code, 200, response.get_data(as_text=True)[:300])
		self.assertGreaterEqual(body_of(response)["message"], 2)

	def test_the_customer_reads_own_records_over_rest(self):
		b = self.customer_b()
		for doctype in ("Fiber Onboarding", "Fiber Boleto", "Fiber Contract", "Fiber Project", "Circuit"):
			listing = b.get(quote(f"/api/resource/{doctype}"), {"limit_page_length": 100})
			self.assertEqual(listing.status_code, 200, listing.get_data(as_text=True)[:300])
			self.assertNotIn(self.ids["company"], listing.get_data(as_text=True))
			names = [r["name"] for r in body_of(listing)["data"]]
			self.assertTrue(names, doctype)
			self.assertNotIn(
				self.ids[{"Fiber Onboarding": "case"}.get(doctype, doctype.split()[-1].lower())], names
			)
			count = b.get(quote(f"/api/v2/doctype/{doctype}/count"))
			self.assertEqual(count.status_code, 200, count.get_data(as_text=True)[:300])
			self.assertEqual(body_of(count)["data"], len(names))
		own = b.get(quote(f"/api/resource/Fiber Onboarding/{self.b['case'].name}"))
		self.assertEqual(own.status_code, 200)
		# A's case and a made-up one: the same refusal
		for name in (self.ids["case"], made_up(self.ids["case"])):
			response = b.get(quote(f"/api/resource/Fiber Onboarding/{name}"))
			self.assert_short_pt_br_error(response, (403,), REFUSED_PT)
		# a count that filters on A's CNPJ: 0, as for any CNPJ B does not have
		for cnpj in (self.ids["cnpj"], make_cnpj()):
			response = b.get(
				quote("/api/v2/doctype/Fiber Onboarding/count"),
				{"filters": json.dumps([["cnpj", "=", cnpj]])},
			)
			self.assertEqual((response.status_code, body_of(response).get("data")), (200, 0))

	def test_security_headers(self):
		guest, b = Browserless(), self.customer_b()
		answers = {
			"login page": guest.get("/login", json_answer=False),
			"registration page": guest.get("/cadastro", json_answer=False),
			"case list": b.get("/ativacoes", json_answer=False),
			"case page": b.get(quote(f"/ativacoes/{self.b['case'].name}"), json_answer=False),
			"boleto page": b.get("/boleto", {"name": self.b["boleto"].name}, json_answer=False),
			"api answer": guest.get("/api/method/ping"),
			"refusal": guest.get("/api/method/frappe.client.get_count", {"doctype": "User"}),
		}
		for label, response in answers.items():
			self.assertLess(response.status_code, 500, label)
			headers = response.headers
			self.assertIn("frame-ancestors 'self'", headers.get("Content-Security-Policy", ""), label)
			self.assertEqual(headers.get("X-Frame-Options"), "SAMEORIGIN", label)
			self.assertEqual(headers.get("X-Content-Type-Options"), "nosniff", label)
			self.assertEqual(headers.get("Referrer-Policy"), "strict-origin-when-cross-origin", label)
		self.assertEqual(answers["case page"].status_code, 200)

	def test_bad_input_is_4xx_never_500(self):
		guest, b = Browserless(), self.customer_b()
		resource = quote("/api/resource/Fiber Onboarding")
		json_header = {"Content-Type": "application/json"}
		cases = [
			(
				guest,
				"POST",
				"/api/method/fiber_onboarding.api.portal.register",
				{"data": "{garbage", "headers": json_header},
			),
			(
				b,
				"POST",
				"/api/method/fiber_onboarding.api.portal.report_problem",
				{"data": "[1, 2", "headers": json_header},
			),
			(b, "GET", resource, {"data": "{", "headers": json_header}),
			(b, "GET", resource + "?filters=%7Bnot+json", {}),
			(b, "GET", resource + "?" + urlencode({"filters": '[["Customer", "tax_id", "like", "1%"]]'}), {}),
			(b, "GET", resource + "?" + urlencode({"filters": '[["no_such_field", "=", 1]]'}), {}),
			(b, "GET", resource + "?" + urlencode({"fields": '["count(*)"]'}), {}),
			(b, "GET", resource + "?" + urlencode({"order_by": "name; select 1"}), {}),
			(b, "GET", resource + "?limit_page_length=100000", {}),
			(b, "GET", resource + "?limit_page_length=-5", {}),
			(b, "GET", resource + "?limit_start=1e99", {}),
			(b, "GET", quote("/api/v2/document/Fiber Onboarding") + "?limit=999999", {}),
			(b, "GET", quote("/api/v2/doctype/Fiber Onboarding/count") + "?filters=%5B%5B", {}),
			(b, "GET", "/api/resource/No%20Such%20DocType", {}),
			(b, "GET", "/api/v2/document/No%20Such%20DocType/x", {}),
			(guest, "GET", "/api/resource/No%20Such%20DocType", {}),
			(b, "GET", "/api/method/fiber_onboarding.api.portal.download", {}),
			(guest, "POST", "/api/method/fiber_onboarding.api.portal.approve_project", {}),
			(
				guest,
				"POST",
				"/api/method/frappe.core.doctype.user.user.update_password",
				{"data": {"new_password": "x"}},
			),
			(guest, "GET", "/api/method/no.such.module.method", {}),
		]
		for client, http_method, path, kwargs in cases:
			response = client.request(http_method, path, **kwargs)
			self.assert_short_pt_br_error(response)

	def test_every_allowed_method_survives_garbage(self):
		"""A fuzz of every allowed method, as Guest and as customer: no argument, garbage strings, wrong types,
		JSON garbage: always an answer below 500, never a traceback."""
		garbage_values = ("", "'\"<script>x</script>", "[]", "{", "9" * 300, "ção\x00", "../../etc/passwd")
		order = sorted(allowlist.PORTAL_METHODS, key=lambda n: n in ("logout", "web_logout"))  # logouts last
		reset_rate_limits(self.FUZZ_IP)
		try:
			for who in ("guest", "customer"):
				client = Browserless(self.FUZZ_IP)
				if who == "customer":
					client.login(self.user_b, self.PASSWORD)
				for name in order:
					fn = gate.resolve(name)
					if name == "fiber_onboarding.api.portal.register":
						params = list(REGISTRATION_FIELDS)
					else:
						params = inspect_parameters(fn) if fn else ["usr", "pwd"]
					path = f"/api/method/{name}"
					attempts = [{}] + [dict.fromkeys(params, value) for value in garbage_values]
					for data in attempts:
						response = client.post(path, data)
						self.assertLess(
							response.status_code,
							500,
							f"{who} {name} {data}: {response.get_data(as_text=True)[:300]}",
						)
						self.assertNotIn("Traceback", response.get_data(as_text=True))
					for body in ("{", json.dumps({p: [1, {"a": None}] for p in params}), json.dumps([1, 2])):
						response = client.post(path, body, headers={"Content-Type": "application/json"})
						self.assertLess(
							response.status_code,
							500,
							f"{who} {name} {body}: {response.get_data(as_text=True)[:300]}",
						)
						self.assertNotIn("Traceback", response.get_data(as_text=True))
					reset_rate_limits(self.FUZZ_IP)
		finally:
			reset_rate_limits(self.FUZZ_IP)
			clear_login_tracker(self.FUZZ_IP)

	def test_login_lock_refuses_the_nth_bad_login(self):
		"""Frappe's login attempt trackers (System Settings): with 3 allowed consecutive failures, the 4 first bad
		logins are answered 401 (Frappe refuses when the count exceeds the setting) and every later one, even with
		the right password, 429; an account that does not exist gets exactly the same answers."""
		set_system_settings(allow_consecutive_login_attempts=3, allow_login_after_fail=24 * 60 * 60)
		frappe.db.commit()  # nosemgrep: the WSGI requests read only committed settings
		sequences = {}
		try:
			for ip, user in ((self.LOGIN_IP, self.user_a), (self.UNKNOWN_LOGIN_IP, made_up(self.user_a))):
				clear_login_tracker(ip)
				clear_login_tracker(user)
				client = Browserless(ip)
				answers = []
				for password in ["errada-1", "errada-2", "errada-3", "errada-4", "errada-5", self.PASSWORD]:
					response = client.post("/api/method/login", {"usr": user, "pwd": password})
					self.assert_short_pt_br_error(response, (401, 429))
					answers.append((response.status_code, message_of(response)))
				sequences[user] = answers
			statuses = [status for status, _message in sequences[self.user_a]]
			self.assertEqual(statuses, [401, 401, 401, 401, 429, 429])
			self.assertEqual(sequences[self.user_a], sequences[made_up(self.user_a)])
			self.assertEqual(
				sequences[self.user_a][-1][1],
				"Muitas tentativas de login sem sucesso. Aguarde alguns minutos e tente novamente.",
			)
		finally:
			set_system_settings(
				allow_consecutive_login_attempts=self.settings.allow_consecutive_login_attempts,
				allow_login_after_fail=self.settings.allow_login_after_fail,
			)
			for key in (self.LOGIN_IP, self.UNKNOWN_LOGIN_IP, self.user_a, made_up(self.user_a)):
				clear_login_tracker(key)
			frappe.db.commit()  # nosemgrep: restore the committed settings
		# A logs in again once the lock is lifted
		self.assertEqual(
			Browserless().post("/api/method/login", {"usr": self.user_a, "pwd": self.PASSWORD}).status_code,
			200,
		)

	def test_registration_is_rate_limited_per_ip(self):
		method = "fiber_onboarding.api.portal.register"
		reset_rate_limits(self.REGISTRATION_IP)
		try:
			client = Browserless(self.REGISTRATION_IP)
			statuses = [
				client.post(f"/api/method/{method}", {"proposal_number": "PROP-X", "cnpj": "1"}).status_code
				for _ in range(6)
			]
			self.assertEqual(statuses, [422] * 5 + [429])
			# another address is not limited by this one
			self.assertEqual(
				Browserless("198.51.100.27")
				.post(f"/api/method/{method}", {"proposal_number": "PROP-X"})
				.status_code,
				422,
			)
		finally:
			reset_rate_limits(self.REGISTRATION_IP)
			reset_rate_limits("198.51.100.27")

	def test_login_logout_and_ping_reveal_nothing_of_another_customer(self):
		a = Browserless().login(self.user_a, self.PASSWORD)
		b = self.customer_b()
		guest = Browserless()
		# login: A's e-mail with a wrong password is answered as a made-up e-mail is
		wrong = [
			guest.post("/api/method/login", {"usr": user, "pwd": "errada"})
			for user in (self.user_a, made_up(self.user_a))
		]
		self.assertEqual([r.status_code for r in wrong], [401, 401])
		self.assertEqual(body_of(wrong[0]), body_of(wrong[1]))
		clear_login_tracker(self.user_a)
		clear_login_tracker("127.0.0.1")
		# ping with A's identifiers: "pong" and nothing else
		for client in (guest, b):
			response = client.get(
				"/api/method/ping", {"doctype": "Fiber Onboarding", "name": self.ids["case"]}
			)
			self.assertEqual(body_of(response), {"message": "pong"})
		# B's logout (any door) with A's identifiers ends B's session only (A's session id is A's secret, not an
		# identifier: whoever holds it is A for Frappe)
		response = b.post("/api/method/logout", {"user": self.user_a, "case": self.ids["case"]})
		self.assertEqual(response.status_code, 200)
		self.assertIn(b.get("/ativacoes", json_answer=False).status_code, (301, 302))  # B is a visitor again
		b = self.customer_b()
		b.get("/", {"cmd": "web_logout", "user": self.user_a}, json_answer=False)
		self.assertIn(b.get("/ativacoes", json_answer=False).status_code, (301, 302))
		mine = a.get("/ativacoes", json_answer=False)
		self.assertEqual(mine.status_code, 200)
		self.assertIn(self.ids["case"], mine.get_data(as_text=True))  # A is still logged in


def inspect_parameters(fn):
	import inspect

	return [
		p.name
		for p in inspect.signature(fn).parameters.values()
		if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
	] or ["x"]


def set_system_settings(**values):
	frappe.db.set_single_value("System Settings", values)
	frappe.clear_document_cache("System Settings", "System Settings")
	frappe.cache.delete_value("system_settings")
	frappe.local.system_settings = None


def clear_login_tracker(key: str):
	frappe.cache.hdel("login_failed_count", key)
	frappe.cache.hdel("login_failed_time", key)


def reset_rate_limits(ip: str):
	"""Drop the rate-limit counters of ``ip`` for the allowed methods (v1/cmd keys; v2 counts under "None")."""
	for name in [*allowlist.PORTAL_METHODS, "None"]:
		frappe.cache.delete_value(f"rl:{name}:{ip}")
