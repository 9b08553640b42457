import { invalidParam, missingParam } from '../ows/errors';
import type { OwsContext, OwsRequest, OwsResponse } from '../ows/types';
import { xmlResponse } from '../ows/types';
import { xmlRoot, xmlString } from '../xml/document';
import { ResultTemplate, templateById } from './transactional/sql';
import { instant, measure, qcFlag } from './transactional/values';
import { child, mayWriteNetwork, poxRoot, sosWrite, text } from './transactional/write';

/** COPY lines per chunk handed to the writer. */
const CHUNK_LINES = 2000;

/**
 * InsertResult (SOS 2.0 POX): the bulk path. The resultValues are blocks `time,value[,qc]` in the
 * template's text encoding; every block is checked before anything is written, then all go through the
 * writer's COPY path in one transaction. A bad block anywhere: InvalidParameterValue naming the block,
 * nothing stored.
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
  const lines = copyLines(values.text, t);
  const summary = await sosWrite(ctx, 'InsertResult', (e) => (e.column === 'dataset_id' ? 'template' : 'resultValues'), 'block', async (b) => {
    const stage = b.stage('resultValues');
    await b.copyObservations(stage, chunks(lines, (l) => stage.line(l.n, t.datasetId, t.offering, l.t, l.iso, l.value, l.qc)));
  });
  const res = xmlRoot('sos:InsertResultResponse', ['swes', 'swe']);
  // The counts ride in the response's extension slot for clients that want them (the schema allows any content there).
  res.ele('swes:extension').ele('swe:Count', { definition: 'http://reefgate.org/def/observationsWritten' }).ele('swe:value').txt(String(summary.observations.written));
  return xmlResponse(xmlString(res));
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

async function* chunks<T>(items: T[], line: (x: T) => string): AsyncIterable<string> {
  for (let i = 0; i < items.length; i += CHUNK_LINES) yield items.slice(i, i + CHUNK_LINES).map(line).join('');
}
