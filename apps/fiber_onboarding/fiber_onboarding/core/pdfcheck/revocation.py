"""Revocation of the signer's chain, inside the worker (no network here: the parent fetches, ``revocation_fetch``).

Policy: every certificate of the validation path below the trust anchor needs revocation information — a CRL or
an OCSP response — that pyHanko's certificate validator accepts (``require`` mode: signed by the right CA, fresh
at the validation time). Where it comes from:

1. embedded in the PDF: the Document Security Store (``/DSS``: certificates, CRLs, OCSP responses) and the
   signature's own ``adbe-revocationInfoArchival`` attribute;
2. fetched by the parent from the certificate's own URLs (CRL distribution points, AIA OCSP) and handed back to a
   second run of the worker (``needs`` says what to fetch; the OCSP request is built here, so the parent never
   parses a certificate).

A revoked certificate makes pyHanko's validation untrusted (``REVOKED_*``); a path whose revocation could not be
checked is reported with the reason and never accepted silently (review).
"""

from __future__ import annotations

import asyncio
import base64
import itertools

from .model import PASS, WARN, row

ESSENTIAL = (
	"require"  # pyhanko-certvalidator legacy mode: CRL or OCSP required for every non-anchor certificate
)
MAX_URLS = 4  # per certificate and kind: a certificate lists one or two
MAX_DSS_ITEMS = 200  # certificates / CRLs / OCSP responses read from a /DSS (a signed contract has a handful)


def embedded_revinfo(reader) -> dict:
	"""Certificates, CRLs and OCSP responses of the PDF's /DSS (empty lists when there is none)."""
	from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError

	try:
		dss = DocumentSecurityStore.read_dss(reader)
	except NoDSSFoundError:
		return {"certs": [], "crls": [], "ocsps": []}
	from asn1crypto import crl, ocsp

	def load(refs, cls) -> list:
		items = []
		for ref in list(refs)[:MAX_DSS_ITEMS]:
			try:
				item = cls.load(ref.get_object().data)
				item.native if cls is ocsp.OCSPResponse else item["tbs_cert_list"]["issuer"].native
				items.append(item)
			except Exception:
				continue  # an unreadable entry proves nothing; the chain then simply lacks that data
		return items

	return {
		"certs": list(dss.load_certs())[:MAX_DSS_ITEMS],
		"crls": load(dss.crls, crl.CertificateList),
		"ocsps": load(dss.ocsps, ocsp.OCSPResponse),
	}


def signer_revinfo(emb) -> tuple[list, list]:
	"""(ocsps, crls) of the signature's adbe-revocationInfoArchival attribute, if any."""
	from pyhanko.sign.validation.ltv import retrieve_adobe_revocation_info

	try:
		return retrieve_adobe_revocation_info(emb.signer_info)
	except Exception:
		return [], []


def load_provided(revinfo: dict | None) -> tuple[list, list]:
	"""The CRLs and OCSP responses the parent fetched (base64 DER), parsed; unreadable items are skipped."""
	from asn1crypto import crl, ocsp

	crls, ocsps = [], []
	for blob in (revinfo or {}).get("crls", []):
		try:
			item = crl.CertificateList.load(base64.b64decode(blob))
			item["tbs_cert_list"]["issuer"].native
			crls.append(item)
		except Exception:
			continue
	for blob in (revinfo or {}).get("ocsps", []):
		try:
			item = ocsp.OCSPResponse.load(base64.b64decode(blob))
			item["response_status"].native
			ocsps.append(item)
		except Exception:
			continue
	return crls, ocsps


def _path_certs(path) -> list:
	"""Certificates of a validation path, anchor first (the anchor is never checked for revocation)."""
	return list(path.iter_certs(include_root=False)) if path is not None else []


def path_revocation(status, context_kwargs: dict) -> dict:
	"""Whether the revocation of the trusted path of ``status`` is established by the data at hand.

	Returns {"checked": bool, "error": str|None, "needs": [...]}; ``needs`` lists, per certificate still lacking
	revocation data, its subject, CRL URLs, OCSP URLs and a DER OCSP request (base64) for the parent to fetch."""
	from pyhanko_certvalidator import CertificateValidator, ValidationContext
	from pyhanko_certvalidator.errors import InsufficientRevinfoError, PathValidationError, RevokedError

	path = status.validation_path
	certs = _path_certs(path)
	if not certs:
		return {"checked": False, "error": "caminho de certificação ausente", "needs": []}
	signer = certs[-1]
	context = ValidationContext(**dict(context_kwargs, revocation_mode=ESSENTIAL))
	validator = CertificateValidator(signer, intermediate_certs=certs[:-1], validation_context=context)
	try:
		asyncio.run(validator.async_validate_path())  # key usage: pyHanko's own validation
		return {"checked": True, "error": None, "needs": []}
	except RevokedError as exc:
		return {"checked": True, "error": f"revogado: {exc}"[:300], "needs": [], "revoked": True}
	except (InsufficientRevinfoError, PathValidationError) as exc:
		error = f"{type(exc).__name__}: {exc}"[:300]
	except Exception as exc:  # library trouble: cannot say it was checked
		error = f"{type(exc).__name__}: {exc}"[:300]
	return {"checked": False, "error": error, "needs": needs_for(path)}


