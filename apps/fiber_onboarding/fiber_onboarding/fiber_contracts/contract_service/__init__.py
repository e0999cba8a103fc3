"""The service contract, from the proposal terms to the accepted signed PDF (process step 4), one room per step.

When the contract is sent: at registration. The process text says the company's legal responsible "receives
the contract by e-mail" and that the activation term counts only from the internal passage *and* the receipt
of the signed contract (the later of the two). Sending it right at registration, in parallel with the boleto,
lets the customer sign while the payment clears and the project is drawn, so the contract never delays the
activation term; the contract carries no step that depends on the payment. ``register_case`` therefore calls
``create_and_send_contract(case)``; staff can resend it (with a fresh link) while it waits for the signature.

Flow: Draft --Send--> Sent --Upload Signed--> Signed Uploaded --Accept--> Accepted
                                              Signed Uploaded --Reject--> Rejected --Upload Signed--> ...

- The PDF is rendered with WeasyPrint from the Jinja Print Format "Contrato de Prestação de Serviços" (staff edit
  it in the desk); CSS paged media puts the contract code and "Página x de y" on every page. The issued PDF is a
  private File attached to the contract, with its SHA-256 and page count (the checker compares them).
- Every upload is kept (private File + a row in ``uploads``) and checked in a background job by
  ``core.pdfcheck.check_pdf`` in a separate, resource-limited process; each check becomes a row in ``checks``.
- Policy: an ``accept`` verdict in which every check passed accepts the contract automatically; a ``reject``
  verdict rejects it and tells the customer what to fix; anything else (``review``) waits for staff.
- Uploads are stored as ``<code>-assinado-<n>.pdf.bin``: Frappe serves private files inline by their extension,
  and an untrusted PDF must never open in a browser's (JavaScript-capable) viewer; with ``.bin`` it is always
  downloaded (``download_upload`` gives it back as ``.pdf`` with ``Content-Disposition: attachment``).

Rooms: ``issue`` (create, render, e-mail, resend), ``upload`` (the customer's signed copy), ``checks`` (the
background check and its policy), ``decisions`` (accept / reject and their effects), ``shared`` (names, states,
errors, limits, links). No step writes the case: the case listens to its contract (``case_events``).

This package's names below are its public surface (the whitelisted endpoints of ``api.contract`` and the portal
check permissions first and call them); inside the app, import from the room that holds the function.
"""

from fiber_onboarding.fiber_contracts.contract_service.checks import run_checks
from fiber_onboarding.fiber_contracts.contract_service.decisions import accept, reject
from fiber_onboarding.fiber_contracts.contract_service.issue import create_and_send_contract, resend_contract
from fiber_onboarding.fiber_contracts.contract_service.shared import (
	CONTRACT,
	REVIEW_ROLES,
	UPLOAD_PURPOSE,
	ContractStateError,
	ContractUploadError,
	issued_pdf_content,
	latest_upload,
	max_upload_bytes,
)
from fiber_onboarding.fiber_contracts.contract_service.upload import receive_upload
