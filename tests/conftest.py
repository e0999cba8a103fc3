"""Core tier: runs without a site and without frappe. The app package is importable from apps/."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_DIR = ROOT / "apps" / "fiber_onboarding"
PACKAGE_DIR = APP_DIR / "fiber_onboarding"

if str(APP_DIR) not in sys.path:
	sys.path.insert(0, str(APP_DIR))
