"""The literal-Cypher check (tests/unit/test_literal_cypher.py): every Cypher statement that
reaches the driver is written in the source, never built at run time.

``Graph.read``/``write`` take a ``LiteralString``, but mypy does not check ``LiteralString``
(python/mypy#12554), so this test does it from the syntax tree. At every place a statement is
handed over (``graph.read``/``write``/``write_autocommit``, ``tx.run``, ``session.run``,
``execute_query``) the statement must come from string literals: a literal, a module-level
constant (possibly picked out of a module-level dict or tuple, or chosen by a conditional), or
a local variable, loop variable or parameter that only ever holds such values. Module-level
constants may concatenate literals and other constants, or call a function of their own module
that returns a ``LiteralString`` (those assemble labels from the allow-list enums); they run
once at import, never on input. An f-string, a ``.format``/``%``/``join`` call or a ``+`` at
run time is flagged wherever it would reach the driver, and so is an f-string or ``.format``
in any query constant or query builder.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("graph", "monitors", "api")
# Graph's own methods are the guarded entry points: their statement parameter is checked at
# every call of them, so inside graph/client.py a parameter may reach the driver.
BOUNDARY = "graph/client.py"
GRAPH_METHODS = frozenset({"read", "write", "write_autocommit"})
DRIVER_RUNNERS = frozenset({"tx", "session"})
BUILDERS = frozenset({"format", "join", "replace", "format_map"})

Path_ = tuple[object, ...]  # how to reach the statement inside a value: tuple indexes or "*"
ANY = "*"


@dataclass
class Module:
    """One parsed source file and what its names refer to."""

    name: str
    rel: str
    tree: ast.Module
    constants: dict[str, ast.expr] = field(default_factory=dict)
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)
    modules: dict[str, str] = field(default_factory=dict)  # alias -> imported module
    names: dict[str, tuple[str, str]] = field(default_factory=dict)  # alias -> (module, name)
    parents: dict[ast.AST, ast.AST] = field(default_factory=dict)


def parse(name: str, rel: str, source: str) -> Module:
    """Parse a module and index its constants, functions and imports."""
    tree = ast.parse(source)
    module = Module(name, rel, tree)
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            module.parents[child] = node
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                module.constants[target.id] = node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            if isinstance(node.target, ast.Name):
                module.constants[node.target.id] = node.value
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                imported = f"{node.module}.{alias.name}"
                module.modules[alias.asname or alias.name] = imported
                module.names[alias.asname or alias.name] = (node.module, alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                module.modules[alias.asname or alias.name] = alias.name
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            module.functions.setdefault(node.name, node)
    return module


class Checker:
    """Finds the places where a statement handed to the driver is not literal."""

    def __init__(self, modules: dict[str, Module]) -> None:
        self.modules = modules
        self.problems: list[str] = []
        self._seen: set[tuple[int, Path_]] = set()

    def run(self) -> list[str]:
        for module in self.modules.values():
            for call, query in sinks(module):
                self._require(module, query, (), f"{where(module, call)}: statement")
            for node in ast.walk(module.tree):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and returns_literal(
                    node
                ):
                    for inner in ast.walk(node):
                        self._no_builder(module, inner, f"{where(module, inner)}: builder")
            for name, value in module.constants.items():
                if is_query_name(name):
                    for inner in ast.walk(value):
                        self._no_builder(module, inner, f"{module.rel}: {name}")
        return self.problems

    def _no_builder(self, module: Module, node: ast.AST, label: str) -> None:
        if isinstance(node, ast.JoinedStr):
            self.problems.append(f"{label} uses an f-string")
        elif is_string_builder_call(node):
            self.problems.append(f"{label} formats a string at run time")

    def _require(self, module: Module, expr: ast.expr, path: Path_, label: str) -> None:
        reason = self._why_not_literal(module, expr, path, top_level=False)
        if reason:
            self.problems.append(f"{label} {reason}")

    def _why_not_literal(
        self, module: Module, expr: ast.expr, path: Path_, *, top_level: bool
    ) -> str | None:
        key = (id(expr), path)
        if key in self._seen:
            return None  # already being checked (a loop through names)
        self._seen.add(key)
        if isinstance(expr, ast.JoinedStr):
            return "is an f-string"
        if isinstance(expr, ast.Constant):
            return None if isinstance(expr.value, str) or path else "is not a string"
        if is_string_builder_call(expr):
            return "is formatted at run time"
        if isinstance(expr, ast.BinOp):
            if not top_level:
                return "is concatenated at run time"
            return self._first(module, [expr.left, expr.right], path, top_level=True)
        if isinstance(expr, ast.IfExp):
            return self._first(module, [expr.body, expr.orelse], path, top_level=top_level)
        if isinstance(expr, ast.Subscript):
            return self._why_not_literal(module, expr.value, (ANY, *path), top_level=top_level)
        if isinstance(expr, ast.List | ast.Tuple | ast.Set):
            return self._container(module, expr.elts, path, top_level=top_level)
        if isinstance(expr, ast.Dict):
            return self._container(module, expr.values, path, top_level=top_level)
        if isinstance(expr, ast.Starred):
            return self._why_not_literal(module, expr.value, path, top_level=top_level)
        if isinstance(expr, ast.ListComp | ast.SetComp | ast.GeneratorExp):
            return self._element(module, expr.elt, path, top_level=top_level)
        if isinstance(expr, ast.DictComp):
            return self._element(module, expr.value, path, top_level=top_level)
        if isinstance(expr, ast.Name):
            return self._name(module, expr, path, top_level=top_level)
        if isinstance(expr, ast.Attribute):
            return self._attribute(module, expr, path, top_level=top_level)
        if isinstance(expr, ast.Call):
            return self._call(module, expr, path, top_level=top_level)
        return f"is a {type(expr).__name__} expression"

    def _first(
        self, module: Module, exprs: list[ast.expr], path: Path_, *, top_level: bool
    ) -> str | None:
        for expr in exprs:
            reason = self._why_not_literal(module, expr, path, top_level=top_level)
            if reason:
                return reason
        return None

    def _container(
        self,
        module: Module,
        elts: list[ast.expr] | list[ast.expr | None],
        path: Path_,
        *,
        top_level: bool,
    ) -> str | None:
        if not path:
            return "is a container, not a string"
        head, rest = path[0], path[1:]
        if head == ANY:
            chosen = [e for e in elts if e is not None]
        elif (
            isinstance(head, int)
            and head < len(elts)
            and not any(isinstance(e, ast.Starred) for e in elts)
        ):
            element = elts[head]
            chosen = [element] if element is not None else []
        else:
            return "comes out of a container that could not be followed"
        for element in chosen:
            element_path = path if isinstance(element, ast.Starred) else rest
            reason = self._why_not_literal(module, element, element_path, top_level=top_level)
            if reason:
                return reason
        return None

    def _element(
        self, module: Module, elt: ast.expr, path: Path_, *, top_level: bool
    ) -> str | None:
        if not path or path[0] != ANY:
            return "comes out of a comprehension that could not be followed"
        return self._why_not_literal(module, elt, path[1:], top_level=top_level)

    def _name(self, module: Module, expr: ast.Name, path: Path_, *, top_level: bool) -> str | None:
        scope = None if top_level else enclosing_function(module, expr)
        while scope is not None:  # the innermost function that binds it (closures included)
            bound = bindings(module, scope, expr)
            if bound is not None:
                return self._bindings(module, scope, bound, path)
            scope = enclosing_function(module, scope)
        return self._global(module, expr.id, path)

    def _bindings(
        self,
        module: Module,
        scope: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda,
        bound: list[Binding],
        path: Path_,
    ) -> str | None:
        for binding in bound:
            if binding.parameter is not None:
                reason = self._parameter(module, scope, binding.parameter, path)
            else:
                assert binding.value is not None
                reason = self._why_not_literal(
                    module, binding.value, (*binding.path, *path), top_level=False
                )
            if reason:
                return reason
        return None

    def _parameter(
        self,
        module: Module,
        scope: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda,
        parameter: ast.arg,
        path: Path_,
    ) -> str | None:
        if module.rel == BOUNDARY:
            return None
        if not isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
            return f"is the parameter {parameter.arg!r} of a lambda"
        positional = [a.arg for a in scope.args.posonlyargs + scope.args.args]
        if positional and positional[0] in ("self", "cls"):
            positional = positional[1:]
        calls = [c for c in calls_of(module, scope.name)]
        if not calls:
            return f"is the parameter {parameter.arg!r} of {scope.name}, which nothing here calls"
        for call in calls:
            argument = argument_for(call, positional, parameter.arg)
            if argument is None:
                continue  # the parameter's default, checked below
            self._require(
                module, argument, path, f"{where(module, call)}: argument {parameter.arg!r}"
            )
        default = default_of(scope, parameter.arg)
        if default is not None:
            return self._why_not_literal(module, default, path, top_level=False)
        return None

    def _global(self, module: Module, name: str, path: Path_) -> str | None:
        if name in module.constants:
            return self._why_not_literal(module, module.constants[name], path, top_level=True)
        if name in module.names:
            source, attribute = module.names[name]
            target = self.modules.get(source)
            if target is not None:
                return self._global(target, attribute, path)
        return f"is {name!r}, which is not a module-level constant of this project"

    def _imported_function(
        self, module: Module, name: str
    ) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        source, attribute = module.names.get(name, ("", ""))
        target = self.modules.get(source)
        return target.functions.get(attribute) if target is not None else None

    def _attribute(
        self, module: Module, expr: ast.Attribute, path: Path_, *, top_level: bool
    ) -> str | None:
        if isinstance(expr.value, ast.Name) and expr.value.id in module.modules:
            target = self.modules.get(module.modules[expr.value.id])
            if target is not None:
                return self._global(target, expr.attr, path)
        if top_level and not path:
            return None  # an allow-list enum member (Label.PARTY) spliced in at import
        holder = record_with_field(module, expr.attr)
        if holder is not None and not top_level:
            return self._record_field(module, holder, expr.attr, path)
        return f"is {ast.unparse(expr)!r}, which is not a module-level constant"

    def _record_field(
        self, module: Module, record: ast.ClassDef, name: str, path: Path_
    ) -> str | None:
        """A ``LiteralString`` field of a record class of this module: every construction of
        the record here must give it a literal-derived value."""
        fields = [
            node.target.id
            for node in record.body
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
        ]
        calls = list(calls_of(module, record.name))
        if not calls:
            return f"is the field {name!r} of {record.name}, which nothing here builds"
        for call in calls:
            argument = argument_for(call, fields, name)
            if argument is None:
                return f"is the field {name!r} of {record.name}, left out at line {call.lineno}"
            self._require(module, argument, path, f"{where(module, call)}: field {name!r}")
        return None

    def _call(self, module: Module, expr: ast.Call, path: Path_, *, top_level: bool) -> str | None:
        function = called_function(module, expr)
        if function is None and top_level and isinstance(expr.func, ast.Name):
            function = self._imported_function(module, expr.func.id)
        if function is None:
            return f"is the result of {ast.unparse(expr.func)}(...)"
        if top_level and returns_literal(function):
            return None  # a query builder run once at import, itself checked for f-strings
        if top_level:
            return f"calls {function.name}, which does not return a LiteralString"
        returned = [
            node.value
            for node in ast.walk(function)
            if isinstance(node, ast.Return) and node.value is not None
        ]
        return self._first(module, returned, path, top_level=False)


@dataclass
class Binding:
    """One place a local name gets its value: an assignment (maybe unpacked) or a parameter."""

    value: ast.expr | None = None
    path: Path_ = ()
    parameter: ast.arg | None = None


def bindings(
    module: Module, scope: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, name: ast.Name
) -> list[Binding] | None:
    """Where ``name`` is bound inside ``scope`` (None when it is not local to it)."""
    comprehension = enclosing_comprehension(module, name, scope)
    if comprehension is not None:
        for generator in comprehension.generators:
            found = unpacked(generator.target, generator.iter, name.id, element=True)
            if found:
                return found
    found_all: list[Binding] = []
    for arg in all_arguments(scope.args):
        if arg.arg == name.id:
            found_all.append(Binding(parameter=arg))
    for node in walk_own(scope):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                found_all += unpacked(target, node.value, name.id)
        elif isinstance(node, ast.AnnAssign | ast.NamedExpr) and node.value is not None:
            found_all += unpacked(node.target, node.value, name.id)
        elif isinstance(node, ast.For | ast.AsyncFor):
            found_all += unpacked(node.target, node.iter, name.id, element=True)
        elif (
            isinstance(node, ast.AugAssign)
            and isinstance(node.target, ast.Name)
            and node.target.id == name.id
        ):
            found_all.append(Binding(value=ast.BinOp(node.target, node.op, node.value)))
    return found_all or None


def unpacked(
    target: ast.expr, value: ast.expr, name: str, *, element: bool = False
) -> list[Binding]:
    """The bindings of ``name`` when ``value`` (or each element of it) is assigned to ``target``."""
    prefix: Path_ = (ANY,) if element else ()
    if isinstance(target, ast.Name):
        return [Binding(value=value, path=prefix)] if target.id == name else []
    if isinstance(target, ast.Tuple | ast.List):
        found: list[Binding] = []
        for index, part in enumerate(target.elts):
            for binding in unpacked(part, value, name):
                found.append(Binding(value=value, path=(*prefix, index, *binding.path)))
        return found
    return []


def record_with_field(module: Module, name: str) -> ast.ClassDef | None:
    """The class of this module that declares ``name`` as a ``LiteralString`` field."""
    for node in ast.walk(module.tree):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if (
                    isinstance(item, ast.AnnAssign)
                    and isinstance(item.target, ast.Name)
                    and item.target.id == name
                    and "LiteralString" in ast.unparse(item.annotation)
                ):
                    return node
    return None


def sinks(module: Module) -> Iterator[tuple[ast.Call, ast.expr]]:
    """Each call that hands a statement to the driver, with the statement argument."""
    for node in ast.walk(module.tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        method, receiver = node.func.attr, node.func.value
        is_sink = (
            (method in GRAPH_METHODS and terminal_name(receiver) == "graph")
            or (
                method == "run" and isinstance(receiver, ast.Name) and receiver.id in DRIVER_RUNNERS
            )
            or method == "execute_query"
        )
        if not is_sink:
            continue
        query = node.args[0] if node.args else keyword(node, "query", "cypher", "query_")
        if query is None:
            continue  # nothing positional: not a statement call (e.g. a bare .write())
        yield node, query


def terminal_name(expr: ast.expr) -> str | None:
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return expr.attr
    return None


def keyword(call: ast.Call, *names: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg in names), None)


def is_string_builder_call(node: ast.AST) -> bool:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return isinstance(node.left, ast.Constant | ast.JoinedStr) and isinstance(
            getattr(node.left, "value", ""), str
        )
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in BUILDERS
        and isinstance(node.func.value, ast.Constant | ast.Name | ast.Attribute)
        and not (isinstance(node.func.value, ast.Name) and node.func.value.id in ("os", "Path"))
    )


def returns_literal(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return function.returns is not None and "LiteralString" in ast.unparse(function.returns)


def is_query_name(name: str) -> bool:
    return name.lstrip("_").isupper()


def enclosing_function(
    module: Module, node: ast.AST
) -> ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | None:
    while node in module.parents:
        node = module.parents[node]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            return node
    return None


def enclosing_comprehension(
    module: Module, node: ast.AST, scope: ast.AST
) -> ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp | None:
    while node in module.parents and node is not scope:
        node = module.parents[node]
        if isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
            return node
    return None


def walk_own(scope: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a function body, without those of functions nested in it."""
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            stack.extend(ast.iter_child_nodes(node))


