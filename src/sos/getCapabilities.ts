import { xmlLimitConstraints } from './xmlLimit';
import type { OwsContext, OwsRequest, OwsResponse } from '../ows/types';
import { xmlResponse } from '../ows/types';
import { checkUpdateSequence, CapabilitiesRequest, parseCapabilitiesRequest } from './capabilitiesRequest';
import { distinct, Offering } from '../catalog/offerings';
import { loadOfferings } from '../query/catalogue';
import { updateSequence } from '../query/datasets';
import { getCapabilities10 } from './v1/getCapabilities';
import { DATA_AVAILABILITY_FORMATS, formatColumn, OBSERVATION_BY_ID_FORMATS, responseFormats, SENSOR_FORMATS, seriesFormats } from './formats';
import { SAMPLING_POINT } from '../encoders/series/identifiers';
import { sosServiceType } from './identifiers';
import { NS, XSD } from '../xml/namespaces';
import { operation, parameter, serviceIdentification, serviceProvider } from '../ows/common';
import { eleTexts, XMLBuilder, xmlRoot, xmlString } from '../xml/document';
import { crsName, WGS84_SRID } from '../crs/crs';
import { INSERT_SENSOR_FORMATS } from './insertSensor';
import { OM_MEASUREMENT } from './insertObservation';

/** The SWE Common text encoding InsertResult takes. */
const TEXT_ENCODING = 'http://www.opengis.net/swe/2.0/TextEncoding';

/** SOS 2.0 conformance classes, then those of the response formats (from their table). */
const PROFILES = [
  'http://www.opengis.net/spec/SOS/2.0/conf/core',
  'http://www.opengis.net/spec/SOS/2.0/conf/kvp-core',
  'http://www.opengis.net/spec/SOS/2.0/conf/pox',
  'http://www.opengis.net/spec/SOS/2.0/conf/obsByIdRetrieval',
  'http://www.opengis.net/spec/SOS/2.0/conf/foiRetrieval',
  ...formatColumn('2.0.0', 'conformance'),
];
/** Conformance classes of the transactional operations, declared while writes are enabled. */
const WRITE_PROFILES = [
  'http://www.opengis.net/spec/SOS/2.0/conf/obsInsertion',
  'http://www.opengis.net/spec/SOS/2.0/conf/resultInsertion',
  'http://www.opengis.net/spec/SWES/2.0/conf/sensorInsertion',
  'http://www.opengis.net/spec/SWES/2.0/conf/sensorDeletion',
];
const RESPONSE_FORMATS = responseFormats('2.0.0');
const OBSERVATION_TYPES = formatColumn('2.0.0', 'observationType');
const SENSOR_FORMAT_NAMES = SENSOR_FORMATS.map((f) => f.responseFormat);

/** Endpoint advertised in DCPs (no '?', R4). */
export function sosHref(ctx: OwsContext): string {
  return `${ctx.baseUrl}/sos`;
}

/** SOS GetCapabilities: negotiates 2.0.0 / 1.0.0 and answers the matching document. */
export async function getCapabilities(req: OwsRequest, ctx: OwsContext): Promise<OwsResponse> {
  const q = parseCapabilitiesRequest(req, ['2.0.0', '1.0.0']);
  const [offerings, seq] = await Promise.all([loadOfferings(ctx.store), updateSequence(ctx.store)]);
  if (q.version === '1.0.0') return xmlResponse(getCapabilities10(ctx, offerings, seq, q));
  return xmlResponse(capabilities20(ctx, offerings, seq, q));
}

/** The SOS 2.0.0 capabilities document. */
export function capabilities20(ctx: OwsContext, offerings: Offering[], seq: string, q: CapabilitiesRequest): string {
  const root = xmlRoot('sos:Capabilities', ['ows', 'swes', 'gml', 'fes', 'xlink', 'xsi', 'swe'], {
    version: '2.0.0',
    updateSequence: seq,
    'xsi:schemaLocation': `${NS.sos} ${XSD.sos20}`,
  });
  if (checkUpdateSequence(q.updateSequence, seq) === 'same') return xmlString(root);
  const writes = ctx.config.apiKeys.length > 0;
  if (q.sections.has('ServiceIdentification')) serviceIdentification(root, ctx.config, sosServiceType(['2.0.0', '1.0.0'], writes ? [...PROFILES, ...WRITE_PROFILES] : PROFILES));
  if (q.sections.has('ServiceProvider')) serviceProvider(root, ctx.config);
  if (q.sections.has('OperationsMetadata')) operationsMetadata(root, ctx, offerings);
  // The InsertionCapabilities extension goes with the OperationsMetadata section that lists the insert operations.
  if (writes && q.sections.has('OperationsMetadata')) insertionCapabilities(root);
  if (q.sections.has('FilterCapabilities')) filterCapabilities(root);
  if (q.sections.has('Contents')) contents(root, offerings);
  return xmlString(root);
}

