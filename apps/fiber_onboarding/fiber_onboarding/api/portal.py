"""Customer portal endpoints (pt-BR pages in ``www/``): registration, case data, downloads and customer actions.

Every endpoint starts with its credential check: a logged-in portal user of the case's Customer
(``permissions.can_see`` plus the DocType permission, which applies the same isolation), or, where the e-mail's
signed link is the credential (project approval), a valid token of ``utils.links``. Unknown and foreign records
get the same answer, so nothing can be enumerated. The work itself is done by the services of the other modules
(``onboarding_service.register_case``, ``project_service``, ``circuit_service``); the page data (timeline facts,
documents) is read here and shaped by ``core.timeline``.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

import frappe
from frappe import _
from frappe.rate_limiter import rate_limit
from frappe.utils import cint, format_date, format_datetime, get_datetime, getdate

from fiber_onboarding.core import registration as core_registration
from fiber_onboarding.core import timeline as core_timeline
from fiber_onboarding.core.process import CUSTOMER
from fiber_onboarding.permissions import can_see, customers_of, is_staff

CASE = "Fiber Onboarding"
BOLETO = "Fiber Boleto"
CONTRACT = "Fiber Contract"
PROJECT = "Fiber Project"
CIRCUIT = "Circuit"
VISIT = "Site Visit"
PROJECT_PURPOSE = "project-approval"
PORTAL_LANG = "pt-BR"
INVITATION_TEMPLATE = "fo_invitation"
# project states in which the customer may download the project document
PROJECT_VISIBLE_STATES = ("Sent", "Approved", "Internal Execution", "External Execution", "Done")
SLA_RUNNING = ("On Track", "At Risk", "Overdue")
DOWNLOAD_KINDS = ("boleto", "contract", "project", "photo_report", "implementation_report")


class PortalError(frappe.ValidationError):
	"""A customer action the case does not allow now (translated message)."""


def portal_lang():
	"""Customer pages and messages are pt-BR, whatever the browser asks for."""
	frappe.local.lang = PORTAL_LANG


def login_url(target: str) -> str:
	return "/login?redirect-to=" + quote(target, safe="")


def is_customer(user: str | None = None) -> bool:
	user = user or frappe.session.user
	return user != "Guest" and CUSTOMER in frappe.get_roles(user)


# ---------------------------------------------------------------------------------------------------------------
# Access
# ---------------------------------------------------------------------------------------------------------------
def _deny():
	frappe.throw(_("You cannot access this activation."), frappe.PermissionError)


def case_for(name: str | None, ptype: str = "read"):
	"""The case ``name`` if the logged-in user may see it; PermissionError (same for unknown and foreign)."""
	if frappe.session.user == "Guest":
		frappe.throw(_("Log in to the portal to see your activations."), frappe.PermissionError)
	name = (name or "").strip()
	if not name or not frappe.db.exists(CASE, name):
		_deny()
	doc = frappe.get_doc(CASE, name)
	if not (can_see(doc) and frappe.has_permission(CASE, ptype, doc)):
		_deny()
	return doc


def customer_case_for(name: str | None):
	"""``case_for`` for actions only the customer takes (staff act from the desk, not through the portal)."""
	doc = case_for(name)
	if not is_customer() or is_staff():
		_deny()
	return doc


def _linked_doc(case, doctype: str, field: str):
	"""The case's document of ``doctype`` (its link, else the latest for the case); only of the same customer."""
	name = case.get(field) or frappe.db.get_value(
		doctype, {"onboarding": case.name}, "name", order_by="creation desc"
	)
	if not name or not frappe.db.exists(doctype, name):
		return None
	doc = frappe.get_doc(doctype, name)
	if doc.get("customer") != case.customer or doc.get("onboarding") not in (None, "", case.name):
		return None
	return doc


