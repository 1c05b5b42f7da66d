#!/usr/bin/env python3
"""The one-way flow of ARCHITECTURE.md, checked on the code: each stage may only
name the modules listed for it (outside tests). Reads every `crate::a::…` path,
including grouped `use crate::{a, b::c}` imports. Prints each breach, exits 1."""
import pathlib, re, sys

# stage -> modules it must never name (outside its tests)
FORBIDDEN = {
    'source': {'detect', 'classify', 'inventory', 'scan', 'notice', 'policy', 'output'},
    'detect': {'classify', 'inventory', 'scan', 'notice', 'policy', 'output', 'source'},
    'classify': {'scan', 'notice', 'policy'},
    'inventory': {'detect', 'classify', 'notice', 'source', 'scan'},
    'policy': {'detect', 'classify', 'scan', 'notice', 'source'},
    'notice': {'detect', 'classify', 'scan', 'source'},
    'validate': {'detect', 'classify', 'inventory', 'scan', 'notice', 'policy', 'output', 'source', 'find'},
    # find (data subject requests) reads sources, the inventory, knowledge, outputs and
    # the notices' template environment; it never runs the detection engine or a scan.
    'find': {'detect', 'classify', 'scan', 'policy', 'cmd'},
}
for _stage in ('source', 'detect', 'classify', 'inventory', 'policy', 'notice'):
    FORBIDDEN[_stage] = FORBIDDEN[_stage] | {'find'}
GROUP = re.compile(r'crate::\{([^}]*)\}', re.S)
PATH = re.compile(r'crate::([a-z_]+)')

def code(path):
    text = path.read_text()
    i = text.find('\n#[cfg(test)]')
    text = text if i < 0 else text[:i]
    return re.sub(r'//.*', '', text)

def main():
    src = pathlib.Path(__file__).resolve().parent.parent / 'src'
    breaches = []
    for path in sorted(src.rglob('*.rs')):
        rel = path.relative_to(src)
        stage = rel.parts[0].removesuffix('.rs')
        if stage not in FORBIDDEN or path.name == 'tests.rs' or 'tests' in rel.parts[1:-1]:
            continue
        text = code(path)
        named = set(PATH.findall(text))
        for g in GROUP.findall(text):
            named |= {p.strip().split('::')[0] for p in g.split(',') if p.strip()}
        if 'lib.rs' != rel.name and re.search(r'\bpiimap::', text):
            breaches.append(f'src/{rel}: names the crate by its external name')
        for bad in sorted(named & FORBIDDEN[stage]):
            breaches.append(f'src/{rel}: {stage} must not import {bad}')
    for b in breaches:
        print(b)
    sys.exit(1 if breaches else 0)

main()
