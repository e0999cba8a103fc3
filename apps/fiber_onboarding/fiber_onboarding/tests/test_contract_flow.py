"""Signed contract, end to end on a site: generation, e-mail with the signed link, upload (token or portal),
the checker job, automatic and staff decisions, the case's receipt date, isolation between customers.

Uploads go through the real whitelisted endpoint with a multipart request built by werkzeug (the rate limiter
is active: each call uses its own client IP). The checker runs in its sandboxed child process.
"""

from __future__ import annotations

import email
import io
import random
import time
from contextlib import contextmanager

from pypdf import PdfReader

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import getdate, nowdate

from fiber_onboarding.api import contract as api
from fiber_onboarding.core.documents import format_cnpj
from fiber_onboarding.core.process import ContractState
from fiber_onboarding.fiber_contracts.contract_service import shared
from fiber_onboarding.fiber_contracts.contract_service.issue import create_and_send_contract
from fiber_onboarding.tests import contract_factory as factory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(200)
ZIP = b"PK\x03\x04" + bytes(26) + b"contrato.pdf" + bytes(300)


def use_pt_br():
	"""Customer-facing messages are asserted in pt-BR: compile the app's catalogue and switch the language."""
	from frappe.gettext.translate import _compile_translation
	from frappe.translate import MERGED_TRANSLATION_KEY

	_compile_translation("fiber_onboarding", "pt_BR", force=True)
	for lang in ("pt-BR", "pt"):
		frappe.cache.hdel(MERGED_TRANSLATION_KEY, lang)
	frappe.local.lang = "pt-BR"


@contextmanager
def multipart_request(fields: dict, content: bytes | None, filename: str = "contrato-assinado.pdf"):
	"""``frappe.request`` as a multipart POST of ``fields`` + ``file``, from a fresh client IP."""
	from werkzeug.test import EnvironBuilder
	from werkzeug.wrappers import Request

	data = {k: v for k, v in fields.items() if v is not None}
	if content is not None:
		data["file"] = (io.BytesIO(content), filename, "application/pdf")
	environ = EnvironBuilder(method="POST", data=data).get_environ()
	saved = {k: getattr(frappe.local, k, None) for k in ("request", "request_ip", "form_dict")}
	frappe.local.request = Request(environ)
	frappe.local.request_ip = "10.{}.{}.{}".format(*(random.randint(1, 254) for _ in range(3)))
	frappe.local.form_dict = frappe._dict(
		{k: v for k, v in fields.items() if v is not None},
		cmd="fiber_onboarding.api.contract.upload_signed_contract",
	)
	try:
		yield
	finally:
		for key, value in saved.items():
			setattr(frappe.local, key, value)


def upload(content: bytes | None, *, token: str | None = None, contract: str | None = None, filename=None):
	with multipart_request(
		{"token": token, "contract": contract}, content, filename or "contrato-assinado.pdf"
	):
		return api.upload_signed_contract(token=token, contract=contract)


def token_of(contract) -> str:
	from urllib.parse import parse_qs, urlparse

	return parse_qs(urlparse(shared.upload_url(contract)).query)["token"][0]


def make_staff(role: str) -> str:
	user = f"{frappe.scrub(role)}-{frappe.generate_hash(length=6)}@staff.example.com"
	doc = frappe.get_doc(
		{
			"doctype": "User",
			"email": user,
			"first_name": role,
			"user_type": "System User",
			"send_welcome_email": 0,
		}
	)
	doc.insert(ignore_permissions=True)
	doc.add_roles(role)
	return user


def queued_mails(contract_name: str) -> list[dict]:
	"""Email Queue rows about the contract, with recipients, subject and decoded HTML body."""
	out = []
	for q in frappe.get_all(
		"Email Queue",
		filters={"reference_doctype": "Fiber Contract", "reference_name": contract_name},
		fields=["name", "message"],
		order_by="creation asc",
	):
		msg = email.message_from_string(q.message)
		html, attachments = "", []
		for part in msg.walk():
			if part.get_content_type() == "text/html":
				html += part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
			if part.get_filename():
				attachments.append((part.get_filename(), part.get_payload(decode=True)))
		recipients = frappe.get_all("Email Queue Recipient", filters={"parent": q.name}, pluck="recipient")
		subject = str(email.header.make_header(email.header.decode_header(msg["Subject"])))
		out.append({"recipients": recipients, "subject": subject, "html": html, "attachments": attachments})
	return out


