"""Barcode image: Interleaved 2 of 5 at FEBRABAN dimensions, rendered with python-barcode.

Geometry: 44 digits in ITF = start (4 narrow) + 22 digit pairs x (4 wide + 6 narrow) + stop (1 wide + 2 narrow)
= 405 narrow modules with a wide:narrow ratio of 3:1. At 103 mm that makes a narrow element of
103 / 405 = 0.2543 mm (the brief's "0.43 mm" would need 174 mm). Height 13 mm, quiet zone 6.35 mm (≥ 5 mm) on
each side, no human-readable text (the linha digitável is printed separately).

- ``itf_svg(barcode44)``: SVG text, sizes in mm (narrow 103/405 mm, symbol exactly 103 mm).
- ``itf_png(barcode44, dpi=300)``: PNG bytes through Pillow; the narrow element is rounded to whole pixels
  (300 dpi: 3 px = 0.254 mm, wide 9 px, symbol 102.87 mm) so no bar is distorted by anti-aliasing.
"""

from __future__ import annotations

import io

import barcode as python_barcode
from barcode.writer import ImageWriter, SVGWriter

from .codes import BoletoError

NARROW = 1
WIDE = 3
MODULES = 405  # for 44 digits
SYMBOL_MM = 103.0
HEIGHT_MM = 13.0
QUIET_MM = 6.35
_MM_PER_INCH = 25.4


class _PixelImageWriter(ImageWriter):
	"""ImageWriter that rounds module edges to whole pixels (the stock one truncates float positions, which
	turns some 3-px elements into 2 or 4 px)."""

	def _paint_module(self, xpos, ypos, width, color):
		scale = self.dpi / _MM_PER_INCH
		x0 = round(xpos * scale)
		x1 = round((xpos + width) * scale) - 1
		self._draw.rectangle(
			[(x0, round(ypos * scale)), (x1, round((ypos + self.module_height) * scale) - 1)],
			outline=color,
			fill=color,
		)


def _check(barcode44: str) -> str:
	if (
		not isinstance(barcode44, str)
		or len(barcode44) != 44
		or not (barcode44.isascii() and barcode44.isdigit())
	):
		raise BoletoError("O código de barras deve ter exatamente 44 dígitos.", "length")
	return barcode44


def _options(module_width: float, quiet: float) -> dict:
	return {
		"module_width": module_width,
		"module_height": HEIGHT_MM,
		"quiet_zone": quiet,
		"margin_top": 0,
		"margin_bottom": 0,
		"write_text": False,
		"text": "",
		"font_size": 0,
	}


def _itf(code: str, writer):
	return python_barcode.get_barcode_class("itf")(code, writer=writer, narrow=NARROW, wide=WIDE)


def itf_svg(barcode44: str) -> str:
	"""SVG (text) of the 44-digit barcode, 103 mm x 13 mm plus quiet zones."""
	code = _check(barcode44)
	writer = SVGWriter()
	writer.with_doctype = False
	out = _itf(code, writer).render(_options(SYMBOL_MM / MODULES, QUIET_MM))
	return out.decode("utf-8")


def itf_png(barcode44: str, dpi: int = 300) -> bytes:
	"""PNG bytes of the 44-digit barcode; narrow element = round(0.2543 mm) in whole pixels at ``dpi``."""
	code = _check(barcode44)
	narrow_px = max(1, round(SYMBOL_MM / MODULES * dpi / _MM_PER_INCH))
	quiet_px = max(1, round(QUIET_MM * dpi / _MM_PER_INCH))
	writer = _PixelImageWriter(format="PNG", mode="L", dpi=dpi)
	image = _itf(code, writer).render(_options(narrow_px * _MM_PER_INCH / dpi, quiet_px * _MM_PER_INCH / dpi))
	buffer = io.BytesIO()
	image.save(buffer, format="PNG", dpi=(dpi, dpi))
	return buffer.getvalue()
