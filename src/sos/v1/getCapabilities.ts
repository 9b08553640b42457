import { xmlLimitConstraints } from '../xmlLimit';
import type { OwsContext } from '../../ows/types';
import { CapabilitiesRequest, checkUpdateSequence } from '../capabilitiesRequest';
import { distinct, Offering } from '../../catalog/offerings';
import { formatColumn, responseFormats, seriesFormats } from '../formats';
import { SML101_MIME, sosServiceType } from '../identifiers';
import { NS, XSD } from '../../xml/namespaces';
import { operation, parameter, serviceIdentification, serviceProvider } from '../../ows/common';
import { eleTexts, XMLBuilder, xmlRoot, xmlString } from '../../xml/document';
import { offeringIds } from './offeringIds';
import { crsName, WGS84_SRID } from '../../crs/crs';

/** The SOS 1.0.0 capabilities (what GeoNetwork's harvester reads: sos:ObservationOffering with gml:name). */
export function getCapabilities10(ctx: OwsContext, offerings: Offering[], seq: string, q: CapabilitiesRequest): string {
  const root = xmlRoot('sos10:Capabilities', ['ows', 'gml311', 'ogc', 'om10', 'xlink', 'xsi'], {
    version: '1.0.0',
    updateSequence: seq,
    'xsi:schemaLocation': `${NS.sos10} ${XSD.sos100}`,
  });
  if (checkUpdateSequence(q.updateSequence, seq) === 'same') return xmlString(root);
  if (q.sections.has('ServiceIdentification')) serviceIdentification(root, ctx.config, sosServiceType(['1.0.0']));
  if (q.sections.has('ServiceProvider')) serviceProvider(root, ctx.config);
  if (q.sections.has('OperationsMetadata')) {
    const href = `${ctx.baseUrl}/sos`;
    const om = root.ele('ows:OperationsMetadata');
    operation(om, 'GetCapabilities', href, { service: ['SOS'], AcceptVersions: ['1.0.0', '2.0.0'], Sections: ['ServiceIdentification', 'ServiceProvider', 'OperationsMetadata', 'Filter_Capabilities', 'Contents', 'All'] });
    operation(om, 'DescribeSensor', href, { service: ['SOS'], version: ['1.0.0'], procedure: distinct(offerings, 'procedure'), outputFormat: [SML101_MIME] });
    const getObs = operation(om, 'GetObservation', href, {
      service: ['SOS'],
      version: ['1.0.0'],
      offering: distinct(offerings, 'code'),
      observedProperty: distinct(offerings, 'propertyUri'),
      procedure: distinct(offerings, 'procedure'),
      featureOfInterest: distinct(offerings, 'station'),
      eventTime: 'any',
      responseFormat: responseFormats('1.0.0'),
      resultModel: formatColumn('1.0.0', 'resultModel'),
      responseMode: ['inline'],
    });
    xmlLimitConstraints(getObs, ctx.config, seriesFormats('1.0.0'));
    parameter(om, 'service', ['SOS']);
    parameter(om, 'version', ['1.0.0']);
  }
  if (q.sections.has('FilterCapabilities')) filterCapabilities(root);
  if (q.sections.has('Contents')) {
    const list = root.ele('sos:Contents').ele('sos:ObservationOfferingList');
    const ids = offeringIds(offerings);
    for (const o of offerings) offering(list, o, ids.gmlId.get(o.code)!);
  }
  return xmlString(root);
}

function filterCapabilities(root: XMLBuilder): void {
  const fc = root.ele('sos:Filter_Capabilities');
  const sc = fc.ele('ogc:Spatial_Capabilities');
  sc.ele('ogc:GeometryOperands').ele('ogc:GeometryOperand').txt('gml:Envelope');
  sc.ele('ogc:SpatialOperators').ele('ogc:SpatialOperator', { name: 'BBOX' });
  const tc = fc.ele('ogc:Temporal_Capabilities');
  const operands = tc.ele('ogc:TemporalOperands');
  operands.ele('ogc:TemporalOperand').txt('gml:TimeInstant');
  operands.ele('ogc:TemporalOperand').txt('gml:TimePeriod');
  const ops = tc.ele('ogc:TemporalOperators');
  for (const name of ['TM_During', 'TM_Equals', 'TM_After', 'TM_Before']) ops.ele('ogc:TemporalOperator', { name });
  fc.ele('ogc:Scalar_Capabilities').ele('ogc:LogicalOperators');
  fc.ele('ogc:Id_Capabilities').ele('ogc:FID');
}

/** One sos:ObservationOffering; `gmlId` from offeringIds (OWSLib keys offerings by it and sends it back). */
function offering(list: XMLBuilder, o: Offering, gmlId: string): void {
  const off = list.ele('sos:ObservationOffering', { 'gml:id': gmlId });
  off.ele('gml:description').txt(`${o.label} at ${o.stationName} (${o.family}, ${o.processingLevel})`);
  off.ele('gml:name').txt(o.code);
  const env = off.ele('gml:boundedBy').ele('gml:Envelope', { srsName: crsName.urn(WGS84_SRID) });
  env.ele('gml:lowerCorner').txt(`${o.lat} ${o.lon}`);
  env.ele('gml:upperCorner').txt(`${o.lat} ${o.lon}`);
  const tp = off.ele('sos:time').ele('gml:TimePeriod');
  tp.ele('gml:beginPosition').txt(o.timeStart ?? '');
  tp.ele('gml:endPosition').txt(o.timeEnd ?? '');
  off.ele('sos:procedure', { 'xlink:href': o.procedure });
  off.ele('sos:observedProperty', { 'xlink:href': o.propertyUri });
  off.ele('sos:featureOfInterest', { 'xlink:href': o.station });
  eleTexts(off, 'sos:responseFormat', responseFormats('1.0.0'));
  eleTexts(off, 'sos:resultModel', formatColumn('1.0.0', 'resultModel'));
  off.ele('sos:responseMode').txt('inline');
}