class TestContractFlow(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.pki = factory.make_pki()
		factory.trust_test_root(cls.pki)
		# users once per class (Frappe throttles user creation per minute on the shared site)
		cls.portal_user = factory.make_portal_user()
		cls.stranger = factory.make_portal_user()
		cls.sales = make_staff("Fiber Sales")
		cls.finance = make_staff("Fiber Finance")

	def setUp(self):
		frappe.set_user("Administrator")
		self.case = factory.make_case(self.portal_user)
		self.contract = create_and_send_contract(self.case)

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.local.lang = "en"

	def issued_pdf(self, contract=None) -> bytes:
		return shared.issued_pdf_content(contract or self.contract)

	def signed(self, contract=None, pki=None) -> bytes:
		return factory.sign_pdf(self.issued_pdf(contract), pki or self.pki)

	def reload(self):
		self.contract.reload()
		return self.contract

	# --- generation and e-mail -------------------------------------------------------------------------------

	def test_contract_generated_with_code_on_every_page_and_emailed(self):
		c = self.reload()
		self.assertEqual(c.workflow_state, ContractState.SENT)
		self.assertTrue(c.name.startswith("CTR-"))
		self.assertTrue(c.sent_on)
		self.assertEqual(frappe.db.get_value("Fiber Onboarding", self.case.name, "contract"), c.name)

		file_doc = frappe.get_doc("File", {"file_url": c.issued_file, "attached_to_name": c.name})
		self.assertTrue(file_doc.is_private)
		pdf = file_doc.get_content()
		import hashlib

		self.assertEqual(hashlib.sha256(pdf).hexdigest(), c.issued_sha256)
		reader = PdfReader(io.BytesIO(pdf))
		self.assertEqual(len(reader.pages), c.page_count)
		for number, page in enumerate(reader.pages, start=1):
			text = page.extract_text()
			self.assertIn(c.name, text, f"contract code missing on page {number}")
			self.assertIn(f"Página {number} de {c.page_count}", text)
		first = " ".join(reader.pages[0].extract_text().split())
		self.assertIn("Contrato de Prestação de Serviços", first)
		self.assertIn("500 Mbps", first)
		self.assertIn("1.500,00", first)  # the proposal's setup fee, in BRL
		self.assertIn(format_cnpj(self.case.cnpj), first)
		self.assertIn("529.982.247-25", first)  # the legal responsible's CPF

		mails = queued_mails(c.name)
		self.assertEqual(len(mails), 1)
		self.assertEqual(mails[0]["recipients"], [c.legal_email])
		self.assertIn(c.name, mails[0]["subject"])
		self.assertIn("/contrato/enviar?token=", mails[0]["html"])
		self.assertEqual([a[0] for a in mails[0]["attachments"]], [f"{c.name}.pdf"])
		self.assertEqual(mails[0]["attachments"][0][1], pdf)

		# idempotent: a second call neither creates another contract nor sends again
		again = create_and_send_contract(frappe.get_doc("Fiber Onboarding", self.case.name))
		self.assertEqual(again.name, c.name)
		self.assertEqual(len(queued_mails(c.name)), 1)
		self.assertEqual(frappe.db.count("Fiber Contract", {"onboarding": self.case.name}), 1)

	def test_long_terms_span_pages_with_code_on_each(self):
		case = factory.make_case(
			self.portal_user, terms="<p>" + "Cláusula específica de teste. " * 600 + "</p>"
		)
		c = create_and_send_contract(case)
		reader = PdfReader(io.BytesIO(self.issued_pdf(c)))
		self.assertGreater(len(reader.pages), 1)
		for page in reader.pages:
			self.assertIn(c.name, page.extract_text())

	def test_staff_edits_to_the_print_format_reach_the_issued_pdf(self):
		print_format = frappe.get_doc("Print Format", shared.PRINT_FORMAT)
		self.assertEqual(print_format.doc_type, "Fiber Contract")
		self.assertEqual(print_format.standard, "No")  # editable in the desk without developer mode
		print_format.html += "<p>Cláusula adicional de teste {{ doc.name }}.</p>"
		print_format.save()
		c = create_and_send_contract(factory.make_case(self.portal_user))
		text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(self.issued_pdf(c))).pages)
		self.assertIn(f"Cláusula adicional de teste {c.name}.", " ".join(text.split()))

	def test_resend_gives_a_fresh_link_by_email(self):
		frappe.set_user(self.finance)
		with self.assertRaises(frappe.PermissionError):
			api.resend_contract(self.contract.name)
		frappe.set_user(self.sales)
		api.resend_contract(self.contract.name)
		frappe.set_user("Administrator")
		mails = queued_mails(self.contract.name)
		self.assertEqual(len(mails), 2)
		self.assertEqual(mails[1]["recipients"], [self.contract.legal_email])
		self.assertIn("/contrato/enviar?token=", mails[1]["html"])
		keys = frappe.get_all("Fiber Notification Log", {"reference_name": self.contract.name}, pluck="key")
		self.assertEqual(
			sorted(keys), [f"fo_contract:{self.contract.name}", f"fo_contract:{self.contract.name}:1"]
		)

	# --- upload, checks, decisions ---------------------------------------------------------------------------

	def test_signed_upload_accepted_automatically_sets_case_receipt_date(self):
		signed, token = self.signed(), token_of(self.contract)
		frappe.set_user("Guest")  # the legal responsible, through the e-mailed link
		result = upload(signed, token=token)
		frappe.set_user("Administrator")
		c = self.reload()
		self.assertEqual(result["contract"], c.name)
		self.assertEqual(c.workflow_state, ContractState.ACCEPTED, frappe.as_json(c.checks))
		self.assertEqual(c.latest_decision, "Accept")
		self.assertEqual(getdate(c.received_on), getdate(nowdate()))
		self.assertEqual(
			getdate(frappe.db.get_value("Fiber Onboarding", self.case.name, "contract_received_on")),
			getdate(nowdate()),
		)
		row = c.uploads[0]
		self.assertEqual(row.status, shared.UPLOAD_ACCEPTED)
		self.assertTrue(row.file.endswith(".pdf.bin"))
		self.assertIn("(", row.uploaded_by)  # "<legal e-mail> (link do e-mail)"
		self.assertTrue(row.ip_address)
		self.assertIn(factory.LEGAL_CPF, row.signer)
		checks = [x for x in c.checks if x.upload == row.name]
		ids = {x.check for x in checks}
		for expected in (
			"is_pdf",
			"parse",
			"active_content",
			"page_count",
			"contract_code",
			"signatures",
			"trust",
			"signer",
			"issued_revision",
		):
			self.assertIn(expected, ids)
		self.assertTrue(all(x.outcome == "Pass" for x in checks))
		file_doc = frappe.get_doc("File", {"file_url": row.file, "attached_to_name": c.name})
		self.assertTrue(file_doc.is_private)

		# accepted: no further upload
		with self.assertRaises(shared.ContractStateError):
			upload(self.signed(), token=token_of(c))

	def test_rewritten_file_goes_to_staff_even_when_trusted(self):
		# a signing tool that rewrites the whole file: same pages and code, trusted signature, other bytes
		from pypdf import PdfWriter

		writer = PdfWriter(clone_from=PdfReader(io.BytesIO(self.issued_pdf())))
		rewritten = io.BytesIO()
		writer.write(rewritten)
		upload(factory.sign_pdf(rewritten.getvalue(), self.pki), token=token_of(self.contract))
		c = self.reload()
		self.assertEqual(c.workflow_state, ContractState.SIGNED_UPLOADED)
		self.assertEqual(c.latest_decision, "Review")
		outcomes = {x.check: x.outcome for x in c.checks}
		self.assertEqual(outcomes["issued_revision"], "Warn")
		self.assertEqual(outcomes["signatures"], "Pass")
		self.assertEqual(outcomes["trust"], "Pass")

	def test_trust_root_pins_are_checked_on_save_and_at_check_time(self):
		from fiber_onboarding.fiber_contracts.trust_roots import TrustRootConfigError, validate_trust_roots

		use_pt_br()
		self.assertIn(
			"fiber_onboarding.fiber_contracts.trust_roots.validate_trust_roots",
			frappe.get_hooks("doc_events")["Fiber Onboarding Settings"]["validate"],
		)
		settings = frappe.get_doc({"doctype": "Fiber Onboarding Settings"})  # in memory: only this row
		row = settings.append(
			"trust_roots",
			{"label": "Raiz errada", "kind": "gov.br", "enabled": 1, "pem": self.pki.root_pem.decode()},
		)
		row.sha256 = "0" * 64
		with self.assertRaises(TrustRootConfigError) as ctx:
			validate_trust_roots(settings)
		self.assertIn("não confere", str(ctx.exception))
		row.sha256 = self.pki.root_sha256
		validate_trust_roots(settings)  # the right pin passes
		row.enabled = 0
		row.sha256 = "0" * 64
		validate_trust_roots(settings)  # a disabled row is not checked

		# a wrong pin that reached the database anyway is reported on every check and blocks auto-acceptance
		row.enabled = 1
		row.parent = row.parenttype = "Fiber Onboarding Settings"
		row.db_insert()
		upload(self.signed(), token=token_of(self.contract))
		c = self.reload()
		self.assertEqual(c.latest_decision, "Review")
		self.assertEqual(c.workflow_state, ContractState.SIGNED_UPLOADED)
		self.assertIn("trust_config", {x.check for x in c.checks if x.outcome == "Warn"})
		frappe.db.delete("Fiber Trust Root", {"name": row.name})

	def test_review_then_staff_accepts(self):
		other_pki = factory.make_pki(root_cn="AC Desconhecida")  # not among the trust roots
		upload(self.signed(pki=other_pki), token=token_of(self.contract))
		c = self.reload()
		self.assertEqual(c.workflow_state, ContractState.SIGNED_UPLOADED)
		self.assertEqual(c.latest_decision, "Review")
		self.assertFalse(c.received_on)
		# the reviewers were told (desk notification)
		self.assertTrue(
			frappe.db.exists(
				"Notification Log",
				{"for_user": self.sales, "document_type": "Fiber Contract", "document_name": c.name},
			)
		)
		self.assertFalse(
			frappe.db.exists("Notification Log", {"for_user": self.finance, "document_name": c.name})
		)

		frappe.set_user(self.finance)
		with self.assertRaises(frappe.PermissionError):
			api.accept_contract(c.name)

		frappe.set_user(self.sales)
		result = api.accept_contract(c.name)
		frappe.set_user("Administrator")
		c = self.reload()
		self.assertEqual(result["state"], ContractState.ACCEPTED)
		self.assertEqual(c.workflow_state, ContractState.ACCEPTED)
		self.assertEqual(c.uploads[0].reviewed_by, self.sales)
		self.assertEqual(c.uploads[0].status, shared.UPLOAD_ACCEPTED)
		self.assertEqual(getdate(c.received_on), getdate(c.uploads[0].uploaded_on))
		self.assertEqual(
			getdate(frappe.db.get_value("Fiber Onboarding", self.case.name, "contract_received_on")),
			getdate(c.received_on),
		)

	def test_staff_reject_emails_customer_and_reupload_is_possible(self):
		use_pt_br()
		upload(self.signed(pki=factory.make_pki(root_cn="AC Desconhecida")), token=token_of(self.contract))
		self.assertEqual(self.reload().latest_decision, "Review")

		frappe.set_user(self.sales)
		with self.assertRaises(shared.ContractStateError):
			api.reject_contract(self.contract.name, "   ")
		api.reject_contract(self.contract.name, "Assinatura feita com certificado não reconhecido.")
		frappe.set_user("Administrator")
		c = self.reload()
		self.assertEqual(c.workflow_state, ContractState.REJECTED)
		self.assertEqual(c.uploads[0].status, shared.UPLOAD_REJECTED)
		rejected_mail = queued_mails(c.name)[-1]
		self.assertEqual(rejected_mail["recipients"], [c.legal_email])
		self.assertIn("certificado não reconhecido", rejected_mail["html"])
		self.assertIn("/contrato/enviar?token=", rejected_mail["html"])

		# the customer uploads again (logged in to the portal this time) and the new copy is accepted
		frappe.set_user(self.portal_user)
		upload(self.signed(), contract=c.name)
		frappe.set_user("Administrator")
		c = self.reload()
		self.assertEqual(c.workflow_state, ContractState.ACCEPTED)
		self.assertEqual(len(c.uploads), 2)
		self.assertEqual([r.status for r in c.uploads], [shared.UPLOAD_REJECTED, shared.UPLOAD_ACCEPTED])
		self.assertEqual({x.upload for x in c.checks}, {r.name for r in c.uploads})  # every verdict kept
		for r in c.uploads:
			self.assertTrue(frappe.db.exists("File", {"file_url": r.file, "attached_to_name": c.name}))

	def test_checker_reject_rejects_automatically_and_tells_customer(self):
		other = create_and_send_contract(factory.make_case(self.portal_user))
		# a signed PDF of another contract: a PDF, signed, but not this contract
		upload(self.signed(other), token=token_of(self.contract))
		c = self.reload()
		self.assertEqual(c.latest_decision, "Reject")
		self.assertEqual(c.workflow_state, ContractState.REJECTED)
		self.assertTrue(c.rejection_reason)
		failed = [x for x in c.checks if x.outcome == "Fail"]
		self.assertIn("contract_code", {x.check for x in failed})
		self.assertIn(c.name, queued_mails(c.name)[-1]["subject"])
		self.assertEqual(queued_mails(c.name)[-1]["recipients"], [c.legal_email])
		# nothing left for staff to accept; a new upload is possible
		frappe.set_user(self.sales)
		with self.assertRaises(shared.ContractStateError):
			api.accept_contract(c.name)
		frappe.set_user("Administrator")
		upload(self.signed(), token=token_of(c))
		self.assertEqual(self.reload().workflow_state, ContractState.ACCEPTED)

	# --- bad input ----------------------------------------------------------------------------------------------

	def assert_unchanged(self, before_files: int):
		c = self.reload()
		self.assertEqual(c.workflow_state, ContractState.SENT)
		self.assertEqual(len(c.uploads), 0)
		self.assertEqual(len(c.checks), 0)
		self.assertEqual(frappe.db.count("File", {"attached_to_name": c.name}), before_files)

	def test_renamed_png_and_zip_are_refused_and_change_nothing(self):
		use_pt_br()
		before = frappe.db.count("File", {"attached_to_name": self.contract.name})
		for content in (PNG, ZIP, b"", b"<html><body>%PDF-1.7</body></html>"):
			with self.assertRaises(shared.ContractUploadError) as ctx:
				upload(content, token=token_of(self.contract), filename="contrato.pdf")
			self.assertTrue("PDF" in str(ctx.exception), str(ctx.exception))
			self.assert_unchanged(before)
		with self.assertRaises(shared.ContractUploadError) as ctx:
			upload(PNG, token=token_of(self.contract))
		self.assertIn("não é um PDF", str(ctx.exception))

	def test_missing_file_and_oversized_file_are_refused(self):
		use_pt_br()
		before = frappe.db.count("File", {"attached_to_name": self.contract.name})
		with self.assertRaises(shared.ContractUploadError):
			upload(None, token=token_of(self.contract))
		frappe.db.set_single_value("Fiber Onboarding Settings", "max_upload_mb", 1)
		try:
			big = self.issued_pdf() + b"%" + b"0" * (1024 * 1024)
			with self.assertRaises(shared.ContractUploadError) as ctx:
				upload(big, token=token_of(self.contract))
			self.assertIn("1 MB", str(ctx.exception))
		finally:
			frappe.db.set_single_value("Fiber Onboarding Settings", "max_upload_mb", 10)
		self.assert_unchanged(before)

	def test_bad_token_is_refused(self):
		before = frappe.db.count("File", {"attached_to_name": self.contract.name})
		frappe.set_user("Guest")
		good = token_of(self.contract)
		for token in ("abc", good[:-2] + ("AA" if not good.endswith("AA") else "BB"), good + "x"):
			with self.assertRaises(frappe.PermissionError):
				upload(self.signed(), token=token)
		# a token for another purpose or another contract is not an upload link for this one
		from fiber_onboarding.utils.links import signed_url

		other_purpose = signed_url("contrato/enviar", "project-approval", self.contract.name).split("token=")[
			1
		]
		with self.assertRaises(frappe.PermissionError):
			upload(self.signed(), token=other_purpose)
		with self.assertRaises(frappe.PermissionError):
			upload(self.signed(), token=good, contract="CTR-0000-99999")
		# Guest without a token
		with self.assertRaises(frappe.PermissionError):
			upload(self.signed(), contract=self.contract.name)
		frappe.set_user("Administrator")
		self.assert_unchanged(before)

	def test_expired_token_is_refused_with_link_expirou(self):
		use_pt_br()
		from fiber_onboarding.core.tokens import make_token
		from fiber_onboarding.utils.links import _secret

		expired = make_token(_secret(), shared.UPLOAD_PURPOSE, self.contract.name, int(time.time()) - 60)
		frappe.set_user("Guest")
		with self.assertRaises(frappe.PermissionError) as ctx:
			upload(self.signed(), token=expired)
		self.assertIn("link expirou", str(ctx.exception))
		self.assertEqual(ctx.exception.http_status_code, 403)

		# the portal page says the same to the guest, with HTTP 403
		from fiber_onboarding.www.contrato import enviar

		frappe.local.form_dict = frappe._dict(token=expired)
		context = frappe._dict()
		enviar.get_context(context)
		self.assertIn("link expirou", context.error)
		self.assertEqual(context.http_status_code, 403)
		frappe.set_user("Administrator")
		self.assertEqual(len(self.reload().uploads), 0)

	def test_upload_page_with_valid_token_and_for_portal_user(self):
		from fiber_onboarding.www.contrato import enviar

		frappe.set_user("Guest")
		frappe.local.form_dict = frappe._dict(token=token_of(self.contract))
		context = frappe._dict()
		enviar.get_context(context)
		self.assertFalse(context.get("error"))
		self.assertEqual(context.contract_name, self.contract.name)
		self.assertTrue(context.can_upload)
		self.assertIn("download_contract", context.download_url)

		frappe.set_user(self.portal_user)
		frappe.local.form_dict = frappe._dict()
		context = frappe._dict()
		enviar.get_context(context)
		self.assertEqual(context.contract_name, self.contract.name)

	# --- isolation between customers ----------------------------------------------------------------------------

	def test_other_customer_cannot_upload_or_download(self):
		upload(self.signed(pki=factory.make_pki(root_cn="AC Desconhecida")), token=token_of(self.contract))
		c = self.reload()
		row = c.uploads[0]
		upload_file = frappe.get_doc("File", {"file_url": row.file, "attached_to_name": c.name})
		issued_file = frappe.get_doc("File", {"file_url": c.issued_file, "attached_to_name": c.name})

		factory.make_case(self.stranger)  # a customer of their own
		frappe.set_user(self.stranger)
		with self.assertRaises(frappe.PermissionError) as ctx:
			upload(self.signed(), contract=c.name)
		self.assertEqual(ctx.exception.http_status_code, 403)
		with self.assertRaises(frappe.PermissionError):
			api.download_upload(c.name, row.name)
		with self.assertRaises(frappe.PermissionError):
			api.download_contract(contract=c.name)
		self.assertFalse(upload_file.is_downloadable())
		self.assertFalse(issued_file.is_downloadable())
		self.assertNotIn(c.name, frappe.get_list("Fiber Contract", pluck="name"))

		# the contract's own portal user may download, and always as an attachment
		frappe.set_user(self.portal_user)
		self.assertTrue(upload_file.is_downloadable())
		api.download_upload(c.name, row.name)
		self.assertEqual(frappe.local.response.type, "download")
		self.assertEqual(frappe.local.response.content_type, "application/octet-stream")
		self.assertTrue(frappe.local.response.filename.endswith(".pdf"))
		self.assertEqual(frappe.local.response.filecontent, upload_file.get_content())
		frappe.set_user("Administrator")
		self.assertEqual(len(self.reload().uploads), 1)

	def test_reupload_before_review_supersedes_previous(self):
		unknown = factory.make_pki(root_cn="AC Desconhecida")
		upload(self.signed(pki=unknown), token=token_of(self.contract))
		upload(self.signed(pki=unknown), token=token_of(self.contract))
		c = self.reload()
		self.assertEqual([r.status for r in c.uploads], [shared.SUPERSEDED, shared.CHECKED])
		self.assertEqual(c.latest_upload, c.uploads[1].name)
		self.assertEqual(c.workflow_state, ContractState.SIGNED_UPLOADED)
