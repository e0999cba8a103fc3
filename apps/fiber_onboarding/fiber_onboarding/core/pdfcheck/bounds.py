"""Deterministic work budgets for parsing an untrusted PDF (runs inside the worker process).

Every bound here counts something in the file (bytes, objects, operators, characters, nesting levels), never
time, so the same file always stops at the same point with the same reason. ``Budget`` holds the counters of
one analysis; ``_patches.bounded_parsing`` routes pypdf's and pyHanko's parsers through it. Budgets shared by
the whole analysis (all fatal: the verdict is a failed ``parse`` check naming the limit):

- decoded stream data (FlateDecode, LZWDecode, RunLengthDecode): per stream and in total;
- PDF objects parsed (numbers, names, strings, arrays, dictionaries, references; both libraries together);
- nesting of arrays/dictionaries inside one object; cross-reference sections (and /Prev cycles);
- text extraction: bytes of page content parsed (content streams, forms, character maps), content operators
  and operands, characters produced, form XObject nesting, font character-map entries.

A budget that is hit is sticky (``hit``): libraries that swallow exceptions cannot hide it, and every later
parsing step fails at once. The page-tree and object-graph bounds live in ``checks`` (they fail their own
check); the worker's CPU, wall-clock and memory limits are only a last-resort kill far above these budgets.
"""

from __future__ import annotations

import zlib

MB = 1024 * 1024
MAX_STREAM_INFLATE = 24 * MB  # one decoded stream
MAX_TOTAL_INFLATE = 64 * MB  # all decoded streams together
MAX_OBJECTS = 400_000  # PDF objects parsed, direct ones included (a 100-page contract: ~5 000)
MAX_NESTING = 100  # arrays/dictionaries inside each other within one object
MAX_XREF_SECTIONS = 1_000  # cross-reference sections read per reader (one per revision, plus hybrids)
MAX_CONTENT_BYTES = 8 * MB  # page content parsed for text (content streams, forms, character maps)
MAX_CONTENT_OPS = 500_000  # content-stream operators and operands parsed for text
MAX_TEXT_CHARS = 1_000_000  # characters text extraction may produce (upper bound, charged before decoding)
MAX_XOBJECT_DEPTH = 12  # form XObjects drawn inside each other
MAX_FONT_ENTRIES = 500_000  # character-map and glyph-width entries built for text (once per font)


def _n(value: int) -> str:
	return f"{value:,}".replace(",", ".")


def _size(value: int) -> str:
	return f"{value // MB} MB" if value % MB == 0 else f"{_n(value)} bytes"


class LimitExceeded(Exception):
	"""A bound was hit; the message is pt-BR and names the limit, ``budget`` is its id (for ``stats``).

	``fatal`` ones (every ``Budget`` limit, a damaged cross-reference table) end the analysis as a failed
	``parse`` check; the others (page tree, object graph) fail the check they bound."""

	def __init__(self, message: str, *, fatal: bool = False, budget: str | None = None) -> None:
		super().__init__(message)
		self.fatal = fatal
		self.budget = budget


def reraise_fatal(exc: BaseException) -> None:
	"""Re-raise what must end the analysis (limits, memory, runaway recursion) instead of being tolerated."""
	if isinstance(exc, LimitExceeded | MemoryError | RecursionError):
		raise exc


def _messages() -> dict[str, str]:
	return {
		"objects": f"O PDF tem objetos demais: a análise leu mais de {_n(MAX_OBJECTS)} objetos (limite da análise).",
		"nesting": (
			f"Estrutura do PDF aninhada demais: mais de {MAX_NESTING} níveis de listas ou dicionários dentro de "
			"um objeto (limite da análise)."
		),
		"xref": (
			f"O PDF tem seções de referências (xref) demais: mais de {_n(MAX_XREF_SECTIONS)} (limite da análise)."
		),
		"xref_cycle": (
			"A cadeia de tabelas de referências (xref) do PDF volta a uma seção já lida (ciclo em /Prev): "
			"arquivo danificado ou malicioso."
		),
		"content_bytes": (
			f"Conteúdo das páginas grande demais: mais de {_size(MAX_CONTENT_BYTES)} de instruções de página "
			"para ler o texto (limite da análise)."
		),
		"content_ops": (
			f"Conteúdo das páginas complexo demais: mais de {_n(MAX_CONTENT_OPS)} operadores e operandos para "
			"ler o texto (limite da análise)."
		),
		"text_chars": (
			f"Texto das páginas verificadas longo demais: mais de {_n(MAX_TEXT_CHARS)} caracteres "
			"(limite da análise)."
		),
		"xobject_depth": (
			f"Formulários (XObject) aninhados demais nas páginas: mais de {MAX_XOBJECT_DEPTH} níveis "
			"(limite da análise)."
		),
		"font_entries": (
			f"Fontes do PDF com tabelas de caracteres grandes demais: mais de {_n(MAX_FONT_ENTRIES)} entradas "
			"(limite da análise)."
		),
	}


