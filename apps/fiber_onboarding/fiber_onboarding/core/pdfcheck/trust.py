"""The ``trust`` row: does an intact, valid signature chain to a pinned root, and if not, why (pt-BR)."""

from __future__ import annotations

from .model import PASS, WARN, row

_TRUST_PROBLEMS = {
	"REVOKED_NO_POE": "o certificado do signatário foi revogado",
	"REVOKED_CA_NO_POE": "o certificado de uma AC da cadeia foi revogado",
	"OUT_OF_BOUNDS_NO_POE": "o certificado do signatário está fora do prazo de validade (válido até {not_after})",
	"KEY_USAGE": "o certificado ICP-Brasil não tem o uso de chave 'não repúdio' exigido para assinar documentos",
	"CHAIN_CONSTRAINTS_FAILURE": "a cadeia de certificação viola restrições (uso de chave, políticas ou nomes)",
}


def _why_untrusted(s: dict) -> str:
	problem = s.get("trust_problem") or ""
	if problem in _TRUST_PROBLEMS:
		return _TRUST_PROBLEMS[problem].format(not_after=(s.get("not_after") or "?")[:10])
	issuer = (s.get("signer") or {}).get("issuer") or "?"
	if problem == "NO_CERTIFICATE_CHAIN_FOUND" or not s.get("trust_root"):
		return f"o certificado não encadeia a nenhuma raiz configurada (emissor: {issuer})"
	return (
		f"a cadeia de certificação até a raiz {s.get('trust_root')} é inválida: a assinatura de uma AC ou uma "
		f"restrição da cadeia não confere (AC com o mesmo nome e outra chave?) ({problem or '?'})"
	)


def _timestamp_text(s: dict) -> str:
	stamp = s.get("timestamp")
	if not stamp:
		return ""
	if stamp["valid"] and stamp["trusted"]:
		return " Carimbo do tempo da assinatura válido ({}, {}).".format(stamp.get("tsa"), stamp.get("at"))
	return " Carimbo do tempo da assinatura {} ({}).".format(
		"não confiável" if stamp["valid"] else "inválido", stamp.get("tsa")
	)


def check_trust(statuses: list[dict], n_roots: int, refused: list[str]) -> dict:
	refused_txt = (" Raízes recusadas: " + " ".join(refused)) if refused else ""
	sigs = [s for s in statuses if s.get("kind") == "signature" and "error" not in s]
	if not sigs:
		return row("trust", WARN, "Nenhuma assinatura para verificar a cadeia de confiança." + refused_txt)
	sigs = [s for s in sigs if s["intact"] and s["valid"]]
	if not sigs:
		return row(
			"trust",
			WARN,
			"Cadeia de confiança não avaliada: nenhuma assinatura íntegra e válida." + refused_txt,
		)
	trusted = [s for s in sigs if s["trusted"]]
	if trusted:
		s = trusted[0]
		stamp = s.get("timestamp")
		outcome = PASS if not stamp or (stamp["valid"] and stamp["trusted"]) else WARN
		return row(
			"trust",
			outcome,
			"Certificado encadeado à raiz {} ({}): assinatura {}.{}{}".format(
				s.get("trust_root"), s.get("trust_kind"), s.get("category"), _timestamp_text(s), refused_txt
			),
		)
	if not n_roots:
		return row(
			"trust",
			WARN,
			f"Nenhuma raiz de confiança configurada: cadeia não verificada (conferir no Validar ITI).{refused_txt}",
		)
	reasons = "; ".join(dict.fromkeys(f"assinatura {s['index']}: {_why_untrusted(s)}" for s in sigs))
	return row("trust", WARN, f"Certificado não confiável — {reasons}. Conferir no Validar ITI.{refused_txt}")
