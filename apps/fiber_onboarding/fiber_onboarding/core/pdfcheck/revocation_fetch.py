"""Fetching revocation data for the worker (parent side: no PDF parser, no frappe).

``RevocationSource`` is the small interface ``check_pdf(revocation=...)`` takes: ``crl(url)`` and
``ocsp(url, request_der)``, each returning (DER bytes, None) or (None, pt-BR problem). ``HttpRevocationSource``
is the real one: plain HTTP(S) GET for CRLs, POST ``application/ocsp-request`` for OCSP, a short timeout and a
byte budget per answer, and an optional ``RevocationCache`` (``get(key)`` / ``set(key, value, expires_at)``) so
an intermediate CA's CRL is downloaded once and shared by every upload until its nextUpdate; the Frappe layer
plugs Redis in (``fiber_contracts.revocation_cache``), the CLI uses ``MemoryRevocationCache``.

Whatever is fetched is only *data* for the worker, which checks signatures and freshness with pyHanko; this
module never decides anything.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import urllib.error
import urllib.request
from typing import Protocol

DEFAULT_TIMEOUT = 5.0  # seconds per request: ICP-Brasil repositories answer in well under a second
MAX_RESPONSE_BYTES = 48 * 1024 * 1024  # the largest ICP-Brasil AC CRLs are tens of MB
MAX_FETCHES = 8  # per upload: a chain has 2-3 certificates with one or two URLs each
OCSP_CACHE_SECONDS = 3600  # an OCSP answer without nextUpdate is kept this long at most


class RevocationCache(Protocol):
	def get(self, key: str) -> bytes | None: ...

	def set(self, key: str, value: bytes, expires_at: dt.datetime) -> None: ...


class RevocationSource(Protocol):
	def crl(self, url: str) -> tuple[bytes | None, str | None]: ...

	def ocsp(self, url: str, request_der: bytes) -> tuple[bytes | None, str | None]: ...


class MemoryRevocationCache:
	"""A process-local cache (CLI, tests); entries expire at the time given."""

	def __init__(self, now=None):
		self._items: dict[str, tuple[bytes, dt.datetime]] = {}
		self._now = now or (lambda: dt.datetime.now(dt.timezone.utc))

	def get(self, key):
		item = self._items.get(key)
		if item and item[1] > self._now():
			return item[0]
		return None

	def set(self, key, value, expires_at):
		self._items[key] = (value, expires_at)


def crl_next_update(der: bytes) -> dt.datetime | None:
	from asn1crypto import crl

	try:
		return crl.CertificateList.load(der)["tbs_cert_list"]["next_update"].native
	except Exception:
		return None


def ocsp_next_update(der: bytes) -> dt.datetime | None:
	from asn1crypto import ocsp

	try:
		basic = ocsp.OCSPResponse.load(der)["response_bytes"]["response"].parsed
		return basic["tbs_response_data"]["responses"][0]["next_update"].native
	except Exception:
		return None


class HttpRevocationSource:
	"""CRL and OCSP over HTTP(S) with short timeouts, a size budget and an optional shared cache."""

	def __init__(self, cache: RevocationCache | None = None, *, timeout: float = DEFAULT_TIMEOUT, now=None):
		self.cache = cache
		self.timeout = timeout
		self._now = now or (lambda: dt.datetime.now(dt.timezone.utc))

	def _get(self, request: urllib.request.Request) -> tuple[bytes | None, str | None]:
		url = request.full_url
		if not url.startswith(("http://", "https://")):
			return None, f"{url}: endereço não HTTP"
		try:
			with urllib.request.urlopen(request, timeout=self.timeout) as response:
				body = response.read(MAX_RESPONSE_BYTES + 1)
		except urllib.error.HTTPError as exc:
			return None, f"{url}: HTTP {exc.code}"
		except (urllib.error.URLError, OSError, ValueError) as exc:
			reason = getattr(exc, "reason", exc)
			return None, f"{url}: {'sem resposta no prazo' if 'timed out' in str(reason) else reason}"
		if len(body) > MAX_RESPONSE_BYTES:
			return None, f"{url}: resposta maior que {MAX_RESPONSE_BYTES // (1024 * 1024)} MB"
		return body, None

	def crl(self, url):
		key = "crl:" + url
		cached = self.cache.get(key) if self.cache else None
		if cached:
			return cached, None
		body, problem = self._get(urllib.request.Request(url, headers={"Accept": "application/pkix-crl"}))
		if body is None:
			return None, problem
		if body[:1] != b"\x30":  # PEM or an HTML error page: the worker would skip it anyway
			return None, f"{url}: a resposta não é uma LCR em DER"
		next_update = crl_next_update(body)
		if self.cache and next_update and next_update > self._now():
			self.cache.set(key, body, next_update)  # an intermediate's CRL is shared until its nextUpdate
		return body, None

	def ocsp(self, url, request_der):
		key = "ocsp:" + url + ":" + hashlib.sha256(request_der).hexdigest()
		cached = self.cache.get(key) if self.cache else None
		if cached:
			return cached, None
		request = urllib.request.Request(
			url, data=request_der, headers={"Content-Type": "application/ocsp-request"}, method="POST"
		)
		body, problem = self._get(request)
		if body is None:
			return None, problem
		if self.cache:
			limit = self._now() + dt.timedelta(seconds=OCSP_CACHE_SECONDS)
			next_update = ocsp_next_update(body)
			if next_update and next_update > self._now():
				self.cache.set(key, body, min(next_update, limit))
		return body, None


def gather(needs: list[dict], source: RevocationSource) -> dict:
	"""Fetch what the worker asked for: OCSP first (one answer settles a certificate), then the CRLs.

	Returns {"crls": [base64], "ocsps": [base64], "problems": [pt-BR], "sources": [url]} for the second run."""
	out: dict = {"crls": [], "ocsps": [], "problems": [], "sources": []}
	fetches = 0
	seen: set[str] = set()
	for need in needs:
		settled = False
		for url in need.get("ocsp_urls") or []:
			if fetches >= MAX_FETCHES or not need.get("ocsp_request"):
				break
			fetches += 1
			body, problem = source.ocsp(url, base64.b64decode(need["ocsp_request"]))
			if body:
				out["ocsps"].append(base64.b64encode(body).decode("ascii"))
				out["sources"].append(url)
				settled = True
				break
			out["problems"].append(f"OCSP {problem}")
		if settled:
			continue
		for url in need.get("crl_urls") or []:
			if url in seen:
				settled = True
				break
			if fetches >= MAX_FETCHES:
				out["problems"].append("limite de consultas por arquivo atingido")
				break
			fetches += 1
			body, problem = source.crl(url)
			if body:
				seen.add(url)
				out["crls"].append(base64.b64encode(body).decode("ascii"))
				out["sources"].append(url)
				settled = True
				break
			out["problems"].append(f"LCR {problem}")
		if not settled and not (need.get("ocsp_urls") or need.get("crl_urls")):
			out["problems"].append(f"o certificado {need.get('subject')} não indica LCR nem OCSP")
	return out
