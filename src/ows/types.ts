import type { Config } from '../config/config';
import type { Store } from '../data/store';
import type { Kvp } from '../http/kvp';
import type { XmlElement } from '../http/xml';
import type { Logger } from '../log';
import type { ApiKey } from '../security/apiKey';

/** One OGC request as the operations see it, whatever the binding (KVP GET or XML POST). */
export interface OwsRequest {
  method: 'GET' | 'POST';
  /** Endpoint path it arrived on: 'ows' dispatches on SERVICE, 'wfs'/'sos' accept only their own service. */
  endpoint: 'ows' | 'wfs' | 'sos';
  service: string | undefined;
  request: string | undefined;
  version: string | undefined;
  /** KVP parameters (names lower-cased); empty for POST. */
  kvp: Kvp;
  /** Root element of a POST body. */
  xml?: XmlElement;
}

/** What an operation needs from its surroundings. */
export interface OwsContext {
  config: Config;
  store: Store;
  log: Logger;
  /** Public base URL, no trailing slash (PUBLIC_URL, trusted X-Forwarded-*, or the Host header). */
  baseUrl: string;
  /** Aborted when the client disconnects or the request times out. */
  signal: AbortSignal;
  /** The API key a write operation was authorised with (its networks bound what it may write); undefined for reads. */
  apiKey?: ApiKey;
}

/** Where a streaming response writes; write() resolves once the socket can take more (backpressure). */
export interface Sink {
  write(chunk: string | Buffer): Promise<void>;
  /** Like write(); `released` runs once the socket no longer needs the buffer, so the caller may reuse it. */
  writeReusable?(chunk: Buffer, released: () => void): Promise<void>;
  /** Writes the last chunk and completes the response (a body sent whole gets a Content-Length); nothing may follow. */
  end?(chunk: Buffer, released: () => void): Promise<void>;
  /**
   * A section of the document that is fed now but written later, where place() is called: a sink that
   * gains from it offers it (gzip: the section is compressed while it is fed, in parallel with the rest);
   * absent, the writer holds the text itself. Sections are freed with the response.
   */
  deferred?(): DeferredSection;
  readonly signal: AbortSignal;
}

/** A part of a streamed document fed before its turn (Sink.deferred). */
export interface DeferredSection {
  /** Feeds the section's next text (not awaited: it is compressed, or held, meanwhile). */
  write(text: string): void;
  /** Writes the whole section after everything the sink was given before; nothing more may be fed. */
  place(): Promise<void>;
}

/**
 * Codes of the datasets an answer reads when nothing else can change it (a closed time window, a
 * sensor description): its HTTP validators derive from their catalogue entries (src/http/caching.ts),
 * checked before a stream reads anything. Absent: no validators.
 */
type CacheBasis = { datasets?: string[] };

export type OwsResponse =
  | ({ kind: 'body'; status?: number; contentType: string; headers?: Record<string, string>; body: string | Buffer } & CacheBasis)
  | ({
      kind: 'stream';
      status?: number;
      contentType: string;
      headers?: Record<string, string>;
      /** Writes the document; nothing is sent before the first write, so an early throw still becomes an ExceptionReport. */
      produce: (sink: Sink) => Promise<void>;
    } & CacheBasis);

export type OperationHandler = (req: OwsRequest, ctx: OwsContext) => Promise<OwsResponse>;

/** A service (WFS, SOS) described as data: its versions and its operations per version family. */
export interface ServiceDefinition {
  name: 'WFS' | 'SOS';
  /** Supported versions, highest first. */
  versions: string[];
  /** Root namespaces of POST requests that belong to this service. */
  xmlNamespaces: string[];
  operations: Record<string, OperationHandler>;
  /** Version used for exception reports when the request has none. */
  exceptionVersion(req: OwsRequest): string;
}

/** Convenience: an XML body response. */
export function xmlResponse(body: string, status = 200, headers?: Record<string, string>): OwsResponse {
  return { kind: 'body', status, contentType: 'application/xml; charset=utf-8', body, headers };
}