def case_documents(case) -> dict:
	docs = {
		"boleto": _linked_doc(case, BOLETO, "boleto"),
		"contract": _linked_doc(case, CONTRACT, "contract"),
		"project": _linked_doc(case, PROJECT, "project"),
		"circuit": _linked_doc(case, CIRCUIT, "circuit"),
	}
	project = docs["project"]
	visit = None
	if project is not None and project.get("prior_visit") and frappe.db.exists(VISIT, project.prior_visit):
		visit = frappe.get_doc(VISIT, project.prior_visit)
		if visit.customer != case.customer:
			visit = None
	docs["prior_visit"] = visit
	return docs


def cases_of_user(limit: int = 100) -> list[dict]:
	"""The logged-in user's cases (portal users: their Customers' only), newest first."""
	fields = ["name", "company_name", "site_identifier", "stage", "registered_on", "sla_due", "sla_status"]
	if is_staff():
		return frappe.get_list(CASE, fields=fields, order_by="creation desc", limit_page_length=limit)
	customers = customers_of()
	if not customers:
		return []
	return frappe.get_list(
		CASE,
		fields=fields,
		filters={"customer": ("in", customers)},
		order_by="creation desc",
		limit_page_length=limit,
	)


# ---------------------------------------------------------------------------------------------------------------
# Timeline
# ---------------------------------------------------------------------------------------------------------------
def _d(value):
	return getdate(value) if value else None


def _dt(value):
	return get_datetime(value) if value else None


def timeline_facts(case, docs: dict | None = None) -> core_timeline.TimelineFacts:
	from fiber_onboarding.fiber_contracts.contract_service import latest_upload
	from fiber_onboarding.fiber_field.project_service import project_send_date

	docs = docs or case_documents(case)
	boleto, contract, project, circuit, visit = (
		docs["boleto"],
		docs["contract"],
		docs["project"],
		docs["circuit"],
		docs["prior_visit"],
	)
	upload = latest_upload(contract) if contract is not None else None
	paid_on = _d(case.paid_on) or (
		_d(boleto.paid_on) if boleto is not None and boleto.status == "Paid" else None
	)
	return core_timeline.TimelineFacts(
		registered_on=_d(case.registered_on),
		cancelled=bool(cint(case.cancelled)),
		boleto_status=boleto.status if boleto is not None else None,
		boleto_due=_d(boleto.due_date) if boleto is not None else None,
		paid_on=paid_on,
		contract_state=contract.workflow_state if contract is not None else None,
		contract_uploaded_on=_dt(upload.uploaded_on) if upload is not None else None,
		contract_received_on=_d(case.contract_received_on)
		or (_d(contract.received_on) if contract is not None else None),
		project_state=project.workflow_state if project is not None else None,
		project_send_earliest=project_send_date(case) if paid_on else None,
		project_sent_on=_dt(project.sent_on) if project is not None else None,
		project_approved_on=_dt(project.approved_on) if project is not None else None,
		execution_date=_d(project.execution_date) if project is not None else _d(case.execution_date),
		prior_visit_requested=bool(project is not None and cint(project.prior_visit_requested)),
		prior_visit_date=_d(visit.done_on or visit.scheduled_date) if visit is not None else None,
		photo_report_sent_on=_dt(visit.photo_report_sent_on) if visit is not None else None,
		internal_passage_date=_d(project.internal_passage_date) if project is not None else None,
		implementation_report_sent_on=_dt(project.implementation_report_sent_on)
		if project is not None
		else None,
		circuit_state=circuit.workflow_state if circuit is not None else None,
		test_phase_started_at=_dt(circuit.test_started_at) if circuit is not None else None,
		test_phase_ends_at=_dt(circuit.test_ends_at) if circuit is not None else None,
		problem_open=bool(
			circuit is not None and cint(circuit.problem_reported) and not cint(circuit.problem_resolved)
		),
		customer_confirmed_at=_dt(circuit.customer_confirmed_at) if circuit is not None else None,
		activated_on=_dt(case.activated_on) or (_dt(circuit.activated_on) if circuit is not None else None),
		sla_due=_d(case.sla_due) if case.sla_status in SLA_RUNNING else None,
	)


