"""Portal page /contrato/enviar: the legal responsible uploads the signed contract (pt-BR).

Reached through the signed, expiring link of the contract e-mail (``?token=…``, Guest allowed only with a valid
token) or by a logged-in portal user of the contract's customer (``?contract=CTR-…``, or their latest contract
waiting for a signature). The form posts to ``fiber_onboarding.api.contract.upload_signed_contract``.
"""

from urllib.parse import quote, urlencode

import frappe
from frappe.utils import format_date, format_datetime

from fiber_onboarding.api.contract import contract_for, use_portal_language
from fiber_onboarding.api.portal.access import PORTAL_BASE
from fiber_onboarding.core.process import ContractState
from fiber_onboarding.fiber_contracts.contract_service import shared

no_cache = 1
sitemap = 0
base_template_path = PORTAL_BASE

STATE_LABELS = {
	ContractState.DRAFT: "Em preparação",
	ContractState.SENT: "Aguardando o contrato assinado",
	ContractState.SIGNED_UPLOADED: "Contrato assinado recebido – em análise",
	ContractState.ACCEPTED: "Contrato assinado aceito",
	ContractState.REJECTED: "Contrato assinado recusado – envie novamente",
}
DECISION_LABELS = {
	"Accept": "Aprovado na verificação automática",
	"Review": "Em análise pela nossa equipe",
	"Reject": "Recusado na verificação automática",
}
UPLOAD_STATUS_LABELS = {
	shared.PENDING: "Em verificação",
	shared.CHECKED: "Verificado",
	shared.UPLOAD_ACCEPTED: "Aceito",
	shared.UPLOAD_REJECTED: "Recusado",
	shared.SUPERSEDED: "Substituído por envio posterior",
}
OUTCOME_CLASSES = {"Pass": "success", "Warn": "warning", "Fail": "danger"}
OUTCOME_LABELS = {"Pass": "OK", "Warn": "Atenção", "Fail": "Falhou"}


def _default_contract() -> str | None:
	"""The logged-in customer's most recent contract, preferring one that waits for the signed copy."""
	names = frappe.get_list(
		shared.CONTRACT,
		filters={"workflow_state": ("in", shared.UPLOAD_STATES)},
		pluck="name",
		order_by="creation desc",
		limit=1,
	) or frappe.get_list(shared.CONTRACT, pluck="name", order_by="creation desc", limit=1)
	return names[0] if names else None


def get_context(context):
	use_portal_language()
	context.no_cache = 1
	context.show_sidebar = False
	context.title = "Enviar contrato assinado"
	token = (frappe.form_dict.get("token") or "").strip() or None
	name = (frappe.form_dict.get("contract") or "").strip() or None

	if not token and frappe.session.user == "Guest":
		target = "/contrato/enviar" + (f"?{urlencode({'contract': name})}" if name else "")
		frappe.local.flags.redirect_location = "/login?redirect-to=" + quote(target, safe="")
		raise frappe.Redirect

	if not token and not name:
		name = _default_contract()
		if not name:
			context.error = "Não encontramos nenhum contrato para o seu usuário."
			context.http_status_code = 404
			return context

	try:
		doc = contract_for(token, name)
	except frappe.PermissionError as e:
		frappe.clear_messages()
		context.error = str(e) or "Você não tem acesso a este contrato."
		context.http_status_code = 403
		return context

	query = {"token": token} if token else {"contract": doc.name}
	context.token = token or ""
	context.contract_name = doc.name
	context.company_name = frappe.db.get_value(shared.CASE, doc.onboarding, "company_name")
	context.legal_name = doc.legal_name
	context.state = doc.workflow_state
	context.state_label = STATE_LABELS.get(doc.workflow_state, doc.workflow_state)
	context.accepted = doc.workflow_state == ContractState.ACCEPTED
	context.can_upload = doc.workflow_state in shared.UPLOAD_STATES
	context.received_on = format_date(doc.received_on) if doc.received_on else None
	context.rejection_reason = doc.rejection_reason if doc.workflow_state == ContractState.REJECTED else None
	context.max_upload_mb = shared.max_upload_mb()
	context.download_url = (
		"/api/method/fiber_onboarding.api.contract.download_contract?" + urlencode(query)
		if doc.issued_file
		else None
	)
	context.upload_endpoint = "/api/method/fiber_onboarding.api.contract.upload_signed_contract"
	row = shared.latest_upload(doc)
	context.latest = None
	if row:
		context.latest = {
			"uploaded_on": format_datetime(row.uploaded_on) if row.uploaded_on else "",
			"file_name": row.file_name,
			"status": UPLOAD_STATUS_LABELS.get(row.status, row.status),
			# the checker's verdict while it still matters; after a staff decision the status says it all
			"decision": DECISION_LABELS.get(row.decision)
			if row.decision and row.status == shared.CHECKED
			else None,
			"checks": [
				{
					"outcome": OUTCOME_LABELS.get(c.outcome, c.outcome),
					"css": OUTCOME_CLASSES.get(c.outcome, "secondary"),
					"detail": c.detail,
				}
				for c in doc.checks
				if c.upload == row.name
			],
		}
	context.parents = [{"route": "ativacoes", "title": "Minhas ativações"}] if not token else []
	return context
