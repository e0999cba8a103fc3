"""Linear-time token readers for pypdf 3.17 and pyHanko, installed by ``_patches.bounded_parsing``.

Both libraries read strings one byte per Python call (pyHanko ~5 µs and pypdf ~100 bytes of memory per byte of
a hex string); pypdf re-scans a whole name or number for every 16 bytes it reads (quadratic), and both loop
forever on a comment that runs into the end of the data. So a 9 MB token in a 10 MB upload, or a pointer to the
final ``%%EOF``, would let the time or memory limits, not the file, decide. These replacements find the end
of the token with regular expressions on the in-memory buffer and decode it in C, with the libraries' own
results for well-formed input and their error types for malformed input (pypdf pairs hex digits with
``int(pair, 16)``, pyHanko refuses any stray byte).
"""

from __future__ import annotations

import binascii
import functools
import re

_LITERAL_RUN = re.compile(rb"(?:[^()\\]++|\\.)*+", re.S)  # everything up to the next unescaped parenthesis
_PYPDF_WS = b" \n\r\t\x00"
_PYHANKO_WS = b" \n\r\t\f\x00"
_HEX = b"0123456789abcdefABCDEF"
_GT = re.compile(rb">")
_PYHANKO_HEX_BODY = re.compile(rb"(?:[0-9A-Fa-f \n\r\t\f\x00]++|%[^\r\n]*+)*+")
_COMMENT = re.compile(rb"%[^\r\n]*")
_PYPDF_ESCAPE = re.compile(rb"\\([0-7]{1,3}|[\n\r][\n\r]?|.)", re.S)
_PYHANKO_ESCAPE = re.compile(rb"\\([0-9]{1,3}|[\n\r][\n\r]?|.)", re.S)
_PYPDF_SIMPLE = {
	b"n": b"\n",
	b"r": b"\r",
	b"t": b"\t",
	b"b": b"\b",
	b"f": b"\f",
	b"c": rb"\c",
}
_PYHANKO_SIMPLE = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
_EOL = re.compile(rb"[\r\n]")
_PYHANKO_DELIMITER = re.compile(b"[" + re.escape(b" \n\r\t\f\x00()<>[]{}/%") + b"]")
_PYHANKO_NAME_ESCAPE = re.compile(rb"(#..)", re.S)
_PYHANKO_NAME_BYTES = bytes(c for c in range(0x21, 0x7F) if c not in b"()<>[]{}/%#")


def _literal_body(stream, error) -> tuple[bytes, bool]:
	"""The raw bytes between ``(`` at the stream position and its matching ``)`` (the stream is left after it),
	and whether they hold escapes. Raises ``error`` when the stream ends first."""
	start = stream.tell()
	with stream.getbuffer() as view:
		size, depth, pos = len(view), 1, start + 1
		while True:
			pos = _LITERAL_RUN.match(view, pos).end()
			if pos >= size or view[pos] == 0x5C:  # the end, or a backslash as the very last byte
				stream.seek(size)
				raise error("Stream has ended unexpectedly")
			depth += 1 if view[pos] == 0x28 else -1
			pos += 1
			if depth == 0:
				break
		raw = bytes(view[start + 1 : pos - 1])
	stream.seek(pos)
	return raw, b"\\" in raw


def _pypdf_escape(match) -> bytes:
	token = match.group(1)
	if token in _PYPDF_SIMPLE:
		return _PYPDF_SIMPLE[token]
	if token[0] in b"01234567":
		value = int(token, 8)
		return bytes((value,)) if value < 256 else chr(value).encode("utf-8")  # as pypdf's b_(chr(...))
	if token[:1] in b"\n\r":
		return b""
	return token  # a known escape ("(", ")", "\\"...) or an unknown one, kept without the backslash


def _pyhanko_escape(match) -> bytes:
	from pyhanko.pdf_utils.misc import PdfReadError

	token = match.group(1)
	if token in b"() /%<>[]#_&$\\":
		return token
	if token in _PYHANKO_SIMPLE:
		return _PYHANKO_SIMPLE[token]
	if token[:1].isdigit():
		return bytes((int(token, 8),))  # ValueError on 8/9, as pyHanko; "high-order overflow" is an error too
	if token[:1] in b"\n\r":
		return b""
	raise PdfReadError("Unexpected escaped string: " + repr(token))


def pypdf_read_string(stream, forced_encoding=None):
	from pypdf.errors import PdfStreamError
	from pypdf.generic._utils import create_string_object

	raw, escaped = _literal_body(stream, PdfStreamError)
	if escaped:
		raw = _PYPDF_ESCAPE.sub(_pypdf_escape, raw)
	return create_string_object(raw, forced_encoding)


def pypdf_read_hex_string(stream, forced_encoding=None):
	from pypdf.errors import STREAM_TRUNCATED_PREMATURELY, PdfStreamError
	from pypdf.generic._utils import create_string_object

	start = stream.tell()
	with stream.getbuffer() as view:
		end = _GT.search(view, start + 1)
		if end is None:
			stream.seek(len(view))
			raise PdfStreamError(STREAM_TRUNCATED_PREMATURELY)
		digits = bytes(view[start + 1 : end.start()]).translate(None, _PYPDF_WS)
	stream.seek(end.end())
	if len(digits) % 2:
		digits += b"0"
	if not digits.translate(None, _HEX):
		data = bytes.fromhex(digits.decode("ascii"))
	else:  # pypdf's own pairing: int() accepts a sign or surrounding blanks, anything else is a ValueError
		data = bytes(int(digits[i : i + 2], 16) for i in range(0, len(digits), 2))
	return create_string_object(data, forced_encoding)


