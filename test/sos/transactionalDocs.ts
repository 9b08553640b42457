/*
 * SOS 2.0 transactional request documents: the standard's examples (../shared/ogc-schemas/sos/2.0/
 * examples/transactional and resultHandling) adapted to the demo network, without their SOAP envelope.
 */
const NS = `xmlns:sos="http://www.opengis.net/sos/2.0" xmlns:swes="http://www.opengis.net/swes/2.0" xmlns:swe="http://www.opengis.net/swe/2.0"
  xmlns:sml="http://www.opengis.net/sensorml/2.0" xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:om="http://www.opengis.net/om/2.0"
  xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"`;

export const TEMP_URI = 'http://vocab.nerc.ac.uk/standard_name/sea_water_temperature/';

export interface SensorSpec {
  procedure: string;
  station: string;
  /** The offeringID capability; absent: none declared. */
  offering?: string;
  network?: string;
  property?: string;
  uom?: string;
  /** Several outputs (a multi-parameter instrument); default: one TEMP output of `property` in `uom`. */
  outputs?: Output[];
}

/** An sml:output: its name (the property code), swe:Quantity definition and unit. */
export interface Output {
  name: string;
  uri: string;
  uom: string;
  label?: string;
}

/** The outputs a spec declares. */
function outputsOf(s: SensorSpec): Output[] {
  return s.outputs ?? [{ name: 'TEMP', uri: s.property ?? TEMP_URI, uom: s.uom ?? 'Cel', label: 'Sea temperature' }];
}

/** A SensorML 2.0 PhysicalSystem (the namespaces declared on it, so it validates alone). */
export function sml20(s: SensorSpec): string {
  const text = (name: string, def: string, v: string) =>
    `<sml:capabilities name="${name}"><sml:CapabilityList><sml:capability name="${name}"><swe:Text definition="${def}"><swe:value>${v}</swe:value></swe:Text></sml:capability></sml:CapabilityList></sml:capabilities>`;
  return `<sml:PhysicalSystem ${NS} gml:id="sensor1">
  <gml:identifier codeSpace="uniqueID">${s.procedure}</gml:identifier>
  <sml:identification><sml:IdentifierList><sml:identifier><sml:Term definition="urn:ogc:def:identifier:OGC:uniqueID"><sml:label>uniqueID</sml:label><sml:value>${s.procedure}</sml:value></sml:Term></sml:identifier></sml:IdentifierList></sml:identification>
  <sml:classification><sml:ClassifierList><sml:classifier><sml:Term definition="http://reefgate.org/def/instrumentFamily"><sml:label>instrument family</sml:label><sml:value>SBE37</sml:value></sml:Term></sml:classifier></sml:ClassifierList></sml:classification>
  ${s.offering ? text('offerings', 'urn:ogc:def:identifier:OGC:offeringID', s.offering) : ''}
  ${text('featuresOfInterest', 'http://www.opengis.net/def/featureOfInterest/identifier', s.station)}
  ${s.network ? text('network', 'http://reefgate.org/def/network', s.network) : ''}
  <sml:outputs><sml:OutputList>${outputsOf(s).map((o) => `<sml:output name="${o.name}"><swe:Quantity definition="${o.uri}"><swe:label>${o.label ?? o.name}</swe:label><swe:uom code="${o.uom}"/></swe:Quantity></sml:output>`).join('')}</sml:OutputList></sml:outputs>
  <sml:position><swe:Vector referenceFrame="http://www.opengis.net/def/crs/EPSG/0/4326">
    <swe:coordinate name="latitude"><swe:Quantity axisID="Lat"><swe:uom code="deg"/><swe:value>-20.61</swe:value></swe:Quantity></swe:coordinate>
    <swe:coordinate name="longitude"><swe:Quantity axisID="Long"><swe:uom code="deg"/><swe:value>166.45</swe:value></swe:Quantity></swe:coordinate>
  </swe:Vector></sml:position>
</sml:PhysicalSystem>`;
}

