#!/usr/bin/env python3
"""gen_programs.py: writes random but valid .ac programs for acc's
differential test.

Each program is sync (no spawn, gather or wait), so its "erased twin" (the
same file compiled as plain C with async and await defined away) must print
exactly what the transpiled program prints (SPEC section 4).  The programs
mix nested loops, switches with fallthrough, forward and backward gotos,
short-circuit conditions, ?:, comma, awaits in every expression position,
early returns, shadowed locals, arrays, structs and recursion, and the
macro and preprocessor idioms of real code (issue 11): object-like macros
naming locals, statement macros, macro arguments with awaits (expanded
twice too), X-macros whose body awaits, #if branches with #define inside
bodies, local typedef'd structs and enums, static struct tables and
typedef'd arrays.  Arithmetic
is unsigned and every index is masked, so no program has undefined
behaviour; every loop has its own bound, so every program ends.

usage: gen_programs.py SEED [FUNCTIONS]  > program.ac
"""
import random
import sys


class Gen:
    def __init__(self, seed, nfuncs):
        self.r = random.Random(seed)
        self.nfuncs = nfuncs
        self.label = 0
        self.counter = 0
        self.out = []

    # ---- expressions ---------------------------------------------------
    def var(self):
        return self.r.choice(self.scope)

    def lvalue(self):
        k = self.r.randrange(4)
        if k == 0:
            return "arr[(%s) & 7u]" % self.expr(1)
        if k == 1:
            return "s.%s" % self.r.choice("ab")
        return self.r.choice(["a", "b", "c", "p", "q"])

    def awaitable(self, d):
        k = self.r.randrange(5)
        if k == 0 and self.depth_rec:
            return "await rec((%s) & 3u)" % self.expr(d + 1)
        if k == 1:
            return "await pair(%s, %s)" % (self.expr(d + 1), self.expr(d + 1))
        return "await leaf(%s)" % self.expr(d + 1)

    def expr(self, d=0):
        r = self.r
        if d > 3:
            return r.choice([str(r.randrange(100)) + "u", self.var()])
        k = r.randrange(16)
        if k < 2:
            return str(r.randrange(1000)) + "u"
        if k < 4:
            return self.var()
        if k < 6:
            return self.awaitable(d)
        if k == 6:
            return "(%s %s %s)" % (self.expr(d + 1), r.choice("+-*^&|"), self.expr(d + 1))
        if k == 7:
            return "(%s %s %s)" % (self.expr(d + 1), r.choice(["<", "==", "!=", ">="]),
                                   self.expr(d + 1))
        if k == 8:
            return "(%s && %s)" % (self.expr(d + 1), self.expr(d + 1))
        if k == 9:
            return "(%s || %s)" % (self.expr(d + 1), self.expr(d + 1))
        if k == 10:
            return "(%s ? %s : %s)" % (self.expr(d + 1), self.expr(d + 1), self.expr(d + 1))
        if k == 11:
            return "(%s, %s)" % (self.expr(d + 1), self.expr(d + 1))
        if k == 12:
            return "(%s + %s)" % (self.awaitable(d), self.var())
        if k == 13:
            return "mix(%s, %s)" % (self.expr(d + 1), self.expr(d + 1))
        if k == 14:
            return "arr[(%s) & 7u]" % self.expr(d + 1)
        return "(%s >> (%s & 7u))" % (self.expr(d + 1), self.expr(d + 1))

    # ---- statements ----------------------------------------------------
    def emit(self, ind, line):
        self.out.append("    " * ind + line)

    def fresh(self, base):
        self.counter += 1
        return "%s%d" % (base, self.counter)

    def block(self, ind, d, n=None):
        for _ in range(n if n is not None else self.r.randrange(1, 4)):
            self.stmt(ind, d)

    def stmt(self, ind, d):
        r = self.r
        k = r.randrange(18) if d < 3 else r.randrange(3)
        if k == 0:
            self.emit(ind, "%s = %s;" % (self.lvalue(), self.expr()))
        elif k == 1:
            self.emit(ind, 'printf("%%u\\n", %s);' % self.expr())
        elif k == 2:
            self.emit(ind, "%s += %s;" % (self.lvalue(), self.expr()))
        elif k == 3:
            self.emit(ind, "if (%s) {" % self.expr())
            self.block(ind + 1, d + 1)
            if r.randrange(2):
                self.emit(ind, "} else {")
                self.block(ind + 1, d + 1)
            self.emit(ind, "}")
        elif k == 4:
            i = self.fresh("i")
            self.emit(ind, "for (unsigned %s = 0; %s < %du && %s; %s++) {"
                      % (i, i, r.randrange(1, 4), self.expr(2), i))
            self.scope.append(i)
            self.loop_body(ind + 1, d + 1)
            self.scope.pop()
            self.emit(ind, "}")
        elif k == 5:
            g = self.fresh("w")
            self.emit(ind, "{")
            self.emit(ind + 1, "unsigned %s = %du;" % (g, r.randrange(1, 4)))
            self.emit(ind + 1, "while (%s-- > 0u && %s) {" % (g, self.expr(2)))
            self.loop_body(ind + 2, d + 1)
            self.emit(ind + 1, "}")
            self.emit(ind, "}")
        elif k == 6:
            g = self.fresh("dw")
            self.emit(ind, "{")
            self.emit(ind + 1, "unsigned %s = %du;" % (g, r.randrange(1, 4)))
            self.emit(ind + 1, "do {")
            self.loop_body(ind + 2, d + 1)
            self.emit(ind + 1, "} while (%s-- > 0u && %s);" % (g, self.expr(2)))
            self.emit(ind, "}")
        elif k == 7:
            self.emit(ind, "switch (%s & 3u) {" % self.expr())
            for case in ["case 0:", "case 1:", "case 2:", "default:"]:
                self.emit(ind, case)
                self.block(ind + 1, d + 1, r.randrange(0, 3))
                if r.randrange(3) or case == "default:":
                    self.emit(ind + 1, "break;")
                else:
                    self.emit(ind + 1, "/* fallthrough */")
            self.emit(ind, "}")
        elif k == 8:
            self.label += 1
            lab = "L%d" % self.label
            self.emit(ind, "if (%s)" % self.expr())
            self.emit(ind + 1, "goto %s;" % lab)
            self.block(ind, d + 1)
            self.emit(ind, "%s:;" % lab)
        elif k == 9:
            self.label += 1
            lab, g = "B%d" % self.label, self.fresh("g")
            self.emit(ind, "{")
            self.emit(ind + 1, "unsigned %s = 0;" % g)
            self.emit(ind, "%s:" % lab)
            self.block(ind + 1, d + 1)
            self.emit(ind + 1, "if (++%s < %du && %s)" % (g, r.randrange(2, 4), self.expr(2)))
            self.emit(ind + 2, "goto %s;" % lab)
            self.emit(ind, "}")
        elif k == 10:
            v = self.fresh("v")
            self.emit(ind, "{")
            self.emit(ind + 1, "unsigned %s = %s;" % (v, self.expr()))
            self.scope.append(v)
            shadow = self.r.choice(["a", "b"])
            self.emit(ind + 1, "unsigned %s = %s + 1u;" % (shadow, v))
            self.block(ind + 1, d + 1)
            self.emit(ind + 1, 'printf("%%u %%u\\n", %s, %s);' % (v, shadow))
            self.scope.pop()
            self.emit(ind, "}")
        elif k == 11:
            self.emit(ind, "if (%s)" % self.expr())
            self.emit(ind + 1, "return %s;" % self.expr())
        elif k == 12:
            if self.fn_index > 0:
                callee = self.r.randrange(self.fn_index)
                self.emit(ind, "%s = await f%d(%s, %s);"
                          % (self.lvalue(), callee, self.expr(2), self.expr(2)))
            else:
                self.emit(ind, "%s;" % self.awaitable(0))
        elif k == 14:
            self.emit(ind, "ADDTO(%s, %s);" % (self.lvalue(), self.expr()))
        elif k == 15:
            self.emit(ind, "MA = TWICE(%s);" % self.expr(2))
        elif k == 16:
            self.emit(ind, "XS(XADD)")
        elif k == 17:
            self.emit(ind, "pt.x += %s;" % self.expr(2))
            self.emit(ind, "pt.y ^= tab[(%s) & 3u].k + arr4[(%s) & 3u] + K;"
                      % (self.expr(2), self.expr(2)))
        else:
            self.emit(ind, "s.b ^= %s ? %s : %s;" % (self.expr(), self.expr(2), self.expr(2)))

    def loop_body(self, ind, d):
        self.block(ind, d)
        if self.r.randrange(3) == 0:
            self.emit(ind, "if (%s)" % self.expr(2))
            self.emit(ind + 1, self.r.choice(["continue;", "break;"]))
            self.block(ind, d)

    # ---- program -------------------------------------------------------
    def function(self, i):
        self.fn_index = i
        self.depth_rec = True
        self.scope = ["p", "q", "a", "b", "c"]
        self.emit(0, "static async unsigned f%d(unsigned p, unsigned q)" % i)
        self.emit(0, "{")
        self.emit(1, "unsigned a = p, b = q, c = await leaf(p ^ q);")
        self.emit(1, "unsigned arr[8] = { %s };"
                  % ", ".join(str(self.r.randrange(100)) + "u" for _ in range(8)))
        self.emit(1, "struct S s = { await leaf(q), p + %du };" % self.r.randrange(9))
        self.emit(1, "typedef struct { unsigned x, y; } P;")
        self.emit(1, "enum { K = %d };" % self.r.randrange(1, 9))
        self.emit(1, "static const struct { unsigned k; } tab[] = {{1u}, {%du}, {3u}, {%du}};"
                  % (self.r.randrange(50), self.r.randrange(50)))
        self.emit(1, "typedef unsigned V4[4];")
        self.emit(1, "V4 arr4 = { p, q, %du, await leaf(p) };" % self.r.randrange(9))
        self.emit(1, "P pt = { q, p };")
        self.emit(0, "#if %d" % self.r.randrange(2))
        self.emit(0, "#define GSIZE %du" % self.r.randrange(1, 5))
        self.emit(0, "#else")
        self.emit(0, "#define GSIZE %du" % self.r.randrange(5, 9))
        self.emit(0, "#endif")
        self.emit(1, "b += GSIZE;")
        self.block(1, 0, self.r.randrange(3, 7))
        self.emit(1, "return a ^ b ^ c ^ s.a ^ s.b ^ arr[c & 7u] ^ pt.x ^ pt.y ^ arr4[GSIZE & 3u];")
        self.emit(0, "#undef GSIZE")
        self.emit(0, "}")
        self.emit(0, "")

    def program(self):
        self.emit(0, "// acc-test: sync")
        self.emit(0, "/* generated by tests/gen/gen_programs.py */")
        self.emit(0, "#include <stdio.h>")
        self.emit(0, "")
        self.emit(0, "struct S { unsigned a, b; };")
        self.emit(0, "#define MA a")
        self.emit(0, "#define ADDTO(x, v) do { (x) += (v); } while (0)")
        self.emit(0, "#define TWICE(e) ((e) + (e))")
        self.emit(0, "#define XS(X) X(1u) X(2u) X(3u)")
        self.emit(0, "#define XADD(k) b += await leaf(k + MA);")
        self.emit(0, "static unsigned mix(unsigned x, unsigned y) { return x * 31u + (y ^ 7u); }")
        self.emit(0, "static async unsigned leaf(unsigned x)")
        self.emit(0, "{")
        self.emit(1, "if (x & 1u)")
        self.emit(2, "await acc_yield();")
        self.emit(1, "return x * 2654435761u;")
        self.emit(0, "}")
        self.emit(0, "static async unsigned pair(unsigned x, unsigned y)")
        self.emit(0, "{")
        self.emit(1, "unsigned t = await leaf(x);")
        self.emit(1, "return t + (x < y ? await leaf(y) : y);")
        self.emit(0, "}")
        self.emit(0, "static async unsigned rec(unsigned n)")
        self.emit(0, "{")
        self.emit(1, "if (n == 0u)")
        self.emit(2, "return await leaf(n);")
        self.emit(1, "return n + await rec(n - 1u);")
        self.emit(0, "}")
        self.emit(0, "")
        for i in range(self.nfuncs):
            self.function(i)
        self.emit(0, "async int main(void)")
        self.emit(0, "{")
        for i in range(self.nfuncs):
            for _ in range(2):
                self.emit(1, 'printf("f%d: %%u\\n", await f%d(%du, %du));'
                          % (i, i, self.r.randrange(50), self.r.randrange(50)))
        self.emit(1, "return 0;")
        self.emit(0, "}")
        return "\n".join(self.out) + "\n"


def main():
    seed = int(sys.argv[1])
    nfuncs = int(sys.argv[2]) if len(sys.argv) > 2 else 6
    sys.stdout.write(Gen(seed, nfuncs).program())


if __name__ == "__main__":
    main()
