"""Step 1 of the process, registration: the approved proposal number plus the company's data open a case.

``register_case`` is called by the portal registration page (which already created the portal user and applied
the rate limit). It runs in the request's transaction: if any step fails, nothing stays behind.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import getdate, nowdate

from fiber_onboarding.adapters.erpnext_accounting import ensure_customer
from fiber_onboarding.core import documents, process
from fiber_onboarding.fiber_billing.boleto_service.issue import issue_boleto
from fiber_onboarding.fiber_contracts.contract_service.issue import create_and_send_contract
from fiber_onboarding.fiber_field.project_service.creation import create_project
from fiber_onboarding.utils.workflow import advance

CASE = "Fiber Onboarding"

# what the registration form may set on the case (anything else in ``data`` is ignored)
CASE_FIELDS = (
	"company_name",
	"cnpj",
	"site_identifier",
	"address_line1",
	"address_number",
	"address_line2",
	"neighborhood",
	"city",
	"state",
	"cep",
	"legal_name",
	"legal_cpf",
	"legal_email",
	"legal_phone",
	"tech_name",
	"tech_email",
	"tech_phone",
)
REQUIRED_FIELDS = (
	"company_name",
	"cnpj",
	"address_line1",
	"address_number",
	"city",
	"state",
	"cep",
	"legal_name",
	"legal_cpf",
	"legal_email",
	"tech_name",
	"tech_email",
)


class RegistrationError(frappe.ValidationError):
	"""The registration cannot be accepted (unknown/unusable proposal, invalid data). Nothing was created."""


def _fail(message: str):
	frappe.throw(message, RegistrationError, title=_("Registration not accepted"))


def normalize_proposal_number(value: str | None) -> str:
	return (value or "").strip().upper()


def usable_proposal(proposal_number: str, *, lock: bool = False):
	"""The proposal for ``proposal_number`` if a registration may use it; RegistrationError otherwise.

	An unknown number and an unusable one give different messages only once the number exists: a guessed
	number reveals nothing beyond "not found".
	"""
	number = normalize_proposal_number(proposal_number)
	if not number or not frappe.db.exists(process.PROPOSAL, number):
		_fail(
			_("Proposal {0} was not found. Check the number on your commercial proposal.").format(
				frappe.utils.escape_html(number) or "-"
			)
		)
	if lock:
		# serialises two registrations racing for the same proposal
		frappe.db.get_value(process.PROPOSAL, number, "name", for_update=True)
	proposal = frappe.get_doc(process.PROPOSAL, number)
	problems = proposal.registration_problems()
	if problems:
		_fail(problems[0])
	return proposal


def clean_data(data: dict, proposal) -> dict:
	"""The case fields from the form, trimmed and validated (pt-BR messages), CNPJ checked against the proposal."""
	values = {f: (str(data.get(f)).strip() if data.get(f) is not None else "") for f in CASE_FIELDS}
	labels = {
		"company_name": _("Company Name"),
		"cnpj": _("CNPJ"),
		"address_line1": _("Street"),
		"address_number": _("Number"),
		"city": _("City"),
		"state": _("State (UF)"),
		"cep": _("CEP"),
		"legal_name": _("Legal Responsible"),
		"legal_cpf": _("Legal Responsible CPF"),
		"legal_email": _("Legal Responsible E-mail"),
		"tech_name": _("Technical Contact"),
		"tech_email": _("Technical Contact E-mail"),
	}
	missing = [labels[f] for f in REQUIRED_FIELDS if not values[f]]
	if missing:
		_fail(_("Fill in: {0}.").format(", ".join(missing)))
	checks = (
		("cnpj", documents.validate_cnpj),
		("legal_cpf", documents.validate_cpf),
		("cep", documents.validate_cep),
		("state", documents.validate_uf),
		("legal_email", documents.validate_email),
		("tech_email", documents.validate_email),
	)
	for field, fn in checks:
		try:
			values[field] = fn(values[field])
		except documents.DocumentError as e:
			_fail(_("{0}: {1}").format(labels[field], e.message))
	if proposal.cnpj and documents.normalize_cnpj(proposal.cnpj) != values["cnpj"]:
		_fail(
			_("The CNPJ {0} is not the one of this proposal.").format(documents.format_cnpj(values["cnpj"]))
		)
	return values


def register_case(proposal_number: str, data: dict, portal_user: str | None = None):
	"""Open the case for an approved proposal: Customer, case, proposal → Registered, boleto, project, contract.

	Returns the case. Raises RegistrationError (translated) when the proposal or the data is not acceptable.
	"""
	proposal = usable_proposal(proposal_number, lock=True)
	values = clean_data(data or {}, proposal)
	if portal_user and not frappe.db.exists("User", portal_user):
		_fail(_("The portal user {0} does not exist.").format(portal_user))

	customer = ensure_customer(
		values["company_name"],
		values["cnpj"],
		email=values["legal_email"],
		phone=values["legal_phone"] or None,
		address={
			"address_line1": values["address_line1"],
			"address_number": values["address_number"],
			"address_line2": values["address_line2"],
			"neighborhood": values["neighborhood"],
			"city": values["city"],
			"state": values["state"],
			"cep": values["cep"],
		},
		portal_user=portal_user,
		contact_name=values["legal_name"],
	)

	case = frappe.get_doc(
		{
			"doctype": CASE,
			**values,
			"proposal": proposal.name,
			"customer": customer,
			"portal_user": portal_user,
			"registered_on": nowdate(),
			"sla_business_days": proposal.sla_business_days,
		}
	)
	case.insert(ignore_permissions=True)

	proposal.db_set({"customer": customer, "onboarding": case.name, "registered_on": getdate(nowdate())})
	advance(proposal, "Register", as_system=True, actor=portal_user or frappe.session.user)

	# each new document announces itself: the case links it and derives its stage (case_events)
	issue_boleto(case)
	create_project(case)
	case.reload()
	create_and_send_contract(case)
	case.reload()
	return case


def expire_proposals():
	"""Daily: proposals past their validity that nobody registered move to Expired."""
	today = getdate(nowdate())
	names = frappe.get_all(
		process.PROPOSAL,
		filters={
			"workflow_state": [
				"in",
				[process.ProposalState.DRAFT, process.ProposalState.SENT, process.ProposalState.APPROVED],
			],
			"valid_until": ["<", today],
		},
		pluck="name",
	)
	for name in names:
		advance(frappe.get_doc(process.PROPOSAL, name), "Expire", as_system=True, actor=_("System"))
	return names
