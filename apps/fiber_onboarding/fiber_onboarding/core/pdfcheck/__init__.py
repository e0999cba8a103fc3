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
signature with acceptable coverage belongs to the expected signer (the CPF decides; the name, if given, must be
compatible); ``review`` otherwise (e.g. scanned or unsigned uploads, untrusted CA, another signer). Checks that
could not run after a hard failure are omitted. ``trust`` and ``signer`` only ever pass or warn.

``Verdict`` also carries ``sha256`` and ``size`` of the upload, ``signer`` (name, CPF and its source, company /
CNPJ for e-CNPJ, subject, issuer, trust root, ``category`` "qualificada" for ICP-Brasil roots or "avançada"),
``signatures`` (every pyHanko status: intact, valid, trusted, coverage, modification_level, docmdp_ok,
bottom_line, summary, signer) and ``stats`` (stage timings, the child's peak RSS and CPU time); ``as_dict()``
is JSON-ready. Optional ``issued_sha256`` (the PDF that was sent) proves the content when the signer appended
incrementally. ``TrustRoot.load`` raises ``TrustRootError`` (pt-BR message) for unreadable or mis-pinned roots;
``check_pdf`` refuses such roots too and says so in the ``trust`` detail.

The untrusted file is parsed only in a child process (``python -m fiber_onboarding.core.pdfcheck._worker``)
with RLIMIT_CPU / RLIMIT_AS and a wall-clock timeout; a killed, crashed or timed-out child is a ``reject`` with
a failed ``parse`` check, never an exception. ``check_pdf`` blocks for about 0.5-1 s: call it from a background
job, never in the upload request (signed-pdf.md §8.4). Plain Python: never imports frappe.
CLI: ``python -m fiber_onboarding.core.pdfcheck FILE ...`` (exit 0 accept, 1 review, 2 reject).
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
