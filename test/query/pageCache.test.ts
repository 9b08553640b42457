import type { Catalogue } from '../../src/catalog/model';
import type { FeatureRow } from '../../src/encoders/features/featureEncoder';
import { keepPage, keptPage, MAX_CHARS, MAX_PAGES, pageKey, pageText, shelfSize } from '../../src/query/pageCache';

// The page cache's bounds (docs/caching.md): pages and characters per catalogue, least recently used
// evicted first, a page larger than the whole bound never kept, each catalogue's pages its own. The
// reuse-until-a-write behaviour is tested through the app in test/http/caching.test.ts.

/** A catalogue object as a key (the cache reads nothing of it: it only keys on its identity). */
const catalogue = (): Catalogue => ({ networks: [], stations: [], properties: [], sensors: [], datasets: [], datasetByCode: new Map() });
const rows = (n: number, width = 10): FeatureRow[] => Array.from({ length: n }, (_, i) => [`S${i}`, 'x'.repeat(width), null]);
const key = (i: number) => pageKey({ text: 'SELECT page', values: [i, 'geojson'] });

test('at most MAX_PAGES pages per catalogue, the least recently used evicted first', () => {
  const c = catalogue();
  for (let i = 0; i < MAX_PAGES; i++) keepPage(c, key(i), rows(3), 3);
  // Page 0 used again: page 1 is now the oldest.
  expect(keptPage(c, key(0))?.numberMatched).toBe(3);
  keepPage(c, key(MAX_PAGES), rows(3), 3);
  expect(shelfSize(c).pages).toBe(MAX_PAGES);
  expect(keptPage(c, key(1))).toBeUndefined();
  expect(keptPage(c, key(0))?.rows).toHaveLength(3);
  expect(keptPage(c, key(MAX_PAGES))?.rows[2][0]).toBe('S2');
});

test('at most MAX_CHARS characters per catalogue; a page larger than that alone is not kept', () => {
  const c = catalogue();
  const width = Math.floor(MAX_CHARS / 4);
  for (let i = 0; i < 6; i++) keepPage(c, key(i), rows(1, width), 1);
  expect(shelfSize(c).chars).toBeLessThanOrEqual(MAX_CHARS);
  expect(shelfSize(c).pages).toBe(3);
  expect(keptPage(c, key(5))).toBeDefined();
  expect(keptPage(c, key(0))).toBeUndefined();
  const huge = keepPage(c, key(99), rows(1, MAX_CHARS), 1);
  expect(huge.rows).toHaveLength(1);
  expect(keptPage(c, key(99))).toBeUndefined();
  expect(shelfSize(c).chars).toBeLessThanOrEqual(MAX_CHARS);
});

test('pages are kept per catalogue object and frozen (shared by every request reusing them)', () => {
  const [a, b] = [catalogue(), catalogue()];
  keepPage(a, key(1), rows(2), 2);
  expect(keptPage(b, key(1))).toBeUndefined();
  const page = keptPage(a, key(1))!;
  expect(Object.isFrozen(page.rows)).toBe(true);
  expect(Object.isFrozen(page.rows[0])).toBe(true);
  // Values are part of the key: another value is another page.
  expect(keptPage(a, pageKey({ text: 'SELECT page', values: [1, 'gml32'] }))).toBeUndefined();
});

test('a text written from a kept page is made once per key and counted in the bounds; from other rows it is made each time', () => {
  const c = catalogue();
  const page = keepPage(c, key(1), rows(2), 2);
  const made: string[] = [];
  const make = (t: string) => () => {
    made.push(t);
    return t;
  };
  const chars = shelfSize(c).chars;
  expect(pageText(page.rows, 'gml32', make('<a/>'))).toBe('<a/>');
  expect(pageText(page.rows, 'gml32', make('<b/>'))).toBe('<a/>');
  expect(pageText(page.rows, 'csv', make('a,b'))).toBe('a,b');
  expect(made).toEqual(['<a/>', 'a,b']);
  expect(shelfSize(c).chars).toBe(chars + '<a/>'.length + 'gml32'.length + 'a,b'.length + 'csv'.length);
  const loose = rows(2);
  expect(pageText(loose, 'gml32', make('<c/>'))).toBe('<c/>');
  expect(pageText(loose, 'gml32', make('<d/>'))).toBe('<d/>');
  // A text that would pass the bound evicts older pages, as rows do.
  for (let i = 2; i < 5; i++) keepPage(c, key(i), rows(1), 1);
  // One character more than the shelf has room for: the least recently used page (1) goes.
  pageText(keptPage(c, key(4))!.rows, 'big', () => 'x'.repeat(MAX_CHARS - shelfSize(c).chars - 'big'.length + 1));
  expect(shelfSize(c).chars).toBeLessThanOrEqual(MAX_CHARS);
  expect(keptPage(c, key(1))).toBeUndefined();
  expect(keptPage(c, key(2))).toBeDefined();
  expect(keptPage(c, key(4))).toBeDefined();
});
