/**
 * Reading one page of a feature query: its rows (a plain query for a small page, a cursor for a large
 * one) and its counts, decided by the rule below. Shared by every feature front-end.
 */
import type { Store } from '../data/store';
import type { FeatureRow } from '../encoders/features/featureEncoder';
import { OwsError } from '../ows/errors';
import { loadCatalogue } from './catalogue';
import { keepPage, keptPage, pageKey } from './pageCache';
import { countSql, FeatureQuery, GeometryEncoding, isUnfilteredObservation, observationSeekPositionSql, observationSeekSql, pageCountSql, pageSql, Sql, storedObservationCountSql } from './features';

/** Rows per cursor fetch. */
export const BATCH = 1000;

/** Rows of one page: batches already fetched, then the rest of an open cursor. */
export interface RowSource {
  first: FeatureRow[];
  rest?: AsyncIterator<FeatureRow[]>;
}

/** Opens a cursor and reads its first batch (so counts can be decided from it before anything is written). */
export async function openRows(store: Store, sql: Sql, signal: AbortSignal, batchSize = BATCH): Promise<RowSource> {
  const it = store.stream<FeatureRow>(sql.text, sql.values, { signal, batchSize, rowMode: 'array' })[Symbol.asyncIterator]();
  const r = await it.next();
  if (r.done) return { first: [] };
  return { first: r.value, rest: it };
}

/**
 * Reads a page of at most one batch with one plain query (no cursor round trips): the page is bounded
 * by COUNT ≤ BATCH, so this never holds more than a cursor batch would.
 */
async function readSmallPage(store: Store, sql: Sql, prepare: boolean): Promise<RowSource> {
  const r = await store.query<Record<string, string | null>>(sql.text, sql.values, { prepare });
  return { first: r.rows.map((row) => Object.values(row)) };
}

/** First row of a query in array form (the feature SELECT list has unnamed, repeating column names). */
export async function readFirstRow(store: Store, sql: Sql, signal: AbortSignal): Promise<FeatureRow | undefined> {
  // Read to the end (the query has LIMIT 1) so the cursor closes normally instead of being cancelled.
  let first: FeatureRow | undefined;
  for await (const batch of store.stream<FeatureRow>(sql.text, sql.values, { signal, batchSize: 10, rowMode: 'array' })) {
    first ??= batch[0];
  }
  return first;
}

/** Closes a cursor that will not be read to the end (returns its connection to the pool). */
export async function closeRows(src: RowSource | null): Promise<void> {
  await src?.rest?.return?.(undefined);
}

/**
 * How one page is fetched and counted. The rule for numberMatched (docs/wfs.md):
 * - Station and Dataset (small tables): always an exact count(*).
 * - Observation without filter: exact, from the per-dataset obs_count kept by the importer.
 * - Observation with a filter: "unknown" (a count could scan millions of rows), except that a page shorter
 *   than COUNT proves the total (startIndex + numberReturned). RESULTTYPE=hits always counts exactly.
 */
export interface PagePlan {
  numberMatched: number | 'unknown';
  numberReturned: number;
  /** null = nothing to fetch (page past the end). */
  sql: Sql | null;
}

/** Types too large to count on every page. */
const LARGE_TYPES = new Set(['Observation']);

/**
 * A small type (stations, datasets) with no filter or id list: its count is one fixed text per type,
 * prepared (planned once per connection instead of on every request: 0.17 → 0.05 ms of backend CPU).
 */
function isUnfilteredSmall(q: FeatureQuery): boolean {
  return !LARGE_TYPES.has(q.type.name) && q.filters.length === 0 && !q.resourceIds;
}

/**
 * ...and also unsorted with every property: the collection as clients page through it. Its page comes
 * in a handful of fixed texts per type (one per geometry encoding, axis order, with or without
 * geometry), so it is prepared too: planning was half the backend's work on the 30-station page
 * (0.8 → 0.4 ms). Other pages follow the client's choices and are planned per request.
 */
function isFixedShape(q: FeatureQuery): boolean {
  return isUnfilteredSmall(q) && q.sortBy.length === 0 && q.properties.length === q.type.properties.length;
}

/** Runs a store call, turning PostgreSQL data errors (bad casts, out-of-range values) into a client error. */
export async function dbCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && (code.startsWith('22') || code === 'XX000' || code === '42883')) {
      throw new OwsError('OperationProcessingFailed', 'filter', 'A value in the request cannot be applied to the data (invalid literal or geometry)', { cause: err });
    }
    throw err;
  }
}

async function scalar(store: Store, sql: Sql, prepare = false): Promise<number> {
  const r = await dbCall(() => store.query<{ n: number | string }>(sql.text, sql.values, { prepare }));
  return Number(r.rows[0]?.n ?? 0);
}

/** Exact number of features matching a query (cheap path for the whole Observation table). */
export async function exactCount(store: Store, q: FeatureQuery): Promise<number> {
  // One fixed text: prepared, like the small types' counts (every full unfiltered page runs it).
  if (isUnfilteredObservation(q)) return scalar(store, storedObservationCountSql(), true);
  return scalar(store, countSql(q), isUnfilteredSmall(q));
}

