"""Local bank simulator for the bank API adapters (BB Cobranças v2, Inter Cobrança v3), used by both test tiers.

Plain Python (stdlib + cryptography), no import of the app, so the integration tier can load it by path::

        sys.path.insert(0, "<repo>/tests")
        from bank_simulator import BankSimulator, TestPKI

        pki = TestPKI(tmp_dir)  # test CA, server and client certificates, generated now
        with BankSimulator(pki) as sim:  # HTTPS on 127.0.0.1:<ephemeral>, client certificate required
            settings = sim.settings("inter")  # base_url, token_url, ca_bundle
            credentials = sim.credentials("inter")
            ...
"""

from .pki import Issued, TestPKI
from .receiver import CallbackReceiver
from .server import Recorded, Reply
from .simulator import BankSimulator, hang, malformed, rate_limited, server_error

__all__ = [
	"BankSimulator",
	"CallbackReceiver",
	"Issued",
	"Recorded",
	"Reply",
	"TestPKI",
	"hang",
	"malformed",
	"rate_limited",
	"server_error",
]
