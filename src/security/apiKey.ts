import { createHash, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { OwsError } from '../ows/errors';

/** Operations that change data or server state (WFS-T, stored query management, SOS transactional profile). */
export const WRITE_OPERATIONS = new Set(
  [
    'Transaction',
    'LockFeature',
    'GetFeatureWithLock',
    'CreateStoredQuery',
    'DropStoredQuery',
    'InsertObservation',
    'InsertSensor',
    'DeleteSensor',
    'UpdateSensorDescription',
    'InsertResultTemplate',
    'InsertResult',
    'InsertFeatureOfInterest',
  ].map((n) => n.toLowerCase()),
);

/** True when an operation name (any case) is a write operation that needs an API key. */
export function isWriteOperation(name: string | undefined): boolean {
  return name !== undefined && WRITE_OPERATIONS.has(name.trim().toLowerCase());
}

/** One configured write key. The key itself never leaves this module's comparison: logs and runs name it by id. */
export interface ApiKey {
  /** First 8 hex digits of the key's SHA-256: names the key in logs and import runs without revealing it. */
  readonly id: string;
  /** Networks (network codes) whose stations, datasets and observations the key may write; null = all. */
  readonly networks: ReadonlySet<string> | null;
  /** SHA-256 of the key, compared in constant time. */
  readonly digest: Buffer;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Keys are bearer tokens (RFC 6750 b64token): no separators of the API_KEYS syntax can occur in them. */
const KEY = /^[A-Za-z0-9._~+/-]+=*$/;

/**
 * Parses API key entries: `KEY` (any network) or `KEY:NET1|NET2` (only those network codes), separated by
 * commas (API_KEYS) or newlines (API_KEYS_FILE, where `#` starts a comment). Throws naming the entry's
 * position, never the key.
 */
export function parseApiKeys(raw: string): ApiKey[] {
  const entries = raw
    .split(/[,\n]/)
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter(Boolean);
  const seen = new Set<string>();
  return entries.map((entry, i) => {
    const colon = entry.indexOf(':');
    const key = (colon < 0 ? entry : entry.slice(0, colon)).trim();
    if (!KEY.test(key)) throw new Error(`API key ${i + 1} may hold only letters, digits and - . _ ~ + / (then =)`);
    if (seen.has(key)) throw new Error(`API key ${i + 1} is given twice`);
    seen.add(key);
    let networks: Set<string> | null = null;
    if (colon >= 0) {
      networks = new Set(entry.slice(colon + 1).split('|').map((n) => n.trim()).filter(Boolean));
      if (networks.size === 0) throw new Error(`API key ${i + 1} has a ":" but no network codes after it`);
    }
    const d = digest(key);
    const k: ApiKey = { id: d.toString('hex').slice(0, 8), networks, digest: d };
    // Whatever logs or serialises the configuration shows the id and networks, not the digest.
    Object.defineProperty(k, 'toJSON', { value: () => ({ id: k.id, networks: networks && [...networks] }) });
    return k;
  });
}

/** Reads API_KEYS_FILE (one entry per line); empty path = no keys. */
export function readApiKeysFile(file: string): ApiKey[] {
  if (!file) return [];
  return parseApiKeys(fs.readFileSync(file, 'utf8'));
}

/** The key a client presents: `X-API-Key: k` or `Authorization: Bearer k`. */
export function presentedApiKey(headers: IncomingHttpHeaders): string | undefined {
  const x = headers['x-api-key'];
  if (typeof x === 'string' && x.trim()) return x.trim();
  const auth = headers.authorization;
  const m = typeof auth === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(auth) : null;
  return m ? m[1] : undefined;
}

/**
 * The configured key equal to the presented one, in constant time: the presented key is hashed (so
 * lengths never differ) and compared with every key, without stopping at a match.
 */
function matchKey(presented: string, keys: readonly ApiKey[]): ApiKey | undefined {
  const p = digest(presented);
  let found: ApiKey | undefined;
  for (const k of keys) if (timingSafeEqual(p, k.digest) && !found) found = k;
  return found;
}

/** Why a write was refused: 401 (no key), 403 (wrong key, or writes disabled). */
export class WriteAuthError extends Error {
  constructor(readonly status: 401 | 403, message: string, readonly disabled = false) {
    super(message);
    this.name = 'WriteAuthError';
  }
}

/** Checks the key of a write request; returns the matched key (with its networks) or throws WriteAuthError. */
export function authenticateWrite(headers: IncomingHttpHeaders, apiKeys: readonly ApiKey[], what: string): ApiKey {
  if (apiKeys.length === 0) throw new WriteAuthError(403, `${what} is disabled on this server (no API keys configured)`, true);
  const key = presentedApiKey(headers);
  if (key === undefined) throw new WriteAuthError(401, `${what} needs an API key (X-API-Key header or Authorization: Bearer)`);
  const match = matchKey(key, apiKeys);
  if (!match) throw new WriteAuthError(403, 'The API key is not valid');
  return match;
}

/** The header a 401 answer carries. */
export const WWW_AUTHENTICATE = 'Bearer realm="reefgate"';

/**
 * The authentication hook of write operations. Read operations pass untouched (undefined). With API_KEYS
 * empty (the default) writes are disabled: OperationNotSupported. Otherwise the request needs one of
 * the configured keys: 401 when none is presented, 403 when it is wrong. Returns the key, whose
 * networks bound what the operation may write.
 */
export function authorizeOperation(operation: string | undefined, headers: IncomingHttpHeaders, apiKeys: readonly ApiKey[]): ApiKey | undefined {
  if (!isWriteOperation(operation)) return undefined;
  try {
    return authenticateWrite(headers, apiKeys, `Operation "${operation}"`);
  } catch (err) {
    if (!(err instanceof WriteAuthError)) throw err;
    if (err.disabled) throw new OwsError('OperationNotSupported', 'request', err.message);
    throw new OwsError('NoApplicableCode', 'request', err.message, err.status === 401 ? { status: 401, headers: { 'WWW-Authenticate': WWW_AUTHENTICATE } } : { status: 403 });
  }
}
