import { invalidParam, missingParam } from '../ows/errors';
import type { OwsContext, OwsRequest, OwsResponse } from '../ows/types';
import { xmlResponse } from '../ows/types';
import { xmlRoot, xmlString } from '../xml/document';
import { ncnamePart } from '../xml/ncname';
import { SML101_FORMAT, SML101_MIME, SML20_FORMAT } from './identifiers';
import { readSensorDescription } from './transactional/sensorDescription';
import { sensorOfferings } from './transactional/sensorOfferings';
import { declaredProperties } from './transactional/sensorProperties';
import { stationByCode } from './transactional/sql';
import { child, children, mayWriteNetwork, poxRoot, sosWrite, text } from './transactional/write';

/** procedureDescriptionFormat values InsertSensor accepts. */
export const INSERT_SENSOR_FORMATS = [SML20_FORMAT, SML101_FORMAT];

/** Processing level of a dataset InsertSensor creates when the description names none (live data is raw). */
const DEFAULT_PROCESSING = 'RAW DATA';

/** Definition of the swe:Text fields listing every offering of the sensor in the response's extension. */
const OFFERING_ID = 'urn:ogc:def:identifier:OGC:offeringID';

/**
 * InsertSensor (SWES 2.0, POX): creates the sensor (procedure), its station (featureOfInterest) when new,
 * the observed properties when new, and one dataset (offering) per observableProperty (docs/sos.md,
 * "Several observed properties"); answers the assigned procedure and the first property's offering
 * (SWES has room for one), with every offering in the response's extension when there are several.
 * Re-inserting the same sensor changes nothing and answers the same.
 */
export async function insertSensor(req: OwsRequest, ctx: OwsContext): Promise<OwsResponse> {
  const root = poxRoot(req, 'InsertSensor');
  const format = text(child(root, 'procedureDescriptionFormat'));
  if (!format) throw missingParam('procedureDescriptionFormat');
  if (![...INSERT_SENSOR_FORMATS, SML101_MIME].includes(format)) {
    throw invalidParam('procedureDescriptionFormat', `procedureDescriptionFormat "${format}" is not supported; use ${INSERT_SENSOR_FORMATS.join(' or ')}`);
  }
  const description = child(root, 'procedureDescription')?.children[0];
  if (!description) throw missingParam('procedureDescription');
  const d = readSensorDescription(description);
  if (!d.featureOfInterest) throw invalidParam('procedureDescription', 'The sensor description names no featureOfInterest (a Term or swe:Text with definition …featureOfInterest/identifier): the station it stands at');
  const foi = d.featureOfInterest;

  const station = await stationByCode(ctx.store, foi);
  const network = station?.network ?? d.network;
  if (!station && (!d.position || !network)) {
    throw invalidParam('procedureDescription', `Station "${foi}" is new: the description must give its position (sml:position) and network (a Term with definition …/network)`);
  }
  mayWriteNetwork(ctx, network!, 'procedureDescription', `Station "${foi}"`);

  const props = await declaredProperties(ctx.store, children(root, 'observableProperty').map(text), d);
  const family = d.family ?? (d.procedure.startsWith(`${foi}_`) ? d.procedure.slice(foi.length + 1) : d.procedure);
  const processing = d.processing ?? DEFAULT_PROCESSING;
  const offerings = await sensorOfferings(ctx.store, d, props, processing);

  await sosWrite(ctx, 'InsertSensor', () => 'procedureDescription', undefined, async (b) => {
    if (!station) {
      const p = d.position!;
      await b.upsertStations([{ line: 1, code: foi, name: d.featureName ?? foi, network: network!, producer: '', country: null, lat: p.lat, lon: p.lon, depth: p.depth }], 'procedureDescription');
    }
    await b.upsertSensor(d.procedure, family, foi, 'procedureDescription');
    // An existing dataset of this sensor and property is kept as it is (its declared period included).
    const rows = offerings
      .filter((o) => o.isNew)
      .map(({ code, property: p }) => ({ line: 1, code, station: foi, property: p.code, standardName: p.standardName, label: p.label, uom: p.uom, processing, family, start: null, end: null }));
    if (rows.length) await b.upsertDatasets(rows, 'procedureDescription');
  });

  const res = xmlRoot('swes:InsertSensorResponse', offerings.length > 1 ? ['swe'] : []);
  if (offerings.length > 1) {
    // SWES answers one assignedOffering (52°North SOS answers its first); the extension lists them all, by property code.
    const rec = res.ele('swes:extension').ele('swe:DataRecord', { definition: 'http://reefgate.org/def/assignedOfferings' });
    for (const o of offerings) rec.ele('swe:field', { name: fieldName(o.property.code) }).ele('swe:Text', { definition: OFFERING_ID }).ele('swe:value').txt(o.code);
  }
  res.ele('swes:assignedProcedure').txt(d.procedure);
  res.ele('swes:assignedOffering').txt(offerings[0].code);
  return xmlResponse(xmlString(res));
}

/** A swe:field name (an NCName) for a property code, which may start with a digit. */
function fieldName(code: string): string {
  const n = ncnamePart(code);
  return /^[A-Za-z_]/.test(n) ? n : `_${n}`;
}
