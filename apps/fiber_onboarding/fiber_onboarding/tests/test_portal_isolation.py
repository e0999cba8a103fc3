"""Integration: portal registration and customer isolation (pages, endpoints, REST, files), on a real site.

Two customers register through ``api.portal.register_customer`` (what the rate-limited POST endpoint runs).
Customer B then probes every page context, whitelisted method, DocType read and file of customer A: each probe
must fail. Customer A gets the same things. The HTTP-level probes (``/api/resource``, ``/private/files``, cookies)
run against a live server in ``test_portal_browser``.
"""

from __future__ import annotations

import time

import frappe
from frappe.utils import add_days, nowdate

from fiber_onboarding.api import contract as contract_api
from fiber_onboarding.api import portal
from fiber_onboarding.core import registration as core_registration
from fiber_onboarding.fiber_field import project_service
from fiber_onboarding.tests.billing_factory import make_cnpj
from fiber_onboarding.utils.links import signed_url
from fiber_onboarding.utils.workflow import advance

try:
	from frappe.tests import IntegrationTestCase as TestCase
except ImportError:
	from frappe.tests.utils import FrappeTestCase as TestCase

CASE = "Fiber Onboarding"
SCOPED = (
	"Fiber Onboarding",
	"Fiber Proposal",
	"Fiber Boleto",
	"Fiber Contract",
	"Fiber Project",
	"Site Visit",
	"Circuit",
)


# ---------------------------------------------------------------------------------------------------------------
# Factories (also used by test_portal_browser)
# ---------------------------------------------------------------------------------------------------------------
def make_approved_proposal(cnpj: str, setup_fee: float = 1500.0, valid_days: int = 30) -> str:
	doc = frappe.get_doc(
		{
			"doctype": "Fiber Proposal",
			"proposal_number": f"PROP-{frappe.generate_hash(length=8)}".upper(),
			"company_name": "Empresa do Portal Ltda",
			"cnpj": cnpj,
			"valid_until": add_days(nowdate(), valid_days),
			"bandwidth_mbps": 300,
			"term_months": 24,
			"sla_business_days": 20,
			"setup_fee": setup_fee,
			"monthly_fee": 799.0,
		}
	).insert(ignore_permissions=True)
	doc = advance(doc, "Send", as_system=True)
	doc = advance(doc, "Approve", as_system=True)
	return doc.name


def registration_form(proposal: str, cnpj: str, tag: str | None = None) -> dict:
	tag = tag or frappe.generate_hash(length=8)
	return {
		"proposal_number": proposal.lower(),
		"company_name": f"Comércio Portal {tag} Ltda",
		"cnpj": cnpj,
		"site_identifier": f"loja-{tag}",
		"cep": "01310-100",
		"address_line1": "Avenida Paulista",
		"address_number": "1000",
		"address_line2": "Conjunto 12",
		"neighborhood": "Bela Vista",
		"city": "São Paulo",
		"state": "SP",
		"legal_name": "Maria da Silva",
		"legal_cpf": "529.982.247-25",
		"legal_email": f"juridico-{tag}@portal.example.com",
		"legal_phone": "(11) 91234-5678",
		"tech_name": "João Souza",
		"tech_email": f"ti-{tag}@portal.example.com",
		"tech_phone": "(11) 3456-7890",
	}


def retry_on_lock(fn, attempts: int = 6):
	"""Run ``fn`` again (after a rollback) when a concurrent test run holds a lock of the shared test site (the
	naming series rows are locked until the other run's transaction ends)."""
	for attempt in range(attempts):
		try:
			return fn()
		except (frappe.QueryDeadlockError, frappe.QueryTimeoutError):
			frappe.set_user("Administrator")
			frappe.db.rollback()
			time.sleep(5 * (attempt + 1))
	return fn()


def register_new_customer() -> tuple[dict, dict]:
	"""(form, result) of a fresh registration as Guest."""
	cnpj = make_cnpj()
	form = registration_form(make_approved_proposal(cnpj), cnpj)
	frappe.set_user("Guest")
	try:
		result = portal.register_customer(form)
	finally:
		frappe.set_user("Administrator")
	assert result["ok"], result
	return form, result


def case_docs(case_name: str) -> dict:
	case = frappe.get_doc(CASE, case_name)
	docs = portal.case_documents(case)
	docs["case"] = case
	return docs


