/**
 * HTTP caching of every protocol, as data: which resources carry validators, what those validators are
 * derived from, and the Cache-Control each kind of answer gets (docs/caching.md). Validators are never
 * a hash of the body: they come from the build, the configuration, the request and the catalogue's
 * per-dataset state (src/catalog/model.ts), which every write changes (src/ingest/writer.ts) and every
 * gateway re-reads on its NOTIFY. So a conditional request is answered from the catalogue alone, before
 * any document is built or any observation read.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Request, Response } from 'express';
import type { Catalogue, Dataset } from '../catalog/model';
import type { Config } from '../config/config';
import type { Queryable } from '../data/store';
import type { OwsResponse } from '../ows/types';
import { loadCatalogue } from '../query/catalogue';

/** Cache-Control of each kind of answer. */
export const CACHE_POLICIES = {
  /** Capabilities and listings: change with any import, so shared caches revalidate after a minute. */
  capabilities: 'public, max-age=60, must-revalidate',
  /** Schemas, sensor descriptions, records: change with a release, a setting or their own dataset. */
  description: 'public, max-age=300, must-revalidate',
  /** A closed time window of data: only a correction to its datasets changes it. */
  closedWindow: 'public, max-age=86400',
  /** Data that grows as observations arrive (open window, latest): always revalidated, no validators. */
  live: 'no-cache',
  /** Errors are never stored (a 503 or a 429 must not outlive its cause). */
  error: 'no-store',
} as const;

export type PolicyId = keyof typeof CACHE_POLICIES;

/** What a representation derives from beyond build, configuration and request: nothing, the whole catalogue, or named datasets. */
export type Basis = 'build' | 'catalogue' | 'datasets';

/** Every resource with validators: its policy and its basis. Resources not listed are `live`. */
export const CACHED_RESOURCES = {
  'WFS GetCapabilities': { policy: 'capabilities', basis: 'catalogue' },
  'WFS DescribeFeatureType': { policy: 'description', basis: 'build' },
  'WFS ListStoredQueries': { policy: 'description', basis: 'build' },
  'WFS DescribeStoredQueries': { policy: 'description', basis: 'build' },
  'SOS GetCapabilities': { policy: 'capabilities', basis: 'catalogue' },
  // The operation names the datasets it read (the procedure's; the selection of a closed window).
  'SOS DescribeSensor': { policy: 'description', basis: 'datasets' },
  'SOS GetObservation': { policy: 'closedWindow', basis: 'datasets' },
  'ISO record': { policy: 'description', basis: 'datasets' },
  'ISO collection record': { policy: 'description', basis: 'catalogue' },
  'OGCAPI landing': { policy: 'capabilities', basis: 'build' },
  'OGCAPI api': { policy: 'description', basis: 'build' },
  'OGCAPI conformance': { policy: 'description', basis: 'build' },
  'OGCAPI collections': { policy: 'capabilities', basis: 'catalogue' },
  'OGCAPI collection': { policy: 'capabilities', basis: 'catalogue' },
  'OGCAPI queryables': { policy: 'description', basis: 'build' },
  // Stations and datasets (catalogue tables), and observations in a closed datetime window.
  'OGCAPI catalogue items': { policy: 'capabilities', basis: 'catalogue' },
  'OGCAPI closed-window items': { policy: 'closedWindow', basis: 'catalogue' },
  // EDR (src/ogcapi/edr): the locations list is catalogue data; a data query in a closed window as the items.
  'OGCAPI EDR locations': { policy: 'capabilities', basis: 'catalogue' },
  'OGCAPI EDR closed-window data': { policy: 'closedWindow', basis: 'catalogue' },
} as const satisfies Record<string, { policy: PolicyId; basis: Basis }>;

export type ResourceId = keyof typeof CACHED_RESOURCES;

/** The cached resource of an OWS operation (service and canonical operation name), if it has one. */
export function owsResource(service: string, operation: string): ResourceId | undefined {
  const id = `${service} ${operation}`;
  return id in CACHED_RESOURCES ? (id as ResourceId) : undefined;
}

