#!/usr/bin/python3
"""asyncify.py: makes a plain C program async mechanically, for acc.

    asyncify.py in.c [-o out.ac] [-v] [-- clang-args...]

Issue 11 asks that acc compile real C as written.  The test of that is real C
made async the way a user would do it by hand: every function defined in the
file becomes `async`, every call to one is `await`ed, `main` becomes
`async int main`.  This tool does it on libclang's AST of the file (Debian
python3-clang-19), never with regexes, and edits the source text by byte
ranges: `async ` before each declaration's specifiers, `await ` before each
call.  Macros stay as written.

A function stays plain when it cannot be async:
  - it is variadic, or its address is taken (a plain function pointer);
  - it is declared in a header (the edit stays in this file);
  - it declares a variable-length array or calls alloca (acc refuses both);
  - one of its declarations, or a call of it, is written where the edit
    cannot go: inside a macro's body (but a macro whose whole expansion is
    the declaration's start, or the whole call, gets `async`/`await` written
    before its name: `await FETCH(4)`), or a declaration sharing its
    specifiers with another declarator;
  - and, to a fixed point, it is called from a function that stays plain.
A call spelled in a macro's argument is awaited in the argument, as a user
would write `CHECK(await f(x))`.

The output uses no acc_* name, so it needs no `#include <acc.h>`.
"""
import argparse
import sys
from ctypes import POINTER, byref, c_uint

import clang.cindex as ci
from clang.cindex import CursorKind as K, TypeKind, c_object_p

_lib = ci.conf.lib
_lib.clang_getSpellingLocation.argtypes = [ci.SourceLocation, POINTER(c_object_p),
                                           POINTER(c_uint), POINTER(c_uint), POINTER(c_uint)]
_lib.clang_getSpellingLocation.restype = None


def spelling_loc(loc):
    """(file name or None, byte offset) where the token at loc is spelled."""
    f, line, col, off = c_object_p(), c_uint(), c_uint(), c_uint()
    _lib.clang_getSpellingLocation(loc, byref(f), byref(line), byref(col), byref(off))
    return (ci.File(f).name if f else None), off.value


class Unit:
    """The parsed file, its text, its macros and the facts asyncify needs."""

    def __init__(self, path, args):
        self.path = path
        with open(path, "rb") as f:
            self.text = f.read()
        idx = ci.Index.create()
        self.tu = idx.parse(path, args=["-std=c11"] + args,
                            options=ci.TranslationUnit.PARSE_DETAILED_PROCESSING_RECORD)
        errors = [d for d in self.tu.diagnostics if d.severity >= ci.Diagnostic.Error]
        if errors:
            for d in errors:
                print(f"{d.location.file}:{d.location.line}:{d.location.column}: error: "
                      f"{d.spelling}", file=sys.stderr)
            raise SystemExit(1)
        self.macro_defs = []   # (start, end) byte ranges of #define lines
        self.macro_defs_by_name = {}
        self.macro_body = {}   # macro name -> body tokens (after the parameter list)
        self.expansions = {}   # (start, end) expansion range -> macro name
        for c in self.tu.cursor.get_children():
            if not self.mine(c):
                continue
            if c.kind == K.MACRO_DEFINITION:
                self.macro_defs.append((c.extent.start.offset, c.extent.end.offset))
                self.macro_defs_by_name[c.spelling] = self.macro_defs[-1]
                self.macro_body[c.spelling] = self.body_tokens(c)
            elif c.kind == K.MACRO_INSTANTIATION:
                self.expansions[(c.extent.start.offset, c.extent.end.offset)] = c.spelling

    def mine(self, c):
        return c.location.file is not None and c.location.file.name == self.path

    @staticmethod
    def body_tokens(macro):
        toks = [t.spelling for t in macro.get_tokens()][1:]
        # a function-like macro's '(' touches its name; skip the parameter list
        ext = list(macro.get_tokens())
        if len(ext) > 1 and ext[1].spelling == "(" and \
                ext[1].extent.start.offset == ext[0].extent.end.offset:
            depth = 0
            for i, t in enumerate(toks):
                depth += t == "("
                depth -= t == ")"
                if depth == 0:
                    return toks[i + 1:]
        return toks

    def in_macro_def(self, off):
        return any(a <= off < b for a, b in self.macro_defs)

    def file_offset(self, loc):
        """The byte offset in this file where loc is written as source text
        (a macro argument counts), or None when it is in a macro's body."""
        name, off = spelling_loc(loc)
        if name != self.path or self.in_macro_def(off):
            return None
        return off

    def whole_expansion(self, extent):
        """The macro whose whole expansion is extent, or None."""
        return self.expansions.get((extent.start.offset, extent.end.offset))