def format_when(value) -> str:
	if not value:
		return ""
	if hasattr(value, "hour"):
		return format_datetime(value, "dd/MM/yyyy HH:mm")
	return format_date(value, "dd/MM/yyyy")


def timeline_rows(case, docs: dict | None = None) -> list[dict]:
	steps = core_timeline.build_timeline(timeline_facts(case, docs))
	return [
		{
			"key": s.key,
			"title": s.title,
			"status": s.status,
			"date": format_when(s.date),
			"due": format_when(s.due),
			"actor": s.actor,
			"detail": s.detail,
		}
		for s in steps
	]


def next_step(case, docs: dict | None = None) -> dict | None:
	step = core_timeline.next_action(core_timeline.build_timeline(timeline_facts(case, docs)))
	if step is None:
		return None
	return {"title": step.title, "actor": step.actor, "due": format_when(step.due)}


# ---------------------------------------------------------------------------------------------------------------
# Registration (guest)
# ---------------------------------------------------------------------------------------------------------------
def _usable_proposal(number: str, cnpj: str):
	"""The proposal if a registration may use it with this CNPJ, else None (the caller says nothing more)."""
	from fiber_onboarding.fiber_onboarding.onboarding_service import RegistrationError, usable_proposal

	try:
		proposal = usable_proposal(number)
	except RegistrationError:
		frappe.clear_messages()
		return None
	if not core_registration.cnpj_matches(cnpj, proposal.cnpj):
		return None
	return proposal


def _existing_user_problem(email: str) -> str | None:
	"""Why ``email`` cannot be the portal user of this registration (None: it can)."""
	user = frappe.db.get_value(
		"User", {"name": email}, ["name", "enabled"], as_dict=True
	) or frappe.db.get_value("User", {"email": email}, ["name", "enabled"], as_dict=True)
	if not user:
		return None
	# an existing account is used only by its owner, logged in: nobody registers into someone else's account
	if (
		frappe.session.user == user.name
		and user.enabled
		and is_customer(user.name)
		and not is_staff(user.name)
	):
		return None
	return _(
		"There is already a portal user with this e-mail. Log in with it first, then register the new proposal."
	)


def _create_portal_user(email: str, full_name: str) -> str:
	first_name, last_name = core_registration.first_and_last_name(full_name)
	user = frappe.get_doc(
		{
			"doctype": "User",
			"email": email,
			"first_name": first_name,
			"last_name": last_name,
			"user_type": "Website User",
			"send_welcome_email": 0,
			"language": PORTAL_LANG,
			"roles": [{"role": CUSTOMER}],
		}
	)
	user.flags.ignore_permissions = True
	user.flags.no_welcome_mail = True
	user.insert()
	return user.name


def send_invitation(user: str, case) -> bool:
	"""The invitation e-mail with the link to choose a password (the user's reset-password key)."""
	from fiber_onboarding.utils.mail import send_once

	doc = frappe.get_doc("User", user)
	link = doc.reset_password(send_email=False)
	return send_once(
		f"invitation:{user}",
		INVITATION_TEMPLATE,
		[doc.email],
		{
			"full_name": doc.full_name or doc.first_name,
			"company_name": case.company_name,
			"case": case.name,
			"login": doc.name,
			"set_password_url": link,
			"portal_url": frappe.utils.get_url("/ativacoes"),
			"case_url": frappe.utils.get_url(f"/ativacoes/{case.name}"),
		},
		reference_doctype=CASE,
		reference_name=case.name,
	)


def _log_in(user: str):
	"""Open a session for the new portal user so the boleto page opens right away (only inside a request, and
	only for a visitor: someone already logged in keeps their own session)."""
	login_manager = getattr(frappe.local, "login_manager", None)
	if frappe.request and login_manager is not None and frappe.session.user == "Guest":
		login_manager.login_as(user)


