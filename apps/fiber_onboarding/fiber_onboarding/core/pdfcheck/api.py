"""``check_pdf``: screen an uploaded signed contract in a separate, resource-limited process.

The parent never parses the PDF: it checks the magic bytes and the size, pins the trust roots, then hands the
bytes to ``python -m fiber_onboarding.core.pdfcheck._worker``. The child decides with deterministic budgets
(``bounds``); its CPU and address-space limits (set in the child) and the wall-clock timeout (here) are only a
last-resort kill, far above what any budget allows. A child that is killed, crashes, times out or answers
garbage becomes a ``reject`` with a failed ``parse`` check, never an exception; a kill by a safety limit has
its own reason (``model.KILL_TIME`` / ``KILL_MEMORY``) and ``stats['kill']`` says which limit fired.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from ._worker import EXIT_MEMORY
from .model import (
	CHECK_IDS,
	FAIL,
	KILL_MEMORY,
	KILL_TIME,
	PASS,
	REJECT,
	TrustRoot,
	TrustRootError,
	Verdict,
	decide,
	row,
)
from .revocation_fetch import RevocationSource, gather

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAGIC_WINDOW = 1024
# Last-resort kill of the child, far above what the budgets let a file cost (a 10 MB, 100-page contract needs
# ~0.6 s of CPU and ~100 MB of address space; the heaviest budget-bounded inputs measured ~5 s and ~300 MB).
# The wall clock stays under the 120 s timeout of the background job that calls check_pdf (contract_service).
DEFAULT_CPU_SECONDS = 60
DEFAULT_TIMEOUT = 90.0
DEFAULT_MEMORY_MB = 768

# What a renamed upload usually is, for a friendlier message.
_KNOWN_MAGIC = (
	(b"\x89PNG", "imagem PNG"),
	(b"\xff\xd8\xff", "imagem JPEG"),
	(b"GIF8", "imagem GIF"),
	(b"PK\x03\x04", "arquivo ZIP/DOCX/ODT"),
	(b"\xd0\xcf\x11\xe0", "documento do Office antigo (DOC/XLS)"),
	(b"MZ", "programa executável"),
	(b"\x7fELF", "programa executável"),
	(b"{\\rtf", "documento RTF"),
)


def _sniff(data: bytes) -> str:
	if not data:
		return "arquivo vazio"
	for magic, label in _KNOWN_MAGIC:
		if data.startswith(magic):
			return label
	head = data[:512].lstrip().lower()
	if head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<")):
		return "página HTML/XML"
	return "conteúdo desconhecido"


def check_magic(data: bytes) -> dict:
	pos = data[:MAGIC_WINDOW].find(b"%PDF-")
	if pos < 0:
		return row(
			"is_pdf",
			FAIL,
			f"O arquivo não é um PDF ({_sniff(data)}), qualquer que seja a extensão do nome. Envie o contrato em PDF.",
		)
	version = data[pos + 5 : pos + 8].decode("latin-1", "replace")
	return row("is_pdf", PASS, f"Cabeçalho %PDF-{version} encontrado.")


def check_size(size: int, max_bytes: int) -> dict:
	mb = 1024 * 1024
	if size > max_bytes:
		return row(
			"size",
			FAIL,
			f"O arquivo tem {size / mb:.1f} MB; o limite é {max_bytes / mb:.0f} MB.",
		)
	if size == 0:
		return row("size", FAIL, "O arquivo está vazio.")
	return row("size", PASS, f"{size / mb:.2f} MB (limite {max_bytes / mb:.0f} MB).")


def _pin_roots(trust_roots: Iterable[TrustRoot]) -> tuple[list[dict], list[str]]:
	usable, refused = [], []
	for root in trust_roots or ():
		try:
			der = root.check()
		except TrustRootError as exc:
			refused.append(str(exc))
			continue
		usable.append({"label": root.label, "kind": root.kind, "der": base64.b64encode(der).decode("ascii")})
	return usable, refused


def _worker_env() -> dict:
	env = dict(os.environ)
	app_dir = str(Path(__file__).resolve().parents[3])  # .../apps/fiber_onboarding (holds the package)
	env["PYTHONPATH"] = app_dir + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
	env["PYTHONWARNINGS"] = "ignore"
	return env


def _signal_name(code: int) -> str:
	try:
		return signal.Signals(-code).name
	except ValueError:
		return str(-code)


def run_worker(header: dict, data: bytes, timeout: float) -> tuple[dict | None, str | None, str | None]:
	"""Run the child; return (result, None, None) or (None, pt-BR reason, kill) where ``kill`` is "cpu",
	"wall" or "memory" when a last-resort limit ended the child, else None. ``header['revinfo']`` (fetched
	CRLs / OCSP responses, possibly megabytes) travels after the file, not in the header line."""
	header = dict(header)
	revinfo = header.pop("revinfo", None)
	extra = json.dumps(revinfo).encode("utf-8") if revinfo is not None else b""
	header["revinfo_length"] = len(extra)
	payload = json.dumps(dict(header, length=len(data))).encode("utf-8") + b"\n"
	try:
		proc = subprocess.Popen(
			[sys.executable, "-m", "fiber_onboarding.core.pdfcheck._worker"],
			stdin=subprocess.PIPE,
			stdout=subprocess.PIPE,
			stderr=subprocess.PIPE,
			env=_worker_env(),
			close_fds=True,
			start_new_session=True,
		)
	except OSError as exc:
		return None, f"Não foi possível iniciar o processo de análise ({exc.strerror or exc}).", None
	try:
		stdout, stderr = proc.communicate(payload + data + extra, timeout=timeout)
	except subprocess.TimeoutExpired:
		proc.kill()
		proc.communicate()
		return None, KILL_TIME, "wall"
	except OSError:  # broken pipe: the child died while reading its input
		proc.kill()
		stdout, stderr = proc.communicate()
	except BaseException:  # e.g. the job's own timeout fires in the parent: never leave the child behind
		proc.kill()
		proc.wait()
		raise
	code = proc.returncode
	if code != 0:
		if code < 0 and -code in (signal.SIGXCPU, signal.SIGKILL):  # RLIMIT_CPU: soft, then hard limit
			return None, KILL_TIME, "cpu"
		if code < 0:
			return None, f"O analisador de PDF terminou de forma anormal ({_signal_name(code)}).", None
		tail = (stderr or b"")[-300:].decode("utf-8", "replace")
		if code == EXIT_MEMORY or "MemoryError" in tail:
			return None, KILL_MEMORY, "memory"
		return None, f"O analisador de PDF falhou (código {code}).", None
	try:
		result = json.loads(stdout.decode("utf-8"))
		checks = result["checks"]
		for c in checks:
			if c["check"] not in CHECK_IDS or c["outcome"] not in ("pass", "warn", "fail"):
				raise ValueError(c)
	except Exception:
		return None, "Resposta inválida do processo de análise.", None
	return result, None, None


def _run(header: dict, data: bytes, timeout: float, in_process: bool):
	if in_process:
		from ._worker import run_checks

		result = json.loads(json.dumps(run_checks(data, dict(header)), default=str))
		return result, None, None
	return run_worker(header, data, timeout)


def check_pdf(
	data: bytes,
	*,
	contract_code: str | None = None,
	expected_pages: int | None = None,
	trust_roots: Iterable[TrustRoot] = (),
	expected_signer_cpf: str | None = None,
	expected_signer_name: str | None = None,
	expected_signer_cnpj: str | None = None,
	revocation: RevocationSource | None = None,
	validation_time: str | None = None,
	extra_certs: Iterable[bytes] = (),
	max_bytes: int = DEFAULT_MAX_BYTES,
	cpu_seconds: int = DEFAULT_CPU_SECONDS,
	memory_mb: int = DEFAULT_MEMORY_MB,
	timeout: float = DEFAULT_TIMEOUT,
	issued_sha256: str | None = None,
) -> Verdict:
	"""Screen an uploaded signed contract; see signed-pdf.md §3 and §8 and the package docstring.

	``issued_sha256`` (optional): SHA-256 of the PDF that was sent; when the upload starts with exactly those
	bytes (incremental signing) the content is proven to be ours without looking at its text.
	``expected_signer_cnpj``: the company's CNPJ (an e-CNPJ must be this company's). ``revocation``: where CRLs and
	OCSP responses are fetched (``revocation_fetch.HttpRevocationSource``); without it only revocation data
	embedded in the PDF counts, and a chain without any goes to review. ``validation_time``: ISO datetime to
	validate at (tests; default now). ``extra_certs``: DER intermediate CA certificates that help build a chain
	(never anchors: the chain must still verify up to a pinned root), e.g. the gov.br chain, whose signatures
	embed only the signer's certificate.
	``cpu_seconds``, ``memory_mb`` and ``timeout`` are the last-resort kill of the child, not verdict rules: any
	value far above the budgets gives the same verdict for the same file."""
	return _check(
		bytes(data),
		contract_code=contract_code,
		expected_pages=expected_pages,
		trust_roots=trust_roots,
		expected_signer_cpf=expected_signer_cpf,
		expected_signer_name=expected_signer_name,
		expected_signer_cnpj=expected_signer_cnpj,
		revocation=revocation,
		validation_time=validation_time,
		extra_certs=extra_certs,
		max_bytes=max_bytes,
		cpu_seconds=cpu_seconds,
		memory_mb=memory_mb,
		timeout=timeout,
		issued_sha256=issued_sha256,
		in_process=False,
	)


def _check_in_process(data: bytes, **kwargs) -> Verdict:
	"""Same as ``check_pdf`` but parses in this process, without limits. Tests only (patches pypdf's inflate)."""
	for name in (
		"contract_code",
		"expected_pages",
		"expected_signer_cpf",
		"expected_signer_name",
		"expected_signer_cnpj",
		"revocation",
		"validation_time",
	):
		kwargs.setdefault(name, None)
	kwargs.setdefault("extra_certs", ())
	kwargs.setdefault("trust_roots", ())
	kwargs.setdefault("issued_sha256", None)
	kwargs.setdefault("max_bytes", DEFAULT_MAX_BYTES)
	kwargs.setdefault("cpu_seconds", DEFAULT_CPU_SECONDS)
	kwargs.setdefault("memory_mb", DEFAULT_MEMORY_MB)
	kwargs.setdefault("timeout", DEFAULT_TIMEOUT)
	return _check(bytes(data), in_process=True, **kwargs)


def _check(
	data: bytes,
	*,
	contract_code,
	expected_pages,
	trust_roots,
	expected_signer_cpf,
	expected_signer_name,
	expected_signer_cnpj,
	revocation,
	validation_time,
	extra_certs,
	max_bytes,
	cpu_seconds,
	memory_mb,
	timeout,
	issued_sha256,
	in_process: bool,
) -> Verdict:
	sha = hashlib.sha256(data).hexdigest()
	checks = [check_magic(data), check_size(len(data), max_bytes)]
	if any(c["outcome"] == FAIL for c in checks):
		return Verdict(decision=REJECT, checks=checks, sha256=sha, size=len(data))
	roots, refused = _pin_roots(trust_roots)
	header = {
		"contract_code": contract_code,
		"expected_pages": int(expected_pages) if expected_pages is not None else None,
		"roots": roots,
		"refused_roots": refused,
		"signer_cpf": expected_signer_cpf,
		"signer_name": expected_signer_name,
		"signer_cnpj": expected_signer_cnpj,
		"validation_time": validation_time,
		"extra_certs": [base64.b64encode(bytes(c)).decode("ascii") for c in extra_certs or ()][:50],
		"cpu_seconds": cpu_seconds,
		"memory_mb": memory_mb,
		"issued_sha256": issued_sha256,
	}
	result, reason, kill = _run(header, data, timeout, in_process)
	needs = (result or {}).get("revocation_needs")
	if needs and revocation is not None:
		# second run with the CRLs / OCSP responses of the certificates' own URLs (fetched here, in the parent)
		header["revinfo"] = gather(needs, revocation)
		result, reason, kill = _run(header, data, timeout, in_process)
	if result is None:
		checks.append(row("parse", FAIL, reason))
		stats = {"kill": kill} if kill else {}
		return Verdict(decision=REJECT, checks=checks, sha256=sha, size=len(data), stats=stats)
	checks.extend(result["checks"])
	decision = decide(checks, bool(result.get("qualifying")))
	signatures = [{k: v for k, v in s.items()} for s in result.get("signatures", [])]
	return Verdict(
		decision=decision,
		checks=checks,
		sha256=sha,
		signer=result.get("signer"),
		size=len(data),
		signatures=signatures,
		stats=result.get("stats", {}),
	)