def is_single_call(body):
    """Whether macro body tokens are one call: name(...), maybe in parens,
    the name maybe pasted (test_ ## name)."""
    while len(body) >= 2 and body[0] == "(" and body[-1] == ")" and closes_at_end(body, 0):
        body = body[1:-1]
    # the callee: an identifier, maybe pasted from several (test_ ## name)
    i = 1
    if not body or not body[0].isidentifier():
        return False
    while i + 1 < len(body) and body[i] == "##" and body[i + 1].isidentifier():
        i += 2
    return i < len(body) and body[i] == "(" and closes_at_end(body, i)


def closes_at_end(toks, i):
    depth = 0
    for j in range(i, len(toks)):
        depth += toks[j] == "("
        depth -= toks[j] == ")"
        if depth == 0:
            return j == len(toks) - 1
    return False


def walk(c):
    """Every cursor under c (c included) with its ancestors, in source
    order, without recursion (a 2,000-term sum nests 2,000 deep)."""
    stack = [(c, ())]
    while stack:
        cur, parents = stack.pop()
        yield cur, parents
        kids = list(cur.get_children())
        below = parents + (cur,)
        stack.extend((k, below) for k in reversed(kids))


class Program:
    """Functions of the file, their declarations, calls and references."""

    def __init__(self, unit):
        self.u = unit
        self.defined = {}    # name -> definition cursor
        self.decls = {}      # name -> [declaration cursors in this file]
        self.calls = []      # (caller name or None, callee name, call cursor, parents)
        self.plain = {}      # name -> why it stays plain
        top = [c for c in unit.tu.cursor.get_children() if unit.mine(c)]
        for t in top:
            for c, parents in walk(t):
                self.visit(c, parents)

    def enclosing_fn(self, parents):
        for p in reversed(parents):
            if p.kind == K.FUNCTION_DECL and p.is_definition():
                return p.spelling
        return None

    def visit(self, c, parents):
        if c.kind == K.FUNCTION_DECL:
            self.decls.setdefault(c.spelling, []).append(c)
            if c.is_definition():
                self.defined[c.spelling] = c
                self.check_signature(c)
                if not self.u.mine(c.canonical):
                    self.plain.setdefault(c.spelling, "it is declared in a header")
        elif c.kind in (K.VAR_DECL, K.PARM_DECL) and self.is_vla(c.type):
            fn = self.enclosing_fn(parents)
            if fn:
                self.plain.setdefault(fn, "declares a variable-length array")
        elif c.kind == K.CALL_EXPR:
            callee = c.referenced
            if callee is not None and callee.kind == K.FUNCTION_DECL:
                caller = self.enclosing_fn(parents)
                if callee.spelling in ("alloca", "__builtin_alloca") and caller:
                    self.plain.setdefault(caller, "calls alloca")
                self.calls.append((caller, callee.spelling, c, parents))
        elif c.kind == K.DECL_REF_EXPR:
            r = c.referenced
            if r is not None and r.kind == K.FUNCTION_DECL and not self.is_callee(c, parents):
                self.plain.setdefault(r.spelling, "its address is taken")

    def check_signature(self, c):
        t = c.type
        if t.kind == TypeKind.FUNCTIONPROTO and t.is_function_variadic():
            self.plain.setdefault(c.spelling, "it is variadic")

    @staticmethod
    def is_vla(t):
        while t.kind in (TypeKind.CONSTANTARRAY, TypeKind.INCOMPLETEARRAY,
                         TypeKind.VARIABLEARRAY, TypeKind.ELABORATED, TypeKind.TYPEDEF):
            if t.kind == TypeKind.VARIABLEARRAY:
                return True
            t = t.element_type if t.kind in (TypeKind.CONSTANTARRAY, TypeKind.INCOMPLETEARRAY) \
                else t.get_canonical() if t.kind != TypeKind.ELABORATED else t.get_named_type()
            if t.kind == TypeKind.TYPEDEF:
                t = t.get_canonical()
        return False

    @staticmethod
    def is_callee(ref, parents):
        """Whether the reference is the callee of a call (through implicit
        casts and parentheses), not a value."""
        child = ref
        for p in reversed(parents):
            if p.kind in (K.UNEXPOSED_EXPR, K.PAREN_EXPR):
                child = p
                continue
            if p.kind == K.CALL_EXPR:
                first = next(p.get_children(), None)
                return first is not None and first == child
            return False
        return False


