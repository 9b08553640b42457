import type { XmlElement } from '../../http/xml';
import { ObservationColumns, writeObservations } from '../../ingest/groupWrite';
import { ingest, IngestBatch, IngestSource, IngestSummary } from '../../ingest/writer';
import { ImportError, ImportForbiddenError } from '../../ingest/validate';
import { OwsError } from '../../ows/errors';
import type { OwsContext, OwsRequest } from '../../ows/types';
import { NS } from '../../xml/namespaces';
import { requireVersion } from '../params';

/*
 * What the SOS 2.0 transactional operations share: reading their POX documents, and running their
 * writes through the one write path (src/ingest/writer.ts) with the request's API key, turning the
 * writer's row errors into OGC exceptions.
 */

/** The request's XML root, required to be `local`: the operation has no KVP binding (SOS 2.0 defines KVP for reads and DeleteSensor only). */
export function poxRoot(req: OwsRequest, local: string): XmlElement {
  requireVersion(req, ['2.0.0']);
  if (!req.xml) throw new OwsError('OperationNotSupported', 'request', `${local} is accepted as an XML document (POST) only`);
  if (req.xml.local !== local) throw new OwsError('InvalidRequest', 'request', `Expected a ${local} document, found ${req.xml.qname}`);
  return req.xml;
}

/** Direct children with this local name. */
export function children(el: XmlElement, local: string): XmlElement[] {
  return el.children.filter((c) => c.local === local);
}

/** The first direct child with this local name. */
export function child(el: XmlElement | undefined, local: string): XmlElement | undefined {
  return el?.children.find((c) => c.local === local);
}

/** Every descendant with this local name, in document order. */
export function descendants(el: XmlElement, local: string, out: XmlElement[] = []): XmlElement[] {
  for (const c of el.children) {
    if (c.local === local) out.push(c);
    descendants(c, local, out);
  }
  return out;
}

/** An element's xlink:href. */
export function href(el: XmlElement | undefined): string | undefined {
  return el?.attrs[`{${NS.xlink}}href`]?.trim() || undefined;
}

/** An element's own text, trimmed. */
export function text(el: XmlElement | undefined): string {
  return el?.text.trim() ?? '';
}

/**
 * Runs one write request in one transaction as `SOS <operation> (key <id>)`, limited to the key's
 * networks. A row the writer refuses (its `unit` and number, e.g. "block 3", lead the message) becomes InvalidParameterValue at `locate(err)` (or, outside the
 * key's networks, a 403), with nothing stored.
 */
export async function sosWrite(ctx: OwsContext, operation: string, locate: (err: ImportError) => string, unit: string | undefined, work: (b: IngestBatch) => Promise<void>): Promise<IngestSummary> {
  return sosRun(ctx, operation, locate, unit, (source) => ingest(ctx.store, source, work));
}

/**
 * As sosWrite, for observations only (InsertObservation, InsertResult): one statement, grouped with
 * other requests under one commit (src/ingest/groupWrite.ts). Errors name lines[row] (default row + 1).
 */
export async function sosWriteObservations(ctx: OwsContext, operation: string, locate: (err: ImportError) => string, unit: string | undefined, rows: ObservationColumns, file: string, lines?: number[]): Promise<IngestSummary> {
  return sosRun(ctx, operation, locate, unit, (source) => writeObservations(ctx.store, source, rows, file, lines));
}

async function sosRun(ctx: OwsContext, operation: string, locate: (err: ImportError) => string, unit: string | undefined, write: (source: IngestSource) => Promise<IngestSummary>): Promise<IngestSummary> {
  const key = ctx.apiKey;
  const source = { description: `SOS ${operation}${key ? ` (key ${key.id})` : ''}`, networks: key?.networks ?? undefined };
  try {
    return await write(source);
  } catch (err) {
    if (!(err instanceof ImportError)) throw err;
    // Line 0: the error concerns no one row or block (a dataset deleted meanwhile).
    const message = `${unit && err.line ? `${unit} ${err.line}: ` : ''}${err.reason}; nothing was stored`;
    if (err instanceof ImportForbiddenError) throw new OwsError('NoApplicableCode', locate(err), message, { status: 403 });
    throw new OwsError('InvalidParameterValue', locate(err), message);
  }
}

/** Refuses a write to a network the key may not write (403, before anything is written). */
export function mayWriteNetwork(ctx: OwsContext, network: string, locator: string, what: string): void {
  const nets = ctx.apiKey?.networks;
  if (nets && !nets.has(network)) throw new OwsError('NoApplicableCode', locator, `${what} belongs to network "${network}", which this API key may not write`, { status: 403 });
}
