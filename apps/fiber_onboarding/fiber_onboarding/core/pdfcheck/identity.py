"""Who signed: the certificate holder's CPF, name and (e-CNPJ) company, and how they compare with the registration.

Certificate profiles read here (asn1crypto certificates, runs inside the worker; no frappe):

- ICP-Brasil e-CPF: CN ``NAME:CPF``; SAN otherName 2.16.76.1.3.1 = birth date (8) + CPF (11) + NIS (11) + RG (15)
  + issuer/UF (6).
- ICP-Brasil e-CNPJ: CN ``COMPANY:CNPJ``; otherName 2.16.76.1.3.3 = the company's CNPJ (numeric or the
  alphanumeric CNPJ), 2.16.76.1.3.2 = the responsible person's name, 2.16.76.1.3.4 = the responsible person's
  birth date (8) + CPF (11) + ... (as 2.16.76.1.3.1).
- gov.br ("AC Final do Governo Federal do Brasil v1", policy 2.16.76.3.2.1.1): CN = the name only; the CPF is in
  otherName 2.16.76.1.3.1 with the ICP-Brasil layout (45 digits: birth date, CPF, NIS, RG).
- Other CAs: a CPF in the subject serialNumber is read as well.

The CPF decides who signed; the name is compared tolerant of accents, case, particles ("da", "dos"), middle
names left out and initials ("MARIA C SILVA"), and any difference is reported, never hidden.
"""

from __future__ import annotations

import re
import unicodedata

from ..documents import format_cnpj, is_valid_cnpj, normalize_cnpj

OID_ICP_PF_DATA = "2.16.76.1.3.1"  # e-CPF / gov.br holder: birth date(8) + CPF(11) + NIS(11) + RG(15) + UF(6)
OID_ICP_PJ_RESPONSIBLE_NAME = "2.16.76.1.3.2"  # e-CNPJ: name of the company's responsible person
OID_ICP_PJ_CNPJ = "2.16.76.1.3.3"  # e-CNPJ: the company's CNPJ
OID_ICP_PJ_RESPONSIBLE_DATA = "2.16.76.1.3.4"  # e-CNPJ: responsible's birth date(8) + CPF(11) + ... (as 3.1)

_DIGITS = re.compile(r"\D")
_NAME_PARTICLES = frozenset({"DA", "DE", "DO", "DAS", "DOS", "E", "DI", "DU"})


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
		if nums[n] != (total * 10) % 11 % 10:
			return None
	return digits


def format_cpf(digits: str | None) -> str | None:
	if not digits or len(digits) != 11:
		return digits
	return f"{digits[:3]}.{digits[3:6]}.{digits[6:9]}-{digits[9:]}"


def cnpj_compact(value: str | None) -> str | None:
	"""The compact CNPJ (numeric or alphanumeric, check digits valid), else None."""
	number = normalize_cnpj(value)
	return number if number and is_valid_cnpj(number) else None


def normalise_name(name: str | None) -> str:
	"""Upper case, accents stripped, punctuation and repeated spaces removed."""
	if not name:
		return ""
	text = unicodedata.normalize("NFKD", name)
	text = "".join(ch for ch in text if not unicodedata.combining(ch))
	text = re.sub(r"[^0-9A-Za-z]+", " ", text)
	return " ".join(text.upper().split())


def _tokens(name: str | None) -> list[str]:
	return [t for t in normalise_name(name).split() if t not in _NAME_PARTICLES]


def _same_token(a: str, b: str) -> bool:
	"""Equal, or one is the initial of the other ("C" ~ "CONCEICAO")."""
	return a == b or (len(a) == 1 and b.startswith(a)) or (len(b) == 1 and a.startswith(b))


def names_compatible(certificate_name: str | None, expected_name: str | None) -> bool:
	"""Normalised names are equal, or one is the other with middle names left out or abbreviated (in order;
	particles ignored): "Maria Silva" ~ "MARIA DA CONCEICAO SILVA" ~ "MARIA C. SILVA"."""
	a, b = _tokens(certificate_name), _tokens(expected_name)
	if not a or not b:
		return False
	short, long = (a, b) if len(a) <= len(b) else (b, a)
	if short[0] != long[0] or not _same_token(short[-1], long[-1]):
		return False
	i = 0
	for token in short:
		while i < len(long) and not _same_token(token, long[i]):
			i += 1
		if i == len(long):
			return False
		i += 1
	return True


