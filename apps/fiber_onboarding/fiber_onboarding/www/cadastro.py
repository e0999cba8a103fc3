"""Portal page /cadastro (guest): the approved proposal number plus the company's data open the activation.

The form posts to ``fiber_onboarding.api.portal.register`` (rate-limited); the answer lists the fields to fix
(pt-BR, from ``core.registration``) or the boleto page to open. A logged-in customer may register another proposal
with the same e-mail.
"""

import frappe
from frappe import _

from fiber_onboarding.api.portal.access import PORTAL_BASE, portal_lang
from fiber_onboarding.core import documents
from fiber_onboarding.core.registration import FIELDS, normalize_proposal_number

no_cache = 1
sitemap = 0
base_template_path = PORTAL_BASE

# (section title msgid, [(field, input type, autocomplete, inputmode, hint msgid)])
SECTIONS = (
	(
		"Proposal",
		[("proposal_number", "text", "off", None, "The number on your approved commercial proposal.")],
	),
	(
		"Company",
		[
			("company_name", "text", "organization", None, None),
			("cnpj", "text", "off", None, "Numeric or alphanumeric CNPJ, with or without the mask."),
			(
				"site_identifier",
				"text",
				"off",
				None,
				"Only a name that identifies this installation for us; it need not be an existing web site.",
			),
		],
	),
	(
		"Installation address",
		[
			("cep", "text", "postal-code", "numeric", None),
			("address_line1", "text", "address-line1", None, None),
			("address_number", "text", "off", None, None),
			("address_line2", "text", "address-line2", None, None),
			("neighborhood", "text", "address-level3", None, None),
			("city", "text", "address-level2", None, None),
			("state", "select", "address-level1", None, None),
		],
	),
	(
		"Legal responsible",
		[
			("legal_name", "text", "name", None, "Receives the contract by e-mail and signs it."),
			("legal_cpf", "text", "off", "numeric", None),
			("legal_email", "email", "email", "email", "Also your login to this portal."),
			("legal_phone", "tel", "tel", "tel", None),
		],
	),
	(
		"Technical contact",
		[
			("tech_name", "text", "off", None, "Receives the project by e-mail and approves it online."),
			("tech_email", "email", "off", "email", None),
			("tech_phone", "tel", "off", "tel", None),
		],
	),
)


def get_context(context):
	portal_lang()
	context.no_cache = 1
	context.show_sidebar = False
	context.title = _("Registration")
	prefill = {"proposal_number": normalize_proposal_number(frappe.form_dict.get("proposta") or "")}
	context.sections = [
		{
			"title": _(title),
			"fields": [
				{
					"name": name,
					"label": FIELDS[name][0],
					"required": FIELDS[name][1],
					"maxlength": FIELDS[name][2],
					"type": kind,
					"autocomplete": autocomplete,
					"inputmode": inputmode,
					"hint": _(hint) if hint else "",
					"value": prefill.get(name, ""),
				}
				for name, kind, autocomplete, inputmode, hint in fields
			],
		}
		for title, fields in SECTIONS
	]
	context.ufs = [(uf, documents.UF_NAMES[uf]) for uf in documents.UFS]
	context.logged_in = frappe.session.user != "Guest"
	context.csrf_token = frappe.sessions.get_csrf_token() if context.logged_in else ""
	context.endpoint = "fiber_onboarding.api.portal.register"
	return context
