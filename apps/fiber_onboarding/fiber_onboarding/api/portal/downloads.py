"""The case's PDFs behind /ativacoes/<case> (boleto, issued contract, project, photo and implementation reports):
served through the case permission, never as a public file URL."""

from __future__ import annotations

from urllib.parse import urlencode

import frappe
from frappe import _

from fiber_onboarding.api.portal.access import (
	BOLETO,
	CONTRACT,
	PROJECT,
	VISIT,
	case_documents,
	case_for,
	portal_lang,
)
from fiber_onboarding.core.process import ProjectState

# project states in which the customer may download the project document
PROJECT_VISIBLE_STATES = (
	ProjectState.SENT,
	ProjectState.APPROVED,
	ProjectState.INTERNAL_EXECUTION,
	ProjectState.EXTERNAL_EXECUTION,
	ProjectState.DONE,
)
DOWNLOAD_KINDS = ("boleto", "contract", "project", "photo_report", "implementation_report")


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