def all_arguments(args: ast.arguments) -> list[ast.arg]:
    extra = [a for a in (args.vararg, args.kwarg) if a is not None]
    return [*args.posonlyargs, *args.args, *args.kwonlyargs, *extra]


def default_of(function: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> ast.expr | None:
    positional = function.args.posonlyargs + function.args.args
    defaults = (
        dict(
            zip(
                [a.arg for a in positional[-len(function.args.defaults) :]],
                function.args.defaults,
                strict=True,
            )
        )
        if function.args.defaults
        else {}
    )
    for arg, default in zip(function.args.kwonlyargs, function.args.kw_defaults, strict=True):
        if default is not None:
            defaults[arg.arg] = default
    return defaults.get(name)


def calls_of(module: Module, name: str) -> Iterator[ast.Call]:
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Call) and terminal_name(node.func) == name:
            yield node


def argument_for(call: ast.Call, positional: list[str], name: str) -> ast.expr | None:
    if name in positional and positional.index(name) < len(call.args):
        return call.args[positional.index(name)]
    return keyword(call, name)


def called_function(
    module: Module, call: ast.Call
) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    if isinstance(call.func, ast.Name):
        return module.functions.get(call.func.id)
    if (
        isinstance(call.func, ast.Attribute)
        and isinstance(call.func.value, ast.Name)
        and call.func.value.id == "self"
    ):
        return module.functions.get(call.func.attr)
    return None


def where(module: Module, node: ast.AST) -> str:
    return f"{module.rel}:{getattr(node, 'lineno', '?')}"


def project_modules() -> dict[str, Module]:
    modules: dict[str, Module] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            name = rel.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
            modules[name] = parse(name, rel, path.read_text(encoding="utf-8"))
    return modules


def check_sources(sources: dict[str, str]) -> list[str]:
    """Problems in a set of synthetic modules, given as {dotted name: source}."""
    modules = {
        name: parse(name, name.replace(".", "/") + ".py", source)
        for name, source in sources.items()
    }
    return Checker(modules).run()
