"""Pix BR Code: TLV parsing, mandatory fields, CRC16-CCITT-FALSE, QR rendering (no payload building in the app)."""

import re
from decimal import Decimal

import pytest

from fiber_onboarding.core import pix
from fiber_onboarding.core.pix import (
	PixError,
	crc16_ccitt_false,
	parse_emv,
	qr_png,
	qr_svg,
	validate_emv,
)

# Example from the BCB "Manual de Padrões para Iniciação do Pix" (static, key), CRC published as 1D3D
BCB_STATIC = (
	"00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-426655440000"
	"5204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D"
)


def tlv(tag: str, value: str) -> str:
	return f"{tag}{len(value):02d}{value}"


def with_crc(body: str) -> str:
	body += "6304"
	return body + f"{crc16_ccitt_false(body.encode()):04X}"


def dynamic(
	url="qrcodepix.bb.com.br/pix/v2/cobv/9d36b84fc70b478fb95c12729b90ca25",
	amount="1500.00",
	**over,
):
	fields = {
		"00": "01",
		"01": "12",
		"26": tlv("00", "br.gov.bcb.pix") + tlv("25", url),
		"52": "0000",
		"53": "986",
		"54": amount,
		"58": "BR",
		"59": "FIBRA RAPIDA SA",
		"60": "SAO PAULO",
		"62": tlv("05", "***"),
	}
	fields.update(over)
	return with_crc("".join(tlv(k, v) for k, v in fields.items() if v is not None))


def test_crc_reference_value():
	assert crc16_ccitt_false(b"123456789") == 0x29B1


def test_bcb_static_example_validates():
	data = validate_emv(BCB_STATIC)
	assert data["key"] == "123e4567-e12b-12d1-a456-426655440000"
	assert data["crc"] == "1D3D"
	assert data["amount"] is None
	assert data["dynamic"] is False
	assert data["merchant_city"] == "BRASILIA"


def test_dynamic_charge_with_url():
	payload = dynamic()
	data = validate_emv(payload)
	assert data["dynamic"] is True
	assert data["url"].startswith("qrcodepix.bb.com.br/")
	assert data["amount"] == Decimal("1500.00")
	assert data["txid"] == "***"
	assert validate_emv("  " + payload + "\n")["payload"] == payload


def test_parse_emv_nested_structure():
	objects = dict(parse_emv(BCB_STATIC))
	assert objects["00"] == "01"
	assert dict(objects["26"])["00"] == "br.gov.bcb.pix"
	assert dict(objects["62"])["05"] == "***"


@pytest.mark.parametrize(
	"payload,fragment",
	[
		(BCB_STATIC[:-4] + "1D3E", "CRC"),
		(BCB_STATIC[:-4] + "1d3d", "CRC"),
		(BCB_STATIC.replace("Fulano", "Fulana"), "CRC"),
		(BCB_STATIC[:-10], "truncado"),
		("", "vazio"),
		(dynamic(**{"53": "840"}), "986"),
		(dynamic(**{"58": "US"}), "BR"),
		(dynamic(**{"52": None}), "52"),
		(dynamic(**{"59": None}), "59"),
		(dynamic(**{"62": None}), "62"),
		(dynamic(**{"62": tlv("01", "x")}), "transação"),
		(dynamic(**{"26": tlv("00", "br.gov.bcb.xxx") + tlv("01", "a@b.c")}), "GUI"),
		(dynamic(**{"26": tlv("00", "br.gov.bcb.pix")}), "chave"),
		(dynamic(url="https://qrcodepix.bb.com.br/x"), "URL"),
		(dynamic(amount="15,00"), "54"),
		(dynamic(amount="1.234"), "54"),
		(dynamic(amount="0.00"), "54"),
		(dynamic(**{"01": "13"}), "01"),
		(dynamic(**{"00": "02"}), "00"),
		("0002016304ABCD" + "0002", "truncado"),
		(with_crc(tlv("00", "01") + "26xx"), "Identificador"),
	],
)
def test_invalid_payloads(payload, fragment):
	with pytest.raises(PixError) as exc:
		validate_emv(payload)
	assert fragment in str(exc.value)


def test_crc_must_be_last_and_unique_tags():
	body = BCB_STATIC[:-8]
	moved = with_crc(body)[:-8] + "6304ABCD" + tlv("99", "x")
	with pytest.raises(PixError):
		validate_emv(moved)
	with pytest.raises(PixError) as exc:
		validate_emv(with_crc(body + tlv("58", "BR")))
	assert "repetido" in str(exc.value)


def test_qr_svg_and_png():
	svg = qr_svg(dynamic())
	assert svg.startswith("<svg") and "pyqrline" in svg
	assert re.search(r'width="(\d+)"', svg)
	png = qr_png(dynamic())
	assert png[:8] == b"\x89PNG\r\n\x1a\n"
	with pytest.raises(PixError):
		qr_svg(BCB_STATIC[:-4] + "0000")


def svg_dark_modules(svg: str) -> set[tuple[int, int]]:
	"""Read the dark modules back from PyQRCode's SVG path (M x y, h run, m dx dy)."""
	path = re.search(r' d="([^"]+)"', svg).group(1)
	dark = set()
	x = y = 0.0
	for cmd, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path):
		if cmd == "M":
			x, y = float(a), float(b)
		elif cmd == "m":
			x, y = x + float(a), y + float(b)
		else:
			for k in range(int(a)):
				dark.add((int(x) + k, int(y)))
			x += int(a)
	return dark


def test_qr_encodes_the_exact_payload():
	import pyqrcode

	payload = dynamic()
	code = pyqrcode.create(payload, error="M", mode="binary", encoding="utf-8").code
	expected = {(c + 4, r + 4) for r, row in enumerate(code) for c, v in enumerate(row) if v == 1}
	assert svg_dark_modules(qr_svg(payload)) == expected
	other = pyqrcode.create(dynamic(amount="1500.01"), error="M", mode="binary", encoding="utf-8").code
	assert {(c + 4, r + 4) for r, row in enumerate(other) for c, v in enumerate(row) if v == 1} != expected


def test_no_payload_builder_exists():
	"""A Pix payload is only ever received from the bank: the module offers no builder from a key."""
	public = [n for n in dir(pix) if not n.startswith("_")]
	assert not [n for n in public if re.search(r"build|make|create|generate|from_key|payload_for", n, re.I)]
