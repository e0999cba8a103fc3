"""Core tier: runs without a site and without frappe. The app package is importable from apps/."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP_DIR = ROOT / "apps" / "fiber_onboarding"
PACKAGE_DIR = APP_DIR / "fiber_onboarding"

if str(APP_DIR) not in sys.path:
	sys.path.insert(0, str(APP_DIR))


# ---------------------------------------------------------------------------------------------------------------
# The local bank simulator (tests/bank_simulator): one test PKI per test module, one running simulator per test
# ---------------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pki(tmp_path_factory, request):
	from bank_simulator import TestPKI

	return TestPKI(tmp_path_factory.mktemp("pki-" + request.module.__name__))


@pytest.fixture
def sim(pki):
	from bank_simulator import BankSimulator

	with BankSimulator(pki) as running:
		yield running
