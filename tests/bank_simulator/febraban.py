"""The simulated banks' own code generators, written independently of ``core.boleto`` and ``core.pix``.

A bank computes its barcode from the FEBRABAN rules, not from our library: keeping a second implementation
here makes "the bank's barcode equals ours" a real check of ``core.boleto`` (and the Pix payload a real check
of ``core.pix.validate_emv``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

BASE_DATE = date(1997, 10, 7)


def due_factor(due: date) -> int:
	"""FEBRABAN due-date factor with the 2025-02-22 rollover (1000 … 9999, then 1000 again)."""
	return ((due - BASE_DATE).days - 1000) % 9000 + 1000


def cents(amount) -> int:
	return int((Decimal(str(amount)) * 100).to_integral_value())


def _mod11_general(digits: str) -> int:
	total, weight = 0, 2
	for ch in reversed(digits):
		total += int(ch) * weight
		weight = 2 if weight == 9 else weight + 1
	dv = 11 - total % 11
	return 1 if dv in (0, 10, 11) else dv


def _mod10(digits: str) -> int:
	total = 0
	for i, ch in enumerate(reversed(digits)):
		product = int(ch) * (2 if i % 2 == 0 else 1)
		total += product // 10 + product % 10
	return (10 - total % 10) % 10


def barcode(bank: str, due: date, amount, free_field: str) -> str:
	assert len(free_field) == 25 and free_field.isdigit()
	body = f"{bank}9{due_factor(due):04d}{cents(amount):010d}{free_field}"
	return f"{body[:4]}{_mod11_general(body)}{body[4:]}"


def line(code: str) -> str:
	f1, f2, f3 = code[0:4] + code[19:24], code[24:34], code[34:44]
	return f"{f1}{_mod10(f1)}{f2}{_mod10(f2)}{f3}{_mod10(f3)}{code[4]}{code[5:19]}"


def bb_free_field(numero_titulo_cliente: str, carteira: int) -> str:
	"""BB, 7-digit agreement: six zeros + nosso número (convênio 7 + sequence 10) + carteira (annex IV)."""
	return "000000" + numero_titulo_cliente[-17:] + f"{carteira:02d}"


def inter_free_field(nosso_numero: str) -> str:
	"""Inter: agency 0001 + carteira 112 + nosso número (10) + zeros (the simulator's own layout)."""
	return "0001" + "112" + nosso_numero.zfill(10) + "0" * 8


# -- Pix "copia e cola" (BR Code, dynamic charge with due date) -----------------------------------------------


def _tlv(tag: str, value: str) -> str:
	return f"{tag}{len(value):02d}{value}"


def _crc16(data: bytes) -> int:
	crc = 0xFFFF
	for byte in data:
		crc ^= byte << 8
		for _ in range(8):
			crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
			crc &= 0xFFFF
	return crc


def pix_payload(location: str, merchant: str, city: str, gui: str = "br.gov.bcb.pix") -> str:
	"""A dynamic BR Code pointing at ``location`` (no scheme), txid field ``***`` as banks print it."""
	account = _tlv("00", gui) + _tlv("25", location)
	body = (
		_tlv("00", "01")
		+ _tlv("01", "12")
		+ _tlv("26", account)
		+ _tlv("52", "0000")
		+ _tlv("53", "986")
		+ _tlv("58", "BR")
		+ _tlv("59", merchant[:25])
		+ _tlv("60", city[:15])
		+ _tlv("62", _tlv("05", "***"))
		+ "6304"
	)
	return body + f"{_crc16(body.encode()):04X}"
