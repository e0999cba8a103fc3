"""Structural screening of an untrusted PDF with pypdf (runs inside the worker process).

Every stage is bounded by counts, never by time (see ``bounds``): the object walk and the page-tree walk are
iterative with visited sets and node / page / depth budgets, text is extracted from a few pages only, and the
parsers underneath are charged to the analysis' ``Budget`` (decoded bytes, objects, content operators,
characters...) while they run.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata

from .bounds import Budget, LimitExceeded, reraise_fatal
from .model import FAIL, PASS, WARN, row

__all__ = ["Budget", "LimitExceeded", "reraise_fatal"]  # re-exported: the worker and the tests use them here

# Bounds of the structural checks (per file). A real contract is a few hundred objects and a few dozen pages.
MAX_WALK_NODES = 100_000  # dictionaries, arrays and references visited by the active-content walk
MAX_PAGES = 5_000
MAX_PAGE_TREE_DEPTH = 64
TEXT_PAGES_HEAD = 3  # pages whose text is searched for the contract code (plus the last page)


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
				f"Estrutura do PDF grande demais (mais de {max_nodes} objetos): análise interrompida.",
				budget="walk_nodes",
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
	"""The ``active_content`` row. A graph too large to walk fails (absence of active content unproven; the
	budget's id goes to ``stats['budget']``); a fatal limit propagates (it is a ``parse`` failure)."""
	try:
		findings, nodes = scan_active_content(reader)
	except LimitExceeded as exc:
		if exc.fatal:
			raise
		if stats is not None:
			stats["budget"] = exc.budget
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
			raise LimitExceeded(
				f"Árvore de páginas profunda demais (mais de {MAX_PAGE_TREE_DEPTH} níveis).",
				budget="page_tree_depth",
			)
		node_type = node.get("/Type")
		is_tree = node_type == "/Pages" or (node_type != "/Page" and "/Kids" in node)
		if is_tree:
			kids = node.get("/Kids")
			if not isinstance(kids, ArrayObject):
				raise LimitExceeded("Árvore de páginas inválida: /Kids ausente.")
			if len(kids) > MAX_PAGES:
				raise LimitExceeded(
					f"Árvore de páginas grande demais (mais de {MAX_PAGES} páginas).", budget="pages"
				)
			inherit = dict(inherited)
			for attr in _INHERITABLE:
				if attr in node:
					inherit[attr] = node.raw_get(attr)
			for kid in reversed(kids):
				stack.append((kid, inherit, depth + 1))
			continue
		if count >= MAX_PAGES:
			raise LimitExceeded(f"O PDF tem páginas demais (mais de {MAX_PAGES}).", budget="pages")
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


def page_texts(
	reader, picked: dict[int, tuple], until=None, budget: Budget | None = None
) -> list[tuple[int, str]]:
	"""(index, text) of the picked pages, in order; stops after the first page whose normalised text satisfies
	``until``.

	The work is bounded by ``budget`` (content bytes, operators, characters, form nesting, font tables, charged
	by the parser patches while pypdf extracts); a limit hit inside a form XObject, which pypdf swallows, is
	raised here after the page.
	"""
	from pypdf import PageObject

	texts = []
	for index in sorted(picked):
		ref, page_dict = picked[index]
		page = PageObject(reader, ref)
		page.update(page_dict)
		try:
			text = page.extract_text() or ""
		except Exception as exc:
			reraise_fatal(exc)
			text = ""
		if budget is not None:
			budget.check()
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


def check_contract_code(
	reader, picked: dict[int, tuple], code: str | None, budget: Budget | None = None
) -> dict:
	if not code:
		return row("contract_code", WARN, "Código do contrato não informado: conteúdo não conferido.")
	wanted = normalise_text(code)
	any_text = False
	for index, text in page_texts(reader, picked, until=lambda norm: wanted in norm, budget=budget):
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
