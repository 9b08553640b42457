import { createHash, timingSafeEqual } from 'node:crypto';
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

/** The key a client presents: `X-API-Key: k` or `Authorization: Bearer k`. */
export function presentedApiKey(headers: IncomingHttpHeaders): string | undefined {
  const x = headers['x-api-key'];
  if (typeof x === 'string' && x.trim()) return x.trim();
  const auth = headers.authorization;
  const m = typeof auth === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(auth) : null;
  return m ? m[1] : undefined;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Constant-time membership test (hashing first makes the lengths equal). */
function keyMatches(presented: string, keys: string[]): boolean {
  const p = digest(presented);
  let ok = false;
  for (const k of keys) ok = timingSafeEqual(p, digest(k)) || ok;
  return ok;
}

/**
 * The authentication hook of write operations. Read operations pass untouched. With API_KEYS empty
 * (the default) writes are disabled: OperationNotSupported. Otherwise the request needs one of the
 * configured keys: 401 when none is presented, 403 when it is wrong.
 */
export function authorizeOperation(operation: string | undefined, headers: IncomingHttpHeaders, apiKeys: string[]): void {
  if (!isWriteOperation(operation)) return;
  if (apiKeys.length === 0) {
    throw new OwsError('OperationNotSupported', 'request', `Operation "${operation}" is disabled on this server (no API keys configured)`);
  }
  const key = presentedApiKey(headers);
  if (key === undefined) {
    throw new OwsError('NoApplicableCode', 'request', `Operation "${operation}" needs an API key (X-API-Key header or Authorization: Bearer)`, {
      status: 401,
      headers: { 'WWW-Authenticate': 'Bearer realm="reefgate"' },
    });
  }
  if (!keyMatches(key, apiKeys)) {
    throw new OwsError('NoApplicableCode', 'request', 'The API key is not valid', { status: 403 });
  }
}
