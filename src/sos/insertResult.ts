import { invalidParam, missingParam } from '../ows/errors';
import type { OwsContext, OwsRequest, OwsResponse } from '../ows/types';
import { xmlResponse } from '../ows/types';
import { xmlRoot, xmlString } from '../xml/document';
import { ResultTemplate, templateById, TemplateValue, templateValues } from './transactional/sql';
import { instant, measure, qcFlag } from './transactional/values';
import { child, mayWriteNetwork, poxRoot, sosWrite, text } from './transactional/write';

/** COPY lines per chunk handed to the writer. */
const CHUNK_LINES = 2000;

/**
 * InsertResult (SOS 2.0 POX): the bulk path. The resultValues are blocks `time,value[,qc]` in the
 * template's text encoding; every block is checked before anything is written, then all go through the
 * writer's COPY path in one transaction. A bad block anywhere: InvalidParameterValue naming the block,
 * nothing stored. A template of several values (time, v1[, qc1], v2[, qc2]…) splits each block into its
 * datasets, one row each, in the same one run.
 */
export async function insertResult(req: OwsRequest, ctx: OwsContext): Promise<OwsResponse> {
  const root = poxRoot(req, 'InsertResult');
  const id = text(child(root, 'template'));
  if (!id) throw missingParam('template');
  const values = child(root, 'resultValues');
  if (!values) throw missingParam('resultValues');
  const t = await templateById(ctx.store, id);
  if (!t) throw invalidParam('template', `Result template "${id}" does not exist (insert it with InsertResultTemplate; it goes with its sensor)`);
  mayWriteNetwork(ctx, t.network, 'template', `Offering "${t.offering}"`);
  if (t.valueCount > 1) return insertRecords(ctx, t, values.text);
  const lines = copyLines(values.text, t);
  const summary = await sosWrite(ctx, 'InsertResult', (e) => (e.column === 'dataset_id' ? 'template' : 'resultValues'), 'block', async (b) => {
    const stage = b.stage('resultValues');
    await b.copyObservations(stage, chunks(lines, (l) => stage.line(l.n, t.datasetId, t.offering, l.t, l.iso, l.value, l.qc)));
  });
  return response(summary.observations.written);
}

/** The response, with the number of observations written. */
function response(written: number): OwsResponse {
  const res = xmlRoot('sos:InsertResultResponse', ['swes', 'swe']);
  // The counts ride in the response's extension slot for clients that want them (the schema allows any content there).
  res.ele('swes:extension').ele('swe:Count', { definition: 'http://reefgate.org/def/observationsWritten' }).ele('swe:value').txt(String(written));
  return xmlResponse(xmlString(res));
}

/** InsertResult through a template of several values: every block checked, then one row per value through the one COPY. */
async function insertRecords(ctx: OwsContext, t: ResultTemplate, raw: string): Promise<OwsResponse> {
  const values = await templateValues(ctx.store, t.id);
  // A dataset of the template removed since (its rows cascade): the blocks no longer say where each value goes.
  if (values.length !== t.valueCount) throw invalidParam('template', `Result template "${t.id}" names an offering that no longer exists; insert the template again`);
  for (const v of values) mayWriteNetwork(ctx, v.network, 'template', `Offering "${v.offering}"`);
  const rows = recordLines(raw, t, values);
  const summary = await sosWrite(ctx, 'InsertResult', (e) => (e.column === 'dataset_id' ? 'template' : 'resultValues'), 'block', async (b) => {
    const stage = b.stage('resultValues');
    await b.copyObservations(stage, chunks(rows, (r) => stage.line(r.n, r.datasetId, r.offering, r.t, r.iso, r.value, r.qc)));
  });
  return response(summary.observations.written);
}

interface Block {
  n: number;
  t: number;
  iso: string;
  value: string;
  qc: string;
}

/** Splits and checks every block (1-based numbers in errors); empty blocks (a trailing separator) are skipped. */
function copyLines(raw: string, t: ResultTemplate): Block[] {
  const out: Block[] = [];
  const tokens = t.withQc ? 3 : 2;
  raw.split(t.blockSeparator).forEach((block, i) => {
    const b = block.trim();
    if (b === '') return;
    const at = `resultValues`;
    const where = `block ${i + 1}`;
    const f = b.split(t.tokenSeparator).map((s) => s.trim());
    if (f.length !== tokens && !(t.withQc && f.length === 2)) throw invalidParam(at, `${where}: expected ${tokens} tokens (time, value${t.withQc ? ', qc' : ''}), found ${f.length}; nothing was stored`);
    try {
      const time = instant(f[0], at);
      const value = measure(t.decimalSeparator === '.' ? f[1] : f[1].replace(t.decimalSeparator, '.'), at);
      const qc = qcFlag(f[2], at);
      out.push({ n: i + 1, t: time, iso: new Date(time).toISOString(), value: value === null ? '\\N' : String(value), qc: String(qc) });
    } catch (err) {
      throw invalidParam(at, `${where}: ${(err as Error).message}; nothing was stored`);
    }
  });
  if (!out.length) throw invalidParam('resultValues', 'resultValues holds no block');
  return out;
}

interface RecordRow extends Block {
  datasetId: number;
  offering: string;
}

/**
 * Splits and checks every block of a several-value template into one row per value (1-based block
 * numbers in errors, as copyLines; empty blocks skipped). Each value token is read as the single-value
 * path reads it: empty or NaN is a missing value, stored as null; an empty qc is 0.
 */
function recordLines(raw: string, t: ResultTemplate, values: TemplateValue[]): RecordRow[] {
  const out: RecordRow[] = [];
  const tokens = 1 + values.reduce((n, v) => n + (v.withQc ? 2 : 1), 0);
  const names = ['time', ...values.flatMap((v) => (v.withQc ? [v.offering, `${v.offering} qc`] : [v.offering]))].join(', ');
  const at = 'resultValues';
  raw.split(t.blockSeparator).forEach((block, i) => {
    const b = block.trim();
    if (b === '') return;
    const where = `block ${i + 1}`;
    const f = b.split(t.tokenSeparator).map((s) => s.trim());
    if (f.length !== tokens) throw invalidParam(at, `${where}: expected ${tokens} tokens (${names}), found ${f.length}; nothing was stored`);
    try {
      const time = instant(f[0], at);
      const iso = new Date(time).toISOString();
      let k = 1;
      for (const v of values) {
        const value = measure(t.decimalSeparator === '.' ? f[k] : f[k].replace(t.decimalSeparator, '.'), at);
        const qc = qcFlag(v.withQc ? f[k + 1] : undefined, at);
        k += v.withQc ? 2 : 1;
        out.push({ n: i + 1, datasetId: v.datasetId, offering: v.offering, t: time, iso, value: value === null ? '\\N' : String(value), qc: String(qc) });
      }
    } catch (err) {
      throw invalidParam(at, `${where}: ${(err as Error).message}; nothing was stored`);
    }
  });
  if (!out.length) throw invalidParam('resultValues', 'resultValues holds no block');
  return out;
}

async function* chunks<T>(items: T[], line: (x: T) => string): AsyncIterable<string> {
  for (let i = 0; i < items.length; i += CHUNK_LINES) yield items.slice(i, i + CHUNK_LINES).map(line).join('');
}
