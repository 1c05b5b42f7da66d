#!/usr/bin/env python3
"""Size limits of the architecture note: no file in src/ over 800 lines and no
function over 150 lines, outside tests. Test code is a `tests.rs` file or what
follows a `#[cfg(test)]` at the start of a line (the crate's convention: test
modules come last). Prints each breach and exits 1 if there is one."""
import pathlib, re, sys

MAX_FILE, MAX_FN = 800, 150
FN = re.compile(r'^\s*(pub(\([^)]*\))?\s+)?(const\s+)?(async\s+)?(unsafe\s+)?(extern\s+"[^"]*"\s+)?fn\s+(\w+)')
STRIP = re.compile(r'r(#*)"[\s\S]*?"\1|"(?:\\[\s\S]|[^"\\])*"|\'(?:\\.|[^\'\\])\'|//.*')

def code_lines(path):
    lines = path.read_text().split('\n')
    for i, line in enumerate(lines):
        if line.startswith('#[cfg(test)]'):
            return lines[:i]
    return lines

def functions(lines):
    """(name, first line, length) of each fn, by brace depth on stripped text."""
    text = STRIP.sub(lambda m: re.sub(r'[^\n]', ' ', m.group(0)), '\n'.join(lines))
    stripped = text.split('\n')
    i = 0
    while i < len(stripped):
        m = FN.match(lines[i])
        if not m:
            i += 1
            continue
        depth, started, j = 0, False, i
        while j < len(stripped):
            for ch in stripped[j]:
                if ch == '{':
                    depth += 1; started = True
                elif ch == '}':
                    depth -= 1
                elif ch == ';' and not started and depth == 0:
                    break
            else:
                if started and depth == 0:
                    break
                j += 1
                continue
            break
        if started:
            yield m.group(7), i + 1, j - i + 1
        i += 1

def main():
    root = pathlib.Path(__file__).resolve().parent.parent / 'src'
    breaches = []
    for path in sorted(root.rglob('*.rs')):
        if path.name == 'tests.rs' or 'tests' in path.relative_to(root).parts[:-1]:
            continue
        lines = code_lines(path)
        rel = path.relative_to(root.parent)
        if len(lines) > MAX_FILE:
            breaches.append(f'{rel}: {len(lines)} lines of non-test code (limit {MAX_FILE})')
        for name, start, length in functions(lines):
            if length > MAX_FN:
                breaches.append(f'{rel}:{start}: fn {name} is {length} lines (limit {MAX_FN})')
    for b in breaches:
        print(b)
    sys.exit(1 if breaches else 0)

main()
