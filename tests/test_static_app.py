"""Static checks of the app itself (see static_checks.py): each must report no problem."""

import pytest
from conftest import PACKAGE_DIR
from static_checks import ALL_CHECKS


@pytest.mark.parametrize("name", sorted(ALL_CHECKS))
def test_app_passes(name):
	problems = ALL_CHECKS[name](PACKAGE_DIR)
	assert not problems, "\n".join(problems)


def test_app_has_doctypes():
	from static_checks import load_doctypes

	doctypes, problems = load_doctypes(PACKAGE_DIR)
	assert not problems
	assert "Fiber Notification Log" in doctypes
