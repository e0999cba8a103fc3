"""Screening of uploaded signed contracts (PDF): structure, safety, signatures, trust and signer identity.

Usage::

        from fiber_onboarding.core.pdfcheck import TrustRoot, check_pdf

        roots = [TrustRoot.load("ac-raiz-v10.crt", sha256="...", kind="icp-brasil")]
        verdict = check_pdf(
            data,
            contract_code="CTR-2026-00042",
            expected_pages=6,
            trust_roots=roots,
            expected_signer_cpf="123.456.789-09",
            expected_signer_name="Maria da Silva",
        )
        verdict.decision  # "accept" | "review" | "reject"
        verdict.checks  # [{"check": "is_pdf", "outcome": "pass", "detail": "..."}, ...]

Checks (ids): is_pdf, size, parse, encryption, active_content, page_count, contract_code, signatures, trust,
signer. ``reject`` when a hard check fails; ``accept`` only when every check passes and a trusted, intact
signature with acceptable coverage belongs to the expected signer; ``review`` otherwise (e.g. scanned or
unsigned uploads, untrusted CA, another signer). Checks that could not run after a hard failure are omitted.

The untrusted file is parsed only in a child process with CPU, memory and wall-clock limits (``_worker``).
Plain Python: never imports frappe. CLI: ``python -m fiber_onboarding.core.pdfcheck FILE ...``.
"""

from .api import check_pdf
from .model import (
	ACCEPT,
	CHECK_IDS,
	FAIL,
	HARD_CHECKS,
	PASS,
	REJECT,
	REVIEW,
	WARN,
	TrustRoot,
	TrustRootError,
	Verdict,
)

__all__ = [
	"ACCEPT",
	"CHECK_IDS",
	"FAIL",
	"HARD_CHECKS",
	"PASS",
	"REJECT",
	"REVIEW",
	"WARN",
	"TrustRoot",
	"TrustRootError",
	"Verdict",
	"check_pdf",
]
