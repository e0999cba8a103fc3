"""Append pt_BR translations to the app's locale/pt_BR.po.

Usage: python tools/po_add.py "English msgid" "Texto em português" ["msgid" "msgstr" ...]
       python tools/po_add.py --json pairs.json        (a JSON object {msgid: msgstr})
An existing msgid is left as it is. The file is locked while written, so parallel calls are safe.
"""

import fcntl
import json
import re
import sys
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "apps/fiber_onboarding/fiber_onboarding/locale/pt_BR.po"


def _quote(text: str) -> str:
	return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def existing_msgids(text: str) -> set[str]:
	ids = set()
	for m in re.finditer(r'^msgid ("(?:[^"\\]|\\.)*"(?:\n"(?:[^"\\]|\\.)*")*)', text, re.M):
		parts = re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1))
		ids.add(bytes("".join(parts), "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8"))
	return ids


def add(pairs: dict[str, str]) -> int:
	added = 0
	with open(PO, "r+", encoding="utf-8") as fh:
		fcntl.flock(fh, fcntl.LOCK_EX)
		text = fh.read()
		known = existing_msgids(text)
		chunks = []
		for msgid, msgstr in pairs.items():
			if not msgid or msgid in known:
				continue
			known.add(msgid)
			chunks.append(f"msgid {_quote(msgid)}\nmsgstr {_quote(msgstr)}\n")
			added += 1
		if chunks:
			if not text.endswith("\n\n"):
				fh.write("\n" if text.endswith("\n") else "\n\n")
			fh.write("\n".join(chunks))
		fcntl.flock(fh, fcntl.LOCK_UN)
	return added


def main(argv: list[str]) -> int:
	if argv[:1] == ["--json"]:
		pairs = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
	else:
		if len(argv) % 2:
			print("pairs of msgid msgstr expected", file=sys.stderr)
			return 2
		pairs = dict(zip(argv[::2], argv[1::2], strict=True))
	print(f"{add(pairs)} added")
	return 0


if __name__ == "__main__":
	sys.exit(main(sys.argv[1:]))