def pay_case(case_name: str, days_ago: int = 3):
	"""The setup fee paid ``days_ago`` days ago (Finance's manual confirmation path of the billing service)."""
	from fiber_onboarding.fiber_billing.boleto_service import mark_paid_manually

	case = frappe.get_doc(CASE, case_name)
	boleto = frappe.get_doc("Fiber Boleto", case.boleto)
	paid_on = add_days(nowdate(), -days_ago)
	mark_paid_manually(boleto.name, str(boleto.amount), paid_on, paid_on)


def send_project_of(case_name: str):
	case = frappe.get_doc(CASE, case_name)
	project = frappe.get_doc("Fiber Project", case.project)
	f = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": f"projeto-{project.name}.pdf",
			"content": b"%PDF-1.4\n% projeto de teste\n",
			"is_private": 1,
			"attached_to_doctype": "Fiber Project",
			"attached_to_name": project.name,
		}
	).insert(ignore_permissions=True)
	project.project_file = f.file_url
	project.save(ignore_permissions=True)
	return project_service.send_project(project)


class TestPortalIsolation(TestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		(cls.form_a, cls.result_a), (cls.form_b, cls.result_b) = retry_on_lock(
			lambda: (register_new_customer(), register_new_customer())
		)
		cls.a = case_docs(cls.result_a["case"])
		cls.b = case_docs(cls.result_b["case"])
		cls.user_a = cls.a["case"].portal_user
		cls.user_b = cls.b["case"].portal_user

	def setUp(self):
		self._lang = frappe.local.lang

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.local.lang = self._lang  # the portal forces pt-BR; other tests expect the site language
		frappe.form_dict.clear()

	# -----------------------------------------------------------------------------------------------------------
	# Registration
	# -----------------------------------------------------------------------------------------------------------
	def test_registration_creates_customer_user_case_and_documents(self):
		case = self.a["case"]
		self.assertEqual(case.cnpj, self.form_a["cnpj"])
		self.assertEqual(case.site_identifier, self.form_a["site_identifier"])
		self.assertEqual(frappe.db.get_value("Customer", case.customer, "tax_id"), case.cnpj)
		self.assertEqual(self.user_a, self.form_a["legal_email"])
		user = frappe.get_doc("User", self.user_a)
		self.assertEqual(user.user_type, "Website User")
		self.assertEqual([r.role for r in user.roles], ["Fiber Customer"])
		self.assertTrue(user.reset_password_key, "the invitation carries a set-password key")
		self.assertEqual(portal.customers_of(self.user_a), [case.customer])
		self.assertTrue(frappe.db.exists("Contact", {"user": self.user_a}))
		contacts = frappe.get_all(
			"Dynamic Link",
			filters={"link_doctype": "Customer", "link_name": case.customer, "parenttype": "Contact"},
			pluck="parent",
		)
		emails = set(frappe.get_all("Contact Email", filters={"parent": ("in", contacts)}, pluck="email_id"))
		self.assertEqual(emails, {self.form_a["legal_email"], self.form_a["tech_email"]})
		for key in ("boleto", "contract", "project", "circuit"):
			self.assertIsNotNone(self.a[key], key)
			self.assertEqual(self.a[key].customer, case.customer)
		self.assertEqual(frappe.db.get_value("Fiber Proposal", case.proposal, "workflow_state"), "Registered")
		self.assertEqual(self.result_a["redirect"], f"/boleto?name={case.boleto}")
		invitation = frappe.get_all(
			"Fiber Notification Log", filters={"key": f"invitation:{self.user_a}"}, pluck="recipients"
		)
		self.assertEqual(invitation, [self.user_a])
		queue = frappe.get_all(
			"Email Queue",
			filters={"reference_doctype": CASE, "reference_name": case.name},
			fields=["name", "message"],
		)
		self.assertTrue(any("/update-password?key=" in q.message for q in queue))

	def test_refused_proposals_get_one_generic_message_and_create_nothing(self):
		cnpj = make_cnpj()
		draft = frappe.get_doc(
			{
				"doctype": "Fiber Proposal",
				"proposal_number": f"PROP-{frappe.generate_hash(length=8)}".upper(),
				"company_name": "Rascunho Ltda",
				"cnpj": cnpj,
				"valid_until": add_days(nowdate(), 10),
				"bandwidth_mbps": 100,
				"term_months": 12,
				"sla_business_days": 15,
				"setup_fee": 900,
				"monthly_fee": 300,
			}
		).insert(ignore_permissions=True)
		expired = make_approved_proposal(cnpj)
		frappe.db.set_value("Fiber Proposal", expired, "valid_until", add_days(nowdate(), -1))
		other_cnpj = make_approved_proposal(make_cnpj())
		probes = {
			"unknown": registration_form("PROP-NAOEXISTE-1", cnpj),
			"not approved": registration_form(draft.name, cnpj),
			"expired": registration_form(expired, cnpj),
			"already used": registration_form(self.a["case"].proposal, self.form_a["cnpj"]),
			"cnpj mismatch": registration_form(other_cnpj, cnpj),
		}
		users_before = frappe.db.count("User")
		cases_before = frappe.db.count(CASE)
		answers = {}
		frappe.set_user("Guest")
		for label, form in probes.items():
			result = portal.register_customer(form)
			self.assertFalse(result["ok"], label)
			answers[label] = (result["message"], result["errors"])
		frappe.set_user("Administrator")
		self.assertEqual(len(set(map(repr, answers.values()))), 1, answers)
		self.assertEqual(
			answers["unknown"][1], {"proposal_number": core_registration.GENERIC_PROPOSAL_MESSAGE}
		)
		self.assertEqual(frappe.db.count("User"), users_before)
		self.assertEqual(frappe.db.count(CASE), cases_before)

	def test_field_errors_come_back_per_field(self):
		cnpj = make_cnpj()
		form = registration_form(make_approved_proposal(cnpj), cnpj)
		form.update(cnpj="11.222.333/0001-82", cep="123", legal_email="x@", tech_phone="")
		result = portal.register_customer(form)
		self.assertFalse(result["ok"])
		self.assertEqual(set(result["errors"]), {"cnpj", "cep", "legal_email", "tech_phone"})
		self.assertIn("CNPJ inválido", result["errors"]["cnpj"])

	def test_an_existing_account_cannot_be_registered_into(self):
		cnpj = make_cnpj()
		form = registration_form(make_approved_proposal(cnpj), cnpj)
		form["legal_email"] = self.user_a  # someone else's account
		for user in ("Guest", self.user_b):
			frappe.set_user(user)
			result = portal.register_customer(form)
			self.assertFalse(result["ok"])
			self.assertEqual(list(result["errors"]), ["legal_email"])
		frappe.set_user("Administrator")
		form["legal_email"] = "Administrator"
		self.assertFalse(portal.register_customer(form)["ok"])

	def test_a_logged_in_customer_registers_another_proposal_with_the_same_account(self):
		cnpj = make_cnpj()
		form = registration_form(make_approved_proposal(cnpj), cnpj)
		form["legal_email"] = self.user_b
		frappe.set_user(self.user_b)
		result = portal.register_customer(form)
		frappe.set_user("Administrator")
		self.assertTrue(result["ok"], result)
		case = frappe.get_doc(CASE, result["case"])
		self.assertEqual(case.portal_user, self.user_b)
		self.assertIn(case.customer, portal.customers_of(self.user_b))

	def test_a_logged_in_customer_registering_for_someone_else_stays_themselves(self):
		cnpj = make_cnpj()
		form = registration_form(make_approved_proposal(cnpj), cnpj)  # a new e-mail
		frappe.set_user(self.user_b)
		result = portal.register_customer(form)
		self.assertEqual(frappe.session.user, self.user_b)
		frappe.set_user("Administrator")
		self.assertTrue(result["ok"], result)
		self.assertEqual(result["redirect"], "/ativacoes")
		case = frappe.get_doc(CASE, result["case"])
		self.assertEqual(case.portal_user, form["legal_email"])
		self.assertNotIn(case.customer, portal.customers_of(self.user_b))

	# -----------------------------------------------------------------------------------------------------------
	# The owner sees their case
	# -----------------------------------------------------------------------------------------------------------
	def test_owner_sees_list_case_page_and_documents(self):
		from fiber_onboarding.www.ativacoes import caso, index

		frappe.set_user(self.user_a)
		ctx = index.get_context(frappe._dict())
		self.assertEqual([c["name"] for c in ctx.cases], [self.a["case"].name])
		self.assertEqual(ctx.cases[0]["next"]["actor"], "Você")

		frappe.form_dict.name = self.a["case"].name
		ctx = caso.get_context(frappe._dict())
		steps = {s["key"]: s["status"] for s in ctx.steps}
		self.assertEqual(steps["registration"], "done")
		self.assertEqual(steps["payment"], "current")
		self.assertEqual(steps["contract_upload"], "current")
		titles = [d["title"] for d in ctx.documents]
		self.assertEqual(len(titles), 3)  # boleto, contract, project
		urls = [link["url"] for d in ctx.documents for link in d["links"]]
		self.assertTrue(all("/files/" not in u for u in urls), urls)
		self.assertIn(f"/contrato/enviar?contract={self.a['contract'].name}", urls)

		content, filename = portal.document_content(self.a["case"], "contract")
		self.assertTrue(content.startswith(b"%PDF"))
		self.assertTrue(filename.endswith(".pdf"))

	def test_project_approval_by_token_and_prior_visit(self):
		pay_case(self.b["case"].name)
		project = send_project_of(self.b["case"].name)
		self.assertEqual(project.workflow_state, "Sent")
		token = signed_url("projeto/aprovar", portal.PROJECT_PURPOSE, project.name).split("token=")[1]
		from urllib.parse import unquote

		token = unquote(token)
		day = project_service.allowed_execution_dates(project)[2]

		frappe.set_user("Guest")
		with self.assertRaises(frappe.PermissionError):
			portal.approve_project(str(day), token=token, project=self.a["project"].name)
		with self.assertRaises(frappe.ValidationError):
			portal.approve_project(str(add_days(day, 400)), token=token)
		result = portal.approve_project(str(day), token=token, prior_visit=1)
		frappe.set_user("Administrator")
		self.assertEqual(result["state"], "Approved")
		self.assertEqual(str(frappe.db.get_value("Fiber Project", project.name, "execution_date")), str(day))
		self.assertTrue(result["prior_visit"])

		frappe.set_user(self.user_b)
		steps = {s["key"]: s for s in portal.timeline_rows(frappe.get_doc(CASE, self.b["case"].name))}
		self.assertEqual(steps["payment"]["status"], "done")
		self.assertEqual(steps["project_approval"]["status"], "done")
		self.assertEqual(steps["prior_visit"]["status"], "current")
		self.assertEqual(steps["internal_passage"]["status"], "current")
		content, _name = portal.document_content(frappe.get_doc(CASE, self.b["case"].name), "project")
		self.assertTrue(content.startswith(b"%PDF"))

	# -----------------------------------------------------------------------------------------------------------
	# Isolation: B probes A
	# -----------------------------------------------------------------------------------------------------------
	def test_foreign_case_page_and_list(self):
		from fiber_onboarding.www.ativacoes import caso, index

		frappe.set_user(self.user_b)
		frappe.form_dict.name = self.a["case"].name
		with self.assertRaises(frappe.PermissionError):
			caso.get_context(frappe._dict())
		frappe.form_dict.name = "ONB-NAO-EXISTE"
		with self.assertRaises(frappe.PermissionError):
			caso.get_context(frappe._dict())
		ctx = index.get_context(frappe._dict())
		self.assertNotIn(self.a["case"].name, [c["name"] for c in ctx.cases])

	def test_foreign_downloads_and_actions(self):
		frappe.set_user(self.user_b)
		a = self.a["case"].name
		for kind in portal.DOWNLOAD_KINDS:
			with self.assertRaises(frappe.PermissionError, msg=kind):
				portal.download(a, kind)
		for call in (
			lambda: portal.request_prior_visit(a),
			lambda: portal.confirm_service(a),
			lambda: portal.report_problem(a, "não funciona"),
			lambda: portal.approve_project(str(add_days(nowdate(), 10)), project=self.a["project"].name),
			lambda: portal.download_project(project=self.a["project"].name),
			lambda: contract_api.download_contract(contract=self.a["contract"].name),
			lambda: contract_api.contract_for(contract=self.a["contract"].name),
		):
			with self.assertRaises(frappe.PermissionError):
				call()
		from fiber_onboarding.api import boleto as boleto_api

		with self.assertRaises(frappe.PermissionError):
			boleto_api.download_pdf(self.a["boleto"].name)

	def test_foreign_pages_of_the_other_engineers(self):
		from fiber_onboarding.www import boleto as boleto_page
		from fiber_onboarding.www.contrato import enviar
		from fiber_onboarding.www.projeto import aprovar

		frappe.set_user(self.user_b)
		frappe.form_dict.update({"name": self.a["boleto"].name})
		with self.assertRaises(frappe.PermissionError):
			boleto_page.get_context(frappe._dict())
		frappe.form_dict.clear()
		frappe.form_dict.update({"contract": self.a["contract"].name})
		ctx = enviar.get_context(frappe._dict())
		self.assertEqual(ctx.http_status_code, 403)
		self.assertFalse(ctx.get("contract_name"))
		frappe.form_dict.clear()
		frappe.form_dict.update({"project": self.a["project"].name})
		ctx = aprovar.get_context(frappe._dict())
		self.assertEqual(ctx.http_status_code, 403)
		self.assertFalse(ctx.get("project_name"))
		frappe.form_dict.clear()

	def test_foreign_records_through_the_permission_system(self):
		frappe.set_user(self.user_b)
		a_names = {
			"Fiber Onboarding": self.a["case"].name,
			"Fiber Proposal": self.a["case"].proposal,
			"Fiber Boleto": self.a["boleto"].name,
			"Fiber Contract": self.a["contract"].name,
			"Fiber Project": self.a["project"].name,
			"Circuit": self.a["circuit"].name,
			"Site Visit": self.a["project"].external_survey,
		}
		for doctype, name in a_names.items():
			self.assertNotIn(name, frappe.get_list(doctype, pluck="name", limit_page_length=0), doctype)
			doc = frappe.get_doc(doctype, name)
			for ptype in ("read", "print", "email", "write"):
				self.assertFalse(frappe.has_permission(doctype, ptype, doc), f"{doctype} {ptype}")
			self.assertFalse(frappe.has_website_permission(doc), doctype)
			with self.assertRaises(frappe.PermissionError):
				frappe.client.get(doctype, name)
		# B still sees B's own
		self.assertIn(self.b["case"].name, frappe.get_list(CASE, pluck="name"))
		self.assertTrue(frappe.has_permission(CASE, "read", self.b["case"]))
		# the customer role only reads (and prints) its own documents: no write, and no e-mail through the
		# document (Communication "make" would send any text to anyone from the company's account)
		for doctype in ("Fiber Onboarding", "Fiber Boleto", "Fiber Contract", "Fiber Project", "Circuit"):
			doc = self.b[{"Fiber Onboarding": "case"}.get(doctype, doctype.split()[-1].lower())]
			self.assertTrue(frappe.has_permission(doctype, "read", doc), doctype)
			for ptype in ("write", "create", "delete", "email", "share", "report", "export"):
				self.assertFalse(frappe.has_permission(doctype, ptype, doc), f"{doctype} {ptype}")
		from frappe.core.doctype.communication.email import make

		with self.assertRaises(frappe.PermissionError):
			make(
				doctype="Fiber Project",
				name=self.b["project"].name,
				content="spam",
				subject="spam",
				recipients="someone@example.com",
				send_email=1,
			)

	def test_foreign_files(self):
		contract = self.a["contract"]
		file_name = frappe.db.get_value(
			"File", {"file_url": contract.issued_file, "attached_to_name": contract.name}, "name"
		)
		frappe.set_user(self.user_b)
		self.assertFalse(frappe.get_doc("File", file_name).is_downloadable())
		self.assertNotIn(file_name, frappe.get_list("File", pluck="name", limit_page_length=0))
		frappe.set_user(self.user_a)
		self.assertTrue(frappe.get_doc("File", file_name).is_downloadable())
		frappe.set_user("Guest")
		self.assertFalse(frappe.get_doc("File", file_name).is_downloadable())

	def test_guest_gets_nothing(self):
		frappe.set_user("Guest")
		a = self.a["case"].name
		for call in (
			lambda: portal.case_for(a),
			lambda: portal.download(a, "boleto"),
			lambda: portal.confirm_service(a),
			lambda: portal.project_for(project=self.a["project"].name),
		):
			with self.assertRaises(frappe.PermissionError):
				call()
		self.assertEqual(portal.cases_of_user(), [])

	def test_tokens_are_bound_to_purpose_and_document(self):
		from urllib.parse import parse_qs, urlparse

		def token_of(url):
			return parse_qs(urlparse(url).query)["token"][0]

		contract_token = token_of(signed_url("contrato/enviar", "contract-upload", self.a["contract"].name))
		project_token = token_of(
			signed_url("projeto/aprovar", portal.PROJECT_PURPOSE, self.a["project"].name)
		)
		frappe.set_user("Guest")
		with self.assertRaises(frappe.PermissionError):
			portal.project_for(token=contract_token)
		with self.assertRaises(frappe.PermissionError):
			portal.project_for(token=project_token, project=self.b["project"].name)
		with self.assertRaises(frappe.PermissionError):
			portal.project_for(token=project_token[:-2] + "xx")
		self.assertEqual(portal.project_for(token=project_token).name, self.a["project"].name)
		expired = token_of(
			signed_url("projeto/aprovar", portal.PROJECT_PURPOSE, self.a["project"].name, hours=-1)
		)
		with self.assertRaises(frappe.PermissionError) as raised:
			portal.project_for(token=expired)
		self.assertIn("expir", str(raised.exception).lower())

	def test_staff_cannot_act_as_customer(self):
		frappe.set_user("Administrator")
		with self.assertRaises(frappe.PermissionError):
			portal.confirm_service(self.a["case"].name)
