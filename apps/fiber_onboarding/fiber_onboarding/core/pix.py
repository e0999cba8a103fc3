"""Pix "BR Code" (EMV QRCPS-MPM) payloads issued by the bank for a hybrid boleto: parse, validate, render.

The payload (the "Pix copia e cola") always comes from the bank (registration API or return file). This module
never builds a payload from a Pix key: a static key QR on a boleto is refused by paying apps.

Structure: a sequence of TLV objects ``ID(2 digits) LEN(2 digits) VALUE``; the templates 26-51 (merchant account
information), 62 (additional data) and 80-99 contain nested TLVs. Validation (BR Code manual, BCB):

- 00 = "01" and first; 01 (optional) = "11" static / "12" dynamic;
- a 26-51 template with GUI (sub-tag 00) ``br.gov.bcb.pix`` and either a key (01) or, for dynamic charges, a
  location URL (25) without scheme;
- 52 = 4 digits (MCC), 53 = "986" (BRL), 54 optional amount (up to 13 characters, ``123.45``), 58 = "BR",
  59 merchant name (1-25), 60 merchant city (1-15), 61 optional postal code, 62 with txid (05);
- 63 last, 4 upper-case hex digits: CRC16-CCITT-FALSE (poly 0x1021, init 0xFFFF) over the whole payload up to and
  including "6304".
"""

from __future__ import annotations

import io
from decimal import Decimal

PIX_GUI = "br.gov.bcb.pix"
_TEMPLATES = frozenset([f"{n:02d}" for n in range(26, 52)] + ["62"] + [f"{n:02d}" for n in range(80, 100)])
_MAX_PAYLOAD = 512


class PixError(ValueError):
	"""Invalid Pix payload; ``str(error)`` is a pt-BR message."""

	def __init__(self, message: str, code: str = "invalid"):
		super().__init__(message)
		self.message = message
		self.code = code


def _crc_table() -> tuple[int, ...]:
	table = []
	for byte in range(256):
		crc = byte << 8
		for _ in range(8):
			crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
		table.append(crc & 0xFFFF)
	return tuple(table)


_CRC_TABLE = _crc_table()


def crc16_ccitt_false(data: bytes) -> int:
	crc = 0xFFFF
	table = _CRC_TABLE
	for byte in data:
		crc = ((crc << 8) & 0xFFFF) ^ table[((crc >> 8) ^ byte) & 0xFF]
	return crc


def parse_tlv(text: str, where: str = "") -> list[tuple[str, str]]:
	"""Split ``text`` into (id, value) pairs; raises PixError on a truncated or malformed object."""
	items = []
	pos = 0
	n = len(text)
	while pos < n:
		if pos + 4 > n:
			raise PixError(f"Payload Pix truncado{where} na posição {pos + 1}.", "truncated")
		tag, length = text[pos : pos + 2], text[pos + 2 : pos + 4]
		if not (tag.isascii() and tag.isdigit() and length.isascii() and length.isdigit()):
			raise PixError(
				f"Identificador/tamanho inválido{where} na posição {pos + 1}: {text[pos : pos + 4]!r}.",
				"tlv",
			)
		size = int(length)
		end = pos + 4 + size
		if size == 0 or end > n:
			raise PixError(f"Campo {tag}{where} com tamanho {size} inválido ou truncado.", "truncated")
		items.append((tag, text[pos + 4 : end]))
		pos = end
	return items


def parse_emv(payload: str) -> list[tuple[str, object]]:
	"""Parse the TLV structure (templates expanded into nested lists). Checks structure only, not content."""
	if not isinstance(payload, str):
		raise PixError("Payload Pix deve ser texto.", "type")
	payload = payload.strip()
	if not payload:
		raise PixError("Payload Pix vazio.", "empty")
	if len(payload) > _MAX_PAYLOAD:
		raise PixError(f"Payload Pix longo demais ({len(payload)} caracteres).", "length")
	if not payload.isprintable():
		raise PixError("Payload Pix contém caracteres de controle.", "charset")
	result: list[tuple[str, object]] = []
	for tag, value in parse_tlv(payload):
		if tag in _TEMPLATES:
			result.append((tag, parse_tlv(value, f" (dentro do campo {tag})")))
		else:
			result.append((tag, value))
	return result


def _amount(text: str) -> Decimal:
	int_part, dot, frac = text.partition(".")
	if (
		len(text) > 13
		or not int_part
		or not (int_part.isascii() and int_part.isdigit())
		or (dot and not (1 <= len(frac) <= 2 and frac.isascii() and frac.isdigit()))
	):
		raise PixError(f"Valor {text!r} inválido no campo 54.", "amount")
	value = Decimal(text).quantize(Decimal("0.01"))
	if value <= 0:
		raise PixError("Valor do campo 54 deve ser maior que zero.", "amount")
	return value


