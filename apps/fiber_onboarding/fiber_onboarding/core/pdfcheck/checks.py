"""Structural screening of an untrusted PDF with pypdf (runs inside the worker process).

pypdf 3.17 predates the 2025-26 denial-of-service fixes (signed-pdf.md §6), so besides the worker's CPU and memory
limits every stage here is bounded on its own: FlateDecode output is capped per stream and in total
(``decompression_bounds``), the object walk and the page-tree walk are iterative with visited sets and
node budgets, and text is extracted from a few pages only.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import signal
import threading
import unicodedata
import zlib

from .model import FAIL, PASS, WARN, row

# Bounds (per file). A real contract is a few hundred objects and a few dozen pages.
MAX_STREAM_INFLATE = 24 * 1024 * 1024  # one decoded stream
MAX_TOTAL_INFLATE = 64 * 1024 * 1024  # all decoded streams together
MAX_WALK_NODES = 100_000  # dictionaries, arrays and references visited by the active-content walk
MAX_PAGES = 5_000
MAX_PAGE_TREE_DEPTH = 64
TEXT_PAGES_HEAD = 3  # pages whose text is searched for the contract code (plus the last page)
TEXT_SECONDS = 1.5  # CPU-time budget for text extraction (all picked pages)


class LimitExceeded(Exception):
	"""A structural bound was hit; the message is pt-BR. ``fatal`` ones (decompression budget, damaged
	cross-reference table) end the analysis as a failed ``parse`` check; the others fail the check they bound."""

	def __init__(self, message: str, *, fatal: bool = False) -> None:
		super().__init__(message)
		self.fatal = fatal


def reraise_fatal(exc: BaseException) -> None:
	"""Re-raise what must end the analysis (limits, memory, runaway recursion) instead of being tolerated."""
	if isinstance(exc, LimitExceeded | MemoryError | RecursionError):
		raise exc


class Budget:
	"""Shared decompression budget; ``hit`` keeps the first limit message even if a library swallows the error."""

	def __init__(self, total: int = MAX_TOTAL_INFLATE, per_stream: int = MAX_STREAM_INFLATE) -> None:
		self.total = total
		self.per_stream = per_stream
		self.used = 0
		self.hit: str | None = None

	def fail(self, message: str):
		if self.hit is None:
			self.hit = message
		raise LimitExceeded(message, fatal=True)

	def inflate(self, data: bytes) -> bytes:
		"""zlib/gzip inflate with an output cap; lenient on corrupt data (returns what decoded), like pypdf."""
		if self.hit:
			self.fail(self.hit)
		limit = min(self.per_stream, self.total - self.used)
		step = 1 << 20
		out = bytearray()
		dec = zlib.decompressobj(zlib.MAX_WBITS | 32)
		buf = bytes(data)
		try:
			while True:
				chunk = dec.decompress(buf, step)
				out += chunk
				if len(out) > limit:
					self.fail(
						f"Conteúdo compactado expande além do limite da análise ({self.per_stream >> 20} MB por fluxo, {self.total >> 20} MB no total): "
						"possível bomba de descompressão."
					)
				buf = dec.unconsumed_tail
				if dec.eof or (not buf and len(chunk) < step):
					break
		except zlib.error:
			pass
		self.used += len(out)
		result = bytes(out)
		del out
		return result


@contextlib.contextmanager
def decompression_bounds(budget: Budget | None = None):
	"""Route pypdf's and pyHanko's FlateDecode through a ``Budget`` for the duration of the block (the modules'
	``decompress`` functions are patched and restored)."""
	import pyhanko.pdf_utils.filters as ph_filters
	import pypdf.filters

	budget = budget or Budget()
	saved = (pypdf.filters.decompress, ph_filters.decompress)
	pypdf.filters.decompress = budget.inflate
	ph_filters.decompress = budget.inflate
	try:
		yield budget
	finally:
		pypdf.filters.decompress, ph_filters.decompress = saved


# ---------------------------------------------------------------------------------------------------------------
# Opening, encryption
# ---------------------------------------------------------------------------------------------------------------


def open_reader(data: bytes, *, decrypt: bool = False):
	"""A pypdf reader; with ``decrypt`` the empty user password is tried and the catalogue must resolve."""
	from pypdf import PdfReader

	reader = PdfReader(io.BytesIO(data), strict=False)
	if decrypt:
		if reader.is_encrypted:
			reader.decrypt("")
		require_root(reader)
	return reader


def require_root(reader) -> None:
	root = reader.trailer.get("/Root")
	root = root.get_object() if root is not None else None
	if not hasattr(root, "get"):
		raise ValueError("sem catálogo /Root")


def check_encryption(reader) -> dict:
	if not reader.is_encrypted:
		return row("encryption", PASS, "O arquivo não está criptografado.")
	try:
		result = reader.decrypt("")
	except Exception as exc:
		return row(
			"encryption",
			FAIL,
			f"Criptografia não suportada ({type(exc).__name__}): envie o PDF sem senha.",
		)
	if int(result) == 0:  # PasswordType.NOT_DECRYPTED
		return row("encryption", FAIL, "O PDF exige senha para ser aberto: envie o arquivo sem senha.")
	return row(
		"encryption",
		PASS,
		"Criptografado apenas com senha de proprietário (restrição de edição); abre sem senha.",
	)


# ---------------------------------------------------------------------------------------------------------------
# Active content: an iterative, bounded walk of the object graph
# ---------------------------------------------------------------------------------------------------------------

# Action types (/S) that run code, open other files or send data.
BAD_ACTIONS = {
	"/JavaScript": "ação JavaScript",
	"/Launch": "ação /Launch (executa programa ou abre arquivo)",
	"/SubmitForm": "ação /SubmitForm (envia dados)",
	"/ImportData": "ação /ImportData",
	"/GoToR": "ação /GoToR (abre outro arquivo)",
	"/GoToE": "ação /GoToE (abre arquivo embutido)",
	"/RichMediaExecute": "ação /RichMediaExecute",
	"/Rendition": "ação /Rendition (mídia/JavaScript)",
	"/Movie": "ação /Movie",
	"/Sound": "ação /Sound",
}
# Keys whose mere presence is active content.
BAD_KEYS = {
	"/JS": "JavaScript (/JS)",
	"/JavaScript": "JavaScript (árvore de nomes /JavaScript)",
	"/AA": "ações automáticas (/AA)",
	"/EmbeddedFiles": "arquivos embutidos (/EmbeddedFiles)",
	"/EF": "arquivo embutido (/EF)",
	"/XFA": "formulário XFA",
	"/RichMediaContent": "conteúdo RichMedia",
	"/RichMediaSettings": "conteúdo RichMedia",
}
# Annotation / object subtypes that carry media, 3D (can hold JavaScript) or attachments.
BAD_SUBTYPES = {
	"/RichMedia": "anotação RichMedia (Flash/mídia)",
	"/FileAttachment": "anotação com arquivo anexado",
	"/Screen": "anotação de mídia /Screen",
	"/Movie": "anotação /Movie",
	"/Sound": "anotação /Sound",
	"/3D": "conteúdo 3D",
}
BAD_TYPES = {"/EmbeddedFile": "arquivo embutido (/EmbeddedFile)"}


def _is_script_uri(value) -> bool:
	try:
		text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
	except Exception:
		return False
	return "".join(text.split()).lower().startswith(("javascript:", "vbscript:"))


def scan_active_content(reader, max_nodes: int = MAX_WALK_NODES) -> tuple[list[str], int]:
	"""Walk everything reachable from the trailer; return (findings, nodes visited).

	Streams' dictionaries are walked, their data is never decoded. Raises ``LimitExceeded`` when the graph is
	larger than ``max_nodes``.
	"""
	from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

	findings: list[str] = []
	seen_findings: set[str] = set()

	def found(text: str) -> None:
		if text not in seen_findings:
			seen_findings.add(text)
			findings.append(text)

	visited: set[tuple[int, int]] = set()
	stack: list = [reader.trailer]
	nodes = 0
	while stack:
		obj = stack.pop()
		if isinstance(obj, IndirectObject):
			key = (obj.idnum, obj.generation)
			if key in visited:
				continue
			visited.add(key)
			try:
				obj = obj.get_object()
			except Exception as exc:
				reraise_fatal(exc)
				continue  # a dangling or broken reference is not active content
		nodes += 1
		if nodes > max_nodes:
			raise LimitExceeded(
				f"Estrutura do PDF grande demais (mais de {max_nodes} objetos): análise interrompida."
			)
		if isinstance(obj, DictionaryObject):
			for name, value in obj.items():
				label = BAD_KEYS.get(name)
				if label:
					found(label)
				if name == "/S" and value in BAD_ACTIONS:
					found(BAD_ACTIONS[value])
				elif name == "/Subtype" and value in BAD_SUBTYPES:
					found(BAD_SUBTYPES[value])
				elif name == "/Type" and value in BAD_TYPES:
					found(BAD_TYPES[value])
				elif name == "/URI" and _is_script_uri(value):
					found("link javascript:")
				if isinstance(value, DictionaryObject | ArrayObject | IndirectObject):
					stack.append(value)
		elif isinstance(obj, ArrayObject):
			for value in obj:
				if isinstance(value, DictionaryObject | ArrayObject | IndirectObject):
					stack.append(value)
	return findings, nodes


def check_active_content(reader, stats: dict | None = None) -> dict:
	"""The ``active_content`` row. A graph too large to walk fails (absence of active content unproven);
	a decompression limit propagates (it is a ``parse`` failure)."""
	try:
		findings, nodes = scan_active_content(reader)
	except LimitExceeded as exc:
		if exc.fatal:
			raise
		return row("active_content", FAIL, f"{exc} Não foi possível descartar conteúdo ativo.")
	if stats is not None:
		stats["nodes"] = nodes
	if findings:
		return row(
			"active_content",
			FAIL,
			"Conteúdo ativo não permitido: {}. Gere o PDF novamente sem esses recursos.".format(
				"; ".join(findings)
			),
		)
	return row("active_content", PASS, f"Nenhum conteúdo ativo ({nodes} objetos verificados).")


# ---------------------------------------------------------------------------------------------------------------
# Page tree
# ---------------------------------------------------------------------------------------------------------------

_INHERITABLE = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")


def walk_pages(reader, want: set[int] | None = None) -> tuple[int, dict[int, tuple]]:
	"""Count pages with an iterative walk (cycles, repeated nodes, depth and size bounded).

	Returns (count, {index: (indirect_reference, page_dict_with_inherited_attributes)}) for the indexes in
	``want`` (negative indexes count from the end). Raises ``LimitExceeded`` on a malformed or oversized tree.
	"""
	from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

	root = reader.trailer["/Root"].get_object()
	top_ref = root.raw_get("/Pages") if "/Pages" in root else None
	if top_ref is None:
		raise LimitExceeded("O PDF não tem árvore de páginas (/Pages).")
	want = want or set()
	visited: set[tuple[int, int]] = set()
	leaves: list[tuple] = []  # (ref, dict, inherited) for wanted pages only; count kept apart
	count = 0
	positive = {i for i in want if i >= 0}
	tail_wanted = max((-i for i in want if i < 0), default=0)
	tail: list[tuple] = []
	# stack items: (object, inherited attributes, depth)
	stack: list[tuple] = [(top_ref, {}, 0)]
	while stack:
		node, inherited, depth = stack.pop()
		ref = node if isinstance(node, IndirectObject) else None
		if ref is not None:
			key = (ref.idnum, ref.generation)
			if key in visited:
				raise LimitExceeded("Árvore de páginas inválida: ciclo ou página repetida.")
			visited.add(key)
			node = ref.get_object()
		if not isinstance(node, DictionaryObject):
			raise LimitExceeded("Árvore de páginas inválida: nó que não é um dicionário.")
		if depth > MAX_PAGE_TREE_DEPTH:
			raise LimitExceeded(f"Árvore de páginas profunda demais (mais de {MAX_PAGE_TREE_DEPTH} níveis).")
		node_type = node.get("/Type")
		is_tree = node_type == "/Pages" or (node_type != "/Page" and "/Kids" in node)
		if is_tree:
			kids = node.get("/Kids")
			if not isinstance(kids, ArrayObject):
				raise LimitExceeded("Árvore de páginas inválida: /Kids ausente.")
			if len(kids) > MAX_PAGES:
				raise LimitExceeded(f"Árvore de páginas grande demais (mais de {MAX_PAGES} páginas).")
			inherit = dict(inherited)
			for attr in _INHERITABLE:
				if attr in node:
					inherit[attr] = node.raw_get(attr)
			for kid in reversed(kids):
				stack.append((kid, inherit, depth + 1))
			continue
		if count >= MAX_PAGES:
			raise LimitExceeded(f"O PDF tem páginas demais (mais de {MAX_PAGES}).")
		if count in positive or tail_wanted:
			page = DictionaryObject()
			for attr, value in inherited.items():
				page[NameObject(attr)] = value
			for name, value in node.items():
				page[NameObject(name)] = value
			item = (ref, page)
			if count in positive:
				leaves.append((count, item))
			if tail_wanted:
				tail.append((count, item))
				if len(tail) > tail_wanted:
					tail.pop(0)
		count += 1
	picked = dict(leaves)
	for pos, item in tail:
		picked[pos] = item
	return count, picked


def check_page_count(count: int, expected: int | None) -> dict:
	if expected is None:
		return row("page_count", PASS, f"{count} página(s).")
	if count == expected:
		return row("page_count", PASS, f"{count} página(s), como no contrato emitido.")
	return row(
		"page_count",
		FAIL,
		f"O PDF tem {count} página(s); o contrato emitido tem {expected}. Envie o contrato completo, sem páginas a mais ou a menos.",
	)


# ---------------------------------------------------------------------------------------------------------------
# Contract code in the text
# ---------------------------------------------------------------------------------------------------------------

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u00ad"), "-")
_SPACE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
	text = unicodedata.normalize("NFKC", text).translate(_DASHES)
	return _SPACE.sub("", text).upper()


@contextlib.contextmanager
def cpu_time_box(seconds: float, message: str):
	"""Interrupt the block after ``seconds`` of process CPU time (SIGPROF) with ``LimitExceeded(message)``.

	Only in the main thread (where signals are delivered); elsewhere the worker's RLIMIT_CPU still applies.
	A flag survives libraries that swallow the exception.
	"""
	if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
		yield {"expired": False}
		return
	state = {"expired": False}

	def expire(signum, frame):
		state["expired"] = True
		raise LimitExceeded(message)

	previous = signal.signal(signal.SIGPROF, expire)
	signal.setitimer(signal.ITIMER_PROF, seconds)
	try:
		yield state
	finally:
		signal.setitimer(signal.ITIMER_PROF, 0)
		signal.signal(signal.SIGPROF, previous)
	if state["expired"]:
		raise LimitExceeded(message)


def page_texts(
	reader, picked: dict[int, tuple], seconds: float = TEXT_SECONDS, until=None
) -> list[tuple[int, str]]:
	"""(index, text) of the picked pages, in order, extracted within ``seconds`` of CPU time in all; stops after
	the first page whose normalised text satisfies ``until``.

	Raises ``LimitExceeded`` when a page takes longer (e.g. tens of MB of content stream to parse).
	"""
	from pypdf import PageObject

	texts = []
	with cpu_time_box(seconds, "Extração de texto excedeu o limite de tempo: conteúdo de página anormal."):
		for index in sorted(picked):
			ref, page_dict = picked[index]
			page = PageObject(reader, ref)
			page.update(page_dict)
			try:
				text = page.extract_text() or ""
			except Exception as exc:
				reraise_fatal(exc)
				text = ""
			texts.append((index, text))
			if until is not None and until(normalise_text(text)):
				break
	return texts


def issued_revision(data: bytes, issued_sha256: str | None, max_revisions: int = 5) -> int | None:
	"""Length of the leading revision whose SHA-256 equals the issued PDF's, if any (signed-pdf.md §3.4: signers
	that append incrementally leave the issued bytes untouched at the start of the file)."""
	if not issued_sha256:
		return None
	wanted = issued_sha256.strip().lower()
	pos = 0
	for _ in range(max_revisions):
		found = data.find(b"%%EOF", pos)
		if found < 0:
			return None
		end = found + 5
		for eol in (b"\r\n", b"\n", b"\r"):
			if data.startswith(eol, end):
				end += len(eol)
				break
		for candidate in {found + 5, end}:
			if hashlib.sha256(data[:candidate]).hexdigest() == wanted:
				return candidate
		pos = end
	return None


def check_contract_code(reader, picked: dict[int, tuple], code: str | None) -> dict:
	if not code:
		return row("contract_code", WARN, "Código do contrato não informado: conteúdo não conferido.")
	wanted = normalise_text(code)
	any_text = False
	for index, text in page_texts(reader, picked, until=lambda norm: wanted in norm):
		norm = normalise_text(text)
		if norm:
			any_text = True
		if wanted in norm:
			return row("contract_code", PASS, f"Código {code} encontrado no texto da página {index + 1}.")
	if not any_text:
		return row(
			"contract_code",
			WARN,
			f"Não há texto extraível nas páginas verificadas (documento digitalizado?): conferir o código {code} manualmente.",
		)
	return row(
		"contract_code",
		FAIL,
		f"O código do contrato {code} não aparece no documento: este não parece ser o contrato emitido.",
	)
