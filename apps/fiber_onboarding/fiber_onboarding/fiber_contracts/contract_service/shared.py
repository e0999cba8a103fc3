"""What every step of the contract shares: its names and states, the upload statuses and verdicts, the errors, the
signed upload link, the upload limits and the issued PDF's content."""

import frappe
from frappe import _
from frappe.utils import cint

from fiber_onboarding.core.process import ContractState

CONTRACT = "Fiber Contract"
CASE = "Fiber Onboarding"
SETTINGS = "Fiber Onboarding Settings"
PRINT_FORMAT = "Contrato de Prestação de Serviços"
UPLOAD_ROUTE = "contrato/enviar"
UPLOAD_PURPOSE = "contract-upload"
DEFAULT_MAX_UPLOAD_MB = 10
PDF_MAGIC = b"%PDF-"
REVIEW_ROLES = ("Fiber Onboarding Manager", "Fiber Sales")

# the contract's states in which a signed copy may be uploaded (states: core.process.ContractState)
UPLOAD_STATES = (ContractState.SENT, ContractState.REJECTED, ContractState.SIGNED_UPLOADED)

# upload row status
PENDING, CHECKED, UPLOAD_ACCEPTED, UPLOAD_REJECTED, SUPERSEDED = (
	"Pending",
	"Checked",
	"Accepted",
	"Rejected",
	"Superseded",
)
DECISIONS = {"accept": "Accept", "review": "Review", "reject": "Reject"}
OUTCOMES = {"pass": "Pass", "warn": "Warn", "fail": "Fail"}


class ContractError(frappe.ValidationError):
	"""The contract cannot be generated or sent."""


class ContractUploadError(frappe.ValidationError):
	"""The uploaded file is refused before anything is stored."""


class ContractStateError(frappe.ValidationError):
	"""The action does not fit the contract's current state."""


def upload_url(contract, hours: int | None = None) -> str:
	from fiber_onboarding.utils.links import signed_url

	return signed_url(UPLOAD_ROUTE, UPLOAD_PURPOSE, contract.name, hours=hours)


def link_expiry_hours() -> int:
	return cint(frappe.db.get_single_value(SETTINGS, "link_expiry_hours")) or 168


def max_upload_mb() -> int:
	return cint(frappe.db.get_single_value(SETTINGS, "max_upload_mb")) or DEFAULT_MAX_UPLOAD_MB


def max_upload_bytes() -> int:
	return max_upload_mb() * 1024 * 1024


def issued_pdf_content(contract) -> bytes:
	file_name = frappe.db.get_value(
		"File",
		{
			"file_url": contract.issued_file,
			"attached_to_doctype": CONTRACT,
			"attached_to_name": contract.name,
		},
	)
	if not file_name:
		frappe.throw(_("The contract PDF has not been issued yet."), ContractStateError)
	return frappe.get_doc("File", file_name).get_content()


def latest_upload(contract):
	if contract.latest_upload:
		for row in contract.uploads:
			if row.name == contract.latest_upload:
				return row
	return contract.uploads[-1] if contract.uploads else None
