import type { Config } from '../config/config';
import type { Store } from '../data/store';
import type { Logger } from '../log';
import type { QueryParams } from './request';

/** What a resource handler gets: the request as read against the route table, and its surroundings. */
export interface ApiContext {
  config: Config;
  /** Request-scoped store (cancelled with the request). */
  store: Store;
  log: Logger;
  /** Public base URL of the gateway, no trailing slash. */
  baseUrl: string;
  /** API root (baseUrl + OGCAPI_BASE_PATH). */
  root: string;
  signal: AbortSignal;
  /** Query parameters, already checked against the route's list. */
  query: QueryParams;
  /** The Accept header, if any. */
  accept: string | undefined;
  /** Path parameters by name (collectionId, featureId). */
  path: Record<string, string>;
}
