"""Signature validation with pyHanko, pinned trust roots and the signer's identity (runs inside the worker).

Acceptance rule (signed-pdf.md §3): a signature counts when it is intact, valid, trusted, its bottom line holds
and its coverage is ENTIRE_FILE, or ENTIRE_REVISION with later changes no worse than FORM_FILLING; the upload is
accepted only when such a signature belongs to the expected signer (CPF digits, normalised name).
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata

from .checks import reraise_fatal
from .model import FAIL, PASS, SIGNATURE_CATEGORY, WARN, row

# ICP-Brasil SAN otherName OIDs
OID_ICP_PF_DATA = "2.16.76.1.3.1"  # e-CPF holder: birth date(8) + CPF(11) + NIS(11) + RG(15) + issuer/UF(6)
OID_ICP_PJ_RESPONSIBLE_NAME = "2.16.76.1.3.2"  # e-CNPJ: name of the company's responsible person
OID_ICP_PJ_RESPONSIBLE_DATA = "2.16.76.1.3.4"  # e-CNPJ: responsible's birth date(8) + CPF(11) + ... (as 3.1)

MAX_SIGNATURES = 20  # a contract carries a handful; thousands would only multiply the validation work

_DIGITS = re.compile(r"\D")


def cpf_digits(value: str | None) -> str | None:
	"""The 11 digits of a CPF written in any format, or None when it is not a valid CPF."""
	if not value:
		return None
	digits = _DIGITS.sub("", str(value))
	if len(digits) != 11 or digits == digits[0] * 11:
		return None
	nums = [int(d) for d in digits]
	for n in (9, 10):
		total = sum(nums[i] * (n + 1 - i) for i in range(n))
		check = (total * 10) % 11 % 10
		if nums[n] != check:
			return None
	return digits


def format_cpf(digits: str | None) -> str | None:
	if not digits or len(digits) != 11:
		return digits
	return f"{digits[:3]}.{digits[3:6]}.{digits[6:9]}-{digits[9:]}"


def normalise_name(name: str | None) -> str:
	"""Upper case, accents stripped, punctuation and repeated spaces removed."""
	if not name:
		return ""
	text = unicodedata.normalize("NFKD", name)
	text = "".join(ch for ch in text if not unicodedata.combining(ch))
	text = re.sub(r"[^0-9A-Za-z]+", " ", text)
	return " ".join(text.upper().split())


def _other_names(cert) -> dict[str, str]:
	"""ICP-Brasil SAN otherName values (OID -> text)."""
	try:
		san = cert.subject_alt_name_value
	except Exception:
		return {}
	found: dict[str, str] = {}
	for general_name in san or ():
		if general_name.name != "other_name":
			continue
		try:
			other = general_name.chosen
			oid = other["type_id"].dotted
			if oid.startswith("2.16.76.1.3.") and oid not in found:
				text = _other_name_text(other["value"])
				if text:
					found[oid] = text
		except Exception:
			continue
	return found


def identity_from_cert(cert) -> dict:
	"""Name and CPF of the person who holds an (asn1crypto) certificate, ICP-Brasil and gov.br conventions.

	CPF sources, in order: CN ``NAME:CPF`` (ICP-Brasil e-CPF, gov.br), subject serialNumber, SAN otherName
	2.16.76.1.3.1 (e-CPF holder data) or 2.16.76.1.3.4 (e-CNPJ: the company's responsible person, whose name is
	in 2.16.76.1.3.2; the CN then holds ``COMPANY:CNPJ``). Only check-digit-valid CPFs count.
	"""
	subject = cert.subject.native
	cn = subject.get("common_name") or ""
	if isinstance(cn, list):
		cn = cn[0]
	others = _other_names(cert)
	name, cpf, source, company, cnpj = cn, None, None, None, None
	if ":" in cn:
		head, _, tail = cn.rpartition(":")
		digits = _DIGITS.sub("", tail)
		if cpf_digits(tail):
			name, cpf, source = head.strip(), cpf_digits(tail), "CN"
		elif len(digits) == 14:
			company, cnpj = head.strip(), digits
	if cpf is None:
		serial = subject.get("serial_number")
		if isinstance(serial, list):
			serial = serial[0]
		if serial and cpf_digits(serial):
			cpf, source = cpf_digits(serial), "serialNumber"
	if cpf is None:
		for oid in (OID_ICP_PF_DATA, OID_ICP_PJ_RESPONSIBLE_DATA):
			raw = others.get(oid)
			if raw and len(raw) >= 19 and cpf_digits(raw[8:19]):
				cpf, source = cpf_digits(raw[8:19]), f"otherName {oid}"
				break
	if company and others.get(OID_ICP_PJ_RESPONSIBLE_NAME):
		name = others[OID_ICP_PJ_RESPONSIBLE_NAME].strip()
	return {
		"name": name.strip(),
		"cpf": cpf,
		"cpf_source": source,
		"company": company,
		"cnpj": cnpj,
		"subject": cert.subject.human_friendly,
		"issuer": cert.issuer.human_friendly,
		"serial": format(cert.serial_number, "x"),
		"not_after": cert["tbs_certificate"]["validity"]["not_after"].native.isoformat(),
	}


def _other_name_text(value) -> str | None:
	"""The text inside an otherName value (OCTET STRING, PrintableString or UTF8String, possibly wrapped)."""
	from asn1crypto import core

	obj = value
	for _ in range(3):
		parsed = getattr(obj, "parsed", None)
		if parsed is not None and parsed is not obj:
			obj = parsed
			continue
		break
	contents = getattr(obj, "contents", None)
	if contents is None:
		return None
	try:
		inner = core.load(contents)
		native = inner.native
	except Exception:
		native = contents
	if isinstance(native, bytes):
		native = native.decode("latin-1")
	return native if isinstance(native, str) else None


def _enum_name(value) -> str | None:
	return value.name if value is not None else None


def coverage_ok(coverage: str | None, modification_level: str | None) -> bool:
	if coverage == "ENTIRE_FILE":
		return True
	return coverage == "ENTIRE_REVISION" and modification_level in ("NONE", "LTA_UPDATES", "FORM_FILLING")


def validate_signatures(data: bytes, roots: list[dict], *, reader=None) -> tuple[list[dict], str | None]:
	"""Validate every embedded signature; return (statuses, error). ``roots`` = [{label, kind, der}].

	Each status holds pyHanko's fields (intact, valid, trusted, coverage, modification_level, docmdp_ok,
	bottom_line, summary), the signer identity, the trust root it chains to, and ``acceptable`` (the §3 rule,
	identity aside). ``error`` is set when the signatures could not be enumerated at all.
	"""
	from asn1crypto import x509 as asn1_x509
	from pyhanko.pdf_utils.reader import PdfFileReader
	from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
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
	# trust_roots is always an explicit list: omitting it would make pyHanko use the system store.
	context = ValidationContext(trust_roots=anchors, allow_fetching=False)
	try:
		if reader is None:
			reader = PdfFileReader(io.BytesIO(data), strict=False)
		if reader.encrypted:
			reader.decrypt(b"")
		embedded = list(reader.embedded_signatures)
		if len(embedded) > MAX_SIGNATURES:
			return [], f"{len(embedded)} assinaturas (máximo {MAX_SIGNATURES})"
	except Exception as exc:
		reraise_fatal(exc)
		return [], type(exc).__name__
	statuses = []
	for index, emb in enumerate(embedded, start=1):
		info: dict = {"index": index, "field": _safe(lambda e=emb: e.field_name)}
		try:
			byte_range = list(emb.byte_range)
			info["signed_bytes_end"] = int(byte_range[2]) + int(byte_range[3])
		except Exception:
			info["signed_bytes_end"] = None
		try:
			if emb.sig_object_type == "/DocTimeStamp":
				info["kind"] = "timestamp"
				status = validate_pdf_timestamp(emb, validation_context=context)
			else:
				info["kind"] = "signature"
				status = validate_pdf_signature(emb, context)
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
		info["acceptable"] = bool(
			info["kind"] == "signature"
			and info["intact"]
			and info["valid"]
			and info["trusted"]
			and info["bottom_line"]
			and coverage_ok(info["coverage"], info["modification_level"])
		)
		statuses.append(info)
	return statuses, None


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


def check_trust(statuses: list[dict], n_roots: int, refused: list[str]) -> dict:
	refused_txt = (" Raízes recusadas: " + " ".join(refused)) if refused else ""
	sigs = [s for s in statuses if s.get("kind") == "signature" and "error" not in s]
	if not sigs:
		return row("trust", WARN, "Nenhuma assinatura para verificar a cadeia de confiança." + refused_txt)
	sigs = [s for s in sigs if s["intact"] and s["valid"]]
	if not sigs:
		return row(
			"trust",
			WARN,
			"Cadeia de confiança não avaliada: nenhuma assinatura íntegra e válida." + refused_txt,
		)
	trusted = [s for s in sigs if s["trusted"]]
	if trusted:
		s = trusted[0]
		return row(
			"trust",
			PASS,
			"Certificado encadeado à raiz {} ({}): assinatura {}.{}".format(
				s.get("trust_root"), s.get("trust_kind"), s.get("category"), refused_txt
			),
		)
	if not n_roots:
		return row(
			"trust",
			WARN,
			f"Nenhuma raiz de confiança configurada: cadeia não verificada (conferir no Validar ITI).{refused_txt}",
		)
	issuers = sorted({(s.get("signer") or {}).get("issuer") or "?" for s in sigs})
	return row(
		"trust",
		WARN,
		"Certificado não encadeia a nenhuma raiz configurada (emissor: {}): conferir no Validar ITI.{}".format(
			"; ".join(issuers), refused_txt
		),
	)


_NAME_PARTICLES = frozenset({"DA", "DE", "DO", "DAS", "DOS", "E", "DI", "DU"})


def names_compatible(certificate_name: str | None, expected_name: str | None) -> bool:
	"""Normalised names are equal, or one is the other with middle names left out (in order; particles such
	as "da"/"dos" ignored): "Maria Silva" ~ "MARIA DA CONCEICAO SILVA". Only used next to a matching CPF."""
	a = [t for t in normalise_name(certificate_name).split() if t not in _NAME_PARTICLES]
	b = [t for t in normalise_name(expected_name).split() if t not in _NAME_PARTICLES]
	if not a or not b:
		return False
	if a == b:
		return True
	short, long = (a, b) if len(a) <= len(b) else (b, a)
	if short[0] != long[0] or short[-1] != long[-1]:
		return False
	it = iter(long)
	return all(token in it for token in short)


def match_signer(identity: dict | None, cpf: str | None, name: str | None) -> bool | None:
	"""Whether the certificate holder is the expected signer.

	The CPF decides (signed-pdf.md §3.3: normalised digits, never free text only): True when the CPFs match and
	the name, if given, is compatible; False on a different or missing CPF or an incompatible name; None when no
	expected CPF was given (a name alone cannot confirm anybody).
	"""
	expected_cpf = cpf_digits(cpf) or (_DIGITS.sub("", cpf) if cpf else None)
	if not expected_cpf:
		return None
	if not identity or identity.get("cpf") != expected_cpf:
		return False
	if name and not names_compatible(identity.get("name"), name):
		return False
	return True


def check_signer(statuses: list[dict], cpf: str | None, name: str | None) -> tuple[dict, dict | None, bool]:
	"""The ``signer`` row, the identity to report, and whether a qualifying signature exists."""
	sigs = [s for s in statuses if s.get("kind") == "signature" and "error" not in s]
	if not sigs:
		return row("signer", WARN, "Nenhuma assinatura: signatário não identificado."), None, False
	for s in sigs:
		s["signer_match"] = match_signer(s.get("signer"), cpf, name)
	qualifying = [s for s in sigs if s["acceptable"] and s["signer_match"]]
	chosen = (
		qualifying[0]
		if qualifying
		else next((s for s in sigs if s["signer_match"]), None)
		or next((s for s in sigs if s["acceptable"]), None)
		or sigs[-1]
	)
	signer = _signer_summary(chosen)
	ident = chosen.get("signer") or {}
	who = "{} (CPF {})".format(ident.get("name") or "?", format_cpf(ident.get("cpf")) or "não encontrado")
	if ident.get("company"):
		who += " pela empresa {} (CNPJ {})".format(ident["company"], ident.get("cnpj"))
	if qualifying:
		return row("signer", PASS, f"Assinado por {who}, o responsável legal esperado."), signer, True
	if sigs[0]["signer_match"] is None:
		hint = ""
		if name:
			same = any(names_compatible((x.get("signer") or {}).get("name"), name) for x in sigs)
			hint = " (o nome confere)" if same else " (o nome também não confere)"
		return (
			row(
				"signer",
				WARN,
				f"Assinado por {who}; CPF do responsável legal não informado, identidade não confirmada{hint}.",
			),
			signer,
			False,
		)
	if chosen.get("signer_match"):
		return (
			row("signer", WARN, f"Assinado por {who}, mas essa assinatura não é confiável/íntegra."),
			signer,
			False,
		)
	expected = []
	if cpf:
		expected.append("CPF {}".format(format_cpf(_DIGITS.sub("", cpf))))
	if name:
		expected.append(name)
	return (
		row(
			"signer",
			WARN,
			"Assinado por {}, que não confere com o responsável legal esperado ({}).".format(
				who, ", ".join(expected)
			),
		),
		signer,
		False,
	)


def _signer_summary(status: dict) -> dict:
	ident = dict(status.get("signer") or {})
	ident.update(
		signature=status.get("index"),
		field=status.get("field"),
		trust_root=status.get("trust_root"),
		trust_kind=status.get("trust_kind"),
		category=status.get("category"),
		acceptable=status.get("acceptable"),
		matches_expected=status.get("signer_match"),
	)
	return ident
