"""Signature validation with pyHanko, pinned trust roots and the signer's identity (runs inside the worker).

Acceptance rule (signed-pdf.md §3): a signature counts when it is intact, valid, trusted, its bottom line holds
and its coverage is ENTIRE_FILE, or ENTIRE_REVISION with later changes no worse than FORM_FILLING; the upload is
accepted only when such a signature belongs to the expected signer (CPF digits, normalised name).
"""

from __future__ import annotations

import hashlib
import io
from datetime import datetime

from . import revocation as R
from .checks import reraise_fatal
from .identity import (  # re-exported: the public names of the identity helpers
	check_signer,
	cpf_digits,
	format_cpf,
	identity_from_cert,
	match_signer,
	names_compatible,
	normalise_name,
)
from .model import FAIL, PASS, SIGNATURE_CATEGORY, WARN, row
from .trust import check_trust

MAX_SIGNATURES = 20  # a contract carries a handful; thousands would only multiply the validation work

# Either usage marks a document-signing certificate: ICP-Brasil e-CPF/e-CNPJ carry nonRepudiation (required below
# for ICP-Brasil roots), the gov.br signature certificate carries digitalSignature only.
KEY_USAGE = {"digital_signature", "non_repudiation"}


def _enum_name(value) -> str | None:
	return value.name if value is not None else None


def coverage_ok(coverage: str | None, modification_level: str | None) -> bool:
	if coverage == "ENTIRE_FILE":
		return True
	return coverage == "ENTIRE_REVISION" and modification_level in ("NONE", "LTA_UPDATES", "FORM_FILLING")


def validate_signatures(
	data: bytes,
	roots: list[dict],
	*,
	reader=None,
	revinfo: dict | None = None,
	validation_time: str | None = None,
	extra_certs: list[bytes] = (),
) -> tuple[list[dict], str | None]:
	"""Validate every embedded signature; return (statuses, error). ``roots`` = [{label, kind, der}].

	Each status holds pyHanko's fields (intact, valid, trusted, coverage, modification_level, docmdp_ok,
	bottom_line, summary), the signer identity, the trust root it chains to, the signature timestamp (if any),
	the revocation result and ``acceptable`` (the §3 rule plus revocation, identity aside). ``revinfo``: CRLs and
	OCSP responses the parent fetched (base64); ``validation_time``: ISO datetime to validate at (tests), else
	now; ``extra_certs``: DER CA certificates for path building only (never anchors). ``error`` is set when the signatures could not be enumerated at all."""
	from asn1crypto import x509 as asn1_x509
	from pyhanko.pdf_utils.reader import PdfFileReader
	from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
	from pyhanko.sign.validation.settings import KeyUsageConstraints
	from pyhanko_certvalidator import ValidationContext

	anchors = []
	by_hash = {}
	for root in roots:
		try:
			cert = asn1_x509.Certificate.load(root["der"])
			cert.subject.human_friendly
		except Exception:
			continue  # an unusable root cannot vouch for anything (the parent already refuses these)
		anchors.append(cert)
		by_hash[hashlib.sha256(cert.dump()).hexdigest()] = root
	try:
		if reader is None:
			reader = PdfFileReader(io.BytesIO(data), strict=False)
		if reader.encrypted:
			reader.decrypt(b"")
		embedded = list(reader.embedded_signatures)
		if len(embedded) > MAX_SIGNATURES:
			return [], f"{len(embedded)} assinaturas (máximo {MAX_SIGNATURES})"
		dss = R.embedded_revinfo(reader) if embedded else {"certs": [], "crls": [], "ocsps": []}
	except Exception as exc:
		reraise_fatal(exc)
		return [], type(exc).__name__
	fetched_crls, fetched_ocsps = R.load_provided(revinfo)
	# trust_roots is always an explicit list: omitting it would make pyHanko use the system store.
	base = {
		"trust_roots": anchors,
		"other_certs": dss["certs"] + _load_certs(extra_certs),
		"allow_fetching": False,
		"revocation_mode": "soft-fail",
	}
	if validation_time:
		base["moment"] = datetime.fromisoformat(validation_time)
	key_usage = KeyUsageConstraints(key_usage=KEY_USAGE, match_all_key_usages=False)
	statuses = []
	for index, emb in enumerate(embedded, start=1):
		info: dict = {"index": index, "field": _safe(lambda e=emb: e.field_name)}
		try:
			byte_range = list(emb.byte_range)
			info["signed_bytes_end"] = int(byte_range[2]) + int(byte_range[3])
		except Exception:
			info["signed_bytes_end"] = None
		own_ocsps, own_crls = R.signer_revinfo(emb)
		in_pdf = bool(dss["crls"] or dss["ocsps"] or own_crls or own_ocsps)
		kwargs = dict(
			base,
			crls=dss["crls"] + list(own_crls) + fetched_crls,
			ocsps=dss["ocsps"] + list(own_ocsps) + fetched_ocsps,
		)
		context = ValidationContext(**kwargs)
		try:
			if emb.sig_object_type == "/DocTimeStamp":
				info["kind"] = "timestamp"
				status = validate_pdf_timestamp(emb, validation_context=context)
			else:
				info["kind"] = "signature"
				status = validate_pdf_signature(
					emb, context, ts_validation_context=context, key_usage_settings=key_usage
				)
			info.update(_status_fields(status))
		except Exception as exc:
			reraise_fatal(exc)
			info["error"] = f"{type(exc).__name__}: {exc}"[:300]  # audit trail (library text, English)
			info["error_type"] = type(exc).__name__
			# a legacy/unknown format cannot be judged (review); anything else is a broken signature (reject)
			info["error_kind"] = "unsupported" if "SubFilter" in str(exc) else "invalid"
			info["acceptable"] = False
			statuses.append(info)
			continue
		try:
			info["signer"] = identity_from_cert(status.signing_cert)
		except Exception:
			info["signer"] = None
		root_info = None
		if status.validation_path is not None:
			try:
				certs = list(status.validation_path.iter_certs(include_root=True))
				root_info = by_hash.get(hashlib.sha256(certs[0].dump()).hexdigest())
			except Exception:
				root_info = None
		if root_info:
			info["trust_root"] = root_info["label"]
			info["trust_kind"] = root_info["kind"]
			info["category"] = SIGNATURE_CATEGORY.get(root_info["kind"])
		if info["kind"] == "signature":
			_signature_extras(info, status, kwargs, in_pdf)
		info["acceptable"] = bool(
			info["kind"] == "signature"
			and info["intact"]
			and info["valid"]
			and info["trusted"]
			and info["bottom_line"]
			and coverage_ok(info["coverage"], info["modification_level"])
			and (info.get("revocation") or {}).get("checked")
			and not info.get("revoked")
		)
		statuses.append(info)
	return statuses, None


