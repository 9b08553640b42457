import { invalidParam, missingParam } from '../ows/errors';
import type { OwsContext, OwsRequest, OwsResponse } from '../ows/types';
import { xmlResponse } from '../ows/types';
import { xmlRoot, xmlString } from '../xml/document';
import type { ObservationColumns } from '../ingest/groupWrite';
import type { ImportError } from '../ingest/validate';
import { ResultTemplate, templateById } from './transactional/sql';
import { instant, measure, qcFlag } from './transactional/values';
import { child, mayWriteNetwork, poxRoot, sosWrite, sosWriteObservations, text } from './transactional/write';

/** COPY lines per chunk handed to the writer (requests of more than GROUPED_BLOCKS blocks). */
const CHUNK_LINES = 2000;
/**
 * Up to this many blocks a request is one statement, grouped with others under one commit
 * (src/ingest/groupWrite.ts); beyond, the writer's COPY path (a staging table, datasets recounted).
 */
const GROUPED_BLOCKS = 100_000;

/**
 * InsertResult (SOS 2.0 POX): the bulk path. The resultValues are blocks `time,value[,qc]` in the
 * template's text encoding; every block is checked before anything is written, then all are written in
 * one transaction. A bad block anywhere: InvalidParameterValue naming the block, nothing stored.
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
  const { rows, blocks } = parseBlocks(values.text, t);
  const locate = (e: ImportError) => (e.column === 'dataset_id' ? 'template' : 'resultValues');
  const summary =
    blocks.length <= GROUPED_BLOCKS
      ? await sosWriteObservations(ctx, 'InsertResult', locate, 'block', rows, 'resultValues', blocks)
      : await sosWrite(ctx, 'InsertResult', locate, 'block', async (b) => {
          const stage = b.stage('resultValues');
          await b.copyObservations(stage, chunks(blocks.length, (i) => stage.line(blocks[i], t.datasetId, t.offering, rows.times[i], new Date(rows.times[i]).toISOString(), rows.values[i] === null ? '\\N' : String(rows.values[i]), String(rows.qcs[i]))));
        });
  const res = xmlRoot('sos:InsertResultResponse', ['swes', 'swe']);
  // The counts ride in the response's extension slot for clients that want them (the schema allows any content there).
  res.ele('swes:extension').ele('swe:Count', { definition: 'http://reefgate.org/def/observationsWritten' }).ele('swe:value').txt(String(summary.observations.written));
  return xmlResponse(xmlString(res));
}

/**
 * Splits and checks every block into columns, with each row's block number (1-based, as errors name
 * them); empty blocks (a trailing separator) are skipped. One pass with indexOf, no array of all blocks.
 */
function parseBlocks(raw: string, t: ResultTemplate): { rows: ObservationColumns; blocks: number[] } {
  const rows: ObservationColumns = { datasetIds: [], times: [], values: [], qcs: [] };
  const blocks: number[] = [];
  const tokens = t.withQc ? 3 : 2;
  const at = 'resultValues';
  const sep = t.blockSeparator;
  for (let start = 0, n = 1; ; n++) {
    const found = raw.indexOf(sep, start);
    const b = raw.slice(start, found < 0 ? raw.length : found).trim();
    if (b !== '') {
      const f = b.split(t.tokenSeparator);
      if (f.length !== tokens && !(t.withQc && f.length === 2)) throw invalidParam(at, `block ${n}: expected ${tokens} tokens (time, value${t.withQc ? ', qc' : ''}), found ${f.length}; nothing was stored`);
      try {
        const v = f[1].trim();
        rows.times.push(instant(f[0].trim(), at));
        rows.values.push(measure(t.decimalSeparator === '.' ? v : v.replace(t.decimalSeparator, '.'), at));
        rows.qcs.push(qcFlag(f[2]?.trim(), at));
      } catch (err) {
        throw invalidParam(at, `block ${n}: ${(err as Error).message}; nothing was stored`);
      }
      rows.datasetIds.push(t.datasetId);
      blocks.push(n);
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
