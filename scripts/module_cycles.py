#!/usr/bin/env python3
"""Cycles between the modules of each product crate: a module that uses
another which (directly or through others) uses it back is one concern in
two places, and neither can be read or changed alone.

    python3 scripts/module_cycles.py      # exit 1 and print every cycle, else 0

For every crate under crates/ (xmlrpc-kit-test-support aside) the modules
are found from the `mod` declarations, starting at lib.rs or main.rs
(`#[path]` respected; `#[cfg(test)]` modules and `tests` modules left out).
Each reference a module makes to another is an edge: a `use crate::…`,
`use super::…` or `use self::…` (grouped or not, or a relative `use` of a
child module), and a `crate::…`, `super::…` or `self::…` path in the code;
comments and string literals are not read. A path to a name the target
module only re-exports (`pub use`, or a `use` a child reaches with
`super::`) leads on to the module that defines it.

The graph is checked at every level: between the crate's top-level modules
(a file `src/a.rs` or folder `src/a/` is module `a`, whatever lies inside),
and between the children of each module (the submodules of a folder, or
inline `mod x { … }` blocks). The parent itself (lib.rs, main.rs, a
folder's mod.rs) is no node of its children's graph: a child using what
its parent declares is how modules are built.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP_CRATES = {"xmlrpc-kit-test-support"}
MAX_CYCLES_PER_CRATE = 200

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


def strip(text):
    """The text with comments and string/char literals blanked to spaces
    (newlines kept, so offsets and line numbers still match)."""
    out = list(text)
    i, n = 0, len(text)

    def blank(a, b):
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            blank(i, j)
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            blank(i, j)
            i = j
        elif (m := re.compile(r'b?r(#*)"').match(text, i)) and (
            i == 0 or not re.match(r"\w", text[i - 1])
        ):
            end = '"' + m.group(1)
            j = text.find(end, m.end())
            j = n if j < 0 else j + len(end)
            blank(i, j)
            i = j
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            blank(i, j + 1)
            i = j + 1
        elif c == "'":
            # A char literal ('x', '\n', '\u{..}', '"'); otherwise a lifetime.
            m = re.compile(r"'(\\u\{[0-9a-fA-F]+\}|\\.|[^\\'])'").match(text, i)
            if m:
                blank(i, m.end())
                i = m.end()
            else:
                i += 1
        else:
            i += 1
    return "".join(out)


def matching_brace(text, start):
    """The offset just past the `}` closing the `{` at `start`."""
    depth = 0
    for j in range(start, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return j + 1
    return len(text)


ATTRS = r"((?:\#\[[^\]]*\]\s*)*)"
MOD_DECL = re.compile(r"(?<![\w#])" + ATTRS + r"(?:pub(?:\([^)]*\))?\s+)?mod\s+(" + IDENT + r")\s*([;{])")


def is_test(attrs, name):
    cfg = re.findall(r"cfg\(([^\]]*)\)", attrs)
    return name == "tests" or any(
        re.search(r"\btest\b", c) and not re.search(r"not\(\s*test", c) for c in cfg
    )


class Module:
    def __init__(self, path, file, inline_span=None):
        self.path = path  # tuple of names from the crate root
        self.file = file  # the file that holds it
        self.span = inline_span  # (start, end) in that file if inline
        self.children = {}
        self.names = {}  # name -> (absolute path, line) brought in by `use`


def line_of(text, offset):
    return text.count("\n", 0, offset) + 1


def parse_use_tree(tokens):
    """[(segments, alias, glob, token index of last segment)] of one use tree."""
    leaves = []
    pos = 0

    def tree(prefix):
        nonlocal pos
        segs = list(prefix)
        while pos < len(tokens):
            tok = tokens[pos][0]
            if tok == "{":
                pos += 1
                while pos < len(tokens) and tokens[pos][0] != "}":
                    tree(segs)
                    if pos < len(tokens) and tokens[pos][0] == ",":
                        pos += 1
                pos += 1
                return
            if tok == "*":
                leaves.append((segs, None, True, pos))
                pos += 1
                return
            if tok == "::":
                pos += 1
                continue
            if tok in (",", "}"):
                break
            if tok == "as":
                alias = tokens[pos + 1][0]
                leaves.append((segs, alias, False, pos - 1))
                pos += 2
                return
            segs.append(tok)
            pos += 1
        if segs != list(prefix) or segs:
            leaves.append((segs, None, False, pos - 1))

    tree([])
    return leaves


class Crate:
    def __init__(self, directory):
        self.dir = directory
        self.name = directory.name
        self.texts = {}  # file -> stripped text
        self.modules = {}  # path tuple -> Module
        self.refs = []  # (from path, written path, absolute segments, file, line)
        src = directory / "src"
        root = src / "lib.rs" if (src / "lib.rs").exists() else src / "main.rs"
        self.load(root, (), is_dir_owner=True)

    def rel(self, file):
        return file.relative_to(self.dir / "src").as_posix()

    def load(self, file, path, is_dir_owner):
        text = strip(file.read_text(encoding="utf-8"))
        self.texts[file] = text
        module = Module(path, file)
        self.modules[path] = module
        child_dir = file.parent if is_dir_owner else file.parent / file.stem
        self.scan(module, text, 0, len(text), child_dir)

    def scan(self, module, text, start, end, child_dir):
        """Declarations, uses and paths of one module's text, recursing into
        child modules (files and inline blocks); test modules skipped."""
        skipped = []  # spans that belong to inline child modules
        pos = start
        while True:
            m = MOD_DECL.search(text, pos, end)
            if not m:
                break
            attrs, name, kind = m.group(1), m.group(2), m.group(3)
            if kind == "{":
                close = matching_brace(text, m.end() - 1)
                skipped.append((m.start(), close))
                if not is_test(attrs, name):
                    child = Module(module.path + (name,), module.file, (m.end(), close - 1))
                    module.children[name] = child
                    self.modules[child.path] = child
                    self.scan(child, text, m.end(), close - 1, child_dir / name)
                pos = close
                continue
            pos = m.end()
            if is_test(attrs, name):
                continue
            raw_attrs = self.raw_attr(module.file, m.start(1), m.end(1))
            explicit = re.search(r'#\[path\s*=\s*"([^"]+)"\]', raw_attrs)
            if explicit:
                file, owner = child_dir / explicit.group(1), False
                if file.name == "mod.rs":
                    owner = True
            elif (child_dir / f"{name}.rs").exists():
                file, owner = child_dir / f"{name}.rs", False
            else:
                file, owner = child_dir / name / "mod.rs", True
            self.load(file, module.path + (name,), owner)
            module.children[name] = self.modules[module.path + (name,)]
        own = list(text[start:end])
        for a, b in skipped:
            for k in range(max(a, start), min(b, end)):
                if own[k - start] != "\n":
                    own[k - start] = " "
        self.read_refs(module, text, start, "".join(own))

    def raw_attr(self, file, a, b):
        # Attribute strings (`#[path = "…"]`) were blanked by strip().
        return file.read_text(encoding="utf-8")[a:b]

    def read_refs(self, module, text, offset, own):
        uses = re.compile(r"(?<![\w$])use\s+([^;]*);")
        blanked = list(own)
        for m in uses.finditer(own):
            body_start = m.start(1)
            tokens = [
                (t.group(0), offset + body_start + t.start())
                for t in re.finditer(IDENT + r"|::|[{},*]", m.group(1))
            ]
            for segs, alias, glob, last in parse_use_tree(tokens):
                segs = [s for s in segs if s]
                if not segs:
                    continue
                if segs[-1] == "self":
                    segs = segs[:-1]
                line = line_of(text, tokens[last][1] if last < len(tokens) else m.start())
                written = "::".join(segs) + ("::*" if glob else "")
                absolute = self.absolute(module, segs)
                if absolute is None:
                    continue
                if not glob:
                    module.names[alias or segs[-1]] = (absolute, line)
                self.refs.append((module.path, written, absolute, module.file, line))
            for k in range(m.start(), m.end()):
                if blanked[k] != "\n":
                    blanked[k] = " "
        blanked = "".join(blanked)
        for m in re.finditer(r"(?<![\w$])((?:crate|super|self)(?:\s*::\s*" + IDENT + r")+)", blanked):
            segs = [s.strip() for s in m.group(1).split("::")]
            absolute = self.absolute(module, segs)
            if absolute is not None:
                line = line_of(text, offset + m.start())
                self.refs.append((module.path, "::".join(segs), absolute, module.file, line))

    def absolute(self, module, segs):
        """The path from the crate root that `segs`, written in `module`,
        names; None for another crate's."""
        path = list(module.path)
        i = 0
        if segs[0] == "crate":
            path, i = [], 1
        elif segs[0] in ("super", "self"):
            while i < len(segs) and segs[i] in ("super", "self"):
                if segs[i] == "super":
                    path = path[:-1]
                i += 1
        else:
            # A relative path: a child module of this one (resolved later,
            # once every module is known) or another crate.
            return ("?rel",) + tuple(module.path) + ("?",) + tuple(segs)
        return tuple(path) + tuple(segs[i:])

    def resolve(self, absolute, seen=None):
        """The module that defines what `absolute` names (following `use`
        re-exports), or None if it is another crate's."""
        seen = seen or set()
        if absolute in seen:
            return None
        seen.add(absolute)
        if absolute and absolute[0] == "?rel":
            split = absolute.index("?")
            base, segs = absolute[1:split], absolute[split + 1:]
            if base + segs[:1] in self.modules:
                return self.resolve(base + segs, seen)
            if segs[0] in self.modules[base].names and (base, segs[0]) not in seen:
                seen.add((base, segs[0]))
                return self.resolve(self.modules[base].names[segs[0]][0] + segs[1:], seen)
            return None
        k = len(absolute)
        while k > 0 and absolute[:k] not in self.modules:
            k -= 1
        module = self.modules[absolute[:k]]
        if k < len(absolute) and absolute[k] in module.names:
            target = module.names[absolute[k]][0] + absolute[k + 1:]
            found = self.resolve(target, seen)
            if found is not None:
                return found
        return absolute[:k]

    def edges(self):
        """{(parent, from child, to child): [(file, line, written)]} at every level."""
        out = {}
        for src, written, absolute, file, line in self.refs:
            dst = self.resolve(absolute)
            if dst is None:
                continue
            common = 0
            while common < min(len(src), len(dst)) and src[common] == dst[common]:
                common += 1
            if common >= len(src) or common >= len(dst):
                continue  # to itself, its parent or its own child
            key = (src[:common], src[common], dst[common])
            out.setdefault(key, []).append((self.rel(file), line, written))
        return out


