import fs from 'node:fs';
import path from 'node:path';
import { EXCEPTION_CODES } from '../../src/ows/errors';

// Every exception code the server can emit is in the catalogue and documented; nothing documented is invented.
const ROOT = path.resolve(__dirname, '../..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Codes thrown in src/: literal OwsError codes (also split over lines) plus the invalidParam/missingParam shorthands. */
function thrownCodes(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const add = (code: string, file: string) => found.set(code, [...(found.get(code) ?? []), path.relative(ROOT, file)]);
  for (const file of sourceFiles(path.join(ROOT, 'src'))) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/new\s+OwsError\(\s*['"`]([A-Za-z]+)['"`]/g)) add(m[1], file);
    if (/\binvalidParam\(/.test(text)) add('InvalidParameterValue', file);
    if (/\bmissingParam\(/.test(text)) add('MissingParameterValue', file);
  }
  return found;
}

/** Codes in the first column of the tables of docs/errors.md. */
function documentedCodes(): Set<string> {
  const md = fs.readFileSync(path.join(ROOT, 'docs/errors.md'), 'utf8');
  return new Set([...md.matchAll(/^\| `([A-Za-z]+)` \|/gm)].map((m) => m[1]));
}

test('the scan finds the codes it should (the regexes are not silently matching nothing)', () => {
  const thrown = thrownCodes();
  for (const c of ['MissingParameterValue', 'InvalidParameterValue', 'OperationParsingFailed', 'NoApplicableCode', 'InvalidRequest']) {
    expect(thrown.has(c)).toBe(true);
  }
});

test('every code thrown in src/ is in EXCEPTION_CODES', () => {
  const known = new Set<string>(EXCEPTION_CODES);
  const unknown = [...thrownCodes()].filter(([c]) => !known.has(c)).map(([c, files]) => `${c} (${files.join(', ')})`);
  expect(unknown).toEqual([]);
});

test('docs/errors.md documents exactly the codes of EXCEPTION_CODES', () => {
  const documented = documentedCodes();
  expect([...documented].sort()).toEqual([...EXCEPTION_CODES].sort());
});

test('every code thrown in src/ is documented', () => {
  const documented = documentedCodes();
  expect([...thrownCodes().keys()].filter((c) => !documented.has(c))).toEqual([]);
});

test('every HTTP status set on an OwsError in src/ appears in docs/errors.md', () => {
  const md = fs.readFileSync(path.join(ROOT, 'docs/errors.md'), 'utf8');
  const statuses = new Set<string>();
  for (const file of sourceFiles(path.join(ROOT, 'src'))) {
    for (const m of fs.readFileSync(file, 'utf8').matchAll(/status:\s*(\d{3})\b/g)) statuses.add(m[1]);
  }
  expect(statuses.size).toBeGreaterThan(3);
  expect([...statuses].filter((s) => !md.includes(s))).toEqual([]);
});