/** The validators of one representation. */
export interface Validators {
  /** Strong entity tag of the uncompressed representation, quotes included. */
  etag: string;
  lastModified: Date;
}

/** What identifies a representation of a request: its URL and the request headers the answer varies on. */
export interface RequestKey {
  url: string;
  /** Public base URL the documents link to (PUBLIC_URL, forwarded headers or Host). */
  baseUrl: string;
  /** Values of the headers the answer is negotiated on (OGC API: Accept). */
  negotiated?: (string | undefined)[];
}

/** When this process started, to the second: settings are read at start, so Last-Modified never precedes them. */
const STARTED = new Date(Math.floor(Date.now() / 1000) * 1000);

let build: string | undefined;
/** A digest of the running code (the compiled tree, or the one bundled file): a new release changes every validator. */
export function buildId(): string {
  if (build) return build;
  const h = crypto.createHash('sha256');
  const root = path.basename(__dirname) === 'http' ? path.dirname(__dirname) : undefined;
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(js|ts)$/.test(e.name) && !e.name.endsWith('.d.ts')) files.push(p);
    }
  };
  if (root) walk(root);
  else files.push(__filename);
  for (const f of files) h.update(path.relative(root ?? '', f)).update(fs.readFileSync(f));
  build = h.digest('base64url').slice(0, 16);
  return build;
}

/**
 * Settings that differ between replicas and workers of one deployment (or hold secrets) without changing
 * any document: left out, so every gateway behind one proxy gives one representation one tag.
 */
const INSTANCE_SETTINGS = new Set<string>(['port', 'host', 'databaseUrl', 'dataDir', 'logLevel', 'poolMax', 'statementTimeoutMs', 'requestTimeoutMs', 'maxHeavyRequests', 'heavyQueueSize', 'rateLimitPerMinute', 'apiKeys', 'apiKeysFile', 'ingestMaxBodyBytes', 'ingestMaxConcurrent', 'compression', 'loadDemoData', 'demoDir', 'workers', 'readDatabaseUrls', 'readMaxLagMs']);

const configDigests = new WeakMap<Config, string>();
/** A digest of the settings documents depend on: a changed title or limit is a different document. */
function configId(config: Config): string {
  let d = configDigests.get(config);
  if (!d) {
    const shown = Object.entries(config).filter(([k]) => !INSTANCE_SETTINGS.has(k)).sort(([a], [b]) => (a < b ? -1 : 1));
    d = crypto.createHash('sha256').update(JSON.stringify(shown)).digest('base64url');
    configDigests.set(config, d);
  }
  return d;
}

const catalogueDigests = new WeakMap<Catalogue, string>();
/** A digest of everything the catalogue holds (per-dataset last change, counts, extents; stations, properties, sensors). */
function catalogueId(c: Catalogue): string {
  let d = catalogueDigests.get(c);
  if (!d) {
    d = crypto.createHash('sha256').update(JSON.stringify([c.networks, c.stations, c.properties, c.sensors, c.datasets])).digest('base64url');
    catalogueDigests.set(c, d);
  }
  return d;
}

const datasetDigests = new WeakMap<Dataset, string>();
/** A digest of one dataset as the catalogue holds it, with its station, property and sensor. */
function datasetId(d: Dataset): string {
  let s = datasetDigests.get(d);
  if (!s) {
    s = crypto.createHash('sha256').update(JSON.stringify(d)).digest('base64url');
    datasetDigests.set(d, s);
  }
  return s;
}

/** Latest of the instants (ISO strings), floored to the second as HTTP dates are, and never before the process start. */
function latest(instants: (string | undefined)[]): Date {
  let t = STARTED.getTime();
  for (const i of instants) if (i) t = Math.max(t, Math.floor(Date.parse(i) / 1000) * 1000);
  return new Date(t);
}

