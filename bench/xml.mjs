// Event-loop block of hostile XML bodies: the synchronous cost of parseXml (pre-scan, validator,
// parser, tree) on 1 MiB bodies built to be cheap to send and expensive to parse. parseXml runs on
// the event loop, so its duration is how long every other request waits.
// Usage: npm run build && node bench/xml.mjs [runs]
import { performance } from 'node:perf_hooks';
import { parseXml } from '../dist/src/http/xml.js';

const MiB = 1024 * 1024;
const runs = Number(process.argv[2] ?? 5);
const wrap = (inner) => `<wfs:GetFeature service="WFS" version="2.0.0" xmlns:wfs="http://www.opengis.net/wfs/2.0">${inner}</wfs:GetFeature>`;
const fill = (unit, budget = MiB - 200) => unit.repeat(Math.floor(budget / unit.length));

const bodies = {
  'empty elements (<a/> x ~260k)': wrap(fill('<a/>')),
  'attributes on one element (60k)': wrap(`<a ${Array.from({ length: 60_000 }, (_, i) => `attr${i}="${i}"`).join(' ')}/>`),
  'attributes spread (<a b="1" c="1" d="1"/> x ~45k)': wrap(fill('<a b="1" c="1" d="1"/>')),
  'deep nesting (<a> x 100k, unclosed)': wrap('<a>'.repeat(100_000)),
  'malformed: ~350k unclosed tags (no root close)': '<a>'.repeat(Math.floor((MiB - 200) / 3)),
  'malformed: 60 unclosed tags with 16 KiB names': Array.from({ length: 60 }, (_, i) => `<${'n'.repeat(16 * 1024)}${i}>`).join(''),
  'malformed: 60 unclosed tags with 250-character names': Array.from({ length: 60 }, (_, i) => `<${'n'.repeat(250)}${i}>`).join(''),
  'accepted worst case: 1,990 elements, 3,980 attributes': wrap('<a b="1" c="1"/>'.repeat(1990)),
  'accepted: 1,990 elements with 500 B of text each': wrap(`<a b="1" c="1">${'t'.repeat(500)}</a>`.repeat(1990)),
  'baseline: a 1 KiB GetFeature': wrap('<wfs:Query typeNames="reef:Station" xmlns:reef="urn:reef"/>'.padEnd(1024, ' ')),
};

console.log(`| Body | Bytes | Block (median of ${runs}) | Max | Answer |`);
console.log('|---|---|---|---|---|');
for (const [name, body] of Object.entries(bodies)) {
  const times = [];
  let answer = '';
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    try {
      parseXml(body, { maxDepth: 64 });
      answer = 'parsed';
    } catch (err) {
      answer = `${err.code ?? err.name}: ${String(err.message).slice(0, 90)} (${String(err.message).length} chars)`;
    }
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log(`| ${name} | ${body.length} | ${times[Math.floor(runs / 2)].toFixed(1)} ms | ${times[runs - 1].toFixed(1)} ms | ${answer} |`);
}
