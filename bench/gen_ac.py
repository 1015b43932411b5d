"""gen_ac.py LINES OUT.ac: writes a synthetic .ac file of about LINES lines
for the transpile benchmark: plain C functions and structs (which acc copies
through) and async functions with locals, loops, branches and awaits (which
it rewrites), in the proportions of a real program: about half the lines
are in async functions."""
import sys

UNIT = """\
struct rec{i} {{
    int id;
    double weight;
    char name[16];
}};

static int helper{i}(const struct rec{i} *r, int k) {{
    int s = r->id;
    for (int j = 0; j < k; j++)
        s = s * 31 + (int)r->weight + j;
    return s;
}}

static async int leaf{i}(int x) {{
    if (x < 0)
        return -x;
    return x + {i};
}}

static async int work{i}(int n) {{
    struct rec{i} r = {{ {i}, 1.5, "r{i}" }};
    int total = 0;
    for (int j = 0; j < n; j++) {{
        int v = await leaf{i}(j - n / 2);
        if (v % 3 == 0)
            total += helper{i}(&r, v);
        else
            total -= await leaf{i}(v);
    }}
    while (total > 1000)
        total = total / 2 + await leaf{i}(total % 7);
    return total;
}}

"""
HEAD = "#include <acc.h>\n#include <stdio.h>\n\n"
TAIL = """async int main(void) {{
    int s = 0;
{calls}    printf("%d\\n", s);
    return 0;
}}
"""


def main():
    lines, out = int(sys.argv[1]), sys.argv[2]
    per = UNIT.count("\n")
    n = max(1, (lines - 10) // (per + 1))
    body = HEAD + "".join(UNIT.format(i=i) for i in range(n))
    calls = "".join(f"    s += await work{i}(3);\n" for i in range(n))
    with open(out, "w") as f:
        f.write(body + TAIL.format(calls=calls))


if __name__ == "__main__":
    main()
