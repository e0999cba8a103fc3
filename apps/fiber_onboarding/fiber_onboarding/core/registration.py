"""The portal registration form as plain data: every field validated, messages in pt-BR, field by field.

``validate_form(data)`` returns ``(values, errors)``: ``values`` holds the cleaned fields (CNPJ/CPF/CEP compact,
UF upper-case, e-mails with a lower-case domain, phones as digits), ``errors`` maps a field name to the message to
show next to that field (empty: the form is acceptable). Nothing here knows whether the proposal exists: that is
decided by the Frappe layer, which answers every unusable proposal with one generic message
(``GENERIC_PROPOSAL_MESSAGE``) so that a guessed number reveals nothing.

No frappe import: plain Python, tested in the core tier.
"""

from __future__ import annotations

import re

from fiber_onboarding.core import documents

# field name -> (label shown in the form, required, max length)
FIELDS: dict[str, tuple[str, bool, int]] = {
	"proposal_number": ("Número da proposta", True, 40),
	"company_name": ("Razão social", True, 140),
	"cnpj": ("CNPJ", True, 18),
	"site_identifier": ("Site (identificação)", False, 140),
	"cep": ("CEP", True, 9),
	"address_line1": ("Logradouro", True, 140),
	"address_number": ("Número", True, 20),
	"address_line2": ("Complemento", False, 140),
	"neighborhood": ("Bairro", True, 140),
	"city": ("Cidade", True, 140),
	"state": ("UF", True, 2),
	"legal_name": ("Nome do responsável legal", True, 140),
	"legal_cpf": ("CPF do responsável legal", True, 14),
	"legal_email": ("E-mail do responsável legal", True, 140),
	"legal_phone": ("Telefone do responsável legal", True, 20),
	"tech_name": ("Nome do contato técnico", True, 140),
	"tech_email": ("E-mail do contato técnico", True, 140),
	"tech_phone": ("Telefone do contato técnico", True, 20),
}

GENERIC_PROPOSAL_MESSAGE = (
	"Não foi possível usar esta proposta com os dados informados. Confira o número da proposta e o CNPJ; "
	"se estiverem corretos, fale com o seu consultor comercial."
)

_PROPOSAL = re.compile(r"^[A-Z0-9][A-Z0-9./\-]{0,39}$")
_PHONE_SEPARATORS = re.compile(r"[\s()./\-+]")
# DDDs in use in Brazil (ANATEL): a phone must start with one of them
_DDD = frozenset(
	int(d)
	for d in (
		"11 12 13 14 15 16 17 18 19 21 22 24 27 28 31 32 33 34 35 37 38 41 42 43 44 45 46 47 48 49 51 53 54 55 "
		"61 62 63 64 65 66 67 68 69 71 73 74 75 77 79 81 82 83 84 85 86 87 88 89 91 92 93 94 95 96 97 98 99"
	).split()
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class PhoneError(ValueError):
	pass


def _text(value) -> str:
	"""Trimmed text with inner whitespace collapsed and control characters removed."""
	if value is None:
		return ""
	return " ".join(_CONTROL.sub("", str(value)).split())


def normalize_proposal_number(value) -> str:
	return _text(value).replace(" ", "").upper()


def validate_phone(value) -> str:
	"""A Brazilian phone with DDD as digits (10 digits landline, 11 mobile starting with 9); PhoneError (pt-BR)."""
	digits = _PHONE_SEPARATORS.sub("", _text(value))
	if not digits:
		raise PhoneError("Informe o telefone com DDD.")
	if not digits.isdigit():
		raise PhoneError("O telefone deve conter apenas números, por exemplo (11) 91234-5678.")
	if digits.startswith("55") and len(digits) in (12, 13):
		digits = digits[2:]  # country code typed
	if digits.startswith("0") and len(digits) in (11, 12):
		digits = digits[1:]  # long-distance prefix typed
	if len(digits) not in (10, 11):
		raise PhoneError("Telefone inválido: informe DDD e número, por exemplo (11) 91234-5678.")
	if int(digits[:2]) not in _DDD:
		raise PhoneError(f"Telefone inválido: DDD {digits[:2]} não existe.")
	if len(digits) == 11 and digits[2] != "9":
		raise PhoneError("Celular inválido: depois do DDD, o número deve começar com 9.")
	if len(digits) == 10 and digits[2] in "01":
		raise PhoneError("Telefone fixo inválido: confira o número.")
	return digits


def format_phone(digits: str) -> str:
	if len(digits) == 11:
		return f"({digits[:2]}) {digits[2:7]}-{digits[7:]}"
	if len(digits) == 10:
		return f"({digits[:2]}) {digits[2:6]}-{digits[6:]}"
	return digits


def _document(fn):
	def check(value):
		try:
			return fn(value)
		except documents.DocumentError as e:
			raise ValueError(e.message) from None

	return check


def _phone(value):
	try:
		return format_phone(validate_phone(value))
	except PhoneError as e:
		raise ValueError(str(e)) from None


def _proposal(value):
	number = normalize_proposal_number(value)
	if not _PROPOSAL.match(number):
		raise ValueError("Número de proposta inválido: use apenas letras, números, pontos, barras e hífens.")
	return number


def _uf(value):
	try:
		return documents.validate_uf(value)
	except documents.DocumentError as e:
		raise ValueError(e.message) from None


def _email(value):
	try:
		return documents.validate_email(value).lower()
	except documents.DocumentError as e:
		raise ValueError(e.message) from None


CHECKS = {
	"proposal_number": _proposal,
	"cnpj": _document(documents.validate_cnpj),
	"legal_cpf": _document(documents.validate_cpf),
	"cep": _document(documents.validate_cep),
	"state": _uf,
	"legal_email": _email,
	"tech_email": _email,
	"legal_phone": _phone,
	"tech_phone": _phone,
}


def validate_form(data: dict | None) -> tuple[dict[str, str], dict[str, str]]:
	"""Clean and validate the registration form. Returns ``(values, errors)``; unknown keys are ignored."""
	data = data or {}
	values: dict[str, str] = {}
	errors: dict[str, str] = {}
	for field, (label, required, max_length) in FIELDS.items():
		raw = data.get(field)
		if raw is not None and not isinstance(raw, str | int):
			errors[field] = "Valor inválido."
			continue
		text = _text(raw)
		if not text:
			values[field] = ""
			if required:
				errors[field] = f"Preencha o campo {label}."
			continue
		if "<" in text or ">" in text:
			errors[field] = f"{label}: não use os caracteres < e >."
			continue
		if len(text) > max_length:
			errors[field] = f"{label}: no máximo {max_length} caracteres."
			continue
		check = CHECKS.get(field)
		if check is None:
			values[field] = text
			continue
		try:
			values[field] = check(text)
		except ValueError as e:
			errors[field] = str(e)
	return values, errors


def cnpj_matches(form_cnpj: str, proposal_cnpj: str | None) -> bool:
	"""True when the proposal names no CNPJ or names the one typed (compared in compact form)."""
	if not proposal_cnpj:
		return True
	return documents.normalize_cnpj(proposal_cnpj) == documents.normalize_cnpj(form_cnpj)


def first_and_last_name(full_name: str) -> tuple[str, str]:
	parts = _text(full_name).split(" ", 1)
	return parts[0], (parts[1] if len(parts) > 1 else "")
