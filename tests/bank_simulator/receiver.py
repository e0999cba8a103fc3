"""The ISP's side of Inter's webhook for tests: an HTTPS endpoint that requires Inter's client certificate.

It records every callback (path, query, headers, body, client certificate CN) and answers 200, or the status
set in ``status``. ``received`` is set when a callback arrives.
"""

from __future__ import annotations

import threading

from .pki import TestPKI
from .server import Recorded, Reply, TLSServer


class CallbackReceiver(TLSServer):
	def __init__(self, pki: TestPKI, status: int = 200):
		super().__init__(pki.server_context())
		self.status = status
		self.received = threading.Event()

	def handle(self, request: Recorded) -> Reply:
		self.log(request)
		self.received.set()
		return Reply(self.status)
