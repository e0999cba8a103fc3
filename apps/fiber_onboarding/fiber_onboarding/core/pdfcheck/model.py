"""Data types of the signed-PDF screening: check rows, the verdict, pinned trust roots, the decision rule.

Standard library only (no pypdf, no pyHanko): this module is imported by the parent process, which never parses
the untrusted file itself.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

ACCEPT = "accept"
REVIEW = "review"
REJECT = "reject"

PASS = "pass"
WARN = "warn"
FAIL = "fail"

# Every check id, in report order. A check that could not run (an earlier hard failure made it pointless) is
# left out of the verdict rather than reported with an invented outcome.
CHECK_IDS = (
	"is_pdf",
	"size",
	"parse",
	"encryption",
	"active_content",
	"page_count",
	"contract_code",
	"signatures",
	"trust",
	"revocation",
	"signer",
)

# A failure of one of these rejects the upload (signed-pdf.md §8). trust/revocation/signer never fail: they warn
# (review).
HARD_CHECKS = frozenset(
	("is_pdf", "size", "parse", "encryption", "active_content", "page_count", "contract_code", "signatures")
)

TRUST_KINDS = ("icp-brasil", "gov.br", "other")
# Lei 14.063/2020: ICP-Brasil certificate = qualificada; any other certificate (gov.br, platforms) = avançada.
SIGNATURE_CATEGORY = {"icp-brasil": "qualificada", "gov.br": "avançada", "other": "avançada"}


# Reasons for the last-resort kills (the worker's CPU / wall-clock / memory limits). They are set far above what
# the deterministic budgets let any file use, so they never decide a verdict in normal operation; when one does
# fire, the reason says so and is never mixed up with a budget's reason.
KILL_TIME = (
	"A análise foi interrompida pelo limite de segurança de tempo (último recurso, muito acima do que um PDF "
	"normal exige): o arquivo não pôde ser verificado. Gere o PDF novamente ou encaminhe para conferência manual."
)
KILL_MEMORY = (
	"A análise foi interrompida pelo limite de segurança de memória (último recurso, muito acima do que um PDF "
	"normal exige): o arquivo não pôde ser verificado. Gere o PDF novamente ou encaminhe para conferência manual."
)


def row(check: str, outcome: str, detail: str) -> dict:
	assert check in CHECK_IDS and outcome in (PASS, WARN, FAIL)
	return {"check": check, "outcome": outcome, "detail": detail}


class TrustRootError(ValueError):
	"""A trust root cannot be used: unreadable file, not a certificate, or its SHA-256 differs from the pin."""


_PEM_RE = re.compile(rb"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", re.S)
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def _normalise_pin(sha256: str) -> str:
	pin = re.sub(r"[\s:]", "", sha256 or "").lower()
	if not _HEX64.match(pin):
		raise TrustRootError(f"SHA-256 fixado inválido (esperados 64 dígitos hexadecimais): {sha256}")
	return pin


@dataclass(frozen=True)
class TrustRoot:
	"""A trust anchor pinned by SHA-256.

	``sha256`` is the pin: the SHA-256 of the file as published (``pem_or_der``) or of the DER certificate
	(the usual "fingerprint"); either matches. ``kind`` keeps ICP-Brasil and gov.br roots apart so a trusted
	signature can be recorded as *qualificada* or *avançada*.
	"""

	label: str
	kind: str
	pem_or_der: bytes
	sha256: str

	@classmethod
	def load(cls, path: str | Path, sha256: str | None = None, kind: str = "other", label: str | None = None):
		"""Read a PEM/DER certificate file and check it against ``sha256``.

		Without ``sha256`` the file's own hash becomes the pin (the caller vouches for the file). Raises
		``TrustRootError`` with a pt-BR message when the file cannot be read, is not a certificate or does not
		match its pin.
		"""
		path = Path(path)
		try:
			data = path.read_bytes()
		except OSError as exc:
			raise TrustRootError(f"Não foi possível ler a raiz de confiança {path}: {exc.strerror or exc}")
		root = cls(
			label=label or path.stem,
			kind=kind,
			pem_or_der=data,
			sha256=sha256 if sha256 else hashlib.sha256(data).hexdigest(),
		)
		root.check()
		return root

	def der(self) -> bytes:
		"""The certificate in DER (the first certificate of a PEM file)."""
		data = self.pem_or_der
		match = _PEM_RE.search(data)
		if match:
			try:
				return base64.b64decode(b"".join(match.group(1).split()), validate=True)
			except (binascii.Error, ValueError):
				raise TrustRootError(f"Raiz de confiança {self.label}: PEM ilegível.")
		if data[:1] == b"\x30":
			return data
		raise TrustRootError(f"Raiz de confiança {self.label}: o arquivo não é um certificado PEM ou DER.")

	def fingerprint(self) -> str:
		return hashlib.sha256(self.der()).hexdigest()

	def check(self) -> bytes:
		"""Return the DER certificate if the root is usable, else raise ``TrustRootError`` (pt-BR message)."""
		if self.kind not in TRUST_KINDS:
			raise TrustRootError(
				"Raiz de confiança {}: tipo {} desconhecido (use {}).".format(
					self.label, self.kind, ", ".join(TRUST_KINDS)
				)
			)
		pin = _normalise_pin(self.sha256)
		der = self.der()
		try:
			from asn1crypto import x509

			x509.Certificate.load(der).subject.human_friendly
		except Exception:
			raise TrustRootError(f"Raiz de confiança {self.label}: certificado X.509 ilegível.")
		if pin not in (hashlib.sha256(self.pem_or_der).hexdigest(), hashlib.sha256(der).hexdigest()):
			raise TrustRootError(
				f"Raiz de confiança {self.label} recusada: o SHA-256 do arquivo não confere com o valor fixado {pin}."
			)
		return der


@dataclass
class Verdict:
	"""The outcome of ``check_pdf``: a decision and one row per check that ran.

	``signer`` describes the signature that decided the verdict (name, CPF, subject, trust root, category);
	``signatures`` keeps every validated signature's status fields for the audit trail.
	"""

	decision: str
	checks: list[dict]
	sha256: str
	signer: dict | None = None
	size: int = 0
	signatures: list[dict] = field(default_factory=list)
	stats: dict = field(default_factory=dict)

	def as_dict(self) -> dict:
		return {
			"decision": self.decision,
			"sha256": self.sha256,
			"size": self.size,
			"checks": [dict(c) for c in self.checks],
			"signer": dict(self.signer) if self.signer else None,
			"signatures": [dict(s) for s in self.signatures],
			"stats": dict(self.stats),
		}

	def outcome(self, check: str) -> str | None:
		for c in self.checks:
			if c["check"] == check:
				return c["outcome"]
		return None

	@property
	def exit_code(self) -> int:
		return {ACCEPT: 0, REVIEW: 1}.get(self.decision, 2)


def decide(checks: list[dict], qualifying_signature: bool) -> str:
	"""reject on any failed hard check; accept only when every check passed and a qualifying signature exists
	(trusted, intact, valid, acceptable coverage, expected signer); review otherwise."""
	if any(c["outcome"] == FAIL and c["check"] in HARD_CHECKS for c in checks):
		return REJECT
	if any(c["outcome"] == FAIL for c in checks):
		return REVIEW
	ran = {c["check"] for c in checks}
	if qualifying_signature and all(c["outcome"] == PASS for c in checks) and ran.issuperset(CHECK_IDS):
		return ACCEPT
	return REVIEW