function operationsMetadata(root: XMLBuilder, ctx: OwsContext, offerings: Offering[]): void {
  const href = sosHref(ctx);
  const om = root.ele('ows:OperationsMetadata');
  const offeringIds = distinct(offerings, 'code');
  const procedures = distinct(offerings, 'procedure');
  const properties = distinct(offerings, 'propertyUri');
  const features = distinct(offerings, 'station');
  const sampleIds = offerings.filter((o) => o.timeEnd).slice(0, 5).map((o) => `${o.code}/${Date.parse(o.timeEnd!) / 1000}`);
  operation(om, 'GetCapabilities', href, {
    AcceptVersions: ['2.0.0', '1.0.0'],
    Sections: ['ServiceIdentification', 'ServiceProvider', 'OperationsMetadata', 'FilterCapabilities', 'Contents', 'All'],
    updateSequence: 'any',
  });
  operation(om, 'DescribeSensor', href, { procedure: procedures, procedureDescriptionFormat: SENSOR_FORMAT_NAMES });
  const getObs = operation(om, 'GetObservation', href, {
    offering: offeringIds,
    procedure: procedures,
    observedProperty: properties,
    featureOfInterest: features,
    temporalFilter: 'any',
    spatialFilter: 'any',
    responseFormat: RESPONSE_FORMATS,
    qualityFlag: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    downsample: 'any',
  });
  xmlLimitConstraints(getObs, ctx.config, seriesFormats('2.0.0'));
  operation(om, 'GetFeatureOfInterest', href, { featureOfInterest: features, procedure: procedures, observedProperty: properties, spatialFilter: 'any' });
  operation(om, 'GetObservationById', href, { observation: sampleIds, responseFormat: OBSERVATION_BY_ID_FORMATS.map((f) => f.responseFormat) });
  operation(om, 'GetDataAvailability', href, { procedure: procedures, observedProperty: properties, featureOfInterest: features, offering: offeringIds, responseFormat: DATA_AVAILABILITY_FORMATS.map((f) => f.responseFormat) });
  if (ctx.config.apiKeys.length > 0) writeOperations(om, href, offeringIds, procedures);
  parameter(om, 'service', ['SOS']);
  parameter(om, 'version', ['2.0.0', '1.0.0']);
  parameter(om, 'crs', [crsName.uri(WGS84_SRID)]);
}

/** The transactional operations (listed only while API keys are configured: they need one). */
function writeOperations(om: XMLBuilder, href: string, offeringIds: string[], procedures: string[]): void {
  operation(om, 'InsertSensor', href, { procedureDescriptionFormat: INSERT_SENSOR_FORMATS }, { kvp: false });
  operation(om, 'InsertObservation', href, { offering: offeringIds }, { kvp: false });
  operation(om, 'InsertResultTemplate', href, { offering: offeringIds }, { kvp: false });
  operation(om, 'InsertResult', href, { template: 'any' }, { kvp: false });
  operation(om, 'DeleteSensor', href, { procedure: procedures });
}

/** sos:InsertionCapabilities: what InsertSensor and InsertObservation accept. */
function insertionCapabilities(root: XMLBuilder): void {
  const ic = root.ele('sos:extension').ele('sos:InsertionCapabilities');
  eleTexts(ic, 'sos:procedureDescriptionFormat', INSERT_SENSOR_FORMATS);
  eleTexts(ic, 'sos:featureOfInterestType', [SAMPLING_POINT]);
  eleTexts(ic, 'sos:observationType', [OM_MEASUREMENT]);
  eleTexts(ic, 'sos:supportedEncoding', [TEXT_ENCODING]);
}