def register_customer(data: dict) -> dict:
	"""Validate and register (see ``register``). Returns ``{"ok", "errors", "message", "case", "redirect"}``."""
	from fiber_onboarding.fiber_onboarding.onboarding_service import register_case

	values, errors = core_registration.validate_form(data)
	if errors:
		return {"ok": False, "errors": errors, "message": _("Check the highlighted fields.")}
	proposal = _usable_proposal(values["proposal_number"], values["cnpj"])
	if proposal is None:
		return {
			"ok": False,
			"errors": {"proposal_number": core_registration.GENERIC_PROPOSAL_MESSAGE},
			"message": core_registration.GENERIC_PROPOSAL_MESSAGE,
		}
	email = values["legal_email"]
	problem = _existing_user_problem(email)
	if problem:
		return {"ok": False, "errors": {"legal_email": problem}, "message": problem, "login": True}

	frappe.db.savepoint("fo_portal_registration")
	try:
		if frappe.db.exists("User", email):
			user = email
			created = False
		else:
			user = _create_portal_user(email, values["legal_name"])
			created = True
		case = register_case(proposal.name, values, portal_user=user)
		if values["tech_email"] != values["legal_email"]:
			from fiber_onboarding.adapters.erpnext_accounting import add_contact

			add_contact(case.customer, values["tech_name"], values["tech_email"], values["tech_phone"])
		if created:
			send_invitation(user, case)
	except frappe.ValidationError as e:
		frappe.db.rollback(save_point="fo_portal_registration")
		frappe.clear_messages()
		frappe.log_error(title=_("Portal registration failed"), reference_doctype=CASE)
		from fiber_onboarding.fiber_onboarding.onboarding_service import RegistrationError

		if isinstance(e, RegistrationError):
			message = core_registration.GENERIC_PROPOSAL_MESSAGE
		else:
			message = _("The registration could not be completed now. Try again later or contact us.")
		return {"ok": False, "errors": {}, "message": message}

	# alerts the framework raised while making the records above (ERPNext's English "Please add Customer role to
	# user …") are for staff, not for the customer: the answer carries only its own pt-BR message
	frappe.clear_messages()
	session_user = frappe.session.user
	_log_in(user)
	case.reload()
	redirect = f"/boleto?{urlencode({'name': case.boleto})}" if case.boleto else f"/ativacoes/{case.name}"
	message = _("Registration received. Your boleto is ready.")
	if session_user not in ("Guest", user) and not is_staff(session_user):
		# a customer logged in with another account registered a company of someone else: the new portal user
		# gets the invitation; this session cannot open that case
		redirect = "/ativacoes"
		message = _("Registration received. We sent the access to the portal to {0}.").format(email)
	return {"ok": True, "errors": {}, "case": case.name, "redirect": redirect, "message": message}


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=5, seconds=10 * 60)
def register(**form) -> dict:
	"""The registration form (guest). Rate-limited per IP; a refused proposal gets one generic message."""
	portal_lang()
	data = {k: form.get(k) for k in core_registration.FIELDS}
	result = register_customer(data)
	if not result["ok"]:
		frappe.local.response["http_status_code"] = 422
	return result


# ---------------------------------------------------------------------------------------------------------------
# Downloads (never a public file URL)
# ---------------------------------------------------------------------------------------------------------------
def _attached_file(doctype: str, name: str, file_url: str | None = None, prefix: str | None = None):
	filters = {"attached_to_doctype": doctype, "attached_to_name": name}
	if file_url:
		filters["file_url"] = file_url
	if prefix:
		filters["file_name"] = ("like", f"{prefix}%")
	file_name = frappe.db.get_value("File", filters, "name", order_by="creation desc")
	return frappe.get_doc("File", file_name) if file_name else None


def _bytes(file_doc) -> bytes:
	content = file_doc.get_content()
	return content.encode("utf-8") if isinstance(content, str) else content


