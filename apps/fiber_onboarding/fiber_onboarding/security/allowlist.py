"""Everything a visitor (Guest) or a portal customer (Website User) may reach through ``/api`` or ``cmd``.

Deny by default: ``security.gate`` refuses every other method, REST door and DocType for these users, Frappe's
and ERPNext's stock methods included. Each entry says why the portal needs it; each one is probed by a second
customer with the first one's identifiers in ``tests/test_portal_gate.py`` (a new entry without a probe fails
that test). Staff (System Users) are not gated.
"""

from __future__ import annotations

from typing import NamedTuple

from fiber_onboarding.hooks import CUSTOMER_SCOPED_DOCTYPES

GUEST = "guest"  # anyone: visitors, customers (and other Website Users)
CUSTOMER = "customer"  # logged-in customers only (Website Users with the portal role "Fiber Customer")


class Allowed(NamedTuple):
	audience: str
	reason: str


PORTAL_METHODS: dict[str, Allowed] = {
	# -- our portal endpoints: each one checks its own credential first (login + customer, or the e-mail's token)
	"fiber_onboarding.api.portal.register": Allowed(
		GUEST, "/cadastro posts the registration form (proposal number + CNPJ; rate-limited per IP)."
	),
	"fiber_onboarding.api.portal.download": Allowed(
		CUSTOMER, "/ativacoes/<case> links the case's PDFs (boleto, contract, project, reports)."
	),
	"fiber_onboarding.api.portal.download_project": Allowed(
		GUEST, "/projeto/aprovar links the project PDF (the e-mail's signed token, or logged in)."
	),
	"fiber_onboarding.api.portal.approve_project": Allowed(
		GUEST,
		"/projeto/aprovar posts the approval and execution date (the e-mail's signed token, or logged in).",
	),
	"fiber_onboarding.api.portal.request_prior_visit": Allowed(
		CUSTOMER, "/ativacoes/<case>: the customer asks for the optional prior visit."
	),
	"fiber_onboarding.api.portal.confirm_service": Allowed(
		CUSTOMER, "/ativacoes/<case>: the customer confirms the link works during the 48 h test phase."
	),
	"fiber_onboarding.api.portal.report_problem": Allowed(
		CUSTOMER, "/ativacoes/<case>: the customer reports a problem during the 48 h test phase."
	),
	"fiber_onboarding.api.contract.upload_signed_contract": Allowed(
		GUEST, "/contrato/enviar posts the signed PDF (the e-mail's signed token, or logged in)."
	),
	"fiber_onboarding.api.contract.download_contract": Allowed(
		GUEST, "/contrato/enviar links the issued contract to sign (the e-mail's signed token, or logged in)."
	),
	"fiber_onboarding.api.boleto.download_pdf": Allowed(CUSTOMER, "/boleto links the boleto's PDF."),
	"fiber_onboarding.api.bank_webhook.inter": Allowed(
		GUEST,
		"Banco Inter's charge webhook (the bank calls it, POST): refused without the token derived from the "
		"agreement's secret (and Inter's client certificate when required); each notice is kept once and only "
		"makes us query the bank, whose own answer is what marks a boleto paid.",
	),
	"fiber_onboarding.fiber_field.api.customer_confirm_service": Allowed(
		CUSTOMER, "The test-phase confirmation addressed by circuit (customer API twin of confirm_service)."
	),
	"fiber_onboarding.fiber_field.api.customer_report_problem": Allowed(
		CUSTOMER, "The test-phase problem report addressed by circuit (customer API twin of report_problem)."
	),
	# -- Frappe's own: logging in and out, and the passwords (forgot password, the invitation's set-password link)
	"login": Allowed(
		GUEST, "/login posts cmd=login (Frappe's login page); API clients use /api/method/login."
	),
	"logout": Allowed(GUEST, "/api/method/logout ends the session (nothing else)."),
	"web_logout": Allowed(GUEST, "The portal navbar's log-out link is /?cmd=web_logout."),
	"ping": Allowed(GUEST, "Health check of proxies and of the test harness: answers 'pong', reads nothing."),
	"frappe.core.doctype.user.user.reset_password": Allowed(
		GUEST,
		"/login#forgot. Overridden by security.overrides.reset_password: the same answer whether the "
		"account exists or not (Frappe's own says 'not found').",
	),
	"frappe.core.doctype.user.user.update_password": Allowed(
		GUEST,
		"/update-password: the invitation's set-password link (its key) and a customer's password change "
		"(old password); acts only on the key's or the session's own user. Overridden by "
		"security.overrides.update_password (400 instead of a server error without key and old password).",
	),
	"frappe.core.doctype.user.user.test_password_strength": Allowed(
		GUEST, "/update-password's strength meter; reads only the session user's own name."
	),
}

# ``/api/resource``, ``/api/v2/document`` and ``/api/v2/doctype/<dt>/count``: read-only, and only on the
# customer-scoped DocTypes, whose permission_query_conditions/has_permission hooks (permissions.py) keep each
# customer to their own records. Everything else (other DocTypes, writes, document methods, meta) is refused.
PORTAL_DOCTYPES: frozenset[str] = frozenset(CUSTOMER_SCOPED_DOCTYPES)
REST_OPERATIONS: frozenset[str] = frozenset({"list", "read", "count"})

# Query parameters a customer may send to those doors (anything else: 400), and their bounds.
LIST_PARAMETERS = frozenset(
	{
		"fields",
		"filters",
		"or_filters",
		"order_by",
		"limit",
		"limit_start",
		"limit_page_length",
		"start",
		"as_dict",
	}
)
COUNT_PARAMETERS = frozenset({"filters", "or_filters"})
FILTER_OPERATORS = frozenset(
	{"=", "!=", "<", ">", "<=", ">=", "like", "not like", "in", "not in", "is", "between"}
)
MAX_PAGE_LENGTH = 100
MAX_START = 1_000_000
