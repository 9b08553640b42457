import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../paths';
import { ApiKey, parseApiKeys, readApiKeysFile } from '../security/apiKey';

/** Validated runtime configuration, read once at start-up. */
export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  loadDemoData: boolean;
  demoDir: string;
  publicUrl: string | undefined;
  trustProxy: boolean;
  logLevel: string;
  statementTimeoutMs: number;
  requestTimeoutMs: number;
  poolMax: number;
  /** Gateway processes (node:cluster workers); 1 = a single process, no cluster. Resolved: never 0. */
  workers: number;
  /** Hot standbys that serve reads (READ_DATABASE_URLS); empty = every query on DATABASE_URL. */
  readDatabaseUrls: string[];
  readMaxLagMs: number;
  namespaceUri: string;
  namespacePrefix: string;
  maxXmlBytes: number;
  countDefault: number;
  serviceTitle: string;
  serviceAbstract: string;
  providerName: string;
  providerSite: string;
  contactEmail: string;
  threddsUrl: string | undefined;
  threddsDataLocation: string;
  geonetworkUrl: string | undefined;
  metadataUrlTemplate: string | undefined;
  maxXmlBodyBytes: number;
  maxHeavyRequests: number;
  heavyQueueSize: number;
  rateLimitPerMinute: number;
  /** Write keys of API_KEYS and API_KEYS_FILE together. */
  apiKeys: ApiKey[];
  apiKeysFile: ApiKey[];
  ingestMaxBodyBytes: number;
  ingestMaxConcurrent: number;
  corsOrigin: string;
  portalBasemapUrl: string;
  maxKvpValueLength: number;
  cspImgSrc: string[];
  ogcapiBasePath: string;
  ogcapiLimitDefault: number;
  ogcapiLimitMax: number;
  compression: boolean;
  mqttUrl: string | undefined;
  mqttTopicPrefix: string;
  mqttClientId: string;
  mqttUsername: string | undefined;
  mqttPassword: string | undefined;
  /** Networks the MQTT feed may write; undefined = all. */
  mqttNetworks: ReadonlySet<string> | undefined;
  mqttBatchMessages: number;
  mqttBatchMs: number;
  mqttReceiveMaximum: number;
  mqttSessionExpirySeconds: number;
  mqttLeaderPollMs: number;
  /** Directory the served gateway keeps the NetCDF export current in; undefined = off. */
  netcdfDir: string | undefined;
  netcdfRefreshMs: number;
  edrMaxObservations: number;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** One documented setting: its environment name, default and parser. The README table is generated from this list. */
interface Setting<K extends keyof Config> {
  env: string;
  key: K;
  doc: string;
  def: string | undefined;
  parse: (raw: string, env: string) => Config[K];
}

const int = (min: number, max: number) => (raw: string, env: string): number => {
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${env} must be a whole number between ${min} and ${max}, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${env} must be between ${min} and ${max}, got ${n}`);
  return n;
};
const bool = (raw: string, env: string): boolean => {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(`${env} must be true or false, got "${raw}"`);
};
const str = (raw: string): string => raw;
const optUrl = (raw: string, env: string): string | undefined => {
  if (raw === '') return undefined;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError(`${env} must be an absolute http(s) URL, got "${raw}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ConfigError(`${env} must be an http(s) URL, got "${raw}"`);
  return raw.replace(/\/+$/, '');
};
const dbUrl = (raw: string, env: string): string | undefined => {
  if (raw === '') return undefined;
  if (!/^postgres(ql)?:\/\//.test(raw)) throw new ConfigError(`${env} must start with postgres:// or postgresql://`);
  return raw;
};
const level = (raw: string, env: string): string => {
  const ok = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  if (!ok.includes(raw)) throw new ConfigError(`${env} must be one of ${ok.join(', ')}, got "${raw}"`);
  return raw;
};
const ncname = (raw: string, env: string): string => {
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(raw)) throw new ConfigError(`${env} must be an XML NCName (letters, digits, _ . -), got "${raw}"`);
  return raw;
};
const basePath = (raw: string, env: string): string => {
  // Below the root only: / is the portal's, and a trailing slash would double in every link.
  if (!/^(?:\/[A-Za-z0-9._~-]+)+$/.test(raw) || /\/\.\.?(?:\/|$)/.test(raw)) throw new ConfigError(`${env} must be a path such as /ogcapi (segments of letters, digits, . _ ~ -; no trailing slash), got "${raw}"`);
  return raw;
};
const keys = (raw: string, env: string): ApiKey[] => {
  try {
    return parseApiKeys(raw);
  } catch (err) {
    throw new ConfigError(`${env}: ${(err as Error).message}`);
  }
};
const keysFile = (raw: string, env: string): ApiKey[] => {
  try {
    return readApiKeysFile(raw.trim());
  } catch (err) {
    throw new ConfigError(`${env}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? `no such file ${raw}` : (err as Error).message}`);
  }
};
const mqttUrl = (raw: string, env: string): string | undefined => {
  if (raw === '') return undefined;
  if (!/^(mqtts?|tcp|ssl|wss?):\/\/[^/\s]+/.test(raw)) throw new ConfigError(`${env} must be a broker URL such as mqtt://host:1883 or mqtts://host:8883, got "${raw.replace(/\/\/[^@/]*@/, '//…@')}"`);
  return raw;
};
const topicPrefix = (raw: string, env: string): string => {
  // One or more topic levels without wildcards, so that `<prefix>/obs/+` is the feed's only filter.
  if (!/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(raw)) throw new ConfigError(`${env} must be topic levels of letters, digits, _ . - separated by /, got "${raw}"`);
  return raw;
};
const optStr = (raw: string): string | undefined => (raw === '' ? undefined : raw);
const networks = (raw: string, env: string): ReadonlySet<string> | undefined => {
  if (raw.trim() === '') return undefined;
  const codes = raw.split('|').map((s) => s.trim());
  if (codes.some((c) => c === '')) throw new ConfigError(`${env} must be network codes separated by |, got "${raw}"`);
  return new Set(codes);
};
const list = (raw: string): string[] => raw.split(',').map((s) => s.trim()).filter(Boolean);
const dbUrls = (raw: string, env: string): string[] => list(raw).map((u) => dbUrl(u, env)!);
/** 0 = not set: resolved by loadConfig, which knows the store. */
const workerCount = (raw: string, env: string): number => (raw.trim() === '' ? 0 : int(1, 256)(raw, env));