def cycles(nodes, adjacency):
    """Every elementary cycle, each once, starting at its least node."""
    found = []
    order = sorted(nodes)
    for start in order:
        allowed = {n for n in order if n >= start}
        stack = [(start, [start])]
        while stack:
            node, trail = stack.pop()
            for nxt in sorted(adjacency.get(node, ()), reverse=True):
                if nxt == start:
                    found.append(trail + [start])
                elif nxt in allowed and nxt not in trail:
                    stack.append((nxt, trail + [nxt]))
            if len(found) > MAX_CYCLES_PER_CRATE:
                return found
    return found


def main():
    report = []
    crates = sorted(p for p in (ROOT / "crates").iterdir()
                    if (p / "Cargo.toml").exists() and p.name not in SKIP_CRATES)
    edge_count = 0
    for directory in crates:
        crate = Crate(directory)
        edges = crate.edges()
        edge_count += len(edges)
        by_parent = {}
        for (parent, a, b), where in edges.items():
            by_parent.setdefault(parent, {}).setdefault(a, {})[b] = min(where)
        for parent in sorted(by_parent):
            adjacency = by_parent[parent]
            nodes = set(adjacency) | {b for d in adjacency.values() for b in d}
            prefix = "".join(p + "::" for p in parent)
            for cycle in cycles(nodes, adjacency):
                evidence = "; ".join(
                    "{}:{} uses {}".format(*adjacency[a][b]) for a, b in zip(cycle, cycle[1:])
                )
                names = " -> ".join(prefix + n for n in cycle)
                report.append(f"{crate.name}: {names} ({evidence})")
    if report:
        print("\n".join(report))
        print(f"module_cycles.py: {len(report)} cycle(s) between modules", file=sys.stderr)
        return 1
    print(f"module_cycles.py: no cycle between the modules of {len(crates)} crates "
          f"({edge_count} module-to-module edges checked)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
