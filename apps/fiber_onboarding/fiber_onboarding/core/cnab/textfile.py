"""A bank file as lines: encoding, line ends and line length, tolerant where real files vary.

Accepted: a UTF-8 byte-order mark; UTF-8, else Latin-1 (ISO-8859-1, what banks call "ANSI"); CR LF, LF or CR alone
(mixed too); a final Ctrl-Z (DOS end of file); a missing final line end; blank characters past column 240/400.
Refused (``CnabError`` with line and column): an empty file, a line shorter than the layout, anything but blanks
past the layout's size, a header that is neither CNAB 240 nor CNAB 400.
"""

from __future__ import annotations

from .model import CnabError

BOM = "\ufeff"


def decode(data: bytes | str) -> str:
	if isinstance(data, str):
		return data[1:] if data.startswith(BOM) else data
	if not isinstance(data, bytes | bytearray | memoryview):
		raise CnabError(1, 1, "o arquivo deve ser bytes ou texto.")
	data = bytes(data)
	if data.startswith(b"\xef\xbb\xbf"):
		data = data[3:]
	try:
		return data.decode("utf-8")
	except UnicodeDecodeError:
		return data.decode("latin-1")


def split(text: str) -> list[str]:
	for size in (
		240,
		400,
	):  # the usual file: records of the layout's size, each ended by CR LF, cut unsearched
		width = size + 2
		count = len(text) // width
		if count and len(text) == count * width and text[size::width] == "\r" * count:
			if text[size + 1 :: width] == "\n" * count:
				lines = [text[start : start + size] for start in range(0, len(text), width)]
				joined = "".join(lines)
				if "\r" not in joined and "\n" not in joined:
					return lines
	if "\r" in text:
		lines = text.split("\r\n")
		joined = "".join(lines)  # a CR or LF left alone: mixed line ends (memchr over a copy, not a count)
		if "\r" in joined or "\n" in joined:
			lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
	else:
		lines = text.split("\n")
	while lines and lines[-1] in ("", "\x1a"):
		lines.pop()
	return lines


def layout_of(first: str) -> int:
	"""240 or 400 from the header line alone (before any length check)."""
	head = first[:9].upper()
	if head in ("02RETORNO", "01REMESSA"):
		return 400
	if first[3:8] == "00000":
		return 240
	if len(first.rstrip(" ")) >= 400 and first[0:1] == "0":
		return 400
	raise CnabError(
		1,
		1,
		"leiaute não reconhecido: o header não é de CNAB 240 (lote 0000, registro 0) nem de CNAB 400 "
		"(0 + 1 REMESSA ou 0 + 2 RETORNO).",
	)


def lines_of(data: bytes | str) -> tuple[int, list[str]]:
	"""(layout, lines cut to the layout's size). Raises CnabError for the first bad line."""
	lines = split(decode(data))
	if not lines or not any(lines):
		raise CnabError(1, 1, "arquivo vazio.")
	size = layout_of(lines[0])
	if set(map(len, lines)) == {size}:
		return size, lines
	fixed = []
	for number, line in enumerate(lines, start=1):
		if len(line) > size:
			extra = line[size:]
			if extra.strip(" \t\x1a"):
				column = size + 1 + next(i for i, ch in enumerate(extra) if ch not in " \t\x1a")
				raise CnabError(
					number,
					column,
					f"linha com {len(line)} caracteres; o CNAB {size} tem {size} e após a coluna {size} só "
					"se aceitam brancos.",
				)
			line = line[:size]
		elif len(line) < size:
			raise CnabError(
				number, len(line) + 1, f"linha com {len(line)} caracteres; o CNAB {size} exige {size}."
			)
		fixed.append(line)
	return size, fixed
