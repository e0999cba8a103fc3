"""Static checks that keep the Frappe layer honest without a site and without importing frappe.

Each checker takes the app's package directory (``apps/fiber_onboarding/fiber_onboarding``) and returns a list
of problems (strings); an empty list means the check passed. ``tests/test_static_checkers.py`` proves each one
fails on a broken example.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Keys Frappe needs to sync a DocType.
REQUIRED_DOCTYPE_KEYS = ("doctype", "name", "module", "fields")
FIELD_REQUIRED_KEYS = ("fieldname", "fieldtype")
LINKING_FIELDTYPES = ("Link", "Table", "Table MultiSelect")
LABELLED_FIELDTYPES_WITHOUT_LABEL_OK = ("Section Break", "Column Break", "Tab Break", "HTML", "Fold")
DOTTED_PATH = re.compile(r"^fiber_onboarding(\.[A-Za-z_][A-Za-z0-9_]*)+$")


def known_external_doctypes() -> set[str]:
	"""Frappe and ERPNext DocTypes the app may link to (tests/data/known_doctypes.txt)."""
	lines = (HERE / "data" / "known_doctypes.txt").read_text(encoding="utf-8").splitlines()
	return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def scrub(name: str) -> str:
	return name.replace(" ", "_").replace("-", "_").lower()


def read_modules(package: Path) -> list[str]:
	return [
		m.strip() for m in (package / "modules.txt").read_text(encoding="utf-8").splitlines() if m.strip()
	]


def iter_doctype_files(package: Path) -> Iterator[Path]:
	for module in read_modules(package):
		doctype_dir = package / scrub(module) / "doctype"
		if doctype_dir.is_dir():
			for folder in sorted(p for p in doctype_dir.iterdir() if p.is_dir() and p.name != "__pycache__"):
				yield folder / f"{folder.name}.json"


def load_doctypes(package: Path) -> tuple[dict[str, dict], list[str]]:
	doctypes, problems = {}, []
	for path in iter_doctype_files(package):
		rel = path.relative_to(package)
		if not path.exists():
			problems.append(f"{rel}: missing DocType JSON")
			continue
		try:
			data = json.loads(path.read_text(encoding="utf-8"))
		except ValueError as e:
			problems.append(f"{rel}: invalid JSON ({e})")
			continue
		if not isinstance(data, dict) or data.get("doctype") != "DocType":
			problems.append(f"{rel}: not a DocType document")
			continue
		doctypes[data.get("name", str(rel))] = {"path": path, "data": data}
	return doctypes, problems


# --- 1. DocType JSON ------------------------------------------------------------------------------------------


def check_doctype_json(package: Path) -> list[str]:
	doctypes, problems = load_doctypes(package)
	modules = set(read_modules(package))
	for name, entry in doctypes.items():
		data, path = entry["data"], entry["path"]
		rel = path.relative_to(package)
		for key in REQUIRED_DOCTYPE_KEYS:
			if key not in data:
				problems.append(f"{rel}: missing key {key!r}")
		if scrub(name) != path.parent.name:
			problems.append(f"{rel}: folder {path.parent.name!r} does not match DocType name {name!r}")
		if data.get("module") not in modules:
			problems.append(f"{rel}: module {data.get('module')!r} is not in modules.txt")
		elif path.parent.parent.parent.name != scrub(data["module"]):
			problems.append(f"{rel}: lives outside its module folder {scrub(data['module'])!r}")
		fieldnames = []
		for i, field in enumerate(data.get("fields", [])):
			for key in FIELD_REQUIRED_KEYS:
				if key not in field:
					problems.append(f"{rel}: field #{i} lacks {key!r}")
			fieldnames.append(field.get("fieldname"))
		duplicates = {f for f in fieldnames if fieldnames.count(f) > 1}
		if duplicates:
			problems.append(f"{rel}: duplicate fieldnames {sorted(duplicates)}")
		order = data.get("field_order")
		if order is not None and sorted(order) != sorted(fieldnames):
			problems.append(f"{rel}: field_order does not list exactly the fields")
		if not data.get("istable") and not data.get("permissions"):
			problems.append(f"{rel}: no permissions (least privilege means explicit roles)")
		autoname = data.get("autoname") or ""
		if autoname.startswith("field:") and autoname[6:] not in fieldnames:
			problems.append(f"{rel}: autoname names a missing field {autoname[6:]!r}")
		if autoname == "naming_series:" and "naming_series" not in fieldnames:
			problems.append(f"{rel}: autoname naming_series: without a naming_series field")
	return problems


# --- 2. Link and Table targets --------------------------------------------------------------------------------


def check_link_targets(package: Path, known: set[str] | None = None) -> list[str]:
	doctypes, problems = load_doctypes(package)
	known = known if known is not None else known_external_doctypes()
	ours = set(doctypes)
	for _name, entry in doctypes.items():
		rel = entry["path"].relative_to(package)
		fields = entry["data"].get("fields", [])
		names = {f.get("fieldname") for f in fields}
		for field in fields:
			ftype, target = field.get("fieldtype"), (field.get("options") or "").strip()
			if ftype in LINKING_FIELDTYPES:
				if not target:
					problems.append(f"{rel}: {field.get('fieldname')} ({ftype}) has no target DocType")
				elif target not in ours and target not in known:
					problems.append(f"{rel}: {field.get('fieldname')} links to unknown DocType {target!r}")
				elif (
					ftype.startswith("Table")
					and target in ours
					and not doctypes[target]["data"].get("istable")
				):
					problems.append(
						f"{rel}: {field.get('fieldname')} is a Table of non-child DocType {target!r}"
					)
			if ftype == "Dynamic Link" and target not in names:
				problems.append(
					f"{rel}: {field.get('fieldname')} Dynamic Link options {target!r} is not a field"
				)
	return problems


# --- 3. Controllers -------------------------------------------------------------------------------------------


def defined_names(path: Path) -> set[str]:
	tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
	names = set()
	for node in tree.body:
		if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
			names.add(node.name)
		elif isinstance(node, ast.Assign):
			names.update(t.id for t in node.targets if isinstance(t, ast.Name))
		elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
			names.add(node.target.id)
		elif isinstance(node, ast.ImportFrom | ast.Import):
			names.update((a.asname or a.name).split(".")[0] for a in node.names)
	return names


def check_controllers(package: Path) -> list[str]:
	doctypes, problems = load_doctypes(package)
	for name, entry in doctypes.items():
		folder = entry["path"].parent
		controller = folder / f"{folder.name}.py"
		rel = controller.relative_to(package)
		if not (folder / "__init__.py").exists():
			problems.append(f"{folder.relative_to(package)}: missing __init__.py")
		if not controller.exists():
			problems.append(f"{rel}: missing controller module")
			continue
		class_name = name.replace(" ", "").replace("-", "")
		if class_name not in defined_names(controller):
			problems.append(f"{rel}: controller class {class_name!r} not defined")
	return problems


# --- 4. Dotted paths in hooks.py, patches.txt and code --------------------------------------------------------


def resolve_dotted(package: Path, dotted: str) -> str | None:
	"""None when ``dotted`` names a module, or a top-level function/class/name in a module; else the problem."""
	parts = dotted.split(".")
	root = package.parent
	for cut in range(len(parts), 0, -1):
		module_parts, attrs = parts[:cut], parts[cut:]
		base = root.joinpath(*module_parts)
		module_file = base.with_suffix(".py") if not base.is_dir() else base / "__init__.py"
		if not module_file.exists():
			continue
		if not attrs:
			return None
		if len(attrs) > 1:
			return f"{dotted}: no module {'.'.join(parts[: cut + 1])}"
		if attrs[0] in defined_names(module_file):
			return None
		return f"{dotted}: {attrs[0]!r} is not defined in {module_file.relative_to(root)}"
	return f"{dotted}: no such module"


def hook_strings(hooks_path: Path) -> list[str]:
	"""Every string value in hooks.py (evaluated without imports: hooks.py must not import anything)."""
	tree = ast.parse(hooks_path.read_text(encoding="utf-8"))
	if any(isinstance(n, ast.Import | ast.ImportFrom) for n in ast.walk(tree)):
		raise ValueError("hooks.py must not import")
	namespace: dict = {}
	exec(compile(tree, str(hooks_path), "exec"), {"__builtins__": {"range": range}}, namespace)
	found: list[str] = []

	def walk(value):
		if isinstance(value, str):
			found.append(value)
		elif isinstance(value, dict):
			for k, v in value.items():
				walk(k)
				walk(v)
		elif isinstance(value, list | tuple | set):
			for v in value:
				walk(v)

	for key, value in namespace.items():
		if not key.startswith("_"):
			walk(value)
	return found


def patch_lines(patches_path: Path) -> list[str]:
	lines = []
	for line in patches_path.read_text(encoding="utf-8").splitlines():
		line = line.split("#", 1)[0].strip()
		if not line or (line.startswith("[") and line.endswith("]")):
			continue
		if line.startswith("execute:"):
			continue
		lines.append(line)
	return lines


def code_dotted_strings(package: Path) -> list[tuple[Path, str]]:
	"""String literals in the app's Python files that are dotted paths into the app (get_attr, enqueue...)."""
	found = []
	for path in package.rglob("*.py"):
		if "__pycache__" in path.parts:
			continue
		for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
			if (
				isinstance(node, ast.Constant)
				and isinstance(node.value, str)
				and DOTTED_PATH.match(node.value)
			):
				found.append((path, node.value))
	return found


