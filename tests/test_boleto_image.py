"""ITF barcode image: decode the rendered bars back to the 44 digits (SVG widths and PNG pixels)."""

import io
import re
from datetime import date
from decimal import Decimal
from itertools import groupby

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from fiber_onboarding.core.boleto import BankAccount, BoletoError, generate
from fiber_onboarding.core.boleto.image import itf_png, itf_svg

# Interleaved 2 of 5: per digit 5 elements, 1 = wide
ITF = {
	"00110": "0",
	"10001": "1",
	"01001": "2",
	"11000": "3",
	"00101": "4",
	"10100": "5",
	"01100": "6",
	"00011": "7",
	"10010": "8",
	"01010": "9",
}

BARCODE = "00192376900000135000000001238798777770016818"


def decode_itf(widths: list[float]) -> str:
	"""Decode alternating bar/space widths (starting with a bar) into digits; raise on any pattern error."""
	narrow = min(widths)
	bits = []
	for w in widths:
		ratio = w / narrow
		if 0.75 <= ratio <= 1.25:
			bits.append("0")
		elif 2.5 <= ratio <= 3.5:
			bits.append("1")
		else:
			raise AssertionError(f"element width ratio {ratio:.2f} is neither narrow nor wide")
	assert bits[:4] == ["0", "0", "0", "0"], "bad start pattern"
	assert bits[-3:] == ["1", "0", "0"], "bad stop pattern"
	body = bits[4:-3]
	assert len(body) % 10 == 0
	digits = []
	for k in range(0, len(body), 10):
		chunk = body[k : k + 10]
		digits.append(ITF["".join(chunk[0::2])])  # bars
		digits.append(ITF["".join(chunk[1::2])])  # spaces
	return "".join(digits)


def svg_elements(svg: str):
	rects = re.findall(r'<rect x="([\d.]+)mm" y="[\d.]+mm" width="([\d.]+)mm" height="([\d.]+)mm"', svg)
	return [(float(x), float(w), float(h)) for x, w, h in rects]


def widths_from_svg(svg: str) -> list[float]:
	bars = svg_elements(svg)
	widths = []
	for (x, w, _h), nxt in zip(bars, [*bars[1:], None], strict=True):
		widths.append(w)
		if nxt is not None:
			widths.append(round(nxt[0] - (x + w), 3))
	return widths


def test_svg_decodes_back_and_has_febraban_dimensions():
	svg = itf_svg(BARCODE)
	assert decode_itf(widths_from_svg(svg)) == BARCODE
	bars = svg_elements(svg)
	start = bars[0][0]
	end = bars[-1][0] + bars[-1][1]
	assert end - start == pytest.approx(103.0, abs=0.01)  # symbol length
	assert all(h == 13.0 for _x, _w, h in bars)
	total = float(re.search(r'<svg[^>]* width="([\d.]+)mm"', svg).group(1))
	assert start >= 5.0 and total - end >= 5.0  # quiet zones
	narrow = min(w for _x, w, _h in bars)
	assert narrow == pytest.approx(103 / 405, abs=0.001)
	assert max(w for _x, w, _h in bars) / narrow == pytest.approx(3.0, abs=0.02)


def png_widths(data: bytes):
	image = Image.open(io.BytesIO(data)).convert("L")
	row = [image.getpixel((x, image.height // 2)) for x in range(image.width)]
	runs = [(k < 128, len(list(g))) for k, g in groupby(row)]
	assert runs[0][0] is False and runs[-1][0] is False  # quiet zones are white
	return image, runs


def test_png_decodes_back_with_whole_pixel_modules():
	data = itf_png(BARCODE)
	assert data[:8] == b"\x89PNG\r\n\x1a\n"
	image, runs = png_widths(data)
	widths = [n for _dark, n in runs[1:-1]]
	assert set(widths) == {3, 9}  # 300 dpi: narrow 0.254 mm, wide 0.762 mm
	assert decode_itf(widths) == BARCODE
	assert runs[0][1] >= 60 and runs[-1][1] >= 60  # ≥ 5 mm at 300 dpi
	assert sum(widths) == 405 * 3
	assert abs(image.height - 153) <= 1  # 13 mm
	assert round(image.info["dpi"][0]) == 300


@settings(max_examples=15, deadline=None)
@given(
	st.integers(min_value=0, max_value=10**10 - 1),
	st.integers(min_value=1, max_value=10**9),
)
def test_generated_boletos_render_to_their_own_digits(seq, cents):
	b = generate(
		BankAccount("001", "1", "1", wallet="17", agreement="1238798"),
		seq,
		date(2026, 5, 1),
		Decimal(cents) / 100,
	)
	assert decode_itf(widths_from_svg(itf_svg(b.barcode))) == b.barcode
	_image, runs = png_widths(itf_png(b.barcode))
	assert decode_itf([n for _d, n in runs[1:-1]]) == b.barcode


@pytest.mark.parametrize("bad", ["123", BARCODE + "0", BARCODE[:-1] + "A", None])
def test_image_rejects_non_barcodes(bad):
	with pytest.raises(BoletoError):
		itf_svg(bad)
	with pytest.raises(BoletoError):
		itf_png(bad)
