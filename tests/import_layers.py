"""The app's import graph, read with ``ast`` (nothing is imported), and the rules it must keep.

Layers, lowest first; a module may import its own layer and the layers below it, never one above:

    core  <-  utils  <-  adapters  <-  services  <-  entry (api, www, setup, tasks, hooks, patches)

- ``core``: plain Python rules (never frappe); ``utils``: Frappe-layer helpers shared by everything
  (workflow moves, gates, calendar, SLA, mail, links, permissions); ``adapters``: ERPNext and the banks, one module
  each; ``services``: the DocTypes of the four modules and the services that move them; ``entry``: what Frappe
  or a person calls (whitelisted API, the portal gate at the HTTP doors, portal pages, install/demo/test-site setup,
  scheduler jobs, patches).
- ``tests`` may import anything; production code never imports ``fiber_onboarding.tests``.
- No circle: no module reaches itself again through its imports (imports inside functions count too).

``graph_of(package_dir)`` builds {module: [(line, imported module), ...]} for every ``.py`` file of the app;
``problems(graph)`` returns the broken rules as readable lines (empty: the graph is clean). The unit tests feed
``problems`` synthetic graphs, so each rule is shown to fail.
"""

from __future__ import annotations

import ast
from pathlib import Path

APP = "fiber_onboarding"
TESTS = f"{APP}.tests"

# (layer, the packages or modules it holds), lowest first
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
	("core", (f"{APP}.core",)),
	("utils", (f"{APP}.utils", f"{APP}.permissions")),
	("adapters", (f"{APP}.adapters",)),
	(
		"services",
		(f"{APP}.fiber_onboarding", f"{APP}.fiber_billing", f"{APP}.fiber_contracts", f"{APP}.fiber_field"),
	),
	(
		"entry",
		(
			f"{APP}.api",
			f"{APP}.security",  # the portal gate at the HTTP doors (auth and after-request hooks)
			f"{APP}.www",
			f"{APP}.setup",
			f"{APP}.tasks",
			f"{APP}.hooks",
			f"{APP}.patches",
			f"{APP}.templates",
			f"{APP}.config",
			APP,  # the package's own __init__
		),
	),
)
RANK = {name: rank for rank, (name, _prefixes) in enumerate(LAYERS)}


def _within(module: str, prefix: str) -> bool:
	return module == prefix or module.startswith(prefix + ".")


def layer_of(module: str) -> str | None:
	"""The layer of an app module ("tests" for the tests package; None for a module no layer claims)."""
	if _within(module, TESTS):
		return "tests"
	for name, prefixes in LAYERS:
		for prefix in prefixes:
			if prefix == APP:
				if module == APP:
					return name
			elif _within(module, prefix):
				return name
	return None


# ---------------------------------------------------------------------------------------------------------------
# Reading the imports
# ---------------------------------------------------------------------------------------------------------------
def module_name(package_dir: Path, path: Path) -> str:
	parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
	if parts[-1] == "__init__":
		parts.pop()
	return ".".join(parts)


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
	if not node.level:
		return node.module or ""
	base = module.split(".") if is_package else module.split(".")[:-1]
	base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
	return ".".join([*base, node.module] if node.module else base)


def imports_of(source: str, module: str, is_package: bool, known: set[str]) -> list[tuple[int, str]]:
	"""The app modules ``source`` imports, with their line (``from a import b`` is ``a.b`` when that is a module).

	Every import counts, also those inside functions and ``TYPE_CHECKING`` blocks.
	"""
	found: list[tuple[int, str]] = []
	for node in ast.walk(ast.parse(source)):
		if isinstance(node, ast.Import):
			for alias in node.names:
				if _within(alias.name, APP):
					found.append((node.lineno, alias.name))
		elif isinstance(node, ast.ImportFrom):
			target = _absolute(module, is_package, node)
			if not _within(target, APP):
				continue
			for alias in node.names:
				candidate = f"{target}.{alias.name}"
				found.append((node.lineno, candidate if candidate in known else target))
	return list(dict.fromkeys(found))


