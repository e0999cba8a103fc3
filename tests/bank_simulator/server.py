"""HTTPS plumbing of the simulator: a threaded TLS server that requires client certificates.

:class:`TLSServer` runs ``http.server`` in a background thread on 127.0.0.1 (ephemeral port); the TLS
handshake happens in each connection's thread, so a client without a certificate fails there (recorded in
``handshake_failures``, signalled through ``handshake_failed``) without blocking other clients. ``stop()``
releases handlers parked by a "hang" fault, closes live connections and joins the thread.
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

LAST_RESORT = 30.0  # seconds a hung handler may wait if nobody stops the simulator (never reached in tests)


@dataclass
class Recorded:
	"""One request as the server saw it."""

	method: str
	path: str
	query: dict[str, str]
	headers: dict[str, str]
	body: bytes
	peer: str = ""  # CN of the client certificate

	def json(self):
		return json.loads(self.body or b"null")


@dataclass
class Reply:
	status: int
	body: object = None  # dict/list → JSON; bytes → raw; None → empty
	headers: dict[str, str] = field(default_factory=dict)
	hang: bool = False  # never answer (until the simulator stops)


class _Handler(BaseHTTPRequestHandler):
	protocol_version = "HTTP/1.1"
	timeout = LAST_RESORT

	def log_message(self, *args):  # keep pytest output clean
		pass

	def _serve(self):
		owner = self.server.owner
		parts = urlsplit(self.path)
		length = int(self.headers.get("Content-Length") or 0)
		cert = self.connection.getpeercert() or {}
		subject = dict(item for rdn in cert.get("subject", ()) for item in rdn)
		request = Recorded(
			self.command,
			parts.path,
			{k: v[-1] for k, v in parse_qs(parts.query).items()},
			{k: v for k, v in self.headers.items()},
			self.rfile.read(length) if length else b"",
			subject.get("commonName", ""),
		)
		reply = owner.handle(request)
		if reply.hang:
			owner.released.wait(LAST_RESORT)
			self.close_connection = True
			return
		if isinstance(reply.body, bytes):
			payload, kind = reply.body, "text/plain"
		elif reply.body is None:
			payload, kind = b"", "application/json"
		else:
			payload, kind = json.dumps(reply.body).encode(), "application/json"
		self.send_response(reply.status)
		headers = {"Content-Type": kind, **reply.headers, "Content-Length": str(len(payload))}
		for key, value in headers.items():
			self.send_header(key, value)
		self.end_headers()
		self.wfile.write(payload)

	do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve


class _Server(ThreadingHTTPServer):
	daemon_threads = True
	block_on_close = False

	def __init__(self, owner: TLSServer):
		self.owner = owner
		super().__init__(("127.0.0.1", 0), _Handler)

	def finish_request(self, request, client_address):
		request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no Nagle/delayed-ACK stalls
		try:
			tls = self.owner.context.wrap_socket(request, server_side=True)
		except (ssl.SSLError, OSError) as exc:
			self.owner.record_handshake_failure(exc)
			return
		self.owner.track(tls, True)
		try:
			self.RequestHandlerClass(tls, client_address, self)
		except OSError:
			pass
		finally:
			self.owner.track(tls, False)
			tls.close()


class TLSServer:
	"""Base of the simulator and of the callback receiver: subclasses implement :meth:`handle`."""

	def __init__(self, context: ssl.SSLContext):
		self.context = context
		self.released = threading.Event()
		self.handshake_failed = threading.Event()
		self.handshake_failures: list[str] = []
		self.requests: list[Recorded] = []
		self._lock = threading.Lock()
		self._connections: set = set()
		self._server: _Server | None = None
		self._thread: threading.Thread | None = None

	def handle(self, request: Recorded) -> Reply:
		raise NotImplementedError

	@property
	def url(self) -> str:
		host, port = self._server.server_address[:2]
		return f"https://{host}:{port}"

	def record_handshake_failure(self, exc: Exception):
		with self._lock:
			self.handshake_failures.append(f"{type(exc).__name__}: {exc}")
		self.handshake_failed.set()

	def track(self, connection, alive: bool):
		with self._lock:
			(self._connections.add if alive else self._connections.discard)(connection)

	def log(self, request: Recorded):
		with self._lock:
			self.requests.append(request)

	def start(self):
		self._server = _Server(self)
		self._thread = threading.Thread(
			target=self._server.serve_forever,
			kwargs={"poll_interval": 0.05},
			name=type(self).__name__,
			daemon=True,
		)
		self._thread.start()
		return self

	def stop(self):
		self.released.set()
		if self._server is not None:
			self._server.shutdown()
			self._server.server_close()
		with self._lock:
			live = list(self._connections)
		for connection in live:
			try:
				connection.shutdown(socket.SHUT_RDWR)
			except OSError:
				pass
		if self._thread is not None:
			self._thread.join(LAST_RESORT)

	def __enter__(self):
		return self.start()

	def __exit__(self, *exc):
		self.stop()