def _send_file(content: bytes, filename: str, content_type: str = "application/pdf"):
	frappe.local.response.filename = filename
	frappe.local.response.filecontent = content
	frappe.local.response.type = "download"
	frappe.local.response.content_type = content_type
	frappe.local.response.display_content_as = "attachment"


def document_content(case, kind: str, docs: dict | None = None) -> tuple[bytes, str]:
	"""(PDF bytes, file name) of one of the case's documents; PermissionError when it is not available."""
	docs = docs or case_documents(case)
	if kind == "boleto" and docs["boleto"] is not None:
		boleto = docs["boleto"]
		previous = frappe.flags.ignore_print_permissions
		frappe.flags.ignore_print_permissions = True  # the case permission was checked by the caller
		try:
			pdf = frappe.get_print(BOLETO, boleto.name, print_format="Boleto", doc=boleto, as_pdf=True)
		finally:
			frappe.flags.ignore_print_permissions = previous
		return pdf, f"boleto-{boleto.name}.pdf"
	if kind == "contract" and docs["contract"] is not None and docs["contract"].issued_file:
		contract = docs["contract"]
		f = _attached_file(CONTRACT, contract.name, contract.issued_file)
		if f is not None:
			return _bytes(f), f"contrato-{contract.name}.pdf"
	project = docs["project"]
	if kind == "project" and project is not None and project.project_file:
		if project.workflow_state in PROJECT_VISIBLE_STATES:
			f = _attached_file(PROJECT, project.name, project.project_file)
			if f is not None:
				return _bytes(f), f"projeto-{project.name}.pdf"
	if kind == "implementation_report" and project is not None and project.implementation_report_sent_on:
		f = _attached_file(PROJECT, project.name, prefix="relatorio-de-implantacao-")
		if f is not None:
			return _bytes(f), f.file_name
	visit = docs["prior_visit"]
	if kind == "photo_report" and visit is not None and visit.photo_report_sent_on:
		f = _attached_file(VISIT, visit.name, prefix="relatorio-fotografico-")
		if f is not None:
			return _bytes(f), f.file_name
	frappe.throw(_("This document is not available."), frappe.PermissionError)


def download_url(case_name: str, kind: str) -> str:
	return "/api/method/fiber_onboarding.api.portal.download?" + urlencode({"case": case_name, "kind": kind})


@frappe.whitelist(methods=["GET"])
def download(case: str, kind: str):
	"""One of the case's PDFs (boleto, issued contract, project, photo report, implementation report)."""
	portal_lang()
	doc = case_for(case)
	if kind not in DOWNLOAD_KINDS:
		frappe.throw(_("This document is not available."), frappe.PermissionError)
	content, filename = document_content(doc, kind)
	_send_file(content, filename)


# ---------------------------------------------------------------------------------------------------------------
# Project approval (token from the e-mail, or the logged-in customer)
# ---------------------------------------------------------------------------------------------------------------
def project_for(token: str | None = None, project: str | None = None):
	"""The project the caller may approve: a valid ``project-approval`` token, or a customer who sees it."""
	from fiber_onboarding.utils.links import verify

	if token:
		name = verify(token, PROJECT_PURPOSE)
		if project and project != name:
			frappe.throw(_("Invalid link."), frappe.PermissionError)
		if not frappe.db.exists(PROJECT, name):
			frappe.throw(_("Invalid link."), frappe.PermissionError)
		return frappe.get_doc(PROJECT, name)
	if frappe.session.user == "Guest":
		frappe.throw(_("Log in to the portal or use the link from the e-mail."), frappe.PermissionError)
	if not project or not frappe.db.exists(PROJECT, project):
		frappe.throw(_("You cannot access this project."), frappe.PermissionError)
	doc = frappe.get_doc(PROJECT, project)
	if not (
		is_customer() and not is_staff() and can_see(doc) and frappe.has_permission(PROJECT, "read", doc)
	):
		frappe.throw(_("You cannot access this project."), frappe.PermissionError)
	return doc


