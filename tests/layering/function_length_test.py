#!/usr/bin/env python3
"""Issue 16's size limits, checked on every run: no function in lib/ longer than 100 lines, and every
tools/*/main.cpp under 150 lines (a main declares flags and calls one function per subcommand).

A function is found the way the code is written (STYLE.md): its signature starts at column 0 (namespace
bodies are not indented), its body opens with '{' at the end of the signature's last line, and its
closing '}' is at column 0. That misses nothing the style allows; a lambda or a method inside a class
body is part of the function or class that holds it.
    function_length_test.py SOURCE_DIR
"""
import glob
import os
import sys

MAX_FUNCTION_LINES = 100
MAX_MAIN_LINES = 150
SKIP_PREFIXES = ("#", "//", "namespace", "struct", "class", "enum", "union", "using", "}", "template", "extern")


def long_functions(path):
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if line and not line[0].isspace() and "(" in line and not line.startswith(SKIP_PREFIXES):
            j = i
            while j < len(lines) and j < i + 8 and not lines[j].rstrip().endswith(("{", ";")):
                j += 1
            if j < len(lines) and lines[j].rstrip().endswith("{"):
                k = j + 1
                while k < len(lines) and not lines[k].startswith("}"):
                    k += 1
                if k - i + 1 > MAX_FUNCTION_LINES:
                    yield f"{path}:{i + 1}: a function of {k - i + 1} lines (at most {MAX_FUNCTION_LINES}): {line.strip()[:60]}"
                i = k
        i += 1


def main():
    root = sys.argv[1]
    problems = []
    sources = sorted(glob.glob(os.path.join(root, "lib", "*", "*.cpp")) + glob.glob(os.path.join(root, "lib", "*", "*.h")))
    if not sources:
        sys.exit(f"no sources under {root}/lib")
    for path in sources:
        problems.extend(long_functions(path))
    for path in sorted(glob.glob(os.path.join(root, "tools", "*", "main.cpp"))):
        n = sum(1 for _ in open(path, encoding="utf-8"))
        if n >= MAX_MAIN_LINES:
            problems.append(f"{path}: {n} lines (a main stays under {MAX_MAIN_LINES})")
    for p in problems:
        print(p)
    if problems:
        sys.exit(1)
    print(f"ok: {len(sources)} lib files, no function over {MAX_FUNCTION_LINES} lines; every main under {MAX_MAIN_LINES}")


if __name__ == "__main__":
    main()
