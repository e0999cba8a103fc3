"""Brazilian identity and address numbers: CNPJ (numeric and the alphanumeric CNPJ issued from July 2026),
CPF, CEP and the list of UFs.

Check digits come from python-stdnum (``stdnum.br.cnpj``/``stdnum.br.cpf``), never hand-written here. Values are
stored compact (CNPJ: 14 upper-case characters; CPF: 11 digits; CEP: 8 digits) and shown with their masks.
Messages are for end users, written in pt-BR.
"""

from __future__ import annotations

import re

from stdnum.br import cnpj as _cnpj
from stdnum.br import cpf as _cpf
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError

UF_NAMES: dict[str, str] = {
	"AC": "Acre",
	"AL": "Alagoas",
	"AP": "Amapá",
	"AM": "Amazonas",
	"BA": "Bahia",
	"CE": "Ceará",
	"DF": "Distrito Federal",
	"ES": "Espírito Santo",
	"GO": "Goiás",
	"MA": "Maranhão",
	"MT": "Mato Grosso",
	"MS": "Mato Grosso do Sul",
	"MG": "Minas Gerais",
	"PA": "Pará",
	"PB": "Paraíba",
	"PR": "Paraná",
	"PE": "Pernambuco",
	"PI": "Piauí",
	"RJ": "Rio de Janeiro",
	"RN": "Rio Grande do Norte",
	"RS": "Rio Grande do Sul",
	"RO": "Rondônia",
	"RR": "Roraima",
	"SC": "Santa Catarina",
	"SP": "São Paulo",
	"SE": "Sergipe",
	"TO": "Tocantins",
}
UFS: tuple[str, ...] = tuple(sorted(UF_NAMES))

# characters a user may type around the number: dots, slashes, dashes, spaces
_SEPARATORS = re.compile(r"[\s./\-]")


class DocumentError(ValueError):
	"""An invalid CNPJ, CPF, CEP or UF. ``code`` is stable for programs, the message is pt-BR for people."""

	def __init__(self, code: str, message: str):
		super().__init__(message)
		self.code = code
		self.message = message


def _strip(value: str | None) -> str:
	return _SEPARATORS.sub("", str(value or "")).upper()


# ---------------------------------------------------------------------------------------------------------------
# CNPJ
# ---------------------------------------------------------------------------------------------------------------
def normalize_cnpj(value: str | None) -> str:
	"""The compact form: separators removed, letters upper-cased (no validation)."""
	return _strip(value)


def validate_cnpj(value: str | None) -> str:
	"""The compact CNPJ (14 upper-case characters) or DocumentError with a pt-BR message."""
	number = normalize_cnpj(value)
	if not number:
		raise DocumentError("cnpj_empty", "Informe o CNPJ.")
	if not re.fullmatch(r"[0-9A-Z]{12}[0-9]{2}", number):
		if len(number) != 14:
			raise DocumentError("cnpj_length", "O CNPJ deve ter 14 caracteres.")
		raise DocumentError(
			"cnpj_format",
			"O CNPJ só pode conter letras e números, e os dois últimos caracteres devem ser dígitos.",
		)
	if len(set(number)) == 1:
		raise DocumentError("cnpj_repeated", "CNPJ inválido: todos os caracteres são iguais.")
	try:
		_cnpj.validate(number)
	except InvalidChecksum:
		raise DocumentError(
			"cnpj_checksum", "CNPJ inválido: os dígitos verificadores não conferem."
		) from None
	except (InvalidFormat, InvalidLength, ValidationError):
		raise DocumentError("cnpj_format", "CNPJ inválido.") from None
	return number


def is_valid_cnpj(value: str | None) -> bool:
	try:
		validate_cnpj(value)
	except DocumentError:
		return False
	return True


def format_cnpj(value: str | None) -> str:
	"""``12.ABC.345/01DE-35``; the input unchanged when it is not 14 characters long."""
	number = normalize_cnpj(value)
	if len(number) != 14:
		return str(value or "")
	return f"{number[:2]}.{number[2:5]}.{number[5:8]}/{number[8:12]}-{number[12:]}"


# ---------------------------------------------------------------------------------------------------------------
# CPF
# ---------------------------------------------------------------------------------------------------------------
def normalize_cpf(value: str | None) -> str:
	return _strip(value)


def validate_cpf(value: str | None) -> str:
	"""The compact CPF (11 digits) or DocumentError with a pt-BR message."""
	number = normalize_cpf(value)
	if not number:
		raise DocumentError("cpf_empty", "Informe o CPF.")
	if not number.isdigit():
		raise DocumentError("cpf_format", "O CPF deve conter apenas números.")
	if len(number) != 11:
		raise DocumentError("cpf_length", "O CPF deve ter 11 dígitos.")
	if len(set(number)) == 1:
		raise DocumentError("cpf_repeated", "CPF inválido: todos os dígitos são iguais.")
	try:
		_cpf.validate(number)
	except InvalidChecksum:
		raise DocumentError("cpf_checksum", "CPF inválido: os dígitos verificadores não conferem.") from None
	except (InvalidFormat, InvalidLength, ValidationError):
		raise DocumentError("cpf_format", "CPF inválido.") from None
	return number


def is_valid_cpf(value: str | None) -> bool:
	try:
		validate_cpf(value)
	except DocumentError:
		return False
	return True


def format_cpf(value: str | None) -> str:
	"""``123.456.789-09``; the input unchanged when it is not 11 characters long."""
	number = normalize_cpf(value)
	if len(number) != 11:
		return str(value or "")
	return f"{number[:3]}.{number[3:6]}.{number[6:9]}-{number[9:]}"


# ---------------------------------------------------------------------------------------------------------------
# CEP and UF
# ---------------------------------------------------------------------------------------------------------------
def normalize_cep(value: str | None) -> str:
	return _strip(value)


def validate_cep(value: str | None) -> str:
	"""The CEP as 8 digits or DocumentError. Only the format is checked (no address lookup)."""
	number = normalize_cep(value)
	if not number:
		raise DocumentError("cep_empty", "Informe o CEP.")
	if not re.fullmatch(r"[0-9]{8}", number):
		raise DocumentError("cep_format", "CEP inválido: informe 8 dígitos, por exemplo 01310-100.")
	if number == "00000000":
		raise DocumentError("cep_format", "CEP inválido: informe 8 dígitos, por exemplo 01310-100.")
	return number


def format_cep(value: str | None) -> str:
	number = normalize_cep(value)
	if len(number) != 8:
		return str(value or "")
	return f"{number[:5]}-{number[5:]}"


def validate_uf(value: str | None) -> str:
	uf = str(value or "").strip().upper()
	if uf not in UF_NAMES:
		raise DocumentError("uf_invalid", "UF inválida: informe a sigla do estado, por exemplo SP.")
	return uf


# ---------------------------------------------------------------------------------------------------------------
# E-mail (format only; delivery is proven by the e-mails the process sends)
# ---------------------------------------------------------------------------------------------------------------
_EMAIL = re.compile(
	r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)


def validate_email(value: str | None) -> str:
	"""The address trimmed and with a lower-case domain, or DocumentError."""
	email = str(value or "").strip()
	if not email:
		raise DocumentError("email_empty", "Informe o e-mail.")
	if len(email) > 254 or ".." in email or not _EMAIL.match(email):
		raise DocumentError("email_format", f"E-mail inválido: {email}.")
	local, domain = email.rsplit("@", 1)
	return f"{local}@{domain.lower()}"
