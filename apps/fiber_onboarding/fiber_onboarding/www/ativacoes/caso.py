"""Portal page /ativacoes/<name> (route rule in hooks.py): one case, its timeline, documents and actions.

Only a user who may see the case (``api.portal.case_for``: staff, or a portal user of the case's Customer) gets
the page; anyone else gets 403, with the same answer for an unknown name. Documents are served through
``api.portal.download`` (permission checked there), never through file URLs.
"""

from urllib.parse import quote, urlencode

import frappe
from frappe import _
from frappe.utils import cint, fmt_money

from fiber_onboarding.api.portal.access import PORTAL_BASE, case_for, is_customer, login_url, portal_lang
from fiber_onboarding.api.portal.cases import SLA_RUNNING, format_when, timeline_rows
from fiber_onboarding.api.portal.documents import documents_of_cases
from fiber_onboarding.api.portal.downloads import PROJECT_VISIBLE_STATES, download_url
from fiber_onboarding.core import documents
from fiber_onboarding.core.process import BoletoStatus, CircuitState, ContractState, ProjectState, Stage
from fiber_onboarding.fiber_contracts.contract_service import shared as contract_shared
from fiber_onboarding.permissions import is_staff

no_cache = 1
sitemap = 0
base_template_path = PORTAL_BASE

BOLETO_OPEN = (BoletoStatus.DRAFT, BoletoStatus.SUBMITTED, BoletoStatus.REGISTERED)
PRIOR_VISIT_STATES = (ProjectState.DRAFTING, ProjectState.SENT, ProjectState.APPROVED)


def get_context(context):
	portal_lang()
	name = (frappe.form_dict.get("name") or "").strip()
	if frappe.session.user == "Guest":
		frappe.local.flags.redirect_location = login_url(f"/ativacoes/{quote(name)}")
		raise frappe.Redirect
	case = case_for(name)
	# the fields this page shows of the case's documents (the same documents as access.case_documents)
	docs = documents_of_cases([case])[case.name]

	context.no_cache = 1
	context.show_sidebar = False
	context.title = _("Activation {0}").format(case.name)
	context.parents = [{"route": "ativacoes", "title": _("My activations")}]
	context.case = {
		"name": case.name,
		"company_name": case.company_name,
		"cnpj": documents.format_cnpj(case.cnpj),
		"site_identifier": case.site_identifier,
		"address": ", ".join(
			p
			for p in (
				" ".join(p for p in (case.address_line1, case.address_number) if p),
				case.address_line2,
				case.neighborhood,
				" / ".join(p for p in (case.city, case.state) if p),
				documents.format_cep(case.cep),
			)
			if p
		),
		"stage": _(case.stage or Stage.AWAITING_PAYMENT),
		"cancelled": cint(case.cancelled),
	}
	context.sla_due = format_when(case.sla_due) if case.sla_status in SLA_RUNNING and case.sla_due else ""
	context.sla_status = _(case.sla_status) if context.sla_due else ""
	context.sla_days = case.sla_business_days
	context.steps = timeline_rows(case, docs)
	context.documents = _documents(case, docs)
	context.actions = _actions(case, docs)
	context.csrf_token = frappe.sessions.get_csrf_token()
	return context


def _documents(case, docs) -> list[dict]:
	out = []
	boleto = docs["boleto"]
	if boleto is not None:
		item = {
			"title": _("Boleto of the setup fee"),
			"status": _(boleto.status),
			"info": _("{0}, due {1}").format(
				fmt_money(boleto.amount, precision=2, currency="BRL", format="#.###,##"),
				format_when(boleto.due_date),
			),
			"links": [
				{"label": _("Open boleto"), "url": "/boleto?" + urlencode({"name": boleto.name})},
				{"label": _("Download PDF"), "url": download_url(case.name, "boleto")},
			],
			"pix": boleto.pix_payload if boleto.status in BOLETO_OPEN else "",
			"line": boleto.digitable_line if boleto.status in BOLETO_OPEN else "",
		}
		out.append(item)
	contract = docs["contract"]
	if contract is not None:
		links = []
		if contract.issued_file:
			links.append({"label": _("Download contract"), "url": download_url(case.name, "contract")})
		if contract.workflow_state in contract_shared.UPLOAD_STATES:
			links.append(
				{
					"label": _("Upload signed contract"),
					"url": "/contrato/enviar?" + urlencode({"contract": contract.name}),
					"primary": contract.workflow_state != ContractState.SIGNED_UPLOADED,
				}
			)
		out.append({"title": _("Contract"), "status": _(contract.workflow_state or ""), "links": links})
	project = docs["project"]
	if project is not None:
		links = []
		if project.project_file and project.workflow_state in PROJECT_VISIBLE_STATES:
			links.append({"label": _("Download project"), "url": download_url(case.name, "project")})
		if project.workflow_state == ProjectState.SENT and is_customer() and not is_staff():
			links.append(
				{
					"label": _("Approve project and choose the date"),
					"url": "/projeto/aprovar?" + urlencode({"project": project.name}),
					"primary": True,
				}
			)
		info = (
			_("Execution on {0}").format(format_when(project.execution_date))
			if project.execution_date
			else ""
		)
		out.append(
			{"title": _("Project"), "status": _(project.workflow_state or ""), "info": info, "links": links}
		)
		if project.implementation_report_sent_on:
			out.append(
				{
					"title": _("Implementation report"),
					"status": _("Sent on {0}").format(format_when(project.implementation_report_sent_on)),
					"links": [
						{
							"label": _("Download report"),
							"url": download_url(case.name, "implementation_report"),
						}
					],
				}
			)
	visit = docs["prior_visit"]
	if visit is not None and visit.photo_report_sent_on:
		out.append(
			{
				"title": _("Photo report"),
				"status": _("Sent on {0}").format(format_when(visit.photo_report_sent_on)),
				"links": [{"label": _("Download report"), "url": download_url(case.name, "photo_report")}],
			}
		)
	return out


def _actions(case, docs) -> dict:
	customer = is_customer() and not is_staff() and not cint(case.cancelled)
	project, circuit = docs["project"], docs["circuit"]
	return {
		"prior_visit": bool(
			customer
			and project is not None
			and project.workflow_state in PRIOR_VISIT_STATES
			and not cint(project.prior_visit_requested)
		),
		"test_phase": bool(
			customer and circuit is not None and circuit.workflow_state == CircuitState.TESTING
		),
		"confirmed": bool(circuit is not None and circuit.customer_confirmed_at),
		"problem_open": bool(
			circuit is not None and cint(circuit.problem_reported) and not cint(circuit.problem_resolved)
		),
	}
