/**
 * Pages of the catalogue collections (stations, datasets) as read, kept with the catalogue they were
 * read under (src/query/catalogue.ts). Those tables change only through the write path, whose commit
 * drops the catalogue at once in this process and, by the NOTIFY, in every other gateway (and the
 * catalogue is reloaded every 2 s whatever happens): a page kept with a catalogue is reused exactly as
 * long as that catalogue is the current one, i.e. as long as the catalogue-based ETags of issue 16.3
 * stay the same. A new catalogue starts with no pages, so a write is seen by the next request.
 *
 * The 30-station page was one statement per request (0.4–0.5 ms of PostgreSQL CPU and a third of the
 * gateway's, for a network round trip and row parsing) for an answer that changes a few times a day.
 */
import type { Catalogue } from '../catalog/model';
import type { FeatureRow } from '../encoders/features/featureEncoder';
import type { Sql } from './sqlParams';

/** A page read whole: its rows (frozen: shared by every request that reuses it) and its count. */
export interface KeptPage {
  rows: FeatureRow[];
  numberMatched: number | 'unknown';
}

/** Bounds per catalogue: pages kept, and the characters of their rows and of the texts written from them (UTF-16: at most twice as many bytes). */
export const MAX_PAGES = 64;
export const MAX_CHARS = 2 * 1024 * 1024;
/** Rough per-row and per-value cost of the arrays and strings holding a page, counted as characters. */
const ROW_OVERHEAD = 16;
const VALUE_OVERHEAD = 8;

/** A kept page with what its bounds count: its rows, and the texts written from them (pageText). */
interface Entry extends KeptPage {
  chars: number;
  texts: Map<string, string>;
  shelf: Shelf;
  /** Evicted (or never kept): texts are no longer added to it. */
  dropped: boolean;
}

interface Shelf {
  pages: Map<string, Entry>;
  chars: number;
}

/** The entry of a kept page's rows (the rows array handed to the encoders is the key). */
const entries = new WeakMap<FeatureRow[], Entry>();

/** One shelf per catalogue object: dropped with it (a WeakMap holds nothing alive). */
const shelves = new WeakMap<Catalogue, Shelf>();

/** The key of a statement: its text and values (the values are plain JSON: strings, numbers, booleans, arrays). */
export function pageKey(sql: Sql): string {
  return `${sql.text}\u0000${JSON.stringify(sql.values)}`;
}

/** The page kept for this key under this catalogue, or undefined. A hit becomes the most recently used. */
export function keptPage(catalogue: Catalogue, key: string): KeptPage | undefined {
  const shelf = shelves.get(catalogue);
  const page = shelf?.pages.get(key);
  if (!shelf || !page) return undefined;
  // Map order is insertion order: re-inserting makes it the last to be evicted.
  shelf.pages.delete(key);
  shelf.pages.set(key, page);
  return { rows: page.rows, numberMatched: page.numberMatched };
}

/** Size of a page in characters, with a rough allowance for the arrays holding it. */
function charsOf(rows: FeatureRow[]): number {
  let n = 0;
  for (const row of rows) {
    n += ROW_OVERHEAD;
    for (const v of row) n += VALUE_OVERHEAD + (v?.length ?? 0);
  }
  return n;
}

/**
 * Keeps a page under a catalogue, evicting the least recently used beyond MAX_PAGES pages or MAX_CHARS
 * characters; a page larger than MAX_CHARS alone is not kept. Returns the kept (frozen) page.
 */
export function keepPage(catalogue: Catalogue, key: string, rows: FeatureRow[], numberMatched: number | 'unknown'): KeptPage {
  // Frozen: an encoder that wrote into a shared row would corrupt every later answer (strict mode throws instead).
  for (const row of rows) Object.freeze(row);
  Object.freeze(rows);
  let shelf = shelves.get(catalogue);
  if (!shelf) {
    shelf = { pages: new Map(), chars: 0 };
    shelves.set(catalogue, shelf);
  }
  const page: Entry = { rows, numberMatched, chars: charsOf(rows) + key.length, texts: new Map(), shelf, dropped: true };
  if (page.chars > MAX_CHARS) return page;
  const old = shelf.pages.get(key);
  if (old) drop(shelf, key, old);
  page.dropped = false;
  entries.set(rows, page);
  shelf.pages.set(key, page);
  shelf.chars += page.chars;
  trim(shelf);
  return page;
}

/** Takes a page off its shelf (its texts go with it). */
function drop(shelf: Shelf, key: string, page: Entry): void {
  shelf.pages.delete(key);
  shelf.chars -= page.chars;
  page.dropped = true;
}

/** Evicts the least recently used pages until the shelf is within its bounds. */
function trim(shelf: Shelf): void {
  for (const [k, p] of shelf.pages) {
    if (shelf.pages.size <= MAX_PAGES && shelf.chars <= MAX_CHARS) break;
    drop(shelf, k, p);
  }
}

/**
 * A text written from a page's rows (an encoder's features, under a key naming everything they depend
 * on besides the rows: featureTextKey): made once while the page is kept and reused with it,
 * counted in the same bounds. For rows that are not a kept page it is simply made.
 */
export function pageText(rows: FeatureRow[], key: string, make: () => string): string {
  const page = entries.get(rows);
  if (!page || page.dropped) return make();
  let text = page.texts.get(key);
  if (text === undefined) {
    text = make();
    if (!page.dropped && text.length + key.length <= MAX_CHARS) {
      page.texts.set(key, text);
      page.chars += text.length + key.length;
      page.shelf.chars += text.length + key.length;
      trim(page.shelf);
    }
  }
  return text;
}

/** Pages and characters kept under a catalogue (tests, docs). */
export function shelfSize(catalogue: Catalogue): { pages: number; chars: number } {
  const shelf = shelves.get(catalogue);
  return { pages: shelf?.pages.size ?? 0, chars: shelf?.chars ?? 0 };
}