/** A SensorML 1.0.1 description of the same sensor. */
export function sml101(s: SensorSpec): string {
  return `<sml:SensorML xmlns:sml="http://www.opengis.net/sensorML/1.0.1" xmlns:swe="http://www.opengis.net/swe/1.0.1" xmlns:gml="http://www.opengis.net/gml" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.0.1">
  <sml:member><sml:System>
    <sml:identification><sml:IdentifierList><sml:identifier name="uniqueID"><sml:Term definition="urn:ogc:def:identifier:OGC:uniqueID"><sml:value>${s.procedure}</sml:value></sml:Term></sml:identifier></sml:IdentifierList></sml:identification>
    <sml:classification><sml:ClassifierList><sml:classifier name="family"><sml:Term definition="http://reefgate.org/def/instrumentFamily"><sml:value>SBE37</sml:value></sml:Term></sml:classifier></sml:ClassifierList></sml:classification>
    <sml:capabilities name="offerings"><swe:SimpleDataRecord>
      ${s.offering ? `<swe:field name="offeringID"><swe:Text definition="urn:ogc:def:identifier:OGC:offeringID"><swe:value>${s.offering}</swe:value></swe:Text></swe:field>` : ''}
      <swe:field name="featureOfInterest"><swe:Text definition="http://www.opengis.net/def/featureOfInterest/identifier"><swe:value>${s.station}</swe:value></swe:Text></swe:field>
      ${s.network ? `<swe:field name="network"><swe:Text definition="http://reefgate.org/def/network"><swe:value>${s.network}</swe:value></swe:Text></swe:field>` : ''}
    </swe:SimpleDataRecord></sml:capabilities>
    <sml:position name="stationPosition"><swe:Position referenceFrame="urn:ogc:def:crs:EPSG::4326"><swe:location><swe:Vector>
      <swe:coordinate name="latitude"><swe:Quantity axisID="y"><swe:uom code="deg"/><swe:value>-21.5</swe:value></swe:Quantity></swe:coordinate>
      <swe:coordinate name="longitude"><swe:Quantity axisID="x"><swe:uom code="deg"/><swe:value>165.9</swe:value></swe:Quantity></swe:coordinate>
    </swe:Vector></swe:location></swe:Position></sml:position>
    <sml:outputs><sml:OutputList>${outputsOf(s).map((o) => `<sml:output name="${o.name}"><swe:Quantity definition="${o.uri}"><swe:uom code="${o.uom}"/></swe:Quantity></sml:output>`).join('')}</sml:OutputList></sml:outputs>
  </sml:System></sml:member>
</sml:SensorML>`;
}

/** InsertSensor (SWES 2.0) with the SOS insertion metadata; several observableProperty for a list. */
export function insertSensorDoc(description: string, format = 'http://www.opengis.net/sensorml/2.0', property: string | string[] = TEMP_URI): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<swes:InsertSensor ${NS} service="SOS" version="2.0.0">
  <swes:procedureDescriptionFormat>${format}</swes:procedureDescriptionFormat>
  <swes:procedureDescription>${description}</swes:procedureDescription>
  ${(Array.isArray(property) ? property : [property]).map((p) => `<swes:observableProperty>${p}</swes:observableProperty>`).join('\n  ')}
  <swes:metadata><sos:SosInsertionMetadata>
    <sos:observationType>http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement</sos:observationType>
    <sos:featureOfInterestType>http://www.opengis.net/def/samplingFeatureType/OGC-OM/2.0/SF_SamplingPoint</sos:featureOfInterestType>
  </sos:SosInsertionMetadata></swes:metadata>
</swes:InsertSensor>`;
}

export interface Obs {
  time: string;
  value: string;
  uom?: string;
  qc?: number;
  /** Its observedProperty, when not the request's. */
  property?: string;
}

/** InsertObservation of OM_Measurements into one offering (each observation's time instant is referenced as its resultTime). */
export function insertObservationDoc(offering: string, procedure: string, station: string, obs: Obs[], property = TEMP_URI): string {
  const one = (o: Obs, i: number) => `<sos:observation><om:OM_Observation gml:id="o${i}">
    <om:type xlink:href="http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"/>
    <om:phenomenonTime><gml:TimeInstant gml:id="t${i}"><gml:timePosition>${o.time}</gml:timePosition></gml:TimeInstant></om:phenomenonTime>
    <om:resultTime xlink:href="#t${i}"/>
    <om:procedure xlink:href="${procedure}"/>
    ${o.qc === undefined ? '' : `<om:parameter><om:NamedValue><om:name xlink:href="http://reefgate.org/def/qc"/><om:value xsi:type="xs:string" xmlns:xs="http://www.w3.org/2001/XMLSchema">${o.qc}</om:value></om:NamedValue></om:parameter>`}
    <om:observedProperty xlink:href="${o.property ?? property}"/>
    <om:featureOfInterest xlink:href="${station}"/>
    <om:result xsi:type="gml:MeasureType" uom="${o.uom ?? 'Cel'}">${o.value}</om:result>
  </om:OM_Observation></sos:observation>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<sos:InsertObservation ${NS} service="SOS" version="2.0.0">
  <sos:offering>${offering}</sos:offering>
  ${obs.map(one).join('\n  ')}