def _load_certs(ders) -> list:
	from asn1crypto import x509 as asn1_x509

	certs = []
	for der in ders or ():
		try:
			cert = asn1_x509.Certificate.load(der)
			cert.subject.human_friendly
			certs.append(cert)
		except Exception:
			continue  # a helper that does not parse helps nobody; the chain still needs a pinned root
	return certs


def _signature_extras(info: dict, status, context_kwargs: dict, in_pdf: bool) -> None:
	"""Key usage by hierarchy, signature timestamp, revocation (status of a /Sig signature, not a timestamp)."""
	if info["trusted"] and info.get("trust_kind") == "icp-brasil":
		usage = set(_safe(lambda: status.signing_cert.key_usage_value.native) or ())
		if "non_repudiation" not in usage:  # ICP-Brasil signing certificates (A1/A3) all carry it
			info["trusted"] = False
			info["trust_problem"] = "KEY_USAGE"
	info["revoked"] = R.revoked_details(status)
	stamp = getattr(status, "timestamp_validity", None)
	if stamp is not None:
		info["timestamp"] = {
			"valid": bool(stamp.intact and stamp.valid),
			"trusted": bool(stamp.trusted),
			"at": _safe(lambda: stamp.timestamp.isoformat()),
			"tsa": _safe(lambda: stamp.signing_cert.subject.human_friendly),
		}
	if info["trusted"] and info["intact"] and info["valid"] and not info["revoked"]:
		rev = R.path_revocation(status, context_kwargs)
		if rev.get("revoked"):
			info["revoked"] = {"ca": None, "date": None, "reason": rev["error"]}
		rev["origin"] = "dados de revogação embutidos no PDF" if in_pdf else "CRL/OCSP consultados on-line"
		info["revocation"] = rev


def signatures_in_earlier_revisions(reader, max_revisions: int = 30) -> int:
	"""The most signed signature fields any earlier revision had (top-level AcroForm fields with a value).

	More than the current file has means a later update removed a signature, which no signing tool does."""
	most = 0
	try:
		total = min(reader.total_revisions, max_revisions)
		for revision in range(max(total - 1, 0)):
			root = reader.get_historical_root(revision)
			form = root.get("/AcroForm")
			form = form.get_object() if form is not None else None
			fields = form.get("/Fields") if hasattr(form, "get") else None
			fields = fields.get_object() if fields is not None else []
			count = 0
			for ref in list(fields)[:1000]:
				field = ref.get_object()
				if hasattr(field, "get") and field.get("/FT") == "/Sig" and "/V" in field:
					count += 1
			most = max(most, count)
	except Exception as exc:
		reraise_fatal(exc)
	return most


