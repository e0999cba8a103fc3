"""Bad-PDF corpus for ``fiber_onboarding.core.pdfcheck``: 135 hostile or broken uploads, all generated here.

Every case states the decision it must get and which check must fail (signed-pdf.md §8 policy); none may crash
or hang. 133 must be rejected. One goes to manual review because, to the checker, it is an unsigned upload (the
policy for those): a decompression bomb on a page whose text is never needed (so never inflated). One control
case must still be accepted: a changed byte in the unused zero padding of the signature's /Contents, which is
outside both the signed bytes and the CMS.

Verdicts are a function of the file alone: every limit that decides one is a deterministic budget (bytes,
objects, operators, pages, depth: ``core.pdfcheck.bounds``), never time. Which path runs each case:
- cases marked ``sandbox`` (decompression bombs incl. LZW, huge / deep / cyclic page trees, huge object graphs,
  deep nesting, a self-referencing /Prev xref chain that sends pypdf 3.17 into an endless loop) go through the
  public ``check_pdf``: a child process whose CPU, memory and wall-clock limits are only a last-resort kill.
  Each states the budget that must decide it (``stats['budget']``, None for plain policy failures) and none may
  be killed. They run once per session, two at a time, in the ``sandbox_verdicts`` fixture; each parametrised
  test then asserts its own verdict, and ``test_sandbox_verdicts_do_not_depend_on_time_limits`` runs them again
  with the time limits scaled by 0.2 and by 10: same verdicts, same reasons.
- every other case (cheap to parse) runs in-process through ``api._check_in_process``, which runs the very same
  checks (``_worker.run_checks``, same budgets) without spawning a process. The subprocess path itself is
  additionally covered for a representative mix of these (non-PDF, truncated, encrypted, JavaScript, tampered
  signature) by ``test_subprocess_matches_in_process``.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pdf_factory as pf
import pytest

from fiber_onboarding.core.pdfcheck import FAIL, REJECT, REVIEW, TrustRoot, check_pdf
from fiber_onboarding.core.pdfcheck.api import DEFAULT_CPU_SECONDS, DEFAULT_TIMEOUT, _check_in_process
from fiber_onboarding.core.pdfcheck.model import KILL_MEMORY, KILL_TIME

CODE = "CTR-2026-00042"
PAGES = 3


@dataclass
class Case:
	data: bytes
	decision: str
	failing: tuple[str, ...]  # at least one of these checks must fail (empty: none may fail)
	sandbox: bool = False
	budget: str | None = None  # sandbox cases: the budget that must decide (stats['budget']), if any


# ---------------------------------------------------------------------------------------------------------------
# Base documents (built once per process)
# ---------------------------------------------------------------------------------------------------------------

_BASE: dict = {}


def base(name: str) -> bytes:
	if name not in _BASE:
		pki = pf.cached_pki()
		if name == "unsigned":
			_BASE[name] = pf.contract_pdf(CODE, PAGES)
		elif name == "signed":
			_BASE[name] = pf.sign(base("unsigned"), pki)
		else:
			raise KeyError(name)
	return _BASE[name]


def kwargs() -> dict:
	pki = pf.cached_pki()
	return {
		"contract_code": CODE,
		"expected_pages": PAGES,
		"trust_roots": [TrustRoot("AC Teste", "icp-brasil", pki.root_pem, pki.root_sha256)],
		"expected_signer_cpf": "123.456.789-09",
		"expected_signer_name": "Nome do Signatário",
	}


# ---------------------------------------------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------------------------------------------


def _png() -> bytes:
	from PIL import Image

	buf = io.BytesIO()
	Image.new("RGB", (20, 20), (200, 10, 10)).save(buf, "PNG")
	return buf.getvalue()


def _image(fmt: str) -> bytes:
	from PIL import Image

	buf = io.BytesIO()
	Image.new("RGB", (20, 20), (10, 200, 10)).save(buf, fmt)
	return buf.getvalue()


def _zip(names: dict[str, bytes]) -> bytes:
	buf = io.BytesIO()
	with zipfile.ZipFile(buf, "w") as zf:
		for name, content in names.items():
			zf.writestr(name, content)
	return buf.getvalue()


def non_pdf_cases() -> dict[str, Case]:
	fail = ("is_pdf",)
	cases = {
		"png-renamed": _png(),
		"jpeg-renamed": _image("JPEG"),
		"gif-renamed": _image("GIF"),
		"zip-renamed": _zip({"contrato.pdf": zlib.compress(base("unsigned"))}),
		"docx-renamed": _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}),
		"exe-renamed": b"MZ\x90\x00\x03" + b"\x00" * 59 + b"PE\x00\x00" + pf.random_bytes(4000, 3),
		"elf-renamed": b"\x7fELF\x02\x01\x01" + pf.random_bytes(3000, 4),
		"html-renamed": b"<!DOCTYPE html><html><body><script>alert(1)</script>%PDF-</body></html>"[:30]
		+ b"</html>",
		"empty": b"",
		"random-1": pf.random_bytes(5000, 11),
		"random-2": pf.random_bytes(70000, 12),
		"random-3": pf.random_bytes(17, 13),
		"plain-text": b"Contrato CTR-2026-00042 assinado, confia.",
		"pdf-magic-after-1024": pf.random_bytes(1100, 14) + base("unsigned"),
		"rtf-renamed": b"{\\rtf1\\ansi Contrato}",
		"ole-doc-renamed": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + pf.random_bytes(2000, 15),
	}
	out = {name: Case(data, REJECT, fail) for name, data in cases.items()}
	# a ZIP that stores the PDF uncompressed has %PDF- in its first 1024 bytes: the structure check rejects it
	out["zip-with-stored-pdf"] = Case(_zip({"contrato.pdf": base("unsigned")}), REJECT, ("parse",))
	out["too-big"] = Case(b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024), REJECT, ("size",))
	out["header-only"] = Case(b"%PDF-1.7\n", REJECT, ("parse",))
	out["header-then-random"] = Case(b"%PDF-1.7\n" + pf.random_bytes(5000, 16), REJECT, ("parse",))
	out["header-then-html"] = Case(b"%PDF-1.4\n<html><body>oi</body></html>\n%%EOF\n", REJECT, ("parse",))
	return out


def truncated_cases() -> dict[str, Case]:
	out = {}
	for name in ("unsigned", "signed"):
		data = base(name)
		offsets = [len(data) * k // 13 for k in range(1, 13)] + [len(data) - 7, len(data) - 3]
		for off in offsets:
			failing = ("parse",) if name == "unsigned" else ("parse", "signatures")
			out[f"truncated-{name}-at-{off}"] = Case(data[:off], REJECT, failing)
	return out


def encrypted_cases() -> dict[str, Case]:
	from pypdf import PdfReader, PdfWriter

	out = {}
	for algorithm in ("RC4-40", "RC4-128", "AES-128", "AES-256"):
		writer = PdfWriter(clone_from=PdfReader(io.BytesIO(base("unsigned"))))
		writer.encrypt(user_password="segredo", owner_password="dono", algorithm=algorithm)
		buf = io.BytesIO()
		writer.write(buf)
		out[f"encrypted-user-password-{algorithm}"] = Case(buf.getvalue(), REJECT, ("encryption",))
	return out


def _js(b, code: str = "app.alert(1)") -> int:
	return b.add(f"<< /Type /Action /S /JavaScript /JS ({code}) >>")


def _annot(b, body: str) -> int:
	return b.add(f"<< /Type /Annot /Rect [10 10 200 40] {body} >>")


def _file_spec(b) -> int:
	ef = b.add("/Type /EmbeddedFile /Subtype /application#2Fx-msdownload", stream=b"MZ payload")
	return b.add(f"<< /Type /Filespec /F (nota.exe) /UF (nota.exe) /EF << /F {ef} 0 R >> >>")


def active_hooks() -> dict:
	"""name -> hook(builder) -> Extras. Each adds one kind of active content to the contract."""
	E = pf.Extras
	return {
		"js-names-tree": lambda b: E(catalog=f"/Names << /JavaScript << /Names [(init) {_js(b)} 0 R] >> >>"),
		"js-names-tree-kids": lambda b: E(
			catalog="/Names << /JavaScript {} 0 R >>".format(
				b.add(f"<< /Kids [{b.add(f'<< /Names [(a) {_js(b)} 0 R] /Limits [(a) (a)] >>')} 0 R] >>")
			)
		),
		"js-openaction": lambda b: E(catalog=f"/OpenAction {_js(b)} 0 R"),
		"js-openaction-direct": lambda b: E(
			catalog="/OpenAction << /S /JavaScript /JS (this.print\\(\\)) >>"
		),
		"launch-openaction": lambda b: E(
			catalog="/OpenAction << /S /Launch /Win << /F (cmd.exe) /P (/c calc) >> >>"
		),
		"js-catalog-aa": lambda b: E(catalog=f"/AA << /WC {_js(b)} 0 R >>"),
		"js-page-aa": lambda b: E(first_page=f"/AA << /O {_js(b)} 0 R >>"),
		"launch-page-aa": lambda b: E(first_page="/AA << /C << /S /Launch /F (run.bat) >> >>"),
		"js-link-annotation": lambda b: E(
			first_page=f"/Annots [{_annot(b, f'/Subtype /Link /A {_js(b)} 0 R')} 0 R]"
		),
		"js-annotation-aa": lambda b: E(
			first_page="/Annots [{} 0 R]".format(
				_annot(b, f"/Subtype /Widget /FT /Btn /AA << /E {_js(b)} 0 R >>")
			)
		),
		"launch-link": lambda b: E(
			first_page="/Annots [{} 0 R]".format(
				_annot(b, "/Subtype /Link /A << /S /Launch /F (evil.exe) >>")
			)
		),
		"embedded-files-tree": lambda b: E(
			catalog=f"/Names << /EmbeddedFiles << /Names [(nota.exe) {_file_spec(b)} 0 R] >> >>"
		),
		"file-attachment-annotation": lambda b: E(
			first_page="/Annots [{} 0 R]".format(
				_annot(b, f"/Subtype /FileAttachment /FS {_file_spec(b)} 0 R")
			)
		),
		"xfa-form": lambda b: E(
			catalog="/AcroForm << /Fields [] /XFA {} 0 R >>".format(
				b.add("", stream=b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'></xdp:xdp>")
			)
		),
		"richmedia-annotation": lambda b: E(
			first_page="/Annots [{} 0 R]".format(
				_annot(b, "/Subtype /RichMedia /RichMediaContent << /Assets << /Names [] >> >>")
			)
		),
		"submitform-link": lambda b: E(
			first_page="/Annots [{} 0 R]".format(
				_annot(b, "/Subtype /Link /A << /S /SubmitForm /F << /FS /URL /F (http://x.invalid/) >> >>")
			)
		),
		"gotor-link": lambda b: E(
			first_page="/Annots [{} 0 R]".format(
				_annot(b, "/Subtype /Link /A << /S /GoToR /F (\\\\\\\\srv\\\\a.pdf) /D [0 /Fit] >>")
			)
		),
		"gote-link": lambda b: E(
			first_page="/Annots [{} 0 R]".format(
				_annot(b, "/Subtype /Link /A << /S /GoToE /T << /R /C /N (a) >> >>")
			)
		),
		"importdata-action": lambda b: E(catalog="/OpenAction << /S /ImportData /F (dados.fdf) >>"),
		"js-hex-escaped-names": lambda b: E(
			catalog="/OpenAction {} 0 R".format(b.add("<< /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>"))
		),
		"js-next-chain": lambda b: E(catalog=f"/OpenAction << /S /GoTo /D [0 /Fit] /Next {_js(b)} 0 R >>"),
		"js-in-outline": lambda b: E(
			catalog="/Outlines {} 0 R".format(
				b.add(
					"<< /Type /Outlines /First {0} 0 R /Last {0} 0 R /Count 1 >>".format(
						b.add(f"<< /Title (Clausula 1) /A {_js(b)} 0 R >>")
					)
				)
			)
		),
		"js-as-stream": lambda b: E(
			catalog="/OpenAction << /S /JavaScript /JS {} 0 R >>".format(b.add("", stream=b"app.alert(1)"))
		),
		"screen-rendition": lambda b: E(
			first_page="/Annots [{} 0 R]".format(
				_annot(b, "/Subtype /Screen /A << /S /Rendition /OP 4 /JS (x) >>")
			)
		),
		"3d-annotation": lambda b: E(
			first_page="/Annots [{} 0 R]".format(_annot(b, "/Subtype /3D /3DD << /Type /3DStream >>"))
		),
		"js-acroform-field-aa": lambda b: E(
			catalog="/AcroForm << /Fields [{} 0 R] >>".format(
				_annot(b, f"/Subtype /Widget /FT /Tx /T (nome) /AA << /K {_js(b)} 0 R >>")
			)
		),
		"js-from-info-dict": lambda b: E(trailer=f"/Hidden {_js(b)} 0 R"),
		"sound-action": lambda b: E(catalog="/OpenAction << /S /Sound /Sound << >> >>"),
		"javascript-uri-link": lambda b: E(
			first_page="/Annots [{} 0 R]".format(
				_annot(b, "/Subtype /Link /A << /S /URI /URI (  JavaScript:app.alert\\(1\\)) >>")
			)
		),
	}


def active_cases() -> dict[str, Case]:
	out = {}
	for name, hook in active_hooks().items():
		out[f"active-{name}"] = Case(pf.contract_pdf(CODE, PAGES, hook=hook), REJECT, ("active_content",))
	hooks = active_hooks()
	out["active-js-inside-object-stream"] = Case(
		pf.contract_pdf(CODE, PAGES, hook=hooks["js-openaction"], objstm=True), REJECT, ("active_content",)
	)
	# signed after the active content was added: the signature is fine, the content is not
	pki = pf.cached_pki()
	for name in ("js-openaction", "embedded-files-tree", "launch-link"):
		data = pf.sign(pf.contract_pdf(CODE, PAGES, hook=hooks[name]), pki)
		out[f"active-{name}-then-signed"] = Case(data, REJECT, ("active_content",))
	return out


def _bomb_pdf(bombs_per_page: list[tuple[int, str]]) -> bytes:
	"""One page per entry (inflated size or 0 for none, "contents" | "form"); every page shows the contract text."""
	b = pf.PdfBuilder()
	cat, tree = b.reserve(), b.reserve()
	font = b.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	bomb_cache: dict[int, bytes] = {}
	kids = []
	for size, where in bombs_per_page:
		text = b.add("", stream=b"BT /F1 12 Tf 50 700 Td (Contrato " + CODE.encode() + b") Tj ET")
		resources = f"/Font << /F1 {font} 0 R >>"
		if not size:
			contents = f"{text} 0 R"
		elif where == "contents":
			bomb = bomb_cache.setdefault(size, pf.flate_bomb(size))
			contents = f"[{text} 0 R {b.add('/Filter /FlateDecode', stream=bomb)} 0 R]"
		else:
			bomb = bomb_cache.setdefault(size, pf.flate_bomb(size))
			form = b.add(
				f"/Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources << {resources} >> /Filter /FlateDecode",
				stream=bomb,
			)
			resources += f" /XObject << /Fx {form} 0 R >>"
			contents = f"[{text} 0 R {b.add('', stream=b'q /Fx Do Q')} 0 R]"
		kids.append(
			b.add(
				f"<< /Type /Page /Parent {tree} 0 R /MediaBox [0 0 595 842] /Resources << {resources} >> /Contents {contents} >>"
			)
		)
	b.add(f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>", num=tree)
	b.add(f"<< /Type /Catalog /Pages {tree} 0 R >>", num=cat)
	return b.to_bytes(cat)


def _multi_stream_page(sizes: list[int], lzw: int = 0) -> bytes:
	"""A 3-page contract whose first page concatenates bomb streams (Flate, optionally LZW) after its text."""
	b = pf.PdfBuilder()
	cat, tree = b.reserve(), b.reserve()
	font = b.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	kids = []
	for i in range(PAGES):
		text = b.add("", stream=b"BT /F1 12 Tf 50 700 Td (Contrato " + CODE.encode() + b") Tj ET")
		parts = [f"{text} 0 R"]
		if i == 0:
			parts += [f"{b.add('/Filter /FlateDecode', stream=pf.flate_bomb(size))} 0 R" for size in sizes]
			if lzw:
				parts.append(f"{b.add('/Filter /LZWDecode', stream=pf.lzw_bomb(lzw))} 0 R")
		kids.append(
			b.add(
				f"<< /Type /Page /Parent {tree} 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 {font} 0 R >> >> /Contents [{' '.join(parts)}] >>"
			)
		)
	b.add(f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>", num=tree)
	b.add(f"<< /Type /Catalog /Pages {tree} 0 R >>", num=cat)
	return b.to_bytes(cat)


def _xref_stream_chain(count: int, size: int) -> bytes:
	"""The unsigned contract with ``count`` cross-reference streams chained by /Prev, each inflating to ``size``
	bytes: the newest lists every object (then zero padding), the older ones a single free entry (all zeros)."""
	pdf = base("unsigned")
	xref_at = int(pdf[pdf.rfind(b"startxref") + 9 :].split()[0])
	offsets = [int(m.group(1)) for m in re.finditer(rb"(\d{10}) \d{5} n", pdf[xref_at:])]
	first = len(offsets) + 1  # objects 1..len(offsets) are the contract's; the xref streams follow
	out, prev = bytearray(pdf[:xref_at]), None
	for i in range(count):
		offsets.append(len(out))
		newest = i == count - 1
		if newest:
			rows = b"\x00\x00\x00\x00\x00\xff\xff" + b"".join(
				b"\x01" + o.to_bytes(4, "big") + b"\x00\x00" for o in offsets
			)
			data = zlib.compress(rows + bytes(size - len(rows)), 9)
			entries = f"/Size {first + i + 1} /Root 1 0 R /Info {first - 1} 0 R"
		else:
			data, entries = pf.flate_bomb(size), f"/Size {first + i + 1} /Index [0 1]"
		out += (
			(
				f"{first + i} 0 obj\n<< /Type /XRef {entries} /W [1 4 2] /Filter /FlateDecode /Length {len(data)}"
				+ (f" /Prev {prev}" if prev is not None else "")
				+ " >>\nstream\n"
			).encode()
			+ data
			+ b"\nendstream\nendobj\n"
		)
		prev = offsets[-1]
	out += b"startxref\n%d\n%%%%EOF\n" % prev
	return bytes(out)


def bomb_cases() -> dict[str, Case]:
	fail = ("parse",)
	out = {
		"bomb-content-1gib": _bomb_pdf([(1 << 30, "contents"), (0, "contents"), (0, "contents")]),
		"bomb-content-4gib": _bomb_pdf([(4 << 30, "contents"), (0, "contents"), (0, "contents")]),
		"bomb-form-xobject-1gib": _bomb_pdf([(1 << 30, "form"), (0, "contents"), (0, "contents")]),
		"bomb-object-stream-1gib": pf.contract_pdf(
			CODE, PAGES, objstm=True, objstm_data=pf.flate_bomb(1 << 30)
		),
		# LZW: pypdf 3.17's own decoder has no bound (CVE-2025-62708 class); ours stops at the same byte caps
		"bomb-lzw-2gib": _multi_stream_page([], lzw=2 << 30),
		# four cross-reference streams under the per-stream cap (24 MiB) but together above the total (64 MiB)
		"bomb-four-xref-streams-of-20mib": _xref_stream_chain(4, 20 << 20),
	}
	cases = {name: Case(data, REJECT, fail, sandbox=True, budget="inflate") for name, data in out.items()}
	# page content under the decompression caps but above what text extraction may parse (8 MiB)
	for name, data in (
		("bomb-four-streams-of-20mib", _multi_stream_page([20 << 20] * 4)),
		("content-23mib-to-parse", _bomb_pdf([(23 << 20, "contents"), (0, "contents"), (0, "contents")])),
	):
		cases[name] = Case(data, REJECT, fail, sandbox=True, budget="content_bytes")
	# a bomb on a page whose text is never needed (the code is found on page 1) is never inflated: harmless to
	# the checker, so the unsigned upload goes to manual review like any other unsigned one
	cases["bomb-on-page-2-never-read"] = Case(
		_bomb_pdf([(0, "contents"), (1 << 30, "contents"), (0, "contents")]), REVIEW, (), sandbox=True
	)
	return cases


def _tree_pdf(pages_obj: str, extra_objects: dict[int, str] | None = None, first_free: int = 10) -> bytes:
	"""Catalog 1, font 3, page 4 (contract text), page tree object 2 = ``pages_obj``."""
	b = pf.PdfBuilder()
	b._next = max(first_free, 5)
	b.add("<< /Type /Catalog /Pages 2 0 R >>", num=1)
	b.add(pages_obj, num=2)
	b.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", num=3)
	content = b.add("", stream=b"BT /F1 12 Tf 50 700 Td (Contrato " + CODE.encode() + b") Tj ET")
	b.add(
		f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {content} 0 R >>",
		num=4,
	)
	for num, text in (extra_objects or {}).items():
		b.add(text, num=num)
	return b.to_bytes(1)


def tree_cases() -> dict[str, Case]:
	out = {}
	out["tree-same-page-200k-times"] = _tree_pdf(
		"<< /Type /Pages /Count 200000 /Kids [" + "4 0 R " * 200_000 + "] >>"
	)
	# 6 intermediate nodes x 1000 distinct pages = 6000 pages, beyond the 5000-page bound
	b = pf.PdfBuilder()
	cat, root = b.reserve(), b.reserve()
	mids = []
	for _ in range(6):
		mid = b.reserve()
		kids = [b.add(f"<< /Type /Page /Parent {mid} 0 R /MediaBox [0 0 10 10] >>") for _ in range(1000)]
		b.add(
			f"<< /Type /Pages /Parent {root} 0 R /Count 1000 /Kids [{' '.join(f'{k} 0 R' for k in kids)}] >>",
			num=mid,
		)
		mids.append(mid)
	b.add(f"<< /Type /Pages /Count 6000 /Kids [{' '.join(f'{m} 0 R' for m in mids)}] >>", num=root)
	b.add(f"<< /Type /Catalog /Pages {root} 0 R >>", num=cat)
	out["tree-6000-distinct-pages"] = b.to_bytes(cat)
	# a chain of 5000 nested /Pages nodes
	depth = 5000
	chain = {}
	first = 10
	for i in range(depth):
		num = first + i
		kid = f"{num + 1} 0 R" if i < depth - 1 else "4 0 R"
		chain[num] = f"<< /Type /Pages /Count 1 /Kids [{kid}] >>"
	out["tree-5000-levels-deep"] = _tree_pdf("<< /Type /Pages /Count 1 /Kids [10 0 R] >>", chain)
	out["tree-cycle-self"] = _tree_pdf("<< /Type /Pages /Count 2 /Kids [4 0 R 2 0 R] >>")
	out["tree-cycle-two-nodes"] = _tree_pdf(
		"<< /Type /Pages /Count 2 /Kids [4 0 R 10 0 R] >>", {10: "<< /Type /Pages /Count 1 /Kids [2 0 R] >>"}
	)
	out["tree-kids-not-array"] = _tree_pdf("<< /Type /Pages /Count 1 /Kids 4 >>")
	out["tree-kid-is-number"] = _tree_pdf("<< /Type /Pages /Count 2 /Kids [4 0 R 7] >>")
	budgets = {
		"tree-same-page-200k-times": "pages",
		"tree-6000-distinct-pages": "pages",
		"tree-5000-levels-deep": "page_tree_depth",
	}  # the others are malformed trees: a policy failure, no budget involved
	cases = {
		name: Case(data, REJECT, ("page_count", "parse"), sandbox=True, budget=budgets.get(name))
		for name, data in out.items()
	}
	cases["graph-110k-nodes"] = Case(
		pf.contract_pdf(CODE, PAGES, extras=pf.Extras(catalog="/Junk [" + "<<>>" * 110_000 + "]")),
		REJECT,
		("active_content",),
		sandbox=True,
		budget="walk_nodes",
	)
	cases["nesting-50k-arrays"] = Case(
		pf.contract_pdf(CODE, PAGES, extras=pf.Extras(catalog="/Junk " + "[" * 50_000 + "]" * 50_000)),
		REJECT,
		("parse",),
		sandbox=True,
		budget="nesting",
	)
	cases["nesting-20k-dicts"] = Case(
		pf.contract_pdf(CODE, PAGES, extras=pf.Extras(catalog="/Junk " + "<< /A " * 20_000 + ">> " * 20_000)),
		REJECT,
		("parse",),
		sandbox=True,
		budget="nesting",
	)
	return cases


def xref_cases() -> dict[str, Case]:
	pdf = base("unsigned")
	sx = pdf.rfind(b"startxref")
	xref_at = int(pdf[sx + 9 :].split()[0])
	body = pdf[:xref_at]
	out = {
		"xref-startxref-beyond-eof": pdf[:sx] + b"startxref\n999999\n%%EOF\n",
		"xref-startxref-off-by-7": pdf[:sx] + b"startxref\n%d\n%%%%EOF\n" % (xref_at + 7),
		"xref-startxref-not-a-number": pdf[:sx] + b"startxref\nabc\n%%EOF\n",
		"xref-startxref-negative": pdf[:sx] + b"startxref\n-5\n%%EOF\n",
		"xref-missing-table-and-trailer": body + b"%%EOF\n",
		"xref-offsets-zeroed": re.sub(rb"\d{10} 00000 n", b"0000000000 00000 n", pdf),
		"xref-offsets-shifted": re.sub(
			rb"(\d{10}) 00000 n", lambda m: b"%010d 00000 n" % (int(m.group(1)) + 3), pdf
		),
		"xref-not-zero-indexed": pdf.replace(b"xref\n0 ", b"xref\n1 "),
		"xref-count-huge": pdf.replace(b"xref\n0 ", b"xref\n0 9999999"),
		"trailer-without-root": pdf.replace(b"/Root 1 0 R", b"/Rooot 1 0 R"),
		"trailer-without-root-huge-size": pdf.replace(b"/Root 1 0 R", b"/Rooot 1 0 R").replace(
			b"/Size ", b"/Size 99999999999"
		),
		"trailing-garbage-after-eof": pdf + b"<script>alert(1)</script>" * 4,
	}
	# objects the xref does not list: pypdf finds them by scanning the whole file, once per object
	b = pf.PdfBuilder()
	cat, tree = b.reserve(), b.reserve()
	page = b.add(f"<< /Type /Page /Parent {tree} 0 R /MediaBox [0 0 10 10] >>")
	b.add(f"<< /Type /Pages /Kids [{page} 0 R] /Count 1 >>", num=tree)
	refs = " ".join(f"{n} 0 R" for n in range(100, 3000))
	b.add(f"<< /Type /Catalog /Pages {tree} 0 R /Junk [{refs}] >>", num=cat)
	plain = b.to_bytes(cat)
	at = plain.find(b"xref\n")
	hidden = b"".join(b"%d 0 obj\n<< /A 1 >>\nendobj\n" % n for n in range(100, 3000))
	out["objects-outside-xref"] = (
		plain[:at] + hidden + plain[at:].replace(b"startxref\n%d" % at, b"startxref\n%d" % (at + len(hidden)))
	)
	# thousands of references to objects that do not exist (each one a full-file scan in pypdf)
	out["dangling-references"] = pf.contract_pdf(
		CODE,
		PAGES,
		extras=pf.Extras(catalog="/Junk [" + " ".join(f"{n} 0 R" for n in range(900, 3900)) + "]"),
	)
	cases = {name: Case(data, REJECT, ("parse",)) for name, data in out.items()}
	# /Prev pointing at its own xref table: pypdf 3.17 alone loops forever; the xref budget refuses the cycle
	loop = pdf[:sx].replace(b"trailer\n<<", b"trailer\n<< /Prev %d" % xref_at) + pdf[sx:]
	cases["xref-prev-self-loop"] = Case(loop, REJECT, ("parse",), sandbox=True, budget="xref_cycle")
	return cases


def _flip(data: bytes, at: int) -> bytes:
	return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


def tampered_cases() -> dict[str, Case]:
	signed = base("signed")
	unsigned = base("unsigned")
	out = {}
	sig_fail = ("signatures",)
	stream_at = unsigned.find(b"stream\n") + 20  # inside the first (compressed) content stream
	out["flip-in-content-stream"] = Case(_flip(signed, stream_at), REJECT, (*sig_fail, "parse"))
	out["flip-in-info-title"] = Case(_flip(signed, unsigned.find(b"(Contrato CTR") + 3), REJECT, sig_fail)
	out["flip-in-clause-text"] = Case(
		_flip(signed, signed.find(b"/MediaBox [0 0 595 842]") + 14), REJECT, (*sig_fail, "parse")
	)
	out["flip-in-signature-dict"] = Case(_flip(signed, signed.find(b"/M (D:") + 8), REJECT, sig_fail)
	contents = signed.find(b"/Contents <") + 11
	der_len = int(signed[contents + 4 : contents + 8], 16) + 4  # CMS is "3082LLLL...", then zero padding
	at = contents + 2 * der_len - 10  # a hex digit of the RSA signature value, near the end of the CMS
	digit = signed[at : at + 1]
	out["flip-in-cms-signature-value"] = Case(
		signed[:at] + (b"1" if digit != b"1" else b"2") + signed[at + 1 :], REJECT, sig_fail
	)
	out["flip-in-cms-padding-is-harmless"] = Case(
		signed[: contents + 2 * der_len + 40] + b"1" + signed[contents + 2 * der_len + 41 :], "accept", ()
	)
	end = signed.find(b">", contents)
	out["cms-zeroed"] = Case(signed[:contents] + b"0" * (end - contents) + signed[end:], REJECT, sig_fail)
	# ByteRange edited to leave the tail of the file unsigned
	m = re.search(rb"/ByteRange \[(\d+) (\d+) (\d+) (\d+)\s*\]", signed)
	a, b_, c, d = (int(x) for x in m.groups())
	new = b"/ByteRange [%d %d %d %d" % (a, b_, c, d - 100)
	new = new + b" " * (len(m.group(0)) - len(new) - 1) + b"]"
	out["byterange-shortened"] = Case(signed[: m.start()] + new + signed[m.end() :], REJECT, sig_fail)
	# incremental updates appended after signing
	cat_num, cat_text = pf.catalog_text(signed)
	size = pf.next_free(signed)
	js_update = pf.append_update(
		signed,
		{size: "<< /S /JavaScript /JS (app.alert\\(1\\)) >>"},
		root_override=cat_text[:-2] + f"/OpenAction {size} 0 R >>",
	)
	out["update-openaction-js-after-signing"] = Case(js_update, REJECT, ("active_content", "signatures"))
	page = pf.page_ref(signed, 0)
	page_text = pf.object_text(signed, page)
	new_content = zlib.compress(b"BT /F1 12 Tf 56 760 Td (Contrato CTR-2026-99999 valor R$ 1,00) Tj ET")
	content_update = pf.append_update(
		signed,
		{
			size: b"<< /Filter /FlateDecode /Length %d >>\nstream\n" % len(new_content)
			+ new_content
			+ b"\nendstream"
		},
	)
	content_update = pf.append_update(
		content_update, {page: re.sub(r"/Contents \d+ 0 R", f"/Contents {size} 0 R", page_text)}
	)
	out["update-page-content-replaced"] = Case(content_update, REJECT, sig_fail)
	highlight = pf.append_update(
		signed,
		{
			size: "<< /Type /Annot /Subtype /Highlight /Rect [50 750 300 770] /QuadPoints [50 770 300 770 50 750 300 750] /C [1 1 0] >>",
			page: re.sub(r"/Annots \[([^\]]*)\]", lambda m: f"/Annots [{m.group(1)} {size} 0 R]", page_text),
		},
	)
	out["update-highlight-after-signing"] = Case(highlight, REJECT, sig_fail)
	page2 = pf.page_ref(signed, 1)
	out["update-page-dropped"] = Case(
		pf.append_update(signed, {2: pf.object_text(signed, 2).replace(f"{page2} 0 R", "")}),
		REJECT,
		(*sig_fail, "page_count"),
	)
	# sign, then change, then sign again with another certificate: the first signature sees illegal changes
	other = pf.cached_pki("other-signer", signer_cn="OUTRA PESSOA:52998224725")
	resigned = pf.sign(content_update, other, field_name="Assinatura2")
	out["changed-then-resigned"] = Case(resigned, REJECT, sig_fail)
	out["signature-stripped-from-acroform"] = Case(
		pf.append_update(signed, {}, root_override=re.sub(r"/AcroForm \d+ 0 R", "", cat_text)),
		REJECT,  # the earlier revision was signed: a later update removed the signature
		sig_fail,
	)
	out["five-hundred-updates-after-signing"] = Case(_many_updates(signed, 500), REJECT, sig_fail)
	return out


def _many_updates(pdf: bytes, count: int) -> bytes:
	"""``count`` tiny incremental updates (each rewrites one object), chained by /Prev."""
	out = bytearray(pdf)
	prev = pf._last_startxref(pdf)
	size = pf.next_free(pdf)
	root = pf.catalog_text(pdf)[0]
	for i in range(count):
		at = len(out)
		out += b"%d 0 obj\n(revisao %d)\nendobj\n" % (size, i)
		xref_at = len(out)
		out += (
			b"xref\n%d 1\n%010d 00000 n \ntrailer\n<< /Size %d /Root %d 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n"
			% (
				size,
				at,
				size + 1,
				root,
				prev,
				xref_at,
			)
		)
		prev = xref_at
	return bytes(out)


def all_cases() -> dict[str, Case]:
	cases: dict[str, Case] = {}
	for group in (
		non_pdf_cases,
		truncated_cases,
		encrypted_cases,
		active_cases,
		bomb_cases,
		tree_cases,
		xref_cases,
		tampered_cases,
	):
		for name, case in group().items():
			assert name not in cases, name
			cases[name] = case
	return cases


CASES = all_cases()
SANDBOX = sorted(name for name, case in CASES.items() if case.sandbox)
IN_PROCESS = sorted(name for name, case in CASES.items() if not case.sandbox)


def test_corpus_is_large_enough():
	assert len(CASES) >= 100
	assert len(SANDBOX) >= 15
	assert sum(case.decision == REJECT for case in CASES.values()) >= 125


def _assert_verdict(name: str, verdict):
	case = CASES[name]
	failed = {c["check"] for c in verdict.checks if c["outcome"] == FAIL}
	assert verdict.decision == case.decision, (name, verdict.checks)
	if case.failing:
		assert failed & set(case.failing), (name, case.failing, verdict.checks)
	for c in verdict.checks:
		assert c["outcome"] in ("pass", "warn", "fail") and isinstance(c["detail"], str) and c["detail"]
	assert verdict.sha256 and len(verdict.sha256) == 64


@pytest.mark.parametrize("name", IN_PROCESS)
def test_bad_pdf_in_process(name):
	verdict = _check_in_process(CASES[name].data, **kwargs())
	_assert_verdict(name, verdict)


TIMING_STATS = {"seconds", "maxrss_kb", "cpu_seconds", "vmpeak_kb"}  # measurements, not results


def comparable(verdict) -> dict:
	"""The whole verdict minus what is measured rather than decided (timings, memory): decision, every check
	with its reason, signatures, signer, budget counters and the deciding budget."""
	out = verdict.as_dict()
	out["stats"] = {k: v for k, v in out["stats"].items() if k not in TIMING_STATS and not k.startswith("t_")}
	return out


def run_sandbox(names, **limits) -> dict:
	"""check_pdf (child process) for each case, two at a time; ``limits`` are passed through."""

	def run(name):
		return name, check_pdf(CASES[name].data, **kwargs(), **limits)

	with ThreadPoolExecutor(max_workers=2) as pool:
		return dict(pool.map(run, names))


@pytest.fixture(scope="session")
def sandbox_verdicts():
	return run_sandbox(SANDBOX)  # the default limits: a last-resort kill only


@pytest.mark.parametrize("name", SANDBOX)
def test_bad_pdf_in_sandbox(name, sandbox_verdicts):
	verdict = sandbox_verdicts[name]
	_assert_verdict(name, verdict)
	# decided by the expected deterministic budget (or by a plain policy check), never by a safety kill
	assert verdict.stats.get("budget") == CASES[name].budget, (name, verdict.stats, verdict.checks)
	assert "kill" not in verdict.stats, (name, verdict.stats)
	assert not {KILL_TIME, KILL_MEMORY} & {c["detail"] for c in verdict.checks}, name


@pytest.mark.parametrize("factor", [0.2, 10])
def test_sandbox_verdicts_do_not_depend_on_time_limits(factor, sandbox_verdicts):
	"""The time limits only guard against the unforeseen: scaled down to a fifth (still far above any budget's
	cost) or up tenfold, every hostile case gets the same verdict, reasons and budget counters."""
	scaled = run_sandbox(
		SANDBOX, cpu_seconds=max(1, round(DEFAULT_CPU_SECONDS * factor)), timeout=DEFAULT_TIMEOUT * factor
	)
	for name in SANDBOX:
		assert comparable(scaled[name]) == comparable(sandbox_verdicts[name]), name


def test_budget_verdict_is_reproducible(sandbox_verdicts):
	"""The case that used to depend on machine speed (a CPU-time box) now hits a byte budget: a second run, and
	the in-process run without any process limit, give exactly the same result, counters included."""
	name = "content-23mib-to-parse"
	first = comparable(sandbox_verdicts[name])
	assert comparable(check_pdf(CASES[name].data, **kwargs())) == first
	assert comparable(_check_in_process(CASES[name].data, **kwargs())) == first
	parse = next(c for c in first["checks"] if c["check"] == "parse")
	assert first["stats"]["budget"] == "content_bytes" and "mais de 8 MB" in parse["detail"], first


REPRESENTATIVE = [
	"png-renamed",
	"truncated-signed-at-{}".format(len(base("signed")) * 6 // 13),
	"encrypted-user-password-AES-256",
	"active-js-openaction",
	"active-embedded-files-tree",
	"flip-in-info-title",
	"update-openaction-js-after-signing",
	"xref-offsets-zeroed",
]


def test_subprocess_matches_in_process():
	def run(name):
		return name, check_pdf(CASES[name].data, **kwargs())

	with ThreadPoolExecutor(max_workers=2) as pool:
		results = list(pool.map(run, REPRESENTATIVE))
	for name, verdict in results:
		_assert_verdict(name, verdict)
		inproc = _check_in_process(CASES[name].data, **kwargs())
		assert [(c["check"], c["outcome"]) for c in verdict.checks] == [
			(c["check"], c["outcome"]) for c in inproc.checks
		], name