def check_dotted_paths(package: Path) -> list[str]:
	problems = []
	hooks = package / "hooks.py"
	try:
		strings = hook_strings(hooks)
	except Exception as e:
		return [f"hooks.py: cannot be evaluated statically ({e})"]
	for value in strings:
		if DOTTED_PATH.match(value) and (problem := resolve_dotted(package, value)):
			problems.append(f"hooks.py: {problem}")
	patches = package / "patches.txt"
	if patches.exists():
		text = patches.read_text(encoding="utf-8")
		for section in ("[pre_model_sync]", "[post_model_sync]"):
			if section not in text:
				problems.append(f"patches.txt: missing section {section}")
		for line in patch_lines(patches):
			if not DOTTED_PATH.match(line):
				problems.append(f"patches.txt: {line!r} is not a dotted path into the app")
			elif problem := resolve_dotted(package, line):
				problems.append(f"patches.txt: {problem}")
	for path, value in code_dotted_strings(package):
		if problem := resolve_dotted(package, value):
			problems.append(f"{path.relative_to(package)}: {problem}")
	return problems


# --- 5. Translations ------------------------------------------------------------------------------------------

PY_TRANSLATABLE = ("_", "_lt")
JS_TRANSLATABLE = re.compile(r"""\b__\(\s*(["'`])((?:\\.|(?!\1).)*)\1""", re.S)
JINJA_TRANSLATABLE = re.compile(r"""\b_\(\s*(["'])((?:\\.|(?!\1).)*)\1""", re.S)


