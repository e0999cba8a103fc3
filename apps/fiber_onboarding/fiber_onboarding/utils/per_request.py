"""Values that stay the same for the whole of one page view (the user's Customers, the Holiday List's version),
read once per request instead of once per row or per check.

The memo lives on the request object itself, so it ends with the request, and it is kept only while a GET or
HEAD request is served: a page view reads, while a POST may change what was memoised (a registration adds the
user to a new Customer) and always reads afresh. Should a GET write after all, the memo is dropped at the first
write it sees (the transaction's write count moved). Outside a request (jobs, the console, tests that do not
build a request) nothing is memoised.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

import frappe

T = TypeVar("T")
READ_METHODS = frozenset({"GET", "HEAD"})
_ATTR = "_fiber_onboarding_memo"


def _memo() -> dict | None:
	request = getattr(frappe.local, "request", None)
	if request is None or getattr(request, "method", None) not in READ_METHODS:
		return None
	writes = getattr(frappe.db, "transaction_writes", 0) if getattr(frappe.local, "db", None) else 0
	held = getattr(request, _ATTR, None)
	if held is None or held[0] != writes:
		held = (writes, {})
		setattr(request, _ATTR, held)
	return held[1]


def remember(key: Hashable, compute: Callable[[], T]) -> T:
	"""``compute()`` once per read request for ``key`` (always called outside one)."""
	memo = _memo()
	if memo is None:
		return compute()
	try:
		return memo[key]
	except KeyError:
		value = memo[key] = compute()
		return value
