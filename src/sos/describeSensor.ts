import { lookupTable } from '../util/lookup';
import { invalidParam } from '../ows/errors';
import type { OwsContext, OwsRequest, OwsResponse } from '../ows/types';
import { xmlResponse } from '../ows/types';
import { loadOfferings } from '../query/catalogue';
import { SENSOR_FORMATS } from './formats';
import { SML101_FORMAT, SML101_MIME, SML20_FORMAT } from './identifiers';
import { NS, XSD, xmlnsText } from '../xml/namespaces';
import { requiredSingle, requireVersion, sosParams } from './params';
import { sensorInfo, SensorInfo, sensorMl101, sensorMl20 } from './sensorml';

const FORMATS = lookupTable(Object.fromEntries(SENSOR_FORMATS.flatMap((f) => [f.responseFormat, ...(f.aliases ?? [])].map((n) => [n.toLowerCase(), f.sml]))));

/** Looks the procedure up among the offerings (unknown → InvalidParameterValue procedure). */
export async function findSensor(ctx: OwsContext, procedure: string): Promise<SensorInfo> {
  const offerings = (await loadOfferings(ctx.store)).filter((o) => o.procedure === procedure);
  if (offerings.length === 0) throw invalidParam('procedure', `Unknown procedure "${procedure}"`);
  return sensorInfo(offerings);
}

/** Parses a SensorML format identifier (2.0 or 1.0.1, either spelling). */
export function parseSensorFormat(raw: string, locator: string): 'sml20' | 'sml101' {
  const f = FORMATS[raw.toLowerCase().replace(/\s+/g, '')];
  if (!f) throw invalidParam(locator, `Unsupported ${locator} "${raw}"; use ${SENSOR_FORMATS.map((s) => s.responseFormat).join(' or ')}`);
  return f;
}

/** SOS 2.0 DescribeSensor: swes:DescribeSensorResponse wrapping SensorML 2.0 or 1.0.1 generated from the database. */
export async function describeSensor(req: OwsRequest, ctx: OwsContext): Promise<OwsResponse> {
  requireVersion(req, ['2.0.0']);
  const p = sosParams(req);
  const procedure = requiredSingle(p, 'procedure');
  const rawFormat = requiredSingle(p, 'procedureDescriptionFormat');
  const format = parseSensorFormat(rawFormat, 'procedureDescriptionFormat');
  const sensor = await findSensor(ctx, procedure);
  const sml = format === 'sml20' ? sensorMl20(sensor) : sensorMl101(sensor);
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<swes:DescribeSensorResponse${xmlnsText(['swes', 'xsi'])}` +
    ` xsi:schemaLocation="${NS.swes} ${XSD.swesDescribeSensor}">` +
    `<swes:procedureDescriptionFormat>${format === 'sml20' ? SML20_FORMAT : SML101_FORMAT}</swes:procedureDescriptionFormat>` +
    `<swes:description><swes:SensorDescription><swes:data>${sml}</swes:data></swes:SensorDescription></swes:description></swes:DescribeSensorResponse>`;
  // Its validators follow the procedure's datasets only (src/http/caching.ts).
  return { ...xmlResponse(body), datasets: sensor.offerings };
}

/** SOS 1.0 DescribeSensor: the SensorML 1.0.1 document itself. */
export async function describeSensor10(req: OwsRequest, ctx: OwsContext): Promise<OwsResponse> {
  const p = sosParams(req);
  const procedure = requiredSingle(p, 'procedure');
  const rawFormat = requiredSingle(p, 'outputFormat');
  if (parseSensorFormat(rawFormat, 'outputFormat') !== 'sml101') throw invalidParam('outputFormat', `SOS 1.0.0 describes sensors in ${SML101_MIME}`);
  const sensor = await findSensor(ctx, procedure);
  return { ...xmlResponse(`<?xml version="1.0" encoding="UTF-8"?>\n${sensorMl101(sensor)}`), datasets: sensor.offerings };
}
