"""Trust roots of the signed-contract check (Fiber Trust Root rows of Fiber Onboarding Settings).

``validate_trust_roots`` runs when the settings are saved (``hooks.doc_events``): a root that cannot be read or
whose file does not match its SHA-256 pin is refused right there, with the core's pt-BR reason, instead of
silently weakening every later check. ``load_trust_roots`` gives the enabled rows to the checker.
"""

import base64
import re
from pathlib import Path

import frappe
from frappe import _
from frappe.utils import cint

TRUST_KINDS = {"ICP-Brasil": "icp-brasil", "gov.br": "gov.br", "Other": "other"}


class TrustRootConfigError(frappe.ValidationError):
	"""A Fiber Trust Root row cannot be used."""


def _contents(row) -> list[bytes]:
	"""The certificate bytes to check against the pin: the attached file as is; for pasted PEM text, as stored
	and with its final newline restored (a text field may lose it; the DER fingerprint matches either way)."""
	if row.certificate:
		name = frappe.db.get_value("File", {"file_url": row.certificate})
		data = frappe.get_doc("File", name).get_content() if name else b""
		return [data.encode() if isinstance(data, str) else (data or b"")]
	text = row.pem or ""
	if not text.strip():
		return [b""]
	return list(dict.fromkeys([text.encode(), (text.strip() + "\n").encode()]))


def trust_root(row):
	"""The core TrustRoot of a row, checked against its pin (``TrustRootError`` with a pt-BR message)."""
	from fiber_onboarding.core.pdfcheck import TrustRoot, TrustRootError

	error = None
	for data in _contents(row):
		if not data:
			raise TrustRootError(f"Raiz de confiança {row.label}: anexe o certificado ou cole o texto PEM.")
		root = TrustRoot(
			label=row.label,
			kind=TRUST_KINDS.get(row.kind, "other"),
			pem_or_der=data,
			sha256=(row.sha256 or "").strip().lower(),
		)
		try:
			root.check()
			return root
		except TrustRootError as e:
			error = error or e
	raise error


def validate_trust_roots(doc, method=None):
	from fiber_onboarding.core.pdfcheck import TrustRootError

	for row in doc.get("trust_roots") or []:
		if not cint(row.enabled):
			continue
		try:
			trust_root(row)
		except TrustRootError as e:
			frappe.throw(
				_("Trust root row {0}: {1}").format(row.idx, str(e)),
				TrustRootConfigError,
				title=_("Trust roots"),
			)


def load_trust_roots() -> tuple[list, list[str]]:
	"""Enabled rows as core TrustRoots, and the pt-BR problems of unusable rows (reported as checks)."""
	from fiber_onboarding.core.pdfcheck import TrustRootError

	roots, problems = [], []
	# read from the database, not the shared cache: a pin edited a moment ago must apply to the next check
	for row in frappe.get_single("Fiber Onboarding Settings").get("trust_roots") or []:
		if not cint(row.enabled):
			continue
		try:
			roots.append(trust_root(row))
		except TrustRootError as e:
			problems.append(str(e))
		except Exception as e:
			problems.append(f"Raiz de confiança {row.label} inutilizável: {e}")
	return roots, problems


INTERMEDIATES_DIR = Path(__file__).resolve().parent / "roots" / "intermediates"
_PEM = re.compile(r"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", re.S)


def chain_helpers(folder: Path = INTERMEDIATES_DIR) -> list[bytes]:
	"""DER intermediate CA certificates shipped in ``roots/intermediates`` (the gov.br chain: its signatures embed
	only the signer's certificate). Path-building helpers only, never trust anchors: a chain through them must
	still verify up to an enabled, pinned Fiber Trust Root."""
	ders = []
	for path in sorted(folder.glob("*.pem")):
		for block in _PEM.findall(path.read_text(encoding="ascii")):
			ders.append(base64.b64decode("".join(block.split())))
	return ders