const catalogueTimes = new WeakMap<Catalogue, Date>();
/**
 * Last change of any dataset of the catalogue, once per loaded catalogue: parsing every dataset's time
 * on each request was most of what validators cost a catalogue resource (~30 µs for 55 datasets).
 */
function catalogueModified(c: Catalogue): Date {
  let t = catalogueTimes.get(c);
  if (!t) {
    t = latest(c.datasets.map((d) => d.updatedAt));
    catalogueTimes.set(c, t);
  }
  return t;
}

/**
 * The validators of a resource's representation. `datasets` (codes) is what a `datasets` resource read;
 * a code the catalogue no longer has still counts (as missing), so its removal changes the tag.
 */
export function validators(resource: ResourceId, key: RequestKey, config: Config, catalogue: Catalogue | undefined, datasets: string[] = []): Validators {
  const { basis } = CACHED_RESOURCES[resource];
  const parts = [buildId(), configId(config), resource, key.url, key.baseUrl, ...(key.negotiated ?? []).map((v) => v ?? '')];
  let lastModified = STARTED;
  if (basis === 'catalogue' && catalogue) {
    parts.push(catalogueId(catalogue));
    lastModified = catalogueModified(catalogue);
  } else if (basis === 'datasets' && catalogue) {
    const ds = [...new Set(datasets)].sort().map((code) => catalogue.datasetByCode.get(code) ?? code);
    parts.push(...ds.map((d) => (typeof d === 'string' ? `missing:${d}` : datasetId(d))));
    lastModified = latest(ds.map((d) => (typeof d === 'string' ? undefined : d.updatedAt)));
  }
  return { etag: entityTag(parts.join('\n')), lastModified };
}

/** Tags already computed, by their input: a busy resource is asked for the same few over and over. */
const tags = new Map<string, string>();
/** Bounds of that memo: inputs remembered (all dropped when full) and the longest input remembered. */
const MAX_TAGS = 1000;
const MAX_TAG_INPUT = 2048;

/** The strong tag of a validator input (a digest; SHA-256 and its hasher object cost more than the rest of the validators). */
function entityTag(input: string): string {
  let tag = tags.get(input);
  if (tag) return tag;
  tag = `"${crypto.createHash('sha256').update(input).digest('base64url').slice(0, 27)}"`;
  if (input.length <= MAX_TAG_INPUT) {
    if (tags.size >= MAX_TAGS) tags.clear();
    tags.set(input, tag);
  }
  return tag;
}

/** Suffix of an entity tag per content coding: each encoding is a representation of its own (strong tags). */
export const ENCODING_TAG_SUFFIX: Record<string, string> = { gzip: '-gz', br: '-br' };

/** The tag without quotes, weakness or encoding suffix, for comparison. */
function opaque(tag: string): string {
  return tag
    .trim()
    .replace(/^W\//, '')
    .replace(/^"|"$/g, '')
    .replace(/-(gz|br)$/, '');
}

/** RFC 9110 13.2.2 for GET/HEAD: If-None-Match decides when present, else If-Modified-Since. */
export function notModified(req: Request, v: Validators): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const inm = req.headers['if-none-match'];
  if (inm !== undefined) {
    const mine = opaque(v.etag);
    return inm.split(',').some((t) => t.trim() === '*' || opaque(t) === mine);
  }
  const ims = req.headers['if-modified-since'];
  if (ims === undefined) return false;
  const since = Date.parse(ims);
  return Number.isFinite(since) && v.lastModified.getTime() <= since;
}

const httpDates = new Map<number, string>();
/** The HTTP date of an instant, memoised: a resource's Last-Modified is one of a few instants (a catalogue's, a dataset's, the start). */
function httpDate(d: Date): string {
  const t = d.getTime();
  let s = httpDates.get(t);
  if (s === undefined) {
    s = d.toUTCString();
    if (httpDates.size >= MAX_TAGS) httpDates.clear();
    httpDates.set(t, s);
  }
  return s;
}