def pypdf_decode_pdfdocencoding(byte_array: bytes) -> str:
	defined, table = _pdfdoc()
	data = bytes(byte_array)
	undefined = data.translate(None, defined)
	if undefined:
		raise UnicodeDecodeError(
			"pdfdocencoding", bytearray(undefined[0]), -1, -1, "does not exist in translation table"
		)
	return data.decode("latin-1").translate(table)


@functools.cache
def _pdfdoc() -> tuple[bytes, dict]:
	from pypdf._codecs import _pdfdoc_encoding

	defined = bytes(i for i, c in enumerate(_pdfdoc_encoding) if c != "\u0000")
	return defined, dict(enumerate(_pdfdoc_encoding))


def pyhanko_string_literal_bytes(stream) -> bytes:
	from pyhanko.pdf_utils.misc import PdfStreamError

	raw, escaped = _literal_body(stream, PdfStreamError)
	return _PYHANKO_ESCAPE.sub(_pyhanko_escape, raw) if escaped else raw


def pyhanko_read_hex_string(stream):
	from pyhanko.pdf_utils.generic import pdf_string
	from pyhanko.pdf_utils.misc import PdfStreamError

	start = stream.tell()
	with stream.getbuffer() as view:
		end = _PYHANKO_HEX_BODY.match(view, start + 1).end()
		if end >= len(view) or view[end] != 0x3E:
			stream.seek(min(end + 1, len(view)))
			raise PdfStreamError("Unexpected token in hex string")
		body = bytes(view[start + 1 : end])
	stream.seek(end + 1)
	if b"%" in body:
		body = _COMMENT.sub(b"", body)
	digits = body.translate(None, _PYHANKO_WS)
	return pdf_string(binascii.unhexlify(digits + (b"0" if len(digits) % 2 else b"")))


def pypdf_read_until_regex(stream, regex) -> bytes:
	"""pypdf's ``read_until_regex`` (the bytes before the first match, the stream left at it; everything up to
	the end when there is none) with one search over the buffer instead of one per 16 bytes read."""
	start = stream.tell()
	with stream.getbuffer() as view:
		match = regex.search(view, start)
		end = match.start() if match else max(len(view), start)
		token = bytes(view[start:end])
	stream.seek(end)
	return token


def pypdf_skip_over_comment(stream) -> None:
	"""pypdf's ``skip_over_comment`` (a comment ends after its first CR or LF), ending at the end of the data
	too: pypdf 3.17 loops forever there (e.g. an xref entry pointing at the final ``%%EOF``)."""
	start = stream.tell()
	with stream.getbuffer() as view:
		first = bytes(view[start : start + 1])
		eol = _EOL.search(view, start) if first == b"%" else None
		end = eol.end() if eol else len(view)
	if first == b"%":
		stream.seek(end)
	elif not first:
		stream.seek(-1, 1)  # as pypdf: it reads one byte (none at the end) and steps back one


def pyhanko_comment_before_object(stream) -> bool:
	"""Whether pyHanko's ``read_object`` is about to skip a comment; raises ``PdfStreamError`` when that comment
	runs into the end of the data (pyHanko loops forever there), else leaves the stream after its end of line."""
	from pyhanko.pdf_utils.misc import PdfStreamError

	start = stream.tell()
	with stream.getbuffer() as view:
		if view[start : start + 1] != b"%":
			return False
		eol = _EOL.search(view, start)
		if eol is None:
			stream.seek(len(view))
			raise PdfStreamError("Stream has ended unexpectedly")
	stream.seek(eol.end())
	return True


def pyhanko_read_until_regex(stream, regex, ignore_eof: bool = False) -> bytes:
	"""pyHanko's ``read_until_regex`` (it only ever matches a character class: numbers) without its quadratic
	``bytes +=`` accumulation."""
	from pyhanko.pdf_utils.misc import PdfStreamError

	token = pypdf_read_until_regex(stream, regex)
	with stream.getbuffer() as view:
		at_end = stream.tell() >= len(view)
	if at_end and not ignore_eof:
		raise PdfStreamError("Stream has ended unexpectedly")
	return token


def pyhanko_read_until_delimiter(stream) -> bytes:
	"""pyHanko's ``read_until_delimiter``: the bytes up to the next blank or delimiter, the stream left on it."""
	return pypdf_read_until_regex(stream, _PYHANKO_DELIMITER)


def pyhanko_decode_name(name_bytes: bytes):
	"""pyHanko's ``_decode_name`` (``#XX`` escapes; any other byte must be a regular printable character; UTF-8,
	else Latin-1) with C-level splitting instead of a Python call per byte."""
	from pyhanko.pdf_utils.generic import NameObject
	from pyhanko.pdf_utils.misc import PdfReadError

	out = [b"/"]
	for i, piece in enumerate(_PYHANKO_NAME_ESCAPE.split(bytes(name_bytes))):
		if i % 2:  # an escape "#XY"
			if piece[1:].translate(None, b"0123456789ABCDEFabcdef"):
				raise PdfReadError("Numeric escape in PDF name must use hexadecimal digits")
			out.append(bytes((int(piece[1:], 16),)))
		elif piece.translate(None, _PYHANKO_NAME_BYTES):
			raise PdfReadError("Byte must be escaped in a PDF name (or unterminated escape)")
		else:
			out.append(piece)
	data = b"".join(out)
	try:
		return NameObject(data.decode("utf8"))
	except ValueError:
		return NameObject(data.decode("latin1"))
