import type { ObservationColumns } from '../ingest/groupWrite';
import type { ImportError } from '../ingest/validate';
import { invalidParam, missingParam } from '../ows/errors';
import type { OwsContext, OwsRequest, OwsResponse } from '../ows/types';
import { xmlResponse } from '../ows/types';
import { xmlRoot, xmlString } from '../xml/document';
import { ResultTemplate, templateById, TemplateValue, templateValues } from './transactional/sql';
import { instant, measure, qcFlag } from './transactional/values';
import { child, mayWriteNetwork, poxRoot, sosWrite, sosWriteObservations, text } from './transactional/write';

/** COPY lines per chunk handed to the writer (requests of more than GROUPED_ROWS rows). */
const CHUNK_LINES = 2000;
/**
 * Up to this many rows a request is one statement, grouped with others under one commit
 * (src/ingest/groupWrite.ts); beyond, the writer's COPY path (a staging table, datasets recounted).
 */
const GROUPED_ROWS = 100_000;

/**
 * InsertResult (SOS 2.0 POX): the bulk path. The resultValues are blocks `time,value[,qc]` in the
 * template's text encoding; every block is checked before anything is written, then all are written in
 * one run. A bad block anywhere: InvalidParameterValue naming the block, nothing stored. A template of
 * several values (time, v1[, qc1], v2[, qc2]…) splits each block into its datasets, one row each, in
 * the same one run.
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
  let fields: TemplateValue[] = [{ datasetId: t.datasetId, offering: t.offering, network: t.network, withQc: t.withQc }];
  if (t.valueCount > 1) {
    fields = await templateValues(ctx.store, t.id);
    // A dataset of the template removed since (its rows cascade): the blocks no longer say where each value goes.
    if (fields.length !== t.valueCount) throw invalidParam('template', `Result template "${t.id}" names an offering that no longer exists; insert the template again`);
    for (const v of fields) mayWriteNetwork(ctx, v.network, 'template', `Offering "${v.offering}"`);
  }
  const { rows, blocks } = parseBlocks(values.text, t, fields);
  const locate = (e: ImportError) => (e.column === 'dataset_id' ? 'template' : 'resultValues');
  const summary =
    blocks.length <= GROUPED_ROWS
      ? await sosWriteObservations(ctx, 'InsertResult', locate, 'block', rows, 'resultValues', blocks)
      : await sosWrite(ctx, 'InsertResult', locate, 'block', async (b) => {
          const stage = b.stage('resultValues');
          const code = new Map(fields.map((v) => [v.datasetId, v.offering]));
          await b.copyObservations(
            stage,
            chunks(blocks.length, (i) => stage.line(blocks[i], rows.datasetIds[i], code.get(rows.datasetIds[i])!, rows.times[i], new Date(rows.times[i]).toISOString(), rows.values[i] === null ? '\\N' : String(rows.values[i]), String(rows.qcs[i]))),
          );
        });
  const res = xmlRoot('sos:InsertResultResponse', ['swes', 'swe']);
  // The counts ride in the response's extension slot for clients that want them (the schema allows any content there).
  res.ele('swes:extension').ele('swe:Count', { definition: 'http://reefgate.org/def/observationsWritten' }).ele('swe:value').txt(String(summary.observations.written));
  return xmlResponse(xmlString(res));
}

/**
 * Splits and checks every block into columns, one row per value of the template, with each row's block
 * number (1-based, as errors name them); empty blocks (a trailing separator) are skipped. One pass with
 * indexOf, no array of all blocks. Each value token: empty or NaN is a missing value (null); an absent
 * or empty qc is 0. A single-value template also takes blocks without their qc.
 */
function parseBlocks(raw: string, t: ResultTemplate, fields: TemplateValue[]): { rows: ObservationColumns; blocks: number[] } {
  const rows: ObservationColumns = { datasetIds: [], times: [], values: [], qcs: [] };
  const blocks: number[] = [];
  const tokens = 1 + fields.reduce((n, v) => n + (v.withQc ? 2 : 1), 0);
  const single = fields.length === 1;
  const names = single ? `time, value${t.withQc ? ', qc' : ''}` : ['time', ...fields.flatMap((v) => (v.withQc ? [v.offering, `${v.offering} qc`] : [v.offering]))].join(', ');
  const at = 'resultValues';
  const sep = t.blockSeparator;
  for (let start = 0, n = 1; ; n++) {
    const found = raw.indexOf(sep, start);
    const b = raw.slice(start, found < 0 ? raw.length : found).trim();
    if (b !== '') {
      const f = b.split(t.tokenSeparator);
      if (f.length !== tokens && !(single && t.withQc && f.length === 2)) throw invalidParam(at, `block ${n}: expected ${tokens} tokens (${names}), found ${f.length}; nothing was stored`);
      try {
        const time = instant(f[0].trim(), at);
        let k = 1;
        for (const v of fields) {
          const value = f[k].trim();
          rows.datasetIds.push(v.datasetId);
          rows.times.push(time);
          rows.values.push(measure(t.decimalSeparator === '.' ? value : value.replace(t.decimalSeparator, '.'), at));
          rows.qcs.push(qcFlag(v.withQc ? f[k + 1]?.trim() : undefined, at));
          blocks.push(n);
          k += v.withQc ? 2 : 1;
        }
      } catch (err) {
        throw invalidParam(at, `block ${n}: ${(err as Error).message}; nothing was stored`);
      }
    }
    if (found < 0) break;
    start = found + sep.length;
  }
  if (!blocks.length) throw invalidParam('resultValues', 'resultValues holds no block');
  return { rows, blocks };
}

async function* chunks(n: number, line: (i: number) => string): AsyncIterable<string> {
  for (let i = 0; i < n; i += CHUNK_LINES) {
    let out = '';
    for (let j = i; j < Math.min(n, i + CHUNK_LINES); j++) out += line(j);
    yield out;
  }
}