def graph_of(package_dir: Path) -> dict[str, list[tuple[int, str]]]:
	files = sorted(p for p in package_dir.rglob("*.py") if "__pycache__" not in p.parts)
	modules = {module_name(package_dir, p): p for p in files}
	known = set(modules)
	return {
		name: imports_of(path.read_text(encoding="utf-8"), name, path.name == "__init__.py", known)
		for name, path in modules.items()
	}


# ---------------------------------------------------------------------------------------------------------------
# The rules
# ---------------------------------------------------------------------------------------------------------------
def layer_problems(graph: dict[str, list[tuple[int, str]]]) -> list[str]:
	problems = []
	for module in sorted(graph):
		source_layer = layer_of(module)
		if source_layer is None:
			problems.append(f"{module}: in no layer (add its package to import_layers.LAYERS)")
			continue
		for line, target in graph[module]:
			target_layer = layer_of(target)
			if source_layer == "tests" or target == module:
				continue
			if target_layer == "tests":
				problems.append(f"{module}:{line}: production code imports the tests ({target})")
			elif target_layer is None:
				problems.append(f"{module}:{line}: imports {target}, which is in no layer")
			elif RANK[target_layer] > RANK[source_layer]:
				problems.append(
					f"{module}:{line}: {source_layer} imports {target_layer} ({target}): "
					"a lower layer must not depend on a higher one"
				)
	return problems


def circles(graph: dict[str, list[tuple[int, str]]]) -> list[list[str]]:
	"""Every group of modules that reach each other through imports (Tarjan's strongly connected components),
	each given as one circle through its members, in a stable order."""
	edges = {m: sorted({t for _line, t in targets if t in graph and t != m}) for m, targets in graph.items()}
	index: dict[str, int] = {}
	low: dict[str, int] = {}
	stack: list[str] = []
	on_stack: set[str] = set()
	components: list[list[str]] = []
	counter = 0

	for root in sorted(edges):
		if root in index:
			continue
		# iterative depth-first search: (node, iterator over its edges)
		work = [(root, iter(edges[root]))]
		index[root] = low[root] = counter
		counter += 1
		stack.append(root)
		on_stack.add(root)
		while work:
			node, children = work[-1]
			advanced = False
			for child in children:
				if child not in index:
					index[child] = low[child] = counter
					counter += 1
					stack.append(child)
					on_stack.add(child)
					work.append((child, iter(edges[child])))
					advanced = True
					break
				if child in on_stack:
					low[node] = min(low[node], index[child])
			if advanced:
				continue
			work.pop()
			if work:
				parent = work[-1][0]
				low[parent] = min(low[parent], low[node])
			if low[node] == index[node]:
				component = []
				while True:
					member = stack.pop()
					on_stack.discard(member)
					component.append(member)
					if member == node:
						break
				if len(component) > 1:
					components.append(_cycle_through(sorted(component), edges))
	return sorted(components)


def _cycle_through(members: list[str], edges: dict[str, list[str]]) -> list[str]:
	"""One circle from the first member back to itself, inside the component (for a readable message)."""
	inside = set(members)
	start = members[0]
	previous: dict[str, str] = {}
	queue = [start]
	while queue:
		node = queue.pop(0)
		for child in edges[node]:
			if child == start:
				back = [node]
				while back[-1] != start:
					back.append(previous[back[-1]])
				return [*reversed(back), start]
			if child in inside and child not in previous:
				previous[child] = node
				queue.append(child)
	return [*members, start]


def circle_problems(graph: dict[str, list[tuple[int, str]]]) -> list[str]:
	return [f"import circle: {' -> '.join(cycle)}" for cycle in circles(graph)]


def problems(graph: dict[str, list[tuple[int, str]]]) -> list[str]:
	return layer_problems(graph) + circle_problems(graph)
