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
revocation, signer. ``reject`` when a hard check fails; ``accept`` only when every check passes and a trusted, intact
signature with acceptable coverage belongs to the expected signer (the CPF decides; the name, if given, must be
compatible); ``review`` otherwise (e.g. scanned or unsigned uploads, untrusted CA, another signer). Checks that
could not run after a hard failure are omitted. ``trust``, ``revocation`` and ``signer`` only ever pass or warn.

Signer identity (``identity``): e-CPF, e-CNPJ (``expected_signer_cnpj``: the company must be the registered one)
and gov.br profiles; the CPF decides, a name written differently is reported word by word. Revocation
(``revocation``): every certificate below the root needs a CRL/OCSP answer, embedded in the PDF (/DSS, CMS
attribute) or fetched by the parent from the certificate's URLs through ``revocation=`` (a
``revocation_fetch.HttpRevocationSource``, optionally cached); the worker then runs a second time with that
data. Without it, a revoked certificate, or revocation that cannot be established, the decision is review.

``Verdict`` also carries ``sha256`` and ``size`` of the upload, ``signer`` (name, CPF and its source, company /
CNPJ for e-CNPJ, subject, issuer, trust root, ``category`` "qualificada" for ICP-Brasil roots or "avançada"),
``signatures`` (every pyHanko status: intact, valid, trusted, coverage, modification_level, docmdp_ok,
bottom_line, summary, signer) and ``stats`` (``usage``: the budget counters; ``budget``: the limit that decided,
if one did; ``kill``: the safety limit that ended the child, if one did; plus stage timings, the child's peak
RSS / address space and CPU time, for monitoring only); ``as_dict()`` is JSON-ready. Optional
``issued_sha256`` (the PDF that was sent) proves the content when the signer appended incrementally.
``TrustRoot.load`` raises ``TrustRootError`` (pt-BR message) for unreadable or mis-pinned roots; ``check_pdf``
refuses such roots too and says so in the ``trust`` detail.

Verdicts are a function of the file alone. Every limit that can decide one is a deterministic budget counted
while parsing (``bounds``): decoded bytes per stream and in total (Flate, LZW, RunLength), PDF objects parsed,
nesting depth, cross-reference sections (and /Prev cycles), pages and page-tree depth, object-graph nodes, and
for the contract-code text: page-content bytes, content operators, extracted characters, form nesting and font
table entries. A hit budget fails the ``parse`` check (or the check it bounds: ``page_count``,
``active_content``) with a pt-BR reason naming the limit; the same file always gets the same verdict and
reason. ``_patches`` routes pypdf 3.17 and pyHanko through the budgets and replaces their few super-linear or
endless loops (``_readers``: strings, names and comments read in linear time, comments ending at end of data).

The untrusted file is parsed only in a child process (``python -m fiber_onboarding.core.pdfcheck._worker``).
Its RLIMIT_CPU (60 s) / RLIMIT_AS (768 MB) and the wall-clock timeout (90 s) are a last-resort kill only, far
above what the budgets let a file cost (the heaviest budget-bounded inputs measured: ~5 s of CPU, ~300 MB; the
hostile corpus: under 3 s): scaling them (the tests use 0.2x and 10x) does not change a verdict. A kill is a
``reject`` with its own reason ("A análise foi interrompida pelo limite de segurança de tempo / memória …",
``model.KILL_TIME`` / ``KILL_MEMORY``), never mixed with a budget's; a crashed child or a garbled answer is a
``reject`` too, never an exception. ``check_pdf`` blocks for about 0.5-1 s: call it from a background job,
never in the upload request (signed-pdf.md §8.4). Plain Python: never imports frappe.
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
