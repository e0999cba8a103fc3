import pytest

from fiber_onboarding.core.tokens import TokenError, make_token, read_token

SECRET = "s3cret"


def test_round_trip():
	token = make_token(SECRET, "contract-upload", "CTR-2026-00001", expires_at=2_000)
	assert read_token(SECRET, token, "contract-upload", now=1_999) == "CTR-2026-00001"


@pytest.mark.parametrize(
	"mutate, purpose, now, code",
	[
		(lambda t: t, "contract-upload", 2_001, "expired"),
		(lambda t: t, "project-approval", 1_000, "purpose"),
		(lambda t: t[:-2] + ("AA" if t[-2:] != "AA" else "BB"), "contract-upload", 1_000, "signature"),
		(lambda t: t.replace(".", ""), "contract-upload", 1_000, "malformed"),
		(lambda t: "", "contract-upload", 1_000, "malformed"),
	],
)
def test_rejections(mutate, purpose, now, code):
	token = mutate(make_token(SECRET, "contract-upload", "CTR-2026-00001", expires_at=2_000))
	with pytest.raises(TokenError) as err:
		read_token(SECRET, token, purpose, now=now)
	assert err.value.code == code


def test_other_secret_rejected():
	token = make_token("other", "contract-upload", "CTR-1", expires_at=2_000)
	with pytest.raises(TokenError):
		read_token(SECRET, token, "contract-upload", now=1)