class Budget:
	"""The counters of one analysis. Limits are read from the module constants when it is created."""

	def __init__(self, total: int | None = None, per_stream: int | None = None) -> None:
		self.total = MAX_TOTAL_INFLATE if total is None else total
		self.per_stream = MAX_STREAM_INFLATE if per_stream is None else per_stream
		self.limits = {
			"objects": MAX_OBJECTS,
			"nesting": MAX_NESTING,
			"xref": MAX_XREF_SECTIONS,
			"content_bytes": MAX_CONTENT_BYTES,
			"content_ops": MAX_CONTENT_OPS,
			"text_chars": MAX_TEXT_CHARS,
			"xobject_depth": MAX_XOBJECT_DEPTH,
			"font_entries": MAX_FONT_ENTRIES,
		}
		self.messages = _messages()
		self.used = 0  # decoded bytes
		self.counts = dict.fromkeys(
			("objects", "content_bytes", "content_ops", "text_chars", "font_entries"), 0
		)
		self.depth = 0  # current nesting while parsing one object
		self.xobject_depth = 0
		self.in_content = False  # parsing a content stream: objects count as content operands
		self.xref_seen: dict[int, tuple] = {}  # id(reader) -> (reader, positions read)
		self.hit: str | None = None
		self.hit_budget: str | None = None

	def fail(self, message: str, budget: str = "inflate"):
		if self.hit is None:
			self.hit, self.hit_budget = message, budget
		raise LimitExceeded(self.hit, fatal=True, budget=self.hit_budget)

	def check(self) -> None:
		"""Raise the first limit hit, if any (after a library may have swallowed it)."""
		if self.hit is not None:
			raise LimitExceeded(self.hit, fatal=True, budget=self.hit_budget)

	def charge(self, name: str, amount: int = 1) -> None:
		if self.hit is not None:
			self.check()
		self.counts[name] += amount
		if self.counts[name] > self.limits[name]:
			self.fail(self.messages[name], name)

	def enter(self, name: str) -> None:
		"""One level deeper (``nesting`` or ``xobject_depth``); pair with ``leave``."""
		if self.hit is not None:
			self.check()
		attr = "depth" if name == "nesting" else name
		level = getattr(self, attr) + 1
		setattr(self, attr, level)
		if level > self.limits[name]:
			self.fail(self.messages[name], name)

	def leave(self, name: str) -> None:
		attr = "depth" if name == "nesting" else name
		setattr(self, attr, getattr(self, attr) - 1)

	def xref_section(self, reader, key) -> None:
		"""A cross-reference section read by ``reader`` at ``key`` (its position): counted, cycles refused."""
		if self.hit is not None:
			self.check()
		seen = self.xref_seen.setdefault(id(reader), (reader, set()))[
			1
		]  # the reader is kept: ids stay unique
		if key in seen:
			self.fail(self.messages["xref_cycle"], "xref_cycle")
		seen.add(key)
		if len(seen) > self.limits["xref"]:
			self.fail(self.messages["xref"], "xref")

	def usage(self) -> dict:
		return dict(self.counts, inflated=self.used)

	# --- decoders with an output cap --------------------------------------------------------------------------

	def _stream_limit(self) -> int:
		self.check()
		return min(self.per_stream, self.total - self.used)

	def _too_big(self):
		self.fail(
			f"Conteúdo compactado expande além do limite da análise ({_size(self.per_stream)} por fluxo, "
			f"{_size(self.total)} no total): possível bomba de descompressão."
		)

	def inflate(self, data: bytes) -> bytes:
		"""zlib/gzip inflate with an output cap; lenient on corrupt data (returns what decoded), like pypdf."""
		limit = self._stream_limit()
		step = 1 << 20
		out = bytearray()
		dec = zlib.decompressobj(zlib.MAX_WBITS | 32)
		buf = bytes(data)
		try:
			while True:
				chunk = dec.decompress(buf, step)
				out += chunk
				if len(out) > limit:
					self._too_big()
				buf = dec.unconsumed_tail
				if dec.eof or (not buf and len(chunk) < step):
					break
		except zlib.error:
			pass
		self.used += len(out)
		result = bytes(out)
		del out
		return result

	def run_length(self, data: bytes, decode_parms=None, **kwargs) -> bytes:
		"""pypdf 3.17's RunLengthDecode (same output and errors) with the output cap."""
		from pypdf.errors import PdfStreamError

		limit = self._stream_limit()
		out = bytearray()
		index = 0
		while True:
			if index >= len(data):
				raise PdfStreamError("Unexpected EOD in RunLengthDecode")
			length = data[index]
			index += 1
			if length == 128:
				if index < len(data):
					raise PdfStreamError("early EOD in RunLengthDecode")
				break
			if length < 128:
				out += data[index : index + length + 1]
				index += length + 1
			else:
				out += bytes((data[index],)) * (257 - length)
				index += 1
			if len(out) > limit:
				self._too_big()
		self.used += len(out)
		return bytes(out)

	def lzw(self, data: bytes, decode_parms=None, **kwargs) -> str:
		"""pypdf 3.17's LZWDecode (PDF dialect: 9-12 bit codes, early change; same output type and errors) with
		the output cap, checked after every code (pypdf's own decoder has no bound at all)."""
		from pypdf.errors import PdfReadError

		limit = self._stream_limit()
		table = [bytes((i,)) for i in range(256)] + [b""] * (4096 - 256)
		dictlen, bits = 258, 9
		out = bytearray()
		acc = nacc = pos = 0
		code = 256
		while True:
			previous = code
			while nacc < bits:
				if pos >= len(data):
					raise PdfReadError("Missed the stop code in LZWDecode!")
				acc = (acc << 8) | data[pos]
				pos += 1
				nacc += 8
			nacc -= bits
			code = (acc >> nacc) & ((1 << bits) - 1)
			acc &= (1 << nacc) - 1
			if code == 257:
				break
			if code == 256:
				dictlen, bits = 258, 9
				continue
			if previous == 256:
				out += table[code]
			else:
				head = table[code] if code < dictlen else table[previous]
				if not head:
					raise IndexError("string index out of range")  # as pypdf on an unset entry
				entry = table[previous] + head[:1]
				out += table[code] if code < dictlen else entry
				table[dictlen] = entry
				dictlen += 1
				if dictlen >= (1 << bits) - 1 and bits < 12:
					bits += 1
			if len(out) > limit:
				self._too_big()
		self.used += len(out)
		return out.decode("latin-1")