def read_po(path: Path) -> dict[str, str]:
	"""msgid -> msgstr of a .po file (plural forms ignored)."""
	entries: dict[str, str] = {}
	current: dict[str, list[str]] = {}
	key = None

	def flush():
		if "msgid" in current and "msgstr" in current:
			entries["".join(current["msgid"])] = "".join(current["msgstr"])

	for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
		line = raw.strip()
		if not line or line.startswith("#"):
			if not line:
				flush()
				current, key = {}, None
			continue
		m = re.match(r'^(msgctxt|msgid|msgstr)\s+"(.*)"$', line)
		if m:
			key = m.group(1)
			current[key] = [_unescape(m.group(2))]
		elif line.startswith('"') and key:
			current[key].append(_unescape(line[1:-1]))
	flush()
	return entries


def _unescape(text: str) -> str:
	return text.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def python_translatables(package: Path) -> list[tuple[Path, str]]:
	found = []
	for path in package.rglob("*.py"):
		if "__pycache__" in path.parts or "core" in path.relative_to(package).parts[:1]:
			continue
		for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
			if (
				isinstance(node, ast.Call)
				and isinstance(node.func, ast.Name)
				and node.func.id in PY_TRANSLATABLE
				and node.args
				and isinstance(node.args[0], ast.Constant)
				and isinstance(node.args[0].value, str)
			):
				found.append((path, node.args[0].value))
	return found