def needs_for(path) -> list[dict]:
	from pyhanko_certvalidator.authority import AuthorityWithCert
	from pyhanko_certvalidator.fetchers.common_utils import format_ocsp_request

	certs = list(path.iter_certs(include_root=True))
	needs = []
	for issuer, cert in itertools.pairwise(certs):
		crl_urls, ocsp_urls = [], []
		try:
			for point in cert.crl_distribution_points or ():
				url = point.url
				if isinstance(url, str) and url.startswith(("http://", "https://")):
					crl_urls.append(url)
			ocsp_urls = [u for u in cert.ocsp_urls or () if u.startswith(("http://", "https://"))]
		except Exception:
			pass
		request = None
		if ocsp_urls:
			try:
				req = format_ocsp_request(
					cert, AuthorityWithCert(issuer), certid_hash_algo="sha1", request_nonces=False
				)
				request = base64.b64encode(req.dump()).decode("ascii")
			except Exception:
				request = None
		needs.append(
			{
				"subject": cert.subject.human_friendly,
				"crl_urls": crl_urls[:MAX_URLS],
				"ocsp_urls": ocsp_urls[:MAX_URLS] if request else [],
				"ocsp_request": request,
			}
		)
	return needs


def _when(value) -> str:
	try:
		return value.strftime("%d/%m/%Y %H:%M UTC")
	except Exception:
		return str(value)


def check_revocation(statuses: list[dict], fetched: dict | None) -> dict:
	"""The ``revocation`` row: pass only when the deciding signatures' chains were checked and none is revoked.

	``fetched`` is what the parent reported about its online queries ({"problems": [...], "sources": [...]}),
	None when it did not query (offline check, or nothing to fetch)."""
	sigs = [s for s in statuses if s.get("kind") == "signature" and "error" not in s]
	revoked = [s for s in sigs if s.get("revoked")]
	if revoked:
		s = revoked[0]
		rev = s["revoked"]
		whose = "de uma AC da cadeia" if rev.get("ca") else "do signatário"
		return row(
			"revocation",
			WARN,
			"Assinatura {}: o certificado {} foi revogado em {}{}. Uma assinatura com certificado revogado não "
			"vale: peça ao responsável legal que assine de novo com um certificado válido.".format(
				s["index"],
				whose,
				rev.get("date") or "data desconhecida",
				f" (motivo: {rev['reason']})" if rev.get("reason") else "",
			),
		)
	candidates = [s for s in sigs if s.get("intact") and s.get("valid") and s.get("trusted")]
	if not candidates:
		return row(
			"revocation", WARN, "Revogação não verificada: nenhuma assinatura confiável para verificar."
		)
	checked = [s for s in candidates if (s.get("revocation") or {}).get("checked")]
	if checked:
		s = checked[0]
		origin = s["revocation"].get("origin") or "dados de revogação disponíveis"
		return row(
			"revocation",
			PASS,
			f"Assinatura {s['index']}: nenhum certificado da cadeia está revogado (verificado com {origin}).",
		)
	s = candidates[0]
	problems = (fetched or {}).get("problems") or []
	if fetched is None:
		why = "a consulta on-line não foi feita (verificação sem acesso à rede)"
	elif problems:
		why = "a consulta falhou: " + "; ".join(problems[:4])
	else:
		why = "o certificado não indica onde consultar (sem CRL nem OCSP) ou a resposta não serviu"
	return row(
		"revocation",
		WARN,
		"Assinatura {}: não foi possível verificar se o certificado foi revogado — {} — e o PDF não traz dados "
		"de revogação embutidos (DSS/adbe-revocationInfoArchival). Confira no Validar ITI (validar.iti.gov.br).".format(
			s["index"], why
		),
	)


def revoked_details(status) -> dict | None:
	details = getattr(status, "revocation_details", None)
	if details is None:
		return None
	reason = getattr(details, "revocation_reason", None)
	reason = getattr(reason, "native", reason)
	return {"ca": bool(details.ca_revoked), "date": _when(details.revocation_date), "reason": reason}