/** Every setting, with its default; the single source for the README configuration table. */
export const SETTINGS: Setting<keyof Config>[] = [
  { env: 'PORT', key: 'port', def: '8080', doc: 'HTTP port', parse: int(0, 65535) },
  { env: 'HOST', key: 'host', def: '0.0.0.0', doc: 'Listen address', parse: str },
  { env: 'DATABASE_URL', key: 'databaseUrl', def: '', doc: 'PostgreSQL/PostGIS connection URL; unset = embedded PostGIS (PGlite)', parse: dbUrl },
  { env: 'DATA_DIR', key: 'dataDir', def: 'data/pglite', doc: 'Directory of the embedded database', parse: (r) => path.resolve(r) },
  { env: 'LOAD_DEMO_DATA', key: 'loadDemoData', def: 'true', doc: 'Load the shipped demo network into an empty embedded database', parse: bool },
  { env: 'DEMO_DIR', key: 'demoDir', def: '', doc: 'Directory of the demo CSV files (default: demo/ in the package)', parse: (r) => (r ? path.resolve(r) : path.join(packageRoot(), 'demo')) },
  { env: 'PUBLIC_URL', key: 'publicUrl', def: '', doc: 'Public base URL advertised in documents (e.g. https://data.example.org)', parse: optUrl },
  { env: 'TRUST_PROXY', key: 'trustProxy', def: 'false', doc: 'Build advertised URLs from X-Forwarded-Proto/Host when PUBLIC_URL is unset', parse: bool },
  { env: 'LOG_LEVEL', key: 'logLevel', def: 'info', doc: 'pino log level', parse: level },
  { env: 'STATEMENT_TIMEOUT_MS', key: 'statementTimeoutMs', def: '30000', doc: 'PostgreSQL statement_timeout per query; a cursor stream applies it to each read', parse: int(100, 3_600_000) },
  { env: 'REQUEST_TIMEOUT_MS', key: 'requestTimeoutMs', def: '60000', doc: 'Overall time limit of a non-streaming request', parse: int(100, 3_600_000) },
  { env: 'PG_POOL_MAX', key: 'poolMax', def: '10', doc: 'PostgreSQL connections of the whole gateway to each database server (DATABASE_URL and each read replica): each of the WORKERS processes has a pool of PG_POOL_MAX / WORKERS (rounded down; PG_POOL_MAX must be at least WORKERS); docs/deployment.md', parse: int(1, 500) },
  { env: 'WORKERS', key: 'workers', def: '', doc: 'Gateway processes sharing the port (node:cluster); unset = the number of CPUs (at most PG_POOL_MAX) with PostgreSQL, 1 on the embedded store (single-process: more is refused); 1 = one process, no cluster', parse: workerCount },
  { env: 'READ_DATABASE_URLS', key: 'readDatabaseUrls', def: '', doc: 'Comma-separated PostgreSQL URLs of hot standbys of DATABASE_URL that serve reads; writes, imports and migrations stay on DATABASE_URL (docs/deployment.md, *Read replicas*)', parse: dbUrls },
  { env: 'READ_MAX_LAG_MS', key: 'readMaxLagMs', def: '5000', doc: 'A read replica further behind the primary than this is skipped (reads go to another replica or to DATABASE_URL) until it catches up', parse: int(100, 3_600_000) },
  { env: 'NAMESPACE_URI', key: 'namespaceUri', def: 'http://reefgate.org/reef', doc: 'Namespace URI of the feature types', parse: str },
  { env: 'NAMESPACE_PREFIX', key: 'namespacePrefix', def: 'reef', doc: 'Namespace prefix of the feature types', parse: ncname },
  { env: 'SOS_MAX_XML_BYTES', key: 'maxXmlBytes', def: '50000000', doc: 'Largest XML GetObservation document (O&M, WaterML), estimated per format from its bytes per observation; above it ResponseExceedsSizeLimit (CSV/JSON stream without limit)', parse: int(100_000, 2_000_000_000) },
  { env: 'WFS_COUNT_DEFAULT', key: 'countDefault', def: '1000', doc: 'WFS page size advertised as CountDefault and used when COUNT is absent', parse: int(1, 1_000_000) },
  { env: 'SERVICE_TITLE', key: 'serviceTitle', def: 'ReefGate ocean observations', doc: 'Service title in capabilities', parse: str },
  { env: 'SERVICE_ABSTRACT', key: 'serviceAbstract', def: 'Coastal sensor network (sea temperature, pressure, salinity, waves) served as OGC WFS and SOS.', doc: 'Service abstract', parse: str },
  { env: 'PROVIDER_NAME', key: 'providerName', def: 'ReefGate', doc: 'Service provider name', parse: str },
  { env: 'PROVIDER_SITE', key: 'providerSite', def: 'https://github.com/reefgate/reefgate', doc: 'Service provider web site', parse: str },
  { env: 'CONTACT_EMAIL', key: 'contactEmail', def: 'data@reefgate.org', doc: 'Contact e-mail in capabilities', parse: str },
  { env: 'THREDDS_URL', key: 'threddsUrl', def: '', doc: 'Public base URL of THREDDS (enables OPeNDAP links)', parse: optUrl },
  { env: 'THREDDS_DATA_LOCATION', key: 'threddsDataLocation', def: '/usr/local/tomcat/content/thredds/reefgate/', doc: 'Directory of the NetCDF export as the THREDDS server sees it (datasetRoot of the exported catalog.xml)', parse: str },
  { env: 'GEONETWORK_URL', key: 'geonetworkUrl', def: '', doc: 'Public base URL of GeoNetwork (enables catalogue links)', parse: optUrl },
  { env: 'METADATA_URL_TEMPLATE', key: 'metadataUrlTemplate', def: '', doc: 'MetadataURL per feature type / dataset; {id} is replaced', parse: (r) => r || undefined },
  { env: 'MAX_XML_BODY_BYTES', key: 'maxXmlBodyBytes', def: '1048576', doc: 'Largest accepted POST body', parse: int(1024, 100_000_000) },
  { env: 'MAX_HEAVY_REQUESTS', key: 'maxHeavyRequests', def: '8', doc: 'Concurrent data requests (GetFeature, GetObservation) before queueing, for the whole gateway (shared out among the WORKERS)', parse: int(1, 1000) },
  { env: 'HEAVY_QUEUE_SIZE', key: 'heavyQueueSize', def: '64', doc: 'Queued data requests before 503 with Retry-After, for the whole gateway (shared out among the WORKERS)', parse: int(0, 100_000) },
  { env: 'RATE_LIMIT_PER_MINUTE', key: 'rateLimitPerMinute', def: '0', doc: 'Requests per minute per client address, for the whole gateway (with WORKERS > 1 the primary process counts for every worker); 0 = off', parse: int(0, 1_000_000) },
  { env: 'API_KEYS', key: 'apiKeys', def: '', doc: 'API keys for writes (POST /ingest, write operations), comma-separated; `KEY:NET1\\|NET2` limits a key to those networks (docs/ingest.md); empty (and no API_KEYS_FILE) = writes disabled', parse: keys },
  { env: 'API_KEYS_FILE', key: 'apiKeysFile', def: '', doc: 'File of more API keys, one entry per line as in API_KEYS (`#` comments), e.g. a Docker secret', parse: keysFile },
  { env: 'INGEST_MAX_BODY_BYTES', key: 'ingestMaxBodyBytes', def: '4294967296', doc: 'Largest POST /ingest body, counted after gzip decoding; above it 413 and nothing stored', parse: int(1024, 1_099_511_627_776) },
  { env: 'INGEST_MAX_CONCURRENT', key: 'ingestMaxConcurrent', def: '2', doc: 'POST /ingest requests written at once (each holds a database connection for its upload), for the whole gateway (shared out among the WORKERS, at least one each); more wait, up to 16 queued per worker, then 503', parse: int(1, 100) },
  { env: 'CORS_ORIGIN', key: 'corsOrigin', def: '*', doc: 'Access-Control-Allow-Origin: * (any origin), a comma-separated list of origins, or empty (no CORS headers)', parse: str },
  { env: 'PORTAL_BASEMAP_URL', key: 'portalBasemapUrl', def: '', doc: 'XYZ tile URL template of the portal base map ({z}/{x}/{y}); empty = plain background (closed networks)', parse: str },
  { env: 'KVP_MAX_VALUE_LENGTH', key: 'maxKvpValueLength', def: '8192', doc: 'Longest value of one KVP parameter (FILTER excepted: bounded by the 64 KiB query limit)', parse: int(256, 65536) },
  { env: 'OGCAPI_BASE_PATH', key: 'ogcapiBasePath', def: '/ogcapi', doc: 'Path of the OGC API – Features landing page (docs/ogcapi.md)', parse: basePath },
  { env: 'OGCAPI_LIMIT_DEFAULT', key: 'ogcapiLimitDefault', def: '10', doc: 'OGC API – Features items per page when `limit` is absent (advertised)', parse: int(1, 100_000) },
  { env: 'OGCAPI_LIMIT_MAX', key: 'ogcapiLimitMax', def: '10000', doc: 'Largest OGC API – Features `limit` (advertised; a larger `limit` is served as this many, as the standard asks)', parse: int(1, 1_000_000) },
  { env: 'COMPRESSION', key: 'compression', def: 'on', doc: 'gzip/br of text answers for clients that send Accept-Encoding (streams flushed per chunk); off when a proxy in front compresses (docs/caching.md)', parse: bool },
  { env: 'EDR_MAX_OBSERVATIONS', key: 'edrMaxObservations', def: '10000000', doc: 'Most observations one OGC API – EDR query may return (all formats stream; above it 413, downsampled answers excepted); 0 = no limit', parse: int(0, 2_000_000_000) },
  { env: 'CSP_IMG_SRC', key: 'cspImgSrc', def: '', doc: 'Extra image origins allowed by the Content-Security-Policy (e.g. a basemap tile server), comma-separated', parse: list },
  { env: 'MQTT_URL', key: 'mqttUrl', def: '', doc: 'MQTT broker URL (mqtt://host:1883, mqtts://…); set = the gateway (one elected instance) consumes the MQTT feed (docs/ingest.md#mqtt-feeds)', parse: mqttUrl },
  { env: 'MQTT_TOPIC_PREFIX', key: 'mqttTopicPrefix', def: 'reefgate', doc: 'Topic tree of the feed: observations on `<prefix>/obs/<dataset>`, dead letters on `<prefix>/dead/<dataset>`', parse: topicPrefix },
  { env: 'MQTT_CLIENT_ID', key: 'mqttClientId', def: 'reefgate-gateway', doc: 'Fixed MQTT client id of the deployment (its persistent session); also names the leadership lock', parse: (r, e) => topicPrefix(r, e).replace(/\//g, '-') },
  { env: 'MQTT_USERNAME', key: 'mqttUsername', def: '', doc: 'User name the gateway presents to the broker', parse: optStr },
  { env: 'MQTT_PASSWORD', key: 'mqttPassword', def: '', doc: 'Password the gateway presents to the broker (never logged)', parse: optStr },
  { env: 'MQTT_NETWORKS', key: 'mqttNetworks', def: '', doc: 'Networks the feed may write, `NET1\\|NET2`; other datasets are dead-lettered; empty = all', parse: networks },
  { env: 'MQTT_BATCH_MESSAGES', key: 'mqttBatchMessages', def: '2000', doc: 'Most messages written in one transaction', parse: int(1, 100_000) },
  { env: 'MQTT_BATCH_MS', key: 'mqttBatchMs', def: '50', doc: 'Longest wait for a batch to fill after its first message', parse: int(0, 60_000) },
  { env: 'MQTT_RECEIVE_MAXIMUM', key: 'mqttReceiveMaximum', def: '65535', doc: 'Unacknowledged messages the broker may send the gateway (MQTT 5 Receive Maximum): bounds what the gateway holds while a batch waits for the database', parse: int(1, 65535) },
  { env: 'MQTT_SESSION_EXPIRY_S', key: 'mqttSessionExpirySeconds', def: '604800', doc: 'How long the broker keeps the feed\'s session (and queues its messages) while no gateway is connected', parse: int(0, 4_294_967_295) },
  { env: 'MQTT_LEADER_POLL_MS', key: 'mqttLeaderPollMs', def: '2000', doc: 'How often a standby gateway tries to take the feed over (and the leader checks its lock)', parse: int(100, 600_000) },
  { env: 'NETCDF_DIR', key: 'netcdfDir', def: '', doc: 'Directory of the NetCDF export kept current by `serve` (one elected gateway): changed datasets\' files rewritten and replaced atomically, catalog.xml updated (docs/deployment.md#keeping-thredds-current); empty = off', parse: (r) => (r ? path.resolve(r) : undefined) },
  { env: 'NETCDF_REFRESH_MS', key: 'netcdfRefreshMs', def: '60000', doc: 'Shortest interval between two rewrites of the NetCDF export (changes meanwhile are gathered); also how soon a standby gateway takes the export over', parse: int(100, 86_400_000) },
];

/** Settings that were replaced: a deployment still setting one must not silently get a different limit. */
const REPLACED: Record<string, string> = {
  SOS_MAX_XML_OBSERVATIONS:
    'the XML GetObservation limit is now a document size, SOS_MAX_XML_BYTES (default 50000000), converted per format into observations (docs/sos.md); unset SOS_MAX_XML_OBSERVATIONS and set SOS_MAX_XML_BYTES if the default does not fit',
};

/** Reads and validates the configuration; throws ConfigError naming the variable on a bad value. */
export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  const cfg: Partial<Record<keyof Config, unknown>> = {};
  for (const [old, msg] of Object.entries(REPLACED)) {
    if (env[old] !== undefined) throw new ConfigError(`${old} is no longer read: ${msg}`);
  }
  for (const s of SETTINGS) {
    const raw = env[s.env] ?? s.def ?? '';
    cfg[s.key] = s.parse(raw, s.env);
  }
  const c = cfg as Config;
  // One set of keys: a key given in both places would have two sets of networks.
  const fromEnv = new Set(c.apiKeys.map((k) => k.digest.toString('hex')));
  if (c.apiKeysFile.some((k) => fromEnv.has(k.digest.toString('hex')))) throw new ConfigError('API_KEYS_FILE repeats a key of API_KEYS');
  c.apiKeys = [...c.apiKeys, ...c.apiKeysFile];
  const out = { ...c, ...overrides };
  resolveScaling(out);
  if (out.ogcapiLimitDefault > out.ogcapiLimitMax) throw new ConfigError(`OGCAPI_LIMIT_DEFAULT (${out.ogcapiLimitDefault}) must not exceed OGCAPI_LIMIT_MAX (${out.ogcapiLimitMax})`);
  return out;
}

/**
 * Settings that depend on the store: the number of workers (the embedded PGlite is single-process, so
 * more than one is refused there, and the default is 1), read replicas (PostgreSQL only), and enough
 * pool connections for every worker to have one (the default is capped by PG_POOL_MAX).
 */
function resolveScaling(cfg: Config): void {
  if (!cfg.databaseUrl) {
    if (cfg.workers > 1) throw new ConfigError(`WORKERS=${cfg.workers} needs PostgreSQL (DATABASE_URL): the embedded PGlite store is single-process, one process may open DATA_DIR; unset WORKERS or set it to 1`);
    if (cfg.readDatabaseUrls.length) throw new ConfigError('READ_DATABASE_URLS needs DATABASE_URL (the primary that the read replicas follow)');
    cfg.workers = 1;
    return;
  }
  // Unset: one per CPU, but never more than the pool can give a connection each (16 CPUs, PG_POOL_MAX 10).
  if (cfg.workers === 0) cfg.workers = Math.min(os.availableParallelism(), cfg.poolMax);
  if (cfg.readDatabaseUrls.includes(cfg.databaseUrl)) throw new ConfigError('READ_DATABASE_URLS must list standbys, not DATABASE_URL itself');
  if (cfg.poolMax < cfg.workers) {
    throw new ConfigError(`PG_POOL_MAX (${cfg.poolMax}) is the connections of all ${cfg.workers} workers together and must be at least WORKERS (${cfg.workers}); raise PG_POOL_MAX or lower WORKERS`);
  }
}