def name_difference(certificate_name: str | None, expected_name: str | None) -> str | None:
	"""None when the names are compatible; else a pt-BR sentence saying exactly what differs."""
	if names_compatible(certificate_name, expected_name):
		return None
	if not normalise_name(certificate_name):
		return f'o certificado não traz nome; no cadastro: "{expected_name}"'
	a, b = _tokens(certificate_name), _tokens(expected_name)
	only_cert = [t for t in a if not any(_same_token(t, u) for u in b)]
	only_reg = [t for t in b if not any(_same_token(t, u) for u in a)]
	parts = [f'no certificado "{certificate_name}", no cadastro "{expected_name}"']
	if only_cert:
		parts.append("só no certificado: " + ", ".join(only_cert))
	if only_reg:
		parts.append("só no cadastro: " + ", ".join(only_reg))
	if not only_cert and not only_reg:
		parts.append("os mesmos nomes em outra ordem")
	return "; ".join(parts)


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
		native = core.load(contents).native
	except Exception:
		native = contents
	if isinstance(native, bytes):
		native = native.decode("latin-1")
	return native if isinstance(native, str) else None


def other_names(cert) -> dict[str, str]:
	"""ICP-Brasil SAN otherName values (OID -> text) of an asn1crypto certificate."""
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


def _first(value):
	return value[0] if isinstance(value, list) else value


def identity_from_cert(cert) -> dict:
	"""Name, CPF (and its source), company and CNPJ of the holder of an asn1crypto certificate.

	CPF sources, in order: CN ``NAME:CPF`` (ICP-Brasil e-CPF), otherName 2.16.76.1.3.1 (e-CPF, gov.br),
	2.16.76.1.3.4 (e-CNPJ responsible person), subject serialNumber. Only check-digit-valid CPFs count."""
	subject = cert.subject.native
	cn = str(_first(subject.get("common_name")) or "")
	others = other_names(cert)
	name, cpf, source, company, cnpj = cn, None, None, None, None
	if ":" in cn:
		head, _, tail = cn.rpartition(":")
		if cpf_digits(tail):
			name, cpf, source = head.strip(), cpf_digits(tail), "CN"
		elif cnpj_compact(tail):
			company, cnpj = head.strip(), cnpj_compact(tail)
	if others.get(OID_ICP_PJ_CNPJ) and cnpj_compact(others[OID_ICP_PJ_CNPJ]):
		cnpj = cnpj_compact(others[OID_ICP_PJ_CNPJ])
		company = company or cn.partition(":")[0].strip() or None
	for oid in (OID_ICP_PF_DATA, OID_ICP_PJ_RESPONSIBLE_DATA):
		raw = others.get(oid)
		if cpf is None and raw and len(raw) >= 19 and cpf_digits(raw[8:19]):
			cpf, source = cpf_digits(raw[8:19]), f"otherName {oid}"
	if cpf is None:
		serial = _first(subject.get("serial_number"))
		if serial and cpf_digits(serial):
			cpf, source = cpf_digits(serial), "serialNumber"
	if cnpj and others.get(OID_ICP_PJ_RESPONSIBLE_NAME):
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


def match_signer(identity: dict | None, cpf: str | None, name: str | None = None, cnpj: str | None = None):
	"""Whether the certificate holder is the expected signer: the CPF decides (the name never does; it is
	compared and reported by ``name_difference``). An e-CNPJ must also be the registered company's (when a
	CNPJ is expected). True / False; None when no expected CPF was given (a name alone confirms nobody)."""
	expected_cpf = cpf_digits(cpf) or (_DIGITS.sub("", cpf) if cpf else None)
	if not expected_cpf:
		return None
	if not identity or identity.get("cpf") != expected_cpf:
		return False
	expected_cnpj = normalize_cnpj(cnpj) if cnpj else None
	if identity.get("cnpj") and expected_cnpj and identity["cnpj"] != expected_cnpj:
		return False
	return True