def template_translatables(package: Path) -> list[tuple[Path, str]]:
	found = []
	for path in list(package.rglob("*.js")) + list(package.rglob("*.html")):
		if "public/dist" in str(path) or "node_modules" in path.parts:
			continue
		text = path.read_text(encoding="utf-8")
		pattern = JS_TRANSLATABLE if path.suffix == ".js" else JINJA_TRANSLATABLE
		for m in pattern.finditer(text):
			if m.group(1) == "`" and "${" in m.group(2):
				continue
			found.append((path, _unescape(m.group(2).replace("\\'", "'"))))
	return found


def doctype_translatables(package: Path) -> list[tuple[Path, str]]:
	doctypes, _problems = load_doctypes(package)
	found = []
	for name, entry in doctypes.items():
		path = entry["path"]
		found.append((path, name))
		for field in entry["data"].get("fields", []):
			if field.get("label"):
				found.append((path, field["label"]))
			if (
				field.get("fieldtype") == "Select"
				and field.get("options")
				and field.get("fieldname") != "naming_series"
			):
				for option in field["options"].split("\n"):
					if option.strip():
						found.append((path, option.strip()))
	return found


def json_translatables(package: Path) -> list[tuple[Path, str]]:
	"""Labels of standard records shipped as JSON (reports, workspaces, number cards, print formats)."""
	found = []
	for folder in ("report", "workspace", "number_card", "dashboard_chart", "print_format"):
		for path in package.glob(f"*/{folder}/*/*.json"):
			data = json.loads(path.read_text(encoding="utf-8"))
			for key in ("report_name", "label", "title"):
				if isinstance(data.get(key), str) and data.get("doctype") != "Print Format":
					found.append((path, data[key]))
			for column in data.get("columns", []) or []:
				if isinstance(column, dict) and column.get("label"):
					found.append((path, column["label"]))
	return found


def workflow_translatables(package: Path) -> list[tuple[Path, str]]:
	"""Workflow states and actions declared in the core (core/process.py defines WORKFLOWS as data)."""
	import importlib
	import sys

	process = package / "core" / "process.py"
	if not process.exists():
		return []
	app_dir = str(package.parent)
	if app_dir not in sys.path:
		sys.path.insert(0, app_dir)
	module = importlib.import_module(f"{package.name}.core.process")
	found = []
	for strings in getattr(module, "translatable_strings", lambda: [])():
		found.append((process, strings))
	return found


def check_translations(package: Path) -> list[str]:
	po_path = package / "locale" / "pt_BR.po"
	if not po_path.exists():
		return ["locale/pt_BR.po is missing"]
	po = read_po(po_path)
	problems = []
	seen = set()
	sources = (
		python_translatables(package)
		+ template_translatables(package)
		+ doctype_translatables(package)
		+ json_translatables(package)
		+ workflow_translatables(package)
	)
	for path, msgid in sources:
		if msgid in seen:
			continue
		seen.add(msgid)
		if not po.get(msgid, "").strip():
			problems.append(f"{path.relative_to(package)}: no pt_BR translation for {msgid!r}")
	return problems


ALL_CHECKS = {
	"doctype_json": check_doctype_json,
	"link_targets": check_link_targets,
	"controllers": check_controllers,
	"dotted_paths": check_dotted_paths,
	"translations": check_translations,
}