def _status_fields(status) -> dict:
	"""The audit fields of a pyHanko status (signature or document timestamp)."""
	bottom_line = getattr(status, "bottom_line", None)  # document timestamps have none: intact and valid
	if bottom_line is None:
		bottom_line = bool(status.intact and status.valid)
	return {
		"intact": bool(status.intact),
		"valid": bool(status.valid),
		"trusted": bool(status.trusted),
		"coverage": _enum_name(status.coverage),
		"modification_level": _enum_name(status.modification_level),
		"docmdp_ok": status.docmdp_ok,
		"bottom_line": bool(bottom_line),
		"summary": status.summary(),
		"trust_problem": _enum_name(status.trust_problem_indic),
		"not_after": _safe(lambda: status.signing_cert.not_valid_after.isoformat()),
	}


def _safe(fn):
	try:
		return fn()
	except Exception:
		return None


_COVERAGE_PT = {
	"ENTIRE_FILE": "a assinatura cobre o arquivo inteiro",
	"ENTIRE_REVISION": "houve alterações depois da assinatura",
	"CONTIGUOUS_BLOCK_FROM_START": "a assinatura cobre só parte do arquivo",
	"UNCLEAR": "a assinatura cobre só parte do arquivo",
}
_CHANGES_PT = {
	"NONE": "nenhuma alteração",
	"LTA_UPDATES": "só carimbos do tempo e dados de validação",
	"FORM_FILLING": "só preenchimento de formulário e novas assinaturas",
	"ANNOTATIONS": "comentários ou marcações",
	"OTHER": "alterações de conteúdo ou estrutura",
}


def _describe_changes(coverage: str | None, level: str | None) -> str:
	text = _COVERAGE_PT.get(coverage or "", "cobertura desconhecida")
	if coverage == "ENTIRE_REVISION":
		text += ": " + _CHANGES_PT.get(level or "", "alterações não analisadas")
	return text


def check_signatures(statuses: list[dict], error: str | None, has_sig_dicts: bool, earlier: int = 0) -> dict:
	"""The ``signatures`` row: integrity and modification rules only (trust and identity have their own rows).

	``earlier``: signatures an earlier revision had (``signatures_in_earlier_revisions``)."""
	current = len(statuses)  # signatures and document timestamps alike are /Sig fields with a value
	if not error and earlier > current:
		return row(
			"signatures",
			FAIL,
			"Uma assinatura presente numa versão anterior do arquivo foi removida depois: arquivo adulterado. "
			"Envie o arquivo gerado pelo assinador, sem editá-lo.",
		)
	if error:
		if has_sig_dicts:
			return row(
				"signatures",
				FAIL,
				f"Não foi possível ler as assinaturas do PDF ({error}). Assine novamente o contrato original.",
			)
		return row(
			"signatures",
			WARN,
			"Nenhuma assinatura digital legível (documento digitalizado ou não assinado): revisão manual.",
		)
	if not statuses:
		return row(
			"signatures",
			WARN,
			"Nenhuma assinatura digital no PDF (documento digitalizado ou não assinado): revisão manual.",
		)
	problems, unknown, ok = [], [], []
	for s in statuses:
		label = ("Carimbo do tempo {}" if s.get("kind") == "timestamp" else "Assinatura {}").format(
			s["index"]
		)
		if "error" in s:
			if s.get("error_kind") == "unsupported":
				unknown.append(f"{label}: formato de assinatura não suportado, não validada")
			else:
				problems.append("{}: assinatura ilegível ou inválida ({})".format(label, s.get("error_type")))
			continue
		if not s["intact"]:
			problems.append(f"{label}: conteúdo assinado foi alterado (hash não confere)")
		elif not s["valid"]:
			problems.append(f"{label}: assinatura criptográfica inválida")
		elif not coverage_ok(s["coverage"], s["modification_level"]) or s["docmdp_ok"] is False:
			problems.append(
				"{}: documento modificado depois da assinatura ({})".format(
					label, _describe_changes(s["coverage"], s["modification_level"])
				)
			)
		else:
			ok.append("{}: {}".format(label, s["summary"]))
	if problems:
		return row(
			"signatures",
			FAIL,
			"; ".join(problems + unknown)
			+ ". Assine novamente o contrato original e envie o arquivo gerado pelo assinador, sem editá-lo depois.",
		)
	if unknown:
		return row("signatures", WARN, "; ".join(unknown + ok))
	return row("signatures", PASS, "Assinaturas íntegras: {}.".format("; ".join(ok)))