def describe_holder(ident: dict) -> str:
	who = "{} (CPF {})".format(ident.get("name") or "?", format_cpf(ident.get("cpf")) or "não encontrado")
	if ident.get("cnpj"):
		who += " pela empresa {} (CNPJ {})".format(ident.get("company") or "?", format_cnpj(ident["cnpj"]))
	return who


def mismatch_reason(ident: dict, cpf: str | None, cnpj: str | None) -> str:
	"""pt-BR: what differs between the certificate and the registration (CPF first, then the company)."""
	expected_cpf = cpf_digits(cpf) or _DIGITS.sub("", cpf or "")
	if not ident.get("cpf"):
		return (
			"o certificado não traz um CPF legível (nem no CN, nem no otherName 2.16.76.1.3.1/2.16.76.1.3.4, "
			f"nem no serialNumber); o CPF do responsável legal cadastrado é {format_cpf(expected_cpf)}"
		)
	if ident["cpf"] != expected_cpf:
		return (
			"o CPF do certificado é {}, o do responsável legal cadastrado é {}: outra pessoa assinou".format(
				format_cpf(ident["cpf"]), format_cpf(expected_cpf)
			)
		)
	return (
		"o CPF confere, mas o certificado é da empresa de CNPJ {}, e o CNPJ cadastrado é {}: "
		"certificado de outra empresa"
	).format(format_cnpj(ident.get("cnpj")), format_cnpj(normalize_cnpj(cnpj)))


def _why_not_acceptable(s: dict) -> str:
	if s.get("revoked"):
		return "o certificado foi revogado"
	if not (s.get("intact") and s.get("valid")):
		return "a assinatura não está íntegra"
	if not s.get("trusted"):
		return "o certificado não é confiável (ver a cadeia de confiança)"
	if not (s.get("revocation") or {}).get("checked"):
		return "a revogação do certificado não pôde ser verificada"
	return "a assinatura não cobre o documento como exigido ou o carimbo do tempo falhou"


def check_signer(
	statuses: list[dict], cpf: str | None, name: str | None, cnpj: str | None = None
) -> tuple[dict, dict | None, bool]:
	"""The ``signer`` row, the identity to report, and whether a qualifying signature exists.

	The CPF (and, for an e-CNPJ, the company's CNPJ) decides; a name that differs is reported in the detail,
	with exactly what differs, but does not change the outcome."""
	from .model import PASS, WARN, row

	sigs = [s for s in statuses if s.get("kind") == "signature" and "error" not in s]
	if not sigs:
		return row("signer", WARN, "Nenhuma assinatura: signatário não identificado."), None, False
	for s in sigs:
		s["signer_match"] = match_signer(s.get("signer"), cpf, name, cnpj)
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
	who = describe_holder(ident)
	diff = name_difference(ident.get("name"), name) if name else None
	name_txt = f" O nome difere do cadastro ({diff}); o CPF é o que identifica o signatário." if diff else ""
	if qualifying:
		return (
			row("signer", PASS, f"Assinado por {who}, o responsável legal esperado.{name_txt}"),
			signer,
			True,
		)
	if chosen["signer_match"] is None:
		if name and not diff:
			name_txt = (
				" Só o nome confere com o cadastro: o nome confere, mas sozinho não identifica ninguém."
			)
		return (
			row(
				"signer",
				WARN,
				f"Assinado por {who}; CPF do responsável legal não informado no cadastro: identidade não "
				f"confirmada.{name_txt}",
			),
			signer,
			False,
		)
	if chosen["signer_match"]:
		return (
			row(
				"signer",
				WARN,
				f"Assinado por {who}, o responsável legal esperado, mas essa assinatura não pode ser aceita: "
				f"{_why_not_acceptable(chosen)}.{name_txt}",
			),
			signer,
			False,
		)
	return (
		row(
			"signer",
			WARN,
			f"Assinado por {who}, que não é o responsável legal cadastrado: {mismatch_reason(ident, cpf, cnpj)}."
			+ name_txt,
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
