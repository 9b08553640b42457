import { CF_VOCABULARY } from '../ingest/validate';
import { invalidParam, missingParam } from '../ows/errors';
import type { OwsContext, OwsRequest, OwsResponse } from '../ows/types';
import { xmlResponse } from '../ows/types';
import { xmlRoot, xmlString } from '../xml/document';
import { SML101_FORMAT, SML101_MIME, SML20_FORMAT } from './identifiers';
import { readSensorDescription } from './transactional/sensorDescription';
import { datasetByCode, propertyByUri, stationByCode } from './transactional/sql';
import { child, children, mayWriteNetwork, poxRoot, sosWrite, text } from './transactional/write';

/** procedureDescriptionFormat values InsertSensor accepts. */
export const INSERT_SENSOR_FORMATS = [SML20_FORMAT, SML101_FORMAT];

/** Processing level of a dataset InsertSensor creates when the description names none (live data is raw). */
const DEFAULT_PROCESSING = 'RAW DATA';

/**
 * InsertSensor (SWES 2.0, POX): creates the sensor (procedure), its station (featureOfInterest) when new,
 * the observed property when new, and one dataset (offering) for the one observableProperty; answers the
 * assigned procedure and offering. Re-inserting the same sensor changes nothing and answers the same.
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
  const properties = children(root, 'observableProperty').map(text).filter(Boolean);
  if (properties.length !== 1) {
    throw invalidParam('observableProperty', `InsertSensor takes exactly one observableProperty here (one offering = one dataset = one property); found ${properties.length}`);
  }
  const uri = properties[0];
  const d = readSensorDescription(description);
  if (!d.featureOfInterest) throw invalidParam('procedureDescription', 'The sensor description names no featureOfInterest (a Term or swe:Text with definition …featureOfInterest/identifier): the station it stands at');
  const foi = d.featureOfInterest;

  const station = await stationByCode(ctx.store, foi);
  const network = station?.network ?? d.network;
  if (!station && (!d.position || !network)) {
    throw invalidParam('procedureDescription', `Station "${foi}" is new: the description must give its position (sml:position) and network (a Term with definition …/network)`);
  }
  mayWriteNetwork(ctx, network!, 'procedureDescription', `Station "${foi}"`);

  const known = await propertyByUri(ctx.store, uri);
  const output = d.outputs.get(uri);
  if (!known && !output) throw invalidParam('observableProperty', `Observed property "${uri}" is new: the description needs an sml:output whose swe:Quantity has this definition, a name (the property code) and a swe:uom code`);
  if (!known && !uri.startsWith(CF_VOCABULARY)) throw invalidParam('observableProperty', `A new observed property must be a CF standard name URI (${CF_VOCABULARY}NAME/)`);
  const prop = known
    ? { code: known.code, standardName: known.standard_name, label: known.label, uom: known.uom }
    : { code: output!.code, standardName: uri.slice(CF_VOCABULARY.length).replace(/\/$/, ''), label: output!.label, uom: output!.uom };
  if (output && output.uom !== prop.uom) throw invalidParam('procedureDescription', `Observed property "${uri}" is stored in "${prop.uom}", not "${output.uom}"`);

  const family = d.family ?? (d.procedure.startsWith(`${foi}_`) ? d.procedure.slice(foi.length + 1) : d.procedure);
  const offering = d.offering ?? `${d.procedure}_${prop.code}`;
  const existing = await datasetByCode(ctx.store, offering);
  if (existing && (existing.procedure !== d.procedure || existing.property !== uri)) {
    throw invalidParam('offering', `Offering "${offering}" already exists for procedure "${existing.procedure}" and observed property "${existing.property}"`);
  }

  await sosWrite(ctx, 'InsertSensor', () => 'procedureDescription', undefined, async (b) => {
    if (!station) {
      const p = d.position!;
      await b.upsertStations([{ line: 1, code: foi, name: d.featureName ?? foi, network: network!, producer: '', country: null, lat: p.lat, lon: p.lon, depth: p.depth }], 'procedureDescription');
    }
    await b.upsertSensor(d.procedure, family, foi, 'procedureDescription');
    // An existing dataset of this sensor and property is kept as it is (its declared period included).
    if (!existing) {
      const row = { line: 1, code: offering, station: foi, property: prop.code, standardName: prop.standardName, label: prop.label, uom: prop.uom, processing: d.processing ?? DEFAULT_PROCESSING, family, start: null, end: null };
      await b.upsertDatasets([row], 'procedureDescription');
    }
  });

  const res = xmlRoot('swes:InsertSensorResponse', []);
  res.ele('swes:assignedProcedure').txt(d.procedure);
  res.ele('swes:assignedOffering').txt(offering);
  return xmlResponse(xmlString(res));
}
