"""CLI: ``python -m fiber_onboarding.core.pdfcheck FILE [options]`` prints the JSON verdict.

Exit status: 0 accept, 1 review, 2 reject (also for a missing/unreadable file or invalid arguments: the JSON
then says why). Trust roots: ``--trust-root CERT[:SHA256]`` (kind "other"), ``--icp-root`` (ICP-Brasil,
*qualificada*) and ``--govbr-root`` (gov.br, *avançada*); without ``:SHA256`` the file's own hash is pinned.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys

from .api import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, MAGIC_WINDOW, check_magic, check_pdf, check_size
from .model import FAIL, REJECT, TrustRoot, TrustRootError, Verdict, row
from .revocation_fetch import HttpRevocationSource, MemoryRevocationCache

_PIN = re.compile(r"^(?P<path>.+?):(?P<pin>[0-9A-Fa-f]{2}(?::?[0-9A-Fa-f]{2}){31})$")


class _ArgError(Exception):
	pass


class _Parser(argparse.ArgumentParser):
	def error(self, message):  # never exit from inside argparse: report as JSON
		raise _ArgError(message)


def parse_root(spec: str, kind: str) -> TrustRoot:
	match = _PIN.match(spec)
	path, pin = (match.group("path"), match.group("pin")) if match else (spec, None)
	return TrustRoot.load(path, sha256=pin, kind=kind)


def build_parser() -> argparse.ArgumentParser:
	p = _Parser(
		prog="python -m fiber_onboarding.core.pdfcheck", description="Verifica um contrato assinado (PDF)."
	)
	p.add_argument("file", help="arquivo a verificar")
	p.add_argument("--contract-code", help="código do contrato emitido (ex.: CTR-2026-00042)")
	p.add_argument("--pages", type=int, help="número de páginas do contrato emitido")
	p.add_argument("--trust-root", action="append", default=[], metavar="CERT[:SHA256]")
	p.add_argument("--icp-root", action="append", default=[], metavar="CERT[:SHA256]")
	p.add_argument("--govbr-root", action="append", default=[], metavar="CERT[:SHA256]")
	p.add_argument("--signer-cpf", help="CPF do responsável legal")
	p.add_argument("--signer-name", help="nome do responsável legal")
	p.add_argument(
		"--issued-sha256", help="SHA-256 do PDF emitido (prova o conteúdo quando a assinatura é incremental)"
	)
	p.add_argument(
		"--extra-cert",
		action="append",
		default=[],
		metavar="PEM",
		help="certificados de AC intermediária (PEM) para montar a cadeia, ex.: a cadeia gov.br; nunca raízes",
	)
	p.add_argument("--signer-cnpj", help="CNPJ da empresa (um e-CNPJ precisa ser desta empresa)")
	p.add_argument(
		"--online-revocation",
		action="store_true",
		help="consulta LCR/OCSP nos endereços dos certificados (sem isso, só vale o que o PDF traz embutido)",
	)
	p.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES)
	p.add_argument(
		"--timeout",
		type=float,
		default=DEFAULT_TIMEOUT,
		help="limite de segurança de tempo (último recurso), em s",
	)
	return p


def _reject(detail: str, data: bytes = b"") -> Verdict:
	return Verdict(
		decision=REJECT,
		checks=[row("is_pdf", FAIL, detail)],
		sha256=hashlib.sha256(data).hexdigest(),
		size=len(data),
	)


def _read(path: str, max_bytes: int) -> tuple[bytes | None, Verdict | None]:
	"""The file's bytes, or (for a file over the limit) a reject verdict built without loading it all."""
	with open(path, "rb") as fh:
		size = os.fstat(fh.fileno()).st_size
		if size <= max_bytes:
			return fh.read(max_bytes + 1), None
		head = fh.read(MAGIC_WINDOW)
		digest = hashlib.sha256(head)
		for chunk in iter(lambda: fh.read(1 << 20), b""):
			digest.update(chunk)
	checks = [check_magic(head), check_size(size, max_bytes)]
	return None, Verdict(decision=REJECT, checks=checks, sha256=digest.hexdigest(), size=size)


def _extra_certs(paths: list[str]) -> list[bytes]:
	import base64

	ders = []
	for path in paths:
		with open(path, "rb") as fh:
			text = fh.read().decode("ascii", "replace")
		for block in re.findall(r"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", text, re.S):
			ders.append(base64.b64decode("".join(block.split())))
	return ders


def main(argv: list[str] | None = None) -> int:
	try:
		args = build_parser().parse_args(argv)
	except _ArgError as exc:
		verdict = _reject(f"Argumentos inválidos: {exc}")
		print(json.dumps(verdict.as_dict(), ensure_ascii=False, indent=2))
		return 2
	roots, refused = [], []
	for kind, specs in (
		("other", args.trust_root),
		("icp-brasil", args.icp_root),
		("gov.br", args.govbr_root),
	):
		for spec in specs:
			try:
				roots.append(parse_root(spec, kind))
			except TrustRootError as exc:
				refused.append(str(exc))
	try:
		data, verdict = _read(args.file, args.max_bytes)
	except FileNotFoundError:
		data, verdict = None, _reject(f"Arquivo não encontrado: {args.file}")
	except IsADirectoryError:
		data, verdict = None, _reject(f"O caminho é um diretório, não um arquivo: {args.file}")
	except OSError as exc:
		data, verdict = None, _reject(f"Não foi possível ler o arquivo {args.file}: {exc.strerror or exc}")
	if verdict is None:
		verdict = check_pdf(
			data,
			contract_code=args.contract_code,
			expected_pages=args.pages,
			trust_roots=roots,
			expected_signer_cpf=args.signer_cpf,
			expected_signer_name=args.signer_name,
			expected_signer_cnpj=args.signer_cnpj,
			extra_certs=_extra_certs(args.extra_cert),
			revocation=HttpRevocationSource(MemoryRevocationCache()) if args.online_revocation else None,
			max_bytes=args.max_bytes,
			timeout=args.timeout,
			issued_sha256=args.issued_sha256,
		)
	out = verdict.as_dict()
	if refused:
		out["refused_trust_roots"] = refused
		for c in out["checks"]:
			if c["check"] == "trust" and not any(r in c["detail"] for r in refused):
				c["detail"] += " Raízes recusadas: " + " ".join(refused)
	print(json.dumps(out, ensure_ascii=False, indent=2))
	return verdict.exit_code


if __name__ == "__main__":
	sys.exit(main())
