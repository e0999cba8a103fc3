"""The child process that parses an untrusted PDF: ``python -m fiber_onboarding.core.pdfcheck._worker``.

Protocol: stdin carries one JSON header line (options and ``length``) followed by exactly ``length`` bytes of the
file. The worker sets its own last-resort limits before importing any PDF library (RLIMIT_CPU, RLIMIT_AS, no
core dumps), runs ``run_checks`` and writes one JSON object to stdout; anything the libraries print goes to
stderr. ``run_checks`` decides with deterministic budgets only (``bounds``): the same file gets the same result
in the child and in-process, where the tests call it for cheap inputs (no process limits there).
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import sys
import time
import warnings

from .model import CHECK_IDS, FAIL, KILL_MEMORY, PASS, row

EXIT_MEMORY = 3
EXIT_BAD_INPUT = 4


def _quiet() -> None:
	warnings.filterwarnings("ignore")


# pypdf repairs a broken cross-reference table silently (strict=False) and only logs it. A repaired file is
# rejected: its objects are not where the file says they are (truncated, damaged or hand-edited).
_REPAIR = re.compile(
	r"ref repaired|rebuild xref|incorrect startxref|Xref table invalid|EOF marker not found|"
	r"Previous trailer can not be read|can not be read, some object|not zero-indexed|Invalid parent xref|"
	r"Object \d+ \d+ found",
	re.I,
)
_DANGLING = re.compile(r"Object \d+ \d+ not defined")
MAX_DANGLING = 50
_LIBRARY_LOGGERS = ("pypdf", "pyhanko", "pyhanko_certvalidator")


def _repair_message(detail: str) -> str:
	"""pt-BR message for a damaged cross-reference table (``detail``, pypdf's English log line, is kept in the
	verdict's ``stats['repair']`` for the audit trail, not shown to the customer)."""
	return (
		"Tabela de referências (xref) do PDF corrompida: o arquivo foi danificado, truncado ou editado de forma "
		"incorreta. Gere ou salve o PDF novamente."
	)


class _RepairLog(logging.Handler):
	"""Collects the libraries' warnings during one run (and keeps them off stderr)."""

	def __init__(self) -> None:
		super().__init__(logging.WARNING)
		self.repairs: list[str] = []
		self.dangling = 0

	def emit(self, record: logging.LogRecord) -> None:
		try:
			message = record.getMessage()
		except Exception:
			return
		if _DANGLING.search(message):
			# a reference to a missing object: tolerated (sloppy producers), but each one makes pypdf scan the
			# whole file, so only a few
			self.dangling += 1
			if self.dangling > MAX_DANGLING:
				from .checks import LimitExceeded

				raise LimitExceeded(
					f"O PDF tem mais de {MAX_DANGLING} referências a objetos inexistentes: arquivo danificado.",
					fatal=True,
					budget="dangling_refs",
				)
			return
		if _REPAIR.search(message):
			if len(self.repairs) < 20:
				self.repairs.append(message[:160])
			# stop at once: pypdf's repair scans the whole file per broken object (quadratic on crafted files)
			from .checks import LimitExceeded

			raise LimitExceeded(_repair_message(message), fatal=True)

	def __enter__(self):
		self._saved = []
		for name in _LIBRARY_LOGGERS:
			log = logging.getLogger(name)
			self._saved.append((log, log.propagate, log.level))
			log.addHandler(self)
			log.propagate = False
			log.setLevel(logging.WARNING)
		return self

	def __exit__(self, *exc_info):
		for log, propagate, level in self._saved:
			log.removeHandler(self)
			log.propagate = propagate
			log.setLevel(level)
		return False


def _tail_problem(data: bytes) -> str | None:
	"""A PDF ends with %%EOF (then only whitespace/NUL); anything else is a truncated or patched file."""
	pos = data.rfind(b"%%EOF")
	if pos < 0:
		return (
			"Marcador de fim (%%EOF) ausente: o arquivo está truncado ou incompleto. Envie o PDF novamente."
		)
	if data[pos + 5 :].strip(b" \t\r\n\x00\x0c"):
		return (
			"Há dados depois do fim do PDF (%%EOF): arquivo truncado, corrompido ou adulterado. "
			"Envie o PDF original."
		)
	return None


def _order(checks: list[dict]) -> list[dict]:
	return sorted(checks, key=lambda c: CHECK_IDS.index(c["check"]))


def run_checks(data: bytes, options: dict) -> dict:
	"""Parse and check ``data``; return {checks, signatures, signer, qualifying, stats}. Never raises for bad
	input: limits and parser errors become a failed ``parse`` check (or the check they belong to).

	Library warnings, log handlers and the parser patches (``_patches.bounded_parsing``) are scoped to the call
	and restored afterwards. ``stats['usage']`` holds the budget counters; ``stats['budget']`` names the limit
	that decided, if one did."""
	from ._patches import bounded_parsing

	with warnings.catch_warnings(), _RepairLog() as log, bounded_parsing() as budget:
		warnings.simplefilter("ignore")
		result = _run_checks(data, options, log, budget)
		if log.repairs:
			result["stats"]["repair"] = log.repairs[:3]  # the libraries' own words, for the audit trail
		result["stats"]["usage"] = budget.usage()
		return result


def _run_checks(data: bytes, options: dict, log: _RepairLog, budget) -> dict:
	from . import checks as C
	from . import revocation as R
	from . import signatures as S

	started = time.monotonic()
	stats: dict = {}
	out: list[dict] = []
	result = {"checks": out, "signatures": [], "signer": None, "qualifying": False, "stats": stats}

	def parse_failed(detail: str) -> dict:
		out[:] = [c for c in out if c["check"] != "parse"]
		out.append(row("parse", FAIL, detail))
		result["checks"] = _order(out)
		stats["seconds"] = round(time.monotonic() - started, 3)
		return result

	def describe(exc: BaseException) -> str:
		"""The pt-BR reason; a budget's id goes to ``stats['budget']`` (the first budget hit always wins)."""
		if budget.hit:
			stats["budget"] = budget.hit_budget
			return budget.hit
		if isinstance(exc, C.LimitExceeded):
			if exc.budget:
				stats["budget"] = exc.budget
			return str(exc)
		if isinstance(exc, MemoryError):  # the last-resort memory limit, not a budget
			stats["kill"] = "memory"
			return KILL_MEMORY
		if isinstance(exc, RecursionError):
			return "Estrutura do PDF aninhada demais (recursão excessiva)."
		return f"O PDF está corrompido ou incompleto e não pode ser lido ({type(exc).__name__}). Gere ou salve o PDF novamente."

	# 1. parse: the file ends properly, and both pypdf (structure) and pyHanko (signatures) read it
	problem = _tail_problem(data)
	if problem:
		return parse_failed(problem)
	try:
		reader = C.open_reader(data)
		# 2. encryption: only files that open with the empty user password go on
		enc = C.check_encryption(reader)
		budget.check()
		if enc["outcome"] == FAIL:
			out.extend([row("parse", PASS, "Estrutura do PDF lida (conteúdo criptografado)."), enc])
			result["checks"] = _order(out)
			return result
		C.require_root(reader)
	except BaseException as exc:
		if isinstance(exc, KeyboardInterrupt | SystemExit):
			raise
		return parse_failed(describe(exc))
	# pyHanko must read the file too: a file the signature validator cannot parse is rejected as damaged, like
	# one that pypdf cannot read (pyHanko does not reconstruct broken cross-reference tables)
	try:
		import io

		from pyhanko.pdf_utils.reader import PdfFileReader

		ph_reader = PdfFileReader(io.BytesIO(data), strict=False)
		if ph_reader.encrypted:
			ph_reader.decrypt(b"")
		ph_reader.root
		budget.check()
	except BaseException as exc:
		if isinstance(exc, KeyboardInterrupt | SystemExit):
			raise
		return parse_failed(describe(exc))
	out.append(row("parse", PASS, "Estrutura do PDF lida sem erros."))
	out.append(enc)
	stats["t_open"] = round(time.monotonic() - started, 3)

	try:
		# 3. active content
		out.append(C.check_active_content(reader, stats))
		budget.check()
		stats["t_active"] = round(time.monotonic() - started, 3)
		# 4. page tree
		want = set(range(C.TEXT_PAGES_HEAD)) | {-1}
		picked: dict = {}
		try:
			count, picked = C.walk_pages(reader, want)
			out.append(C.check_page_count(count, options.get("expected_pages")))
		except C.LimitExceeded as exc:
			if exc.fatal or budget.hit:
				raise
			stats["budget"] = exc.budget
			out.append(row("page_count", FAIL, str(exc)))
		budget.check()
		# 5. signatures (pyHanko)
		roots = [
			{"label": r["label"], "kind": r["kind"], "der": base64.b64decode(r["der"])}
			for r in options.get("roots", [])
		]
		statuses, sig_error = S.validate_signatures(
			data,
			roots,
			reader=ph_reader,
			revinfo=options.get("revinfo"),
			validation_time=options.get("validation_time"),
			extra_certs=[base64.b64decode(c) for c in options.get("extra_certs") or []],
		)
		budget.check()
		result["signatures"] = statuses
		earlier = S.signatures_in_earlier_revisions(ph_reader) if not sig_error else 0
		out.append(S.check_signatures(statuses, sig_error, _has_sig_fields(reader), earlier=earlier))
		budget.check()
		stats["t_signatures"] = round(time.monotonic() - started, 3)
		# 6. contract code, in the signed revision when later updates follow the signature
		text_reader, text_pages = reader, picked
		end = _signed_revision_end(statuses)
		if end is not None and end < len(data) and picked:
			try:
				text_reader = C.open_reader(data[:end], decrypt=True)
				_count, text_pages = C.walk_pages(text_reader, want)
				stats["text_revision_end"] = end
			except C.LimitExceeded as exc:
				if exc.fatal or budget.hit:
					raise
				text_reader, text_pages = reader, picked
			except Exception as exc:
				C.reraise_fatal(exc)
				text_reader, text_pages = reader, picked
		issued = C.issued_revision(data, options.get("issued_sha256"))
		if issued is not None:
			out.append(
				row(
					"contract_code",
					PASS,
					"A primeira revisão do arquivo é idêntica ao contrato emitido (SHA-256 {}…, {} bytes).".format(
						options["issued_sha256"][:12], issued
					),
				)
			)
		elif picked:
			out.append(C.check_contract_code(text_reader, text_pages, options.get("contract_code"), budget))
		budget.check()
		stats["t_text"] = round(time.monotonic() - started, 3)
		# 7. trust and signer
		out.append(S.check_trust(statuses, len(roots), options.get("refused_roots", [])))
		out.append(R.check_revocation(statuses, options.get("revinfo")))
		result["revocation_needs"] = [
			need
			for s in statuses
			if not (s.get("revocation") or {}).get("checked")
			for need in (s.get("revocation") or {}).get("needs", [])
		]
		signer_row, signer, qualifying = S.check_signer(
			statuses, options.get("signer_cpf"), options.get("signer_name"), options.get("signer_cnpj")
		)
		out.append(signer_row)
		result["signer"] = signer
		result["qualifying"] = qualifying
	except BaseException as exc:
		if isinstance(exc, KeyboardInterrupt | SystemExit):
			raise
		return parse_failed(describe(exc))
	if log.repairs:  # a repair whose exception a library swallowed
		return parse_failed(_repair_message(log.repairs[0]))
	return _finish(result, out, stats, started)


def _finish(result: dict, out: list[dict], stats: dict, started: float) -> dict:
	result["checks"] = _order(out)
	stats["seconds"] = round(time.monotonic() - started, 3)
	return result


def _has_sig_fields(reader) -> bool:
	"""Whether the AcroForm declares signature fields with a value (pyHanko failing on those = reject)."""
	try:
		fields = reader.trailer["/Root"].get("/AcroForm", {}).get("/Fields", [])
		for ref in list(fields)[:1000]:
			field = ref.get_object()
			if field.get("/FT") == "/Sig" and field.get("/V") is not None:
				return True
	except Exception:
		return True  # unreadable form: be strict
	return False


def _signed_revision_end(statuses: list[dict]) -> int | None:
	"""End of the revision covered by the deciding signature (the first acceptable one, else the first intact)."""
	for pick in (lambda s: s.get("acceptable"), lambda s: s.get("intact")):
		for s in statuses:
			if s.get("kind") == "signature" and pick(s) and s.get("signed_bytes_end"):
				return int(s["signed_bytes_end"])
	return None


def _vm_peak_kb() -> int | None:
	try:
		with open("/proc/self/status", "rb") as fh:
			for line in fh:
				if line.startswith(b"VmPeak:"):
					return int(line.split()[1])
	except (OSError, ValueError, IndexError):
		pass
	return None


def _set_limits(cpu_seconds: int, memory_mb: int) -> None:
	"""Last-resort limits only (the caller sets them far above what the budgets allow)."""
	import resource

	resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
	cpu = max(1, int(cpu_seconds))
	resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
	if memory_mb:
		limit = int(memory_mb) * 1024 * 1024
		resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def main() -> int:
	stdin = sys.stdin.buffer
	real_stdout = os.dup(1)
	os.dup2(2, 1)  # stray prints from libraries must not corrupt the JSON answer
	try:
		header = json.loads(stdin.readline(1 << 20).decode("utf-8"))
		length = int(header["length"])
		_set_limits(header["cpu_seconds"], header["memory_mb"])
		data = stdin.read(length)
		if len(data) != length:
			raise ValueError("short input")
		extra = int(header.get("revinfo_length") or 0)
		if extra:  # the CRLs / OCSP responses the parent fetched: too big for the header line
			blob = stdin.read(extra)
			if len(blob) != extra:
				raise ValueError("short input")
			header["revinfo"] = json.loads(blob.decode("utf-8"))
	except Exception:
		return EXIT_BAD_INPUT
	_quiet()
	try:
		result = run_checks(data, header)
		import resource

		usage = resource.getrusage(resource.RUSAGE_SELF)
		result["stats"]["maxrss_kb"] = usage.ru_maxrss
		result["stats"]["cpu_seconds"] = round(usage.ru_utime + usage.ru_stime, 3)
		result["stats"]["vmpeak_kb"] = _vm_peak_kb()  # address space: what RLIMIT_AS measures
		payload = json.dumps(result, ensure_ascii=False, default=str).encode("utf-8")
	except MemoryError:
		return EXIT_MEMORY
	with os.fdopen(real_stdout, "wb") as fh:
		fh.write(payload)
	return 0


if __name__ == "__main__":
	sys.exit(main())