</sos:InsertObservation>`;
}

/** InsertResultTemplate: blocks `time,value,qc` separated by "@@". */
export function insertResultTemplateDoc(offering: string, procedure: string, station: string, id?: string, property = TEMP_URI, uom = 'Cel'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<sos:InsertResultTemplate ${NS} service="SOS" version="2.0.0">
  <sos:proposedTemplate><sos:ResultTemplate>
    ${id ? `<swes:identifier>${id}</swes:identifier>` : ''}
    <sos:offering>${offering}</sos:offering>
    <sos:observationTemplate><om:OM_Observation gml:id="tmpl">
      <om:phenomenonTime nilReason="template"/>
      <om:resultTime nilReason="template"/>
      <om:procedure xlink:href="${procedure}"/>
      <om:observedProperty xlink:href="${property}"/>
      <om:featureOfInterest xlink:href="${station}"/>
      <om:result/>
    </om:OM_Observation></sos:observationTemplate>
    <sos:resultStructure><swe:DataRecord>
      <swe:field name="phenomenonTime"><swe:Time definition="http://www.opengis.net/def/property/OGC/0/PhenomenonTime"><swe:uom xlink:href="http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"/></swe:Time></swe:field>
      <swe:field name="value"><swe:Quantity definition="${property}"><swe:uom code="${uom}"/></swe:Quantity></swe:field>
      <swe:field name="qc"><swe:Category definition="http://reefgate.org/def/qc"/></swe:field>
    </swe:DataRecord></sos:resultStructure>
    <sos:resultEncoding><swe:TextEncoding tokenSeparator="," blockSeparator="@@"/></sos:resultEncoding>
  </sos:ResultTemplate></sos:proposedTemplate>
</sos:InsertResultTemplate>`;
}

/** InsertResult of text blocks. */
export function insertResultDoc(template: string, values: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<sos:InsertResult ${NS} service="SOS" version="2.0.0"><sos:template>${template}</sos:template><sos:resultValues>${values}</sos:resultValues></sos:InsertResult>`;
}

/** DeleteSensor. */
export function deleteSensorDoc(procedure: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<swes:DeleteSensor ${NS} service="SOS" version="2.0.0"><swes:procedure>${procedure}</swes:procedure></swes:DeleteSensor>`;
}

/** A field of a result record after its time: a quantity of an observed property (in `uom`), or a quality flag. */
export type RecordField = { name: string; uri: string; uom: string } | { name: string; qc: true };

/**
 * InsertResultTemplate whose record holds several values, as 52°North's sos-importer and OpenSensorHub
 * send a multi-parameter instrument: a swe:Time, then the fields in order; the observationTemplate's
 * observedProperty is left out unless given.
 */
export function insertRecordTemplateDoc(offering: string, procedure: string, station: string, fields: RecordField[], o: { id?: string; property?: string; tokenSeparator?: string; blockSeparator?: string; decimalSeparator?: string } = {}): string {
  const field = (f: RecordField) =>
    'qc' in f
      ? `<swe:field name="${f.name}"><swe:Category definition="http://reefgate.org/def/qc"/></swe:field>`
      : `<swe:field name="${f.name}"><swe:Quantity definition="${f.uri}"><swe:uom code="${f.uom}"/></swe:Quantity></swe:field>`;
  const dec = o.decimalSeparator ? ` decimalSeparator="${o.decimalSeparator}"` : '';
  return `<?xml version="1.0" encoding="UTF-8"?>
<sos:InsertResultTemplate ${NS} service="SOS" version="2.0.0">
  <sos:proposedTemplate><sos:ResultTemplate>
    ${o.id ? `<swes:identifier>${o.id}</swes:identifier>` : ''}
    <sos:offering>${offering}</sos:offering>
    <sos:observationTemplate><om:OM_Observation gml:id="tmpl">
      <om:phenomenonTime nilReason="template"/>
      <om:resultTime nilReason="template"/>
      <om:procedure xlink:href="${procedure}"/>
      <om:observedProperty xlink:href="${o.property ?? 'http://reefgate.org/def/phenomenon/ctd'}"/>
      <om:featureOfInterest xlink:href="${station}"/>
      <om:result/>
    </om:OM_Observation></sos:observationTemplate>
    <sos:resultStructure><swe:DataRecord>
      <swe:field name="phenomenonTime"><swe:Time definition="http://www.opengis.net/def/property/OGC/0/PhenomenonTime"><swe:uom xlink:href="http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"/></swe:Time></swe:field>
      ${fields.map(field).join('\n      ')}
    </swe:DataRecord></sos:resultStructure>
    <sos:resultEncoding><swe:TextEncoding tokenSeparator="${o.tokenSeparator ?? ','}" blockSeparator="${o.blockSeparator ?? '@@'}"${dec}/></sos:resultEncoding>
  </sos:ResultTemplate></sos:proposedTemplate>
</sos:InsertResultTemplate>`;
}