def needs_parens(call, parents):
    """`await f().m` is not `(await f()).m`: a call that is the operand of a
    postfix operator gets parentheses."""
    child = call
    for p in reversed(parents):
        if p.kind == K.UNEXPOSED_EXPR:
            child = p
            continue
        if p.kind in (K.MEMBER_REF_EXPR, K.ARRAY_SUBSCRIPT_EXPR, K.CALL_EXPR):
            first = next(p.get_children(), None)
            return first is not None and first == child
        return False
    return False


class Asyncify:
    def __init__(self, unit):
        self.u = unit
        self.p = Program(unit)

    def decl_edit(self, d):
        """Offset where `async ` goes for declaration d, or None."""
        start = self.u.file_offset(d.extent.start)
        if start is None:
            return self.macro_starting(d)
        return start

    def macro_starting(self, d):
        """The offset of a macro use whose expansion starts with declaration
        d (`#define TEST(name) static int test_##name(void)`), or None."""
        off = d.extent.start.offset
        name = next((n for (a, _b), n in self.u.expansions.items() if a == off), None)
        if name is None:
            return None
        # the declaration's first token is spelled in that macro's own body
        _f, sp = spelling_loc(d.extent.start)
        a, b = self.u.macro_defs_by_name.get(name, (0, 0))
        return off if a <= sp < b else None

    def call_edit(self, call, parents):
        """(insert-before offset, insert-after offset or None) for an await
        of this call, or None when it cannot be written."""
        e = call.extent
        s = self.u.file_offset(e.start)
        t = self.u.file_offset(e.end)
        wrap = needs_parens(call, parents)
        if s is not None and t is not None and s < t:
            return s, (t if wrap else None)
        name = self.u.whole_expansion(e)
        if name and is_single_call(self.u.macro_body.get(name, [])):
            return e.start.offset, (e.end.offset if wrap else None)
        return None

    def solve(self):
        p = self.p
        plain = dict(p.plain)
        shared = {}
        for name, ds in p.decls.items():
            for d in ds:
                shared.setdefault(d.extent.start.offset, set()).add(name)
        for name in p.defined:
            if name in plain:
                continue
            for d in p.decls[name]:
                if len(shared[d.extent.start.offset]) > 1:
                    plain[name] = "a declaration shares its specifiers"
                elif self.decl_edit(d) is None:
                    plain[name] = "a declaration is written inside a macro"
        for caller, callee, call, parents in p.calls:
            if callee in p.defined and callee not in plain and caller is not None \
                    and self.call_edit(call, parents) is None:
                plain[callee] = f"a call of it in {caller} is written inside a macro"
        changed = True
        while changed:
            changed = False
            for caller, callee, _call, _parents in p.calls:
                if callee in p.defined and callee not in plain and \
                        (caller is None or caller in plain or caller not in p.defined):
                    plain[callee] = f"it is called from plain {caller or 'file scope'}"
                    changed = True
        self.plain = plain
        self.asyncs = [n for n in p.defined if n not in plain]

    def edits(self):
        ins = {}

        def add(off, text):
            ins.setdefault(off, [])
            if text not in ins[off]:
                ins[off].append(text)
        for name in self.asyncs:
            for d in self.p.decls[name]:
                add(self.decl_edit(d), "async ")
        for caller, callee, call, parents in self.p.calls:
            if callee in self.asyncs:
                s, t = self.call_edit(call, parents)
                add(s, "(await " if t is not None else "await ")
                if t is not None:
                    add(t, ")")
        return ins

    def run(self):
        """The asyncified text: the insertions applied from the end back."""
        self.solve()
        ins = self.edits()
        out = self.u.text
        for off in sorted(ins, reverse=True):
            out = out[:off] + "".join(ins[off]).encode() + out[off:]
        return out


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input")
    ap.add_argument("-o", "--output", default="-")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="say on stderr which functions stay plain and why")
    argv = sys.argv[1:]
    clang_args = []
    if "--" in argv:  # what follows goes to libclang (-I, -D ...)
        clang_args = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    args = ap.parse_args(argv)
    a = Asyncify(Unit(args.input, clang_args))
    out = a.run()
    if args.verbose:
        print(f"async: {' '.join(a.asyncs)}", file=sys.stderr)
        for n, why in sorted(a.plain.items()):
            if n in a.p.defined:
                print(f"plain: {n}: {why}", file=sys.stderr)
    if args.output == "-":
        sys.stdout.buffer.write(out)
    else:
        with open(args.output, "wb") as f:
            f.write(out)


if __name__ == "__main__":
    main()
