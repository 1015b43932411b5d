/*
 * acc_editor.h: lets clangd and other C tooling read .ac files.
 *
 * An editor's C front end does not know `async` and `await`.  Force-include
 * this header when it parses a .ac file and it sees what acc sees: acc.h's
 * parse view (`__ACC__`), where `async` is an attribute and `await` a unary
 * no-op, with every runtime await declared as an async function.  Then
 * completion, go-to-definition and diagnostics work on .ac files.  Errors
 * that only acc reports (an await outside an async function, an async call
 * not awaited, ...) still come from acc at build time.
 *
 *   clang -fsyntax-only -x c -include acc_editor.h -I<prefix>/include file.ac
 *
 * (the same as `-D__ACC__=1 -include acc.h`; see README.md, "Editor support",
 * for compile_flags.txt and .clangd).  Never include it in code you build.
 */
#ifndef ACC_EDITOR_H
#define ACC_EDITOR_H

#ifdef ACC_H
#error "acc_editor.h must be included before acc.h (use -include acc_editor.h)"
#endif
#ifndef __ACC__
#define __ACC__ 1
#endif
/* The parse view marks async functions with clang's `annotate` attribute,
   which other compilers (gcc-based tools) would warn about. */
#ifndef __clang__
#pragma GCC diagnostic ignored "-Wattributes"
#endif
#include <acc.h>

#endif /* ACC_EDITOR_H */
