"""Signed-contract endpoints: the customer's upload (portal, e-mailed link) and the staff's review (desk).

Every endpoint starts with the permission check (``contract_for`` / ``staff_contract``). A customer reaches a
contract either through the signed, expiring link of the e-mail (Guest allowed only with a valid token) or
logged in as a portal user of the contract's Customer (``permissions.can_see`` + the DocType permission).
"""

import frappe
from frappe import _
from frappe.rate_limiter import rate_limit

from fiber_onboarding.fiber_contracts import contract_service as service
from fiber_onboarding.permissions import can_see, require_roles

REVIEW_ROLES = service.REVIEW_ROLES
PORTAL_LANGUAGE = "pt-BR"


def use_portal_language():
	"""Customers (a Guest with the e-mailed link, portal users) get pt-BR messages whatever their browser sends."""
	user = frappe.session.user
	if user == "Guest" or frappe.db.get_value("User", user, "user_type") == "Website User":
		frappe.local.lang = PORTAL_LANGUAGE


def contract_for(token: str | None = None, contract: str | None = None, ptype: str = "read"):
	"""The contract the caller may act on (token or portal/desk permission), else ``frappe.PermissionError``."""
	if token:
		from fiber_onboarding.utils.links import verify

		name = verify(token, service.UPLOAD_PURPOSE)
		if contract and contract != name:
			frappe.throw(_("Invalid link."), frappe.PermissionError)
		return frappe.get_doc(service.CONTRACT, name)
	if frappe.session.user == "Guest":
		frappe.throw(_("Log in to the portal or use the link from the e-mail."), frappe.PermissionError)
	# the same answer for a contract that does not exist and one the user cannot see: nothing to enumerate
	if not contract or not frappe.db.exists(service.CONTRACT, contract):
		frappe.throw(_("You cannot access this contract."), frappe.PermissionError)
	doc = frappe.get_doc(service.CONTRACT, contract)
	if not (can_see(doc) and frappe.has_permission(service.CONTRACT, ptype, doc)):
		frappe.throw(_("You cannot access this contract."), frappe.PermissionError)
	return doc


def staff_contract(contract: str):
	require_roles(REVIEW_ROLES)
	doc = frappe.get_doc(service.CONTRACT, contract)
	doc.check_permission("write")
	return doc


def _uploaded_file():
	files = frappe.request.files if frappe.request else None
	storage = files.get("file") if files else None
	if storage is None:
		frappe.throw(_("Choose the signed contract PDF to upload."), service.ContractUploadError)
	# read at most one byte beyond the limit: the size is refused before anything is stored
	content = storage.stream.read(service.max_upload_bytes() + 1)
	return content, storage.filename


def _summary(doc) -> dict:
	row = service.latest_upload(doc)
	return {
		"contract": doc.name,
		"state": doc.workflow_state,
		"upload": row.name if row else None,
		"upload_status": row.status if row else None,
		"decision": doc.latest_decision or None,
		"received_on": str(doc.received_on) if doc.received_on else None,
	}


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=20, seconds=60 * 60)
def upload_signed_contract(token: str | None = None, contract: str | None = None) -> dict:
	"""Multipart POST with ``file`` (the signed PDF) and either ``token`` (e-mail link) or ``contract``."""
	use_portal_language()
	doc = contract_for(token, contract)
	content, filename = _uploaded_file()
	user = frappe.session.user
	uploaded_by = user if user != "Guest" else _("{0} (e-mail link)").format(doc.legal_email)
	service.receive_upload(doc, content, filename, uploaded_by, frappe.local.request_ip)
	doc.reload()
	result = _summary(doc)
	result["message"] = _("Signed contract received. We will check it and let you know by e-mail.")
	return result


@frappe.whitelist(allow_guest=True)
@rate_limit(limit=60, seconds=60 * 60)
def download_contract(token: str | None = None, contract: str | None = None):
	"""The issued (unsigned) contract PDF, for the customer to sign."""
	use_portal_language()
	doc = contract_for(token, contract)
	frappe.local.response.filename = f"{doc.name}.pdf"
	frappe.local.response.filecontent = service.issued_pdf_content(doc)
	frappe.local.response.type = "download"
	frappe.local.response.content_type = "application/pdf"


@frappe.whitelist()
def download_upload(contract: str, upload: str):
	"""An uploaded signed copy, always as a download (never rendered by a browser's PDF viewer)."""
	doc = contract_for(contract=contract)
	row = next((r for r in doc.uploads if r.name == upload), None)
	if not row:
		frappe.throw(_("You cannot access this contract."), frappe.PermissionError)
	file_name = frappe.db.get_value(
		"File", {"file_url": row.file, "attached_to_doctype": service.CONTRACT, "attached_to_name": doc.name}
	)
	frappe.local.response.filename = f"{doc.name}-assinado-{row.idx}.pdf"
	frappe.local.response.filecontent = frappe.get_doc("File", file_name).get_content()
	frappe.local.response.type = "download"
	frappe.local.response.content_type = "application/octet-stream"
	frappe.local.response.display_content_as = "attachment"


@frappe.whitelist(methods=["POST"])
def accept_contract(contract: str) -> dict:
	doc = staff_contract(contract)
	doc = service.accept(doc)
	return _summary(doc)


@frappe.whitelist(methods=["POST"])
def reject_contract(contract: str, reason: str) -> dict:
	doc = staff_contract(contract)
	doc = service.reject(doc, reason)
	return _summary(doc)


@frappe.whitelist(methods=["POST"])
def resend_contract(contract: str) -> dict:
	doc = staff_contract(contract)
	service.resend_contract(doc)
	return _summary(doc)
