#!/usr/bin/env python3
"""Prints the shell commands of a markdown file's ```sh blocks, one a line, in order: those of
the whole file, or of one section (`## HEADING` up to the next `## `). Comments and blank lines
are left out; a trailing `# ...` comment is kept (the shell ignores it; tests/check-docs.sh reads
"(exit N)" in it as the status the docs promise).

    tests/doc-commands.py FILE [HEADING]
"""
import sys


def commands(text, heading=None):
    inside, in_section = False, heading is None
    for line in text.splitlines():
        if line.startswith("## "):
            in_section = heading is None or line[3:].strip() == heading
        if line.startswith("```"):
            inside = in_section and not inside and line.strip() == "```sh"
            continue
        if inside and line.strip() and not line.lstrip().startswith("#"):
            yield line.strip()


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as f:
        for c in commands(f.read(), sys.argv[2] if len(sys.argv) > 2 else None):
            print(c)
