#!/usr/bin/env node
// InsertResult through a result template whose record holds two values (time,TEMP,qc,PSAL,qc: one
// block, two observations), beside the single-value template (time,PRES,qc) of the same sensor, on one
// gateway and a scratch database this script creates and drops. Both send OBS observations in requests
// of 10,000 observations (5,000 two-value blocks / 10,000 one-value blocks), one after the other.
// CPU per 10,000 observations: user+system time (/proc/<pid>/stat) of the gateway and of the
// PostgreSQL backends of the bench database, over each path; the load average is printed beside.
//
//   npm run build && node bench/sos-t-record.mjs [--obs 200000] [--server postgres://root@127.0.0.1:5432]
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { arg, cpuSeconds, loadavg, ROOT } from './lib/script.mjs';
import { childEnv, freePort, pgServer, startGateway, stopGateway } from './lib/gateway.mjs';

const SERVER = arg('server', 'postgres://root@127.0.0.1:5432');
const OBS = Number(arg('obs', '200000'));
const PER_REQUEST = 10_000;
const KEY = 'bench-sos-t-record-key-0123456789';
const CF = 'http://vocab.nerc.ac.uk/standard_name/';
const P = { TEMP: [`${CF}sea_water_temperature/`, 'Cel'], PSAL: [`${CF}sea_water_practical_salinity/`, '1'], PRES: [`${CF}sea_water_pressure/`, 'dbar'] };
const NS = 'xmlns:sos="http://www.opengis.net/sos/2.0" xmlns:swes="http://www.opengis.net/swes/2.0" xmlns:swe="http://www.opengis.net/swe/2.0" xmlns:sml="http://www.opengis.net/sensorml/2.0" xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:om="http://www.opengis.net/om/2.0" xmlns:xlink="http://www.w3.org/1999/xlink"';
const PROC = 'BENCH_REC01_SBE37';

const { psql, freshDb } = pgServer(SERVER);
const snapshot = (db, pid) => ({ node: cpuSeconds(pid), pg: new Map(psql('postgres', `SELECT pid FROM pg_stat_activity WHERE datname = '${db}' AND pid <> pg_backend_pid()`).split('\n').filter(Boolean).map((p) => [p, cpuSeconds(p)])) });
const delta = (a, b) => ({ node: b.node - a.node, pg: [...b.pg].reduce((s, [p, c]) => s + c - (a.pg.get(p) ?? 0), 0) });

const db = `rg_sost_rec_${process.pid}`;
const url = freshDb(db);
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
// One process: its CPU is read from its pid (with several WORKERS the measured pid would be the idle supervisor).
const env = childEnv({ DATABASE_URL: url, PORT: String(port), HOST: '127.0.0.1', API_KEYS: KEY, WORKERS: '1' });
const m = spawnSync(process.execPath, [path.join(ROOT, 'bin/reefgate.js'), 'migrate'], { env, cwd: ROOT, encoding: 'utf8' });
if (m.status !== 0) throw new Error(m.stderr);
const gw = await startGateway({ base, env, cwd: ROOT });
const post = async (xml) => {
  const r = await fetch(`${base}/sos`, { method: 'POST', headers: { 'content-type': 'application/xml', 'x-api-key': KEY }, body: xml });
  const body = await r.text();
  if (r.status !== 200) throw new Error(`${r.status}: ${body.slice(0, 500)}`);
  return body;
};
const quantity = (name) => `<swe:field name="${name}"><swe:Quantity definition="${P[name][0]}"><swe:uom code="${P[name][1]}"/></swe:Quantity></swe:field><swe:field name="${name}_qc"><swe:Category definition="http://reefgate.org/def/qc"/></swe:field>`;
const template = (id, names) => `<sos:InsertResultTemplate ${NS} service="SOS" version="2.0.0"><sos:proposedTemplate><sos:ResultTemplate><swes:identifier>${id}</swes:identifier><sos:offering>${PROC}_TEMP</sos:offering>
  <sos:observationTemplate><om:OM_Observation gml:id="t"><om:phenomenonTime nilReason="template"/><om:resultTime nilReason="template"/><om:procedure xlink:href="${PROC}"/><om:observedProperty xlink:href="${P[names[0]][0]}"/><om:featureOfInterest nilReason="template"/><om:result/></om:OM_Observation></sos:observationTemplate>
  <sos:resultStructure><swe:DataRecord><swe:field name="time"><swe:Time definition="http://www.opengis.net/def/property/OGC/0/PhenomenonTime"><swe:uom xlink:href="http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"/></swe:Time></swe:field>${names.map(quantity).join('')}</swe:DataRecord></sos:resultStructure>
  <sos:resultEncoding><swe:TextEncoding tokenSeparator="," blockSeparator="@@"/></sos:resultEncoding></sos:ResultTemplate></sos:proposedTemplate></sos:InsertResultTemplate>`;
