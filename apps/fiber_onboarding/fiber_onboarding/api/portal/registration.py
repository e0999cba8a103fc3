"""/cadastro: a visitor registers the company with the approved proposal's number and CNPJ; the portal user, the
customer and the case are created and the invitation e-mail goes out."""

from __future__ import annotations

from urllib.parse import urlencode

import frappe
from frappe import _
from frappe.rate_limiter import rate_limit

from fiber_onboarding.api.portal.access import CASE, PORTAL_LANG, is_customer, portal_lang
from fiber_onboarding.core import registration as core_registration
from fiber_onboarding.core.process import CUSTOMER
from fiber_onboarding.permissions import is_staff

INVITATION_TEMPLATE = "fo_invitation"


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
