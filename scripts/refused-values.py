#!/usr/bin/env python3
"""What the Register's rules say about values the schema refuses.

Each simple value of each official sample is replaced, one at a time, by one
the schema refuses (300 '#' characters), and the record is validated with
--today set to its payment date. A rule finding that the unchanged sample does
not have was caused by the refused value: a repeat of the schema's error or a
cascade from it. Prints how many there are, by rule and by element.

usage: scripts/refused-values.py BINARY [OLD_BINARY]
With OLD_BINARY, also prints the findings one binary has and the other not.
"""
import collections
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

SAMPLES = os.path.join(os.path.dirname(__file__), '../../shared/reference/ir/samples/*.xml')


def rule_findings(binary, path, today):
    out = subprocess.run([binary, 'validate', '--format', 'json', '--today', today, path],
                         capture_output=True, text=True, check=False).stdout
    return collections.Counter(f"{d['code']} {d['path']}" for d in json.loads(out)
                               if d['code'].startswith('rule-'))


def caused(binary, work):
    """(findings caused, per case) for every mutation of every sample."""
    result = {}
    for sample in sorted(glob.glob(SAMPLES)):
        text = open(sample, encoding='utf-8').read()
        date = re.search(r'<PaymentDate>([^<]+)<', text)
        today = date.group(1) if date else '2020-12-31'
        name = os.path.basename(sample)[:-4]
        base = rule_findings(binary, sample, today)
        for i, m in enumerate(re.finditer(r'<([A-Za-z]+)>([^<]+)</\1>', text)):
            path = os.path.join(work, f'{name}-{i}.xml')
            with open(path, 'w', encoding='utf-8') as f:
                f.write(text[:m.start(2)] + '#' * 300 + text[m.end(2):])
            result[f'{name}-{i}-{m.group(1)}'] = rule_findings(binary, path, today) - base
    return result


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    with tempfile.TemporaryDirectory() as work:
        runs = [caused(b, work) for b in sys.argv[1:]]
    new = runs[0]
    total = collections.Counter()
    for case, found in new.items():
        for f in found.elements():
            total[(f.split()[0], case.rsplit('-', 1)[1])] += 1
    print(f'{len(new)} records with one refused value; {sum(total.values())} rule findings caused by it')
    for (code, element), n in total.most_common():
        print(f'  {n:4}  {code} (refused {element})')
    if len(runs) == 2:
        old = runs[1]
        gone = sum(sum((old[c] - new[c]).values()) for c in new)
        added = sum(sum((new[c] - old[c]).values()) for c in new)
        print(f'against {sys.argv[2]}: {gone} fewer, {added} more')


if __name__ == '__main__':
    main()