const T0 = Date.UTC(2020, 0, 1);
const block = (i, values) => `${new Date(T0 + i * 60_000).toISOString()},${values.map((v) => `${v},1`).join(',')}`;

/** Sends `obs` observations as blocks of `values` values through template `id`; CPU and wall. */
async function measure(id, values) {
  const blocks = OBS / values;
  const perRequest = PER_REQUEST / values;
  const load0 = loadavg();
  const c0 = snapshot(db, gw.pid);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < blocks; i += perRequest) {
    const lines = [];
    for (let j = i; j < Math.min(blocks, i + perRequest); j++) lines.push(block(j, Array.from({ length: values }, (_, k) => (20 + k * 15 + (j % 100) / 100).toFixed(3))));
    await post(`<sos:InsertResult ${NS} service="SOS" version="2.0.0"><sos:template>${id}</sos:template><sos:resultValues>${lines.join('@@')}</sos:resultValues></sos:InsertResult>`);
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = delta(c0, snapshot(db, gw.pid));
  const n = OBS / 10_000;
  return `${OBS.toLocaleString('en')} obs in ${wall.toFixed(1)} s wall (${Math.round(OBS / wall).toLocaleString('en')} obs/s); CPU per 10,000 obs: node ${((c.node / n) * 1000).toFixed(0)} ms + PostgreSQL ${((c.pg / n) * 1000).toFixed(0)} ms; load ${load0} → ${loadavg()}`;
}

try {
  const sml = `<sml:PhysicalSystem gml:id="s"><gml:identifier codeSpace="uniqueID">${PROC}</gml:identifier>
    <sml:capabilities name="c"><sml:CapabilityList><sml:capability name="foi"><swe:Text definition="http://www.opengis.net/def/featureOfInterest/identifier"><swe:value>BENCH_REC01</swe:value></swe:Text></sml:capability>
    <sml:capability name="net"><swe:Text definition="http://reefgate.org/def/network"><swe:value>Bench</swe:value></swe:Text></sml:capability></sml:CapabilityList></sml:capabilities>
    <sml:outputs><sml:OutputList>${Object.keys(P).map((k) => `<sml:output name="${k}"><swe:Quantity definition="${P[k][0]}"><swe:uom code="${P[k][1]}"/></swe:Quantity></sml:output>`).join('')}</sml:OutputList></sml:outputs>
    <sml:position><swe:Vector><swe:coordinate name="latitude"><swe:Quantity><swe:uom code="deg"/><swe:value>-20</swe:value></swe:Quantity></swe:coordinate><swe:coordinate name="longitude"><swe:Quantity><swe:uom code="deg"/><swe:value>166</swe:value></swe:Quantity></swe:coordinate></swe:Vector></sml:position></sml:PhysicalSystem>`;
  await post(`<swes:InsertSensor ${NS} service="SOS" version="2.0.0"><swes:procedureDescriptionFormat>http://www.opengis.net/sensorml/2.0</swes:procedureDescriptionFormat><swes:procedureDescription>${sml}</swes:procedureDescription>${Object.values(P).map(([u]) => `<swes:observableProperty>${u}</swes:observableProperty>`).join('')}<swes:metadata><sos:SosInsertionMetadata><sos:observationType>http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement</sos:observationType><sos:featureOfInterestType>http://www.opengis.net/def/samplingFeatureType/OGC-OM/2.0/SF_SamplingPoint</sos:featureOfInterestType></sos:SosInsertionMetadata></swes:metadata></swes:InsertSensor>`);
  await post(template('rec2', ['TEMP', 'PSAL']));
  await post(template('rec1', ['PRES']));
  console.log(`${os.cpus().length} cores; requests of ${PER_REQUEST.toLocaleString('en')} observations, one after another\n`);
  console.log('| template | figure |\n|---|---|');
  console.log(`| one value (time,PRES,qc) | ${await measure('rec1', 1)} |`);
  console.log(`| two values (time,TEMP,qc,PSAL,qc) | ${await measure('rec2', 2)} |`);
  const stored = psql(db, 'SELECT count(*) FROM observation');
  if (Number(stored) !== 2 * OBS) throw new Error(`stored ${stored}, expected ${2 * OBS}`);
} finally {
  await stopGateway(gw);
  psql('postgres', `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
}