def validate_emv(payload: str) -> dict:
	"""Validate a bank-issued Pix payload; return its fields or raise :class:`PixError` (pt-BR message).

	Returned keys: ``payload``, ``payload_format``, ``initiation_method`` ("11"/"12"/""), ``dynamic`` (bool),
	``gui``, ``key``, ``url``, ``mcc``, ``currency``, ``amount`` (Decimal or None), ``country``,
	``merchant_name``, ``merchant_city``, ``postal_code``, ``txid``, ``crc``.
	"""
	objects = parse_emv(payload)
	payload = payload.strip()
	tags = [t for t, _ in objects]
	seen = set()
	for tag in tags:
		if tag in seen:
			raise PixError(f"Campo {tag} repetido no payload Pix.", "duplicate")
		seen.add(tag)
	fields = dict(objects)
	if tags[0] != "00" or fields["00"] != "01":
		raise PixError("Payload Pix deve começar com o campo 00 = 01.", "format")
	if tags[-1] != "63":
		raise PixError("O CRC (campo 63) deve ser o último campo do payload Pix.", "crc")
	crc = fields["63"]
	if len(crc) != 4 or any(c not in "0123456789ABCDEF" for c in crc):
		raise PixError(f"CRC {crc!r} inválido: deve ter 4 dígitos hexadecimais maiúsculos.", "crc")
	expected = "{:04X}".format(crc16_ccitt_false(payload[:-4].encode("utf-8")))
	if crc != expected:
		raise PixError(f"CRC do payload Pix não confere (informado {crc}, calculado {expected}).", "crc")
	for tag in ("52", "53", "58", "59", "60", "62"):
		if tag not in fields:
			raise PixError(f"Campo obrigatório {tag} ausente no payload Pix.", "missing")
	method = fields.get("01", "")
	if method not in ("", "11", "12"):
		raise PixError(f"Método de iniciação (campo 01) {method!r} inválido.", "format")
	account = None
	for tag, value in objects:
		if "26" <= tag <= "51" and isinstance(value, list):
			sub = dict(value)
			if sub.get("00", "").lower() == PIX_GUI:
				account = sub
				break
	if account is None:
		raise PixError("Payload sem conta Pix (campo 26 com GUI br.gov.bcb.pix).", "gui")
	key, url = account.get("01", ""), account.get("25", "")
	if not key and not url:
		raise PixError("Conta Pix sem chave (01) nem URL de cobrança (25).", "gui")
	if url and (url.lower().startswith(("http://", "https://")) or "." not in url.split("/")[0]):
		raise PixError(f"URL de cobrança Pix {url!r} inválida (sem esquema, com domínio).", "url")
	mcc = fields["52"]
	if len(mcc) != 4 or not mcc.isdigit():
		raise PixError(f"Código de categoria (campo 52) {mcc!r} inválido.", "mcc")
	if fields["53"] != "986":
		raise PixError(
			"Moeda (campo 53) deve ser 986 (real), recebido {!r}.".format(fields["53"]), "currency"
		)
	amount = _amount(fields["54"]) if "54" in fields else None
	if fields["58"] != "BR":
		raise PixError("País (campo 58) deve ser BR.", "country")
	if len(fields["59"]) > 25:
		raise PixError("Nome do recebedor (campo 59) com mais de 25 caracteres.", "name")
	if len(fields["60"]) > 15:
		raise PixError("Cidade do recebedor (campo 60) com mais de 15 caracteres.", "city")
	additional = fields["62"]
	txid = dict(additional).get("05", "") if isinstance(additional, list) else ""
	if not txid:
		raise PixError("Identificador da transação (campo 62, subcampo 05) ausente.", "txid")
	if len(txid) > 25 or not (txid == "***" or (txid.isascii() and txid.isalnum())):
		raise PixError(f"Identificador da transação {txid!r} inválido.", "txid")
	return {
		"payload": payload,
		"payload_format": fields["00"],
		"initiation_method": method,
		"dynamic": bool(url) or method == "12",
		"gui": account["00"],
		"key": key,
		"url": url,
		"mcc": mcc,
		"currency": fields["53"],
		"amount": amount,
		"country": fields["58"],
		"merchant_name": fields["59"],
		"merchant_city": fields["60"],
		"postal_code": fields.get("61", ""),
		"txid": txid,
		"crc": crc,
	}


def qr_svg(payload: str, scale: int = 4) -> str:
	"""SVG QR code (PyQRCode, error correction M) of a *validated* bank payload."""
	import pyqrcode

	data = validate_emv(payload)["payload"]
	qr = pyqrcode.create(data, error="M", mode="binary", encoding="utf-8")
	buffer = io.BytesIO()
	qr.svg(buffer, scale=scale, xmldecl=False, svgns=True, title="Pix", quiet_zone=4)
	return buffer.getvalue().decode("utf-8")


def qr_png(payload: str, scale: int = 6) -> bytes:
	"""PNG QR code (PyQRCode + pypng) of a *validated* bank payload."""
	import pyqrcode

	data = validate_emv(payload)["payload"]
	qr = pyqrcode.create(data, error="M", mode="binary", encoding="utf-8")
	buffer = io.BytesIO()
	qr.png(buffer, scale=scale, quiet_zone=4)
	return buffer.getvalue()