const CONFORMANCE: [string, boolean][] = [
  ['ImplementsQuery', false],
  ['ImplementsAdHocQuery', false],
  ['ImplementsFunctions', false],
  ['ImplementsResourceld', false],
  ['ImplementsMinStandardFilter', false],
  ['ImplementsStandardFilter', false],
  ['ImplementsMinSpatialFilter', true],
  ['ImplementsSpatialFilter', false],
  ['ImplementsMinTemporalFilter', true],
  ['ImplementsTemporalFilter', false],
  ['ImplementsVersionNav', false],
  ['ImplementsSorting', false],
  ['ImplementsExtendedOperators', false],
  ['ImplementsMinimumXPath', false],
  ['ImplementsSchemaElementFunc', false],
];

function filterCapabilities(root: XMLBuilder): void {
  const fc = root.ele('sos:filterCapabilities').ele('fes:Filter_Capabilities');
  const conf = fc.ele('fes:Conformance');
  for (const [name, on] of CONFORMANCE) {
    const c = conf.ele('fes:Constraint', { name });
    c.ele('ows:NoValues');
    c.ele('ows:DefaultValue').txt(on ? 'TRUE' : 'FALSE');
  }
  const sc = fc.ele('fes:Spatial_Capabilities');
  sc.ele('fes:GeometryOperands').ele('fes:GeometryOperand', { name: 'gml:Envelope' });
  sc.ele('fes:SpatialOperators').ele('fes:SpatialOperator', { name: 'BBOX' });
  const tc = fc.ele('fes:Temporal_Capabilities');
  const operands = tc.ele('fes:TemporalOperands');
  operands.ele('fes:TemporalOperand', { name: 'gml:TimeInstant' });
  operands.ele('fes:TemporalOperand', { name: 'gml:TimePeriod' });
  const ops = tc.ele('fes:TemporalOperators');
  for (const name of ['During', 'TEquals', 'After', 'Before']) ops.ele('fes:TemporalOperator', { name });
}

function contents(root: XMLBuilder, offerings: Offering[]): void {
  const c = root.ele('sos:contents').ele('sos:Contents');
  eleTexts(c, 'swes:procedureDescriptionFormat', SENSOR_FORMAT_NAMES);
  eleTexts(c, 'swes:observableProperty', distinct(offerings, 'propertyUri'));
  for (const o of offerings) offering(c.ele('swes:offering'), o);
  eleTexts(c, 'sos:responseFormat', RESPONSE_FORMATS);
  eleTexts(c, 'sos:observationType', OBSERVATION_TYPES);
  eleTexts(c, 'sos:featureOfInterestType', [SAMPLING_POINT]);
}

function offering(parent: XMLBuilder, o: Offering): void {
  const off = parent.ele('sos:ObservationOffering');
  off.ele('swes:description').txt(`${o.label} at ${o.stationName} (${o.family}, ${o.processingLevel})`);
  off.ele('swes:identifier').txt(o.code);
  off.ele('swes:name').txt(`${o.label} - ${o.stationName} - ${o.family}`);
  off.ele('swes:procedure').txt(o.procedure);
  eleTexts(off, 'swes:procedureDescriptionFormat', SENSOR_FORMAT_NAMES);
  off.ele('swes:observableProperty').txt(o.propertyUri);
  const rel = off.ele('swes:relatedFeature').ele('swes:FeatureRelationship');
  rel.ele('swes:role').txt('featureOfInterest');
  rel.ele('swes:target', { 'xlink:href': o.station, 'xlink:title': o.stationName });
  const env = off.ele('sos:observedArea').ele('gml:Envelope', { srsName: crsName.uri(WGS84_SRID) });
  env.ele('gml:lowerCorner').txt(`${o.lat} ${o.lon}`);
  env.ele('gml:upperCorner').txt(`${o.lat} ${o.lon}`);
  if (o.timeStart && o.timeEnd) {
    const pt = off.ele('sos:phenomenonTime').ele('gml:TimePeriod', { 'gml:id': `pt_${o.id}` });
    pt.ele('gml:beginPosition').txt(o.timeStart);
    pt.ele('gml:endPosition').txt(o.timeEnd);
    const rt = off.ele('sos:resultTime').ele('gml:TimePeriod', { 'gml:id': `rt_${o.id}` });
    rt.ele('gml:beginPosition').txt(o.timeStart);
    rt.ele('gml:endPosition').txt(o.timeEnd);
  }
  eleTexts(off, 'sos:responseFormat', RESPONSE_FORMATS);
  eleTexts(off, 'sos:observationType', OBSERVATION_TYPES);
  off.ele('sos:featureOfInterestType').txt(SAMPLING_POINT);
}
