"""ruff (tabs, 110 columns, Frappe's usual rule set — see the app's pyproject.toml) over the app and the tests."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import APP_DIR, ROOT

CONFIG = APP_DIR / "pyproject.toml"
TARGETS = [
	str(APP_DIR / "fiber_onboarding"),
	str(ROOT / "tests"),
	str(ROOT / "benchmarks"),
	str(ROOT / "tools"),
]


def ruff() -> str:
	found = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
	if not found:
		pytest.fail(
			"ruff is not installed in the test environment (pip install -e 'apps/fiber_onboarding[test]')"
		)
	return found


def test_ruff_check():
	result = subprocess.run(
		[ruff(), "check", "--config", str(CONFIG), *TARGETS], capture_output=True, text=True, check=False
	)
	assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format():
	result = subprocess.run(
		[ruff(), "format", "--check", "--config", str(CONFIG), *TARGETS],
		capture_output=True,
		text=True,
		check=False,
	)
	assert result.returncode == 0, result.stdout + result.stderr
