"""Revocation data cache in Redis (``frappe.cache``), for the core's ``HttpRevocationSource``.

An intermediate CA's CRL is the same for every upload until its nextUpdate: the first check downloads it, later
checks (any contract, any worker) read it from here. Entries expire at the CRL's nextUpdate (OCSP answers: their
nextUpdate, at most an hour), so stale data is never served. The core stays frappe-free: it only sees the
``get`` / ``set`` interface (``core.pdfcheck.revocation_fetch.RevocationCache``).
"""

from __future__ import annotations

import datetime as dt
import hashlib

import frappe

PREFIX = "fiber_revocation:"
MAX_CACHE_SECONDS = 7 * 24 * 3600  # a CRL announcing a later nextUpdate is still refreshed weekly


class FrappeRevocationCache:
	def _key(self, key: str) -> str:
		return PREFIX + hashlib.sha256(key.encode("utf-8")).hexdigest()

	def get(self, key: str) -> bytes | None:
		value = frappe.cache().get_value(self._key(key))
		return value if isinstance(value, bytes) else None

	def set(self, key: str, value: bytes, expires_at: dt.datetime) -> None:
		seconds = int((expires_at - dt.datetime.now(dt.timezone.utc)).total_seconds())
		if seconds <= 0:
			return
		frappe.cache().set_value(self._key(key), value, expires_in_sec=min(seconds, MAX_CACHE_SECONDS))


def revocation_source():
	"""The source the contract check uses: CRL/OCSP over HTTP with short timeouts, cached in Redis."""
	from fiber_onboarding.core.pdfcheck.revocation_fetch import HttpRevocationSource

	return HttpRevocationSource(FrappeRevocationCache())
