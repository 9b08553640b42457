import type { XmlElement } from '../http/xml';
import type { ObservationColumns } from '../ingest/groupWrite';
import type { ObservationInput } from '../ingest/writer';
import { invalidParam, missingParam } from '../ows/errors';
import type { OwsContext, OwsRequest, OwsResponse } from '../ows/types';
import { xmlResponse } from '../ows/types';
import { NS } from '../xml/namespaces';
import { xmlRoot, xmlString } from '../xml/document';
import { pickDataset } from './transactional/route';
import type { AddressedDataset } from './transactional/sql';
import { targetDatasets } from './transactional/targets';
import { instant, measure, qcFlag } from './transactional/values';
import { child, children, descendants, href, mayWriteNetwork, poxRoot, sosWriteObservations, text } from './transactional/write';

/** The one observation type InsertObservation takes: a number with a unit. */
export const OM_MEASUREMENT = 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement';

/**
 * InsertObservation (SOS 2.0 POX): OM_Measurement observations (several per request) into the datasets
 * their offerings address, in one transaction: the dataset an offering names, or another of its sensor
 * when the observation's observedProperty says so (src/sos/transactional/route.ts). Each observation's
 * procedure, observedProperty, featureOfInterest and result unit, when given, must be those of its dataset. Re-sending is harmless;
 * a different value or qc for a stored time is a recorded correction (src/ingest/writer.ts).
 */
export async function insertObservation(req: OwsRequest, ctx: OwsContext): Promise<OwsResponse> {
  const root = poxRoot(req, 'InsertObservation');
  const offerings = children(root, 'offering').map(text).filter(Boolean);
  if (!offerings.length) throw missingParam('offering');
  const observations = children(root, 'observation').map((o) => child(o, 'OM_Observation'));
  if (!observations.length) throw missingParam('observation');
  const datasets = await targetDatasets(ctx.store, offerings);
  const unknown = offerings.find((o) => !datasets.has(o));
  if (unknown) throw invalidParam('offering', `Offering "${unknown}" does not exist (never inserted, or its sensor was deleted)`);
  for (const g of datasets.values()) for (const d of g) mayWriteNetwork(ctx, d.network, 'offering', `Offering "${d.code}"`);
  const times = timeInstants(root);
  const rows: ObservationColumns = { datasetIds: [], times: [], values: [], qcs: [] };
  observations.forEach((o, i) => {
    const r = observationRow(o, `observation[${i + 1}]`, datasets, times);
    rows.datasetIds.push(r.datasetId);
    rows.times.push(r.time);
    rows.values.push(r.value);
    rows.qcs.push(r.qc);
  });
  await sosWriteObservations(ctx, 'InsertObservation', (e) => (e.column === 'dataset_id' ? 'offering' : `observation[${e.line}]/${e.column === 'time' ? 'phenomenonTime' : e.column}`), undefined, rows, 'observation');
  return xmlResponse((response ??= xmlString(xmlRoot('sos:InsertObservationResponse', []))));
}

/** The response, always the same document: built once (a client sending one observation per request would otherwise pay the XML builder each time). */
let response: string | undefined;

/** gml:TimeInstant positions by gml:id: observations may point at another's phenomenonTime (`xlink:href="#id"`). */
function timeInstants(root: XmlElement): Map<string, string> {
  const out = new Map<string, string>();
  for (const ti of descendants(root, 'TimeInstant')) {
    const id = ti.attrs[`{${NS.gml}}id`];
    if (id) out.set(id, text(child(ti, 'timePosition')));
  }
  return out;
}

function observationRow(o: XmlElement | undefined, at: string, datasets: Map<string, AddressedDataset[]>, times: Map<string, string>): ObservationInput {
  if (!o) throw invalidParam(at, 'sos:observation must hold an om:OM_Observation');
  const type = href(child(o, 'type'));
  if (type && type !== OM_MEASUREMENT) throw invalidParam(`${at}/type`, `Observation type "${type}" is not supported; use ${OM_MEASUREMENT}`);
  const procedure = href(child(o, 'procedure'));
  const property = href(child(o, 'observedProperty'));
  const foiEl = child(o, 'featureOfInterest');
  const foi = href(foiEl) ?? (foiEl && text(descendants(foiEl, 'identifier')[0]));
  const d = pickDataset(datasets, procedure, property, `${at}/procedure`);
  if (foi && foi !== d.station) throw invalidParam(`${at}/featureOfInterest`, `Offering "${d.code}" observes feature "${d.station}", not "${foi}"`);

  const pt = child(o, 'phenomenonTime');
  const ref = href(pt);
  const tp = ref?.startsWith('#') ? times.get(ref.slice(1)) : text(descendants(pt ?? o, 'timePosition')[0]);
  if (!pt || !tp) throw invalidParam(`${at}/phenomenonTime`, 'phenomenonTime must be a gml:TimeInstant (or a reference to one in this request)');
  const time = instant(tp, `${at}/phenomenonTime`);

  const result = child(o, 'result');
  if (!result) throw missingParam(`${at}/result`);
  const xsiType = result.attrs[`{${NS.xsi}}type`];
  if (xsiType && !/(^|:)MeasureType$/.test(xsiType)) throw invalidParam(`${at}/result`, `result of type "${xsiType}": this offering takes gml:MeasureType (a number with a unit)`);
  const uom = result.attrs.uom?.trim();
  if (uom && uom !== d.uom) throw invalidParam(`${at}/result`, `Offering "${d.code}" is stored in "${d.uom}", not "${uom}"`);
  const value = measure(text(result), `${at}/result`);
  return { datasetId: d.id, time, value, qc: qcFlag(qcParameter(o), `${at}/parameter`) };
}

/** The quality flag given as an om:parameter whose name ends in "qc" or "qualityFlag". */
function qcParameter(o: XmlElement): string | undefined {
  for (const nv of descendants(o, 'NamedValue')) {
    if (/(qc|qualityFlag)$/i.test(href(child(nv, 'name')) ?? '')) return text(child(nv, 'value'));
  }
  return undefined;
}