def project_download_url(project, token: str | None) -> str:
	query = {"token": token} if token else {"project": project.name}
	return "/api/method/fiber_onboarding.api.portal.download_project?" + urlencode(query)


@frappe.whitelist(allow_guest=True, methods=["GET"])
@rate_limit(limit=60, seconds=60 * 60)
def download_project(token: str | None = None, project: str | None = None):
	"""The project document for the technical contact (e-mail token) or the logged-in customer."""
	portal_lang()
	doc = project_for(token, project)
	case = frappe.get_doc(CASE, doc.onboarding)
	docs = case_documents(case)
	docs["project"] = doc
	content, filename = document_content(case, "project", docs)
	_send_file(content, filename)


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=20, seconds=60 * 60)
def approve_project(
	execution_date: str,
	token: str | None = None,
	project: str | None = None,
	prior_visit: int | str | None = 0,
) -> dict:
	"""The technical contact approves the project and chooses the execution date (and may ask for the prior
	visit). Guest only with the e-mail's token."""
	from fiber_onboarding.fiber_field import project_service

	portal_lang()
	doc = project_for(token, project)
	if doc.workflow_state != "Sent":
		frappe.throw(_("This project is not waiting for approval."), PortalError)
	try:
		day = getdate(execution_date)
	except Exception:
		day = None
	allowed = project_service.allowed_execution_dates(doc)
	if day not in allowed:
		frappe.throw(_("Choose one of the dates offered."), PortalError)
	user = frappe.session.user if frappe.session.user != "Guest" else None
	doc = project_service.approve_project(doc, day, user)
	visit = None
	if cint(prior_visit):
		visit = project_service.request_prior_visit(doc)
	return {
		"project": doc.name,
		"state": doc.workflow_state,
		"execution_date": str(doc.execution_date),
		"prior_visit": visit.name if visit else None,
		"message": _("Project approved. Execution scheduled for {0}.").format(format_date(day, "dd/MM/yyyy")),
	}


# ---------------------------------------------------------------------------------------------------------------
# Other customer actions (logged in)
# ---------------------------------------------------------------------------------------------------------------
@frappe.whitelist(methods=["POST"])
def request_prior_visit(case: str) -> dict:
	"""The customer asks for the optional prior visit (demonstration of the internal route, photo report)."""
	from fiber_onboarding.fiber_field import project_service

	portal_lang()
	doc = customer_case_for(case)
	project = case_documents(doc)["project"]
	if project is None:
		frappe.throw(_("The project of this activation does not exist yet."), PortalError)
	visit = project_service.request_prior_visit(project)
	return {
		"visit": visit.name,
		"message": _("Prior visit requested. Our team will contact you to schedule it."),
	}


def _testing_circuit(case):
	circuit = case_documents(case)["circuit"]
	if circuit is None or circuit.workflow_state != "Testing":
		frappe.throw(_("The link is not in the test phase."), PortalError)
	return circuit


@frappe.whitelist(methods=["POST"])
def confirm_service(case: str) -> dict:
	"""During the 48 h test phase: the customer confirms the service works."""
	from fiber_onboarding.fiber_field import circuit_service

	portal_lang()
	doc = customer_case_for(case)
	circuit = circuit_service.confirm_service(_testing_circuit(doc), frappe.session.user)
	return {
		"circuit": circuit.name,
		"message": _("Thank you! The link is activated when the test phase ends."),
	}


@frappe.whitelist(methods=["POST"])
def report_problem(case: str, description: str) -> dict:
	"""During the 48 h test phase: the customer reports a problem (activation waits until it is solved)."""
	from fiber_onboarding.fiber_field import circuit_service

	portal_lang()
	doc = customer_case_for(case)
	circuit = circuit_service.report_problem(_testing_circuit(doc), description, frappe.session.user)
	return {"circuit": circuit.name, "message": _("Problem reported. Our team will contact you.")}