/**
 * Observation in its natural order without a filter: jump to the dataset holding row STARTINDEX through the
 * cumulative obs_count, find the starting time with an index-only OFFSET inside that one dataset (from its nearer end), then read
 * COUNT rows forward on the primary key. A page at 5,000,000 costs about what the first page costs.
 */
async function observationSeek(store: Store, q: FeatureQuery, encoding: GeometryEncoding): Promise<Sql | null> {
  const at = observationSeekPositionSql(q.startIndex);
  // The position is one fixed text over the small dataset table: prepared (its generic plan is the
  // custom one). The seek itself is not: its generic plan (LIMIT and row bound unknown) is a parallel
  // scan of the whole observation table, seconds instead of milliseconds, so it keeps being planned
  // per request.
  const pos = await dbCall(() => store.query<{ id: number; k: number; n: number }>(at.text, at.values, { prepare: true }));
  if (pos.rows.length === 0) return null;
  return observationSeekSql(q, encoding, Number(pos.rows[0].id), Number(pos.rows[0].k), Number(pos.rows[0].n));
}

/** A page whose rows are already being read, with its counts decided. */
export interface OpenPage {
  numberMatched: number | 'unknown';
  numberReturned: number;
  rows: RowSource | null;
}

/**
 * Opens one page and decides its counts. A page of up to one cursor batch is read before anything else:
 * a short page proves numberMatched (startIndex + rows) with no count query at all, and a full one
 * needs a count only where counting is cheap (see PagePlan). Larger pages count first (planPage). Such
 * a page of stations or datasets comes from the page cache when the catalogue has not changed.
 */
export async function openPage(store: Store, q: FeatureQuery, encoding: GeometryEncoding, signal: AbortSignal): Promise<OpenPage> {
  if (q.count === 0 || q.count > BATCH) {
    const plan = await planPage(store, q, encoding);
    return { numberMatched: plan.numberMatched, numberReturned: plan.numberReturned, rows: plan.sql ? await dbCall(() => openRows(store, plan.sql!, signal)) : null };
  }
  if (!LARGE_TYPES.has(q.type.name)) return openCataloguePage(store, q, encoding);
  const seek = isUnfilteredObservation(q) && q.sortBy.length === 0;
  const sql = seek ? await observationSeek(store, q, encoding) : pageSql(q, encoding);
  const rows = sql ? await dbCall(() => readSmallPage(store, sql, isFixedShape(q))) : null;
  try {
    const returned = rows?.first.length ?? 0;
    const matched = provenMatched(q, returned) ?? (isUnfilteredObservation(q) ? await exactCount(store, q) : 'unknown');
    return { numberMatched: matched, numberReturned: returned, rows };
  } catch (err) {
    await closeRows(rows).catch(() => undefined);
    throw err;
  }
}

/**
 * numberMatched when a page's own row count proves it (a short page that is not past the end: the
 * matches end on it), else undefined.
 */
function provenMatched(q: FeatureQuery, returned: number): number | undefined {
  return returned < q.count && (returned > 0 || q.startIndex === 0) ? q.startIndex + returned : undefined;
}

/**
 * A page of at most one batch of a catalogue collection (stations, datasets): reused from the page
 * cache while the catalogue it was read under is current (pageCache.ts), else read (and counted when
 * full) and kept. The catalogue is taken before the statement runs, so the rows are never older than it.
 */
async function openCataloguePage(store: Store, q: FeatureQuery, encoding: GeometryEncoding): Promise<OpenPage> {
  const catalogue = await loadCatalogue(store);
  const sql = pageSql(q, encoding);
  const key = pageKey(sql);
  const kept = keptPage(catalogue, key);
  if (kept) return { numberMatched: kept.numberMatched, numberReturned: kept.rows.length, rows: { first: kept.rows } };
  const rows = await dbCall(() => readSmallPage(store, sql, isFixedShape(q)));
  const returned = rows.first.length;
  const matched = provenMatched(q, returned) ?? (await exactCount(store, q));
  keepPage(catalogue, key, rows.first, matched);
  return { numberMatched: matched, numberReturned: returned, rows };
}

/** Decides counts and the SQL of one page. */
async function planPage(store: Store, q: FeatureQuery, encoding: GeometryEncoding): Promise<PagePlan> {
  const clamp = (matched: number) => Math.max(0, Math.min(q.count, matched - q.startIndex));
  if (q.count === 0) {
    return { numberMatched: await exactCount(store, q), numberReturned: 0, sql: null };
  }
  if (isUnfilteredObservation(q) && q.sortBy.length === 0) {
    const matched = await exactCount(store, q);
    const returned = clamp(matched);
    return { numberMatched: matched, numberReturned: returned, sql: returned > 0 ? await observationSeek(store, q, encoding) : null };
  }
  if (!LARGE_TYPES.has(q.type.name) || isUnfilteredObservation(q)) {
    const matched = await exactCount(store, q);
    const returned = clamp(matched);
    return { numberMatched: matched, numberReturned: returned, sql: returned > 0 ? pageSql(q, encoding) : null };
  }
  const returned = await scalar(store, pageCountSql(q));
  return { numberMatched: provenMatched(q, returned) ?? 'unknown', numberReturned: returned, sql: returned > 0 ? pageSql(q, encoding) : null };
}