/** Sets the validators and the policy of a successful answer (the sender adds the encoding suffix to the tag). */
export function setCacheHeaders(res: Response, resource: ResourceId | undefined, v: Validators | undefined): void {
  res.setHeader('Cache-Control', CACHE_POLICIES[resource && v ? CACHED_RESOURCES[resource].policy : 'live']);
  if (!v) return;
  res.setHeader('ETag', v.etag);
  res.setHeader('Last-Modified', httpDate(v.lastModified));
}

/** Makes an error response uncacheable and drops validators set for the success it did not become. */
export function uncacheable(res: Response): void {
  res.removeHeader('ETag');
  res.removeHeader('Last-Modified');
  res.setHeader('Cache-Control', CACHE_POLICIES.error);
}

/**
 * Answers 304 Not Modified when the request's preconditions hold for these validators: the headers a
 * 200 would carry (validators, policy, Vary), no body. Returns whether it answered.
 */
export function answerNotModified(req: Request, res: Response, resource: ResourceId, v: Validators, vary: string[] = []): boolean {
  if (!notModified(req, v)) return false;
  setCacheHeaders(res, resource, v);
  for (const h of vary) appendVary(res, h);
  res.status(304).end();
  return true;
}

/** Adds a header name to Vary (keeping what CORS or negotiation put there). */
export function appendVary(res: Response, name: string): void {
  const set = res.getHeader('Vary');
  if (set === undefined) {
    res.setHeader('Vary', name);
    return;
  }
  const cur = String(set);
  const names = cur.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.includes('*') || names.some((n) => n.toLowerCase() === name.toLowerCase())) return;
  res.setHeader('Vary', [...names, name].join(', '));
}

/**
 * Validators of a resource whose basis needs no operation (build or catalogue), or undefined for a
 * `datasets` one (the operation names its datasets). Reads the catalogue (cached) and nothing else.
 */
export async function validatorsBefore(resource: ResourceId, key: RequestKey, config: Config, store: Queryable): Promise<Validators | undefined> {
  const { basis } = CACHED_RESOURCES[resource];
  if (basis === 'datasets') return undefined;
  return validators(resource, key, config, basis === 'catalogue' ? await loadCatalogue(store) : undefined);
}

/** Validators of a `datasets` resource once the operation named what it reads (before it reads it). */
export async function validatorsOf(resource: ResourceId, key: RequestKey, config: Config, store: Queryable, datasets: string[]): Promise<Validators> {
  return validators(resource, key, config, await loadCatalogue(store), datasets);
}

/** How one request is cached: its resource (undefined: not cached), the key of its representation, where validators come from. */
export interface CachedRequest {
  resource: ResourceId | undefined;
  key: RequestKey;
  config: Config;
  /** Request-scoped store (the catalogue is read through its shared store). */
  store: Queryable;
  /** Headers a 304 repeats in Vary besides Accept-Encoding (what the 200 varies on). */
  vary?: string[];
}

/**
 * The one caching step of every protocol, around its operation: a 304 as soon as the validators are
 * known (before the operation for a build or catalogue resource; after it named its datasets but
 * before any of them is read for a `datasets` one), else the operation's answer with validators and
 * policy set. Returns undefined when the 304 was sent.
 */
export async function cachedAnswer(req: Request, res: Response, c: CachedRequest, run: () => Promise<OwsResponse>): Promise<OwsResponse | undefined> {
  const get = req.method === 'GET' || req.method === 'HEAD';
  if (!get) return run();
  const vary = [...(c.vary ?? []), ...(c.config.compression ? ['Accept-Encoding'] : [])];
  let v = c.resource ? await validatorsBefore(c.resource, c.key, c.config, c.store) : undefined;
  if (c.resource && v && answerNotModified(req, res, c.resource, v, vary)) return undefined;
  const out = await run();
  if (c.resource && !v && out.datasets) {
    v = await validatorsOf(c.resource, c.key, c.config, c.store, out.datasets);
    if (answerNotModified(req, res, c.resource, v, vary)) return undefined;
  }
  setCacheHeaders(res, c.resource, v);
  return out;
}
