#!/usr/bin/env python3
"""Fails when the crate's modules import each other in a circle.

Reads every `crate::…`, `super::…` and `self::…` path in src/ (test modules excluded: a test may
reach anywhere), resolves it to the module (file) that defines the item — following `pub use`
re-exports, so `crate::model::Batch` counts as an edge to the file that defines `Batch` — and
looks for strongly connected groups of more than one module (Tarjan). A module using its own
ancestors' items is not counted: a parent declares its children, so that edge always exists.

Usage: scripts/module-circles.py [SRC_DIR] [--depth N]
  --depth N  collapse modules to their first N path segments first (1: crate::model, …)
Prints each circle with the edges that close it; exit status 1 if there is any.
"""
import os
import re
import sys

args = [a for a in sys.argv[1:]]
depth = None
if "--depth" in args:
    i = args.index("--depth")
    depth = int(args[i + 1])
    del args[i:i + 2]
ROOT = args[0] if args else "src"

files = {}
for directory, _, names in os.walk(ROOT):
    for name in names:
        if name.endswith(".rs"):
            path = os.path.join(directory, name)
            module = os.path.relpath(path, ROOT)[:-3].split(os.sep)
            if module[-1] in ("mod", "lib", "main"):
                module = module[:-1]
            files[tuple(module)] = path
modules = set(files)


def is_dir_module(module):
    return files[module].endswith(("mod.rs", "lib.rs", "main.rs"))


def without_tests_and_comments(source):
    source = re.sub(r"#\[cfg\(test\)\]\s*mod tests\s*\{.*", "", source, flags=re.S)
    return re.sub(r"//[^\n]*", "", source)


# Items a module re-exports from its children (`pub use child::{A, B}`).
reexports = {m: {} for m in modules}
REEXPORT = re.compile(
    r"pub(?:\(crate\))?\s+use\s+(?:self::)?(\w+)::(\{[^;]*\}|\w+)(?:\s+as\s+(\w+))?\s*;")
for module, path in files.items():
    for child, names, alias in REEXPORT.findall(without_tests_and_comments(open(path).read())):
        if module + (child,) not in modules:
            continue
        for name in re.split(r"[,\s{}]+", names):
            if name and name != "self":
                reexports[module][name] = module + (child,)
        if alias:
            reexports[module][alias] = module + (child,)


def resolve(path):
    """The module a path names or defines its item in: its longest module prefix, then
    re-exports followed."""
    for n in range(len(path), -1, -1):
        if tuple(path[:n]) in modules:
            module = tuple(path[:n])
            while n < len(path) and path[n] in reexports.get(module, {}):
                module = reexports[module][path[n]]
                n += 1
            return module
    return None


def split_targets(text):
    """`crate::a::{b, c::d}` → [`crate::a::b`, `crate::a::c::d`] (one level of braces)."""
    head, _, rest = text.partition("::{")
    if not rest:
        return [head]
    items = re.split(r",(?![^{]*\})", rest.rstrip("}"))
    return [head + "::" + item.strip().split(" as ")[0] for item in items if item.strip()]


edges = {m: set() for m in modules}
PATH = re.compile(r"\b((?:crate|super|self)(?:::\w+|::\{[^;]*?\})+)")
for module, path in files.items():
    # Where `self::` points, and where `super::` starts climbing from.
    here = list(module)
    for text in PATH.findall(without_tests_and_comments(open(path).read())):
        for target in split_targets(text):
            parts = [p for p in target.split("::") if p not in ("{", "}")]
            if parts[0] == "crate":
                absolute = parts[1:]
            elif parts[0] == "self":
                absolute = (here if is_dir_module(module) else here[:-1]) + parts[1:]
            else:
                up = here[:-1]
                i = 0
                while i < len(parts) and parts[i] == "super":
                    if i > 0:
                        up = up[:-1]
                    i += 1
                absolute = up + parts[i:]
            found = resolve([p.strip("{} ") for p in absolute])
            is_ancestor = found is not None and module[:len(found)] == found
            if found is not None and found != module and not is_ancestor:
                edges[module].add(found)

if depth is not None:
    collapsed = {}
    for module, targets in edges.items():
        cut = module[:depth]
        collapsed.setdefault(cut, set()).update(
            t[:depth] for t in targets if t[:depth] != cut and module[:len(t[:depth])] != t[:depth])
    for targets in list(collapsed.values()):
        for target in targets:
            collapsed.setdefault(target, set())
    edges = collapsed

# Tarjan's strongly connected components.
sys.setrecursionlimit(10000)
index, low, stack, on_stack, circles = {}, {}, [], set(), []


def visit(v):
    index[v] = low[v] = len(index)
    stack.append(v)
    on_stack.add(v)
    for w in edges[v]:
        if w not in index:
            visit(w)
            low[v] = min(low[v], low[w])
        elif w in on_stack:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        component = []
        while True:
            w = stack.pop()
            on_stack.discard(w)
            component.append(w)
            if w == v:
                break
        if len(component) > 1:
            circles.append(component)


for v in sorted(edges):
    if v not in index:
        visit(v)


def name(module):
    return "::".join(module) or "crate"


for circle in circles:
    members = set(circle)
    print("import circle:", ", ".join(sorted(name(m) for m in circle)))
    for module in sorted(circle):
        print("   ", name(module), "->",
              ", ".join(sorted(name(t) for t in edges[module] if t in members)))
if not circles:
    print(f"no import circles among {len(files)} modules of {ROOT}"
          + (f" (depth {depth})" if depth else ""))
sys.exit(1 if circles else 0)
