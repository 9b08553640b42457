/**
 * ISO 19139 (gmd) metadata record of one dataset, for GeoNetwork and any CSW catalogue: stable
 * fileIdentifier, title, abstract, contact, CF standard-name keywords, extent (bbox and time),
 * and distribution links (WFS, SOS GetObservation, CSV, OPeNDAP when THREDDS is configured).
 */
import { XMLBuilder, xmlRoot, xmlString } from '../xml/document';
import type { FeatureTypeDef } from '../catalog/types';
import type { Config } from '../config/config';
import { stationsExtent, timeSpan } from '../catalog/extents';
import type { Catalogue, Dataset } from '../catalog/model';
import { edrLocationUrl, EDR_COLLECTION_ID, metadataUrl, netcdfDownloadUrl, opendapUrl, sosObservationUrl } from '../catalog/links';
import { NS, XSD } from '../xml/namespaces';
import { ncnamePart } from '../xml/ncname';
import { crsName, WGS84_SRID } from '../crs/crs';

const CODELISTS = 'http://standards.iso.org/iso/19139/resources/gmxCodelists.xml';

/** Namespace used for fileIdentifiers: stable across exports, imports and replicas. */
export const FILE_IDENTIFIER_PREFIX = 'reefgate:dataset:';

/** Stable fileIdentifier of a dataset's record (does not change when the data are updated). */
export function fileIdentifier(datasetCode: string): string {
  return `${FILE_IDENTIFIER_PREFIX}${datasetCode}`;
}

type Cfg = Pick<Config, 'providerName' | 'providerSite' | 'contactEmail' | 'threddsUrl' | 'namespacePrefix' | 'ogcapiBasePath'>;

/** GeoNetwork protocol of OGC API – EDR links (its list has no entry for EDR yet; this follows the OGC:* pattern). */
const EDR_PROTOCOL = 'OGC:API-EDR';

const str = (parent: XMLBuilder, name: string, text: string) => parent.ele(name).ele('gco:CharacterString').txt(text);
const codeList = (parent: XMLBuilder, name: string, list: string, value: string) =>
  parent.ele(name).ele(`gmd:${list}`, { codeList: `${CODELISTS}#${list}`, codeListValue: value }).txt(value);
const decimal = (parent: XMLBuilder, name: string, v: number) => parent.ele(name).ele('gco:Decimal').txt(String(v));

function responsibleParty(parent: XMLBuilder, elem: string, org: string, cfg: Cfg, role: string): void {
  const rp = parent.ele(elem).ele('gmd:CI_ResponsibleParty');
  str(rp, 'gmd:organisationName', org);
  const contact = rp.ele('gmd:contactInfo').ele('gmd:CI_Contact');
  str(contact.ele('gmd:address').ele('gmd:CI_Address'), 'gmd:electronicMailAddress', cfg.contactEmail);
  onlineResource(contact.ele('gmd:onlineResource'), cfg.providerSite, 'WWW:LINK-1.0-http--link', cfg.providerName, 'Web site', 'information');
  codeList(rp, 'gmd:role', 'CI_RoleCode', role);
}

function onlineResource(parent: XMLBuilder, url: string, protocol: string, name: string, description: string, fn: string): void {
  const r = parent.ele('gmd:CI_OnlineResource');
  r.ele('gmd:linkage').ele('gmd:URL').txt(url);
  str(r, 'gmd:protocol', protocol);
  str(r, 'gmd:name', name);
  str(r, 'gmd:description', description);
  codeList(r, 'gmd:function', 'CI_OnLineFunctionCode', fn);
}

/** The elements every record starts with: identifier, language, scope, contact, date stamp, standard, URI. */
function recordHeader(md: XMLBuilder, id: string, scope: 'dataset' | 'series', updatedAt: string, uri: string, cfg: Cfg): void {
  str(md, 'gmd:fileIdentifier', id);
  codeList(md, 'gmd:language', 'LanguageCode', 'eng');
  codeList(md, 'gmd:characterSet', 'MD_CharacterSetCode', 'utf8');
  codeList(md, 'gmd:hierarchyLevel', 'MD_ScopeCode', scope);
  responsibleParty(md, 'gmd:contact', cfg.providerName, cfg, 'pointOfContact');
  md.ele('gmd:dateStamp').ele('gco:DateTime').txt(updatedAt.replace(/Z$/, ''));
  str(md, 'gmd:metadataStandardName', 'ISO 19115:2003/19139');
  str(md, 'gmd:metadataStandardVersion', '1.0');
  str(md, 'gmd:dataSetURI', uri);
}

/** Theme keywords from the CF Standard Name Table (the thesaurus named, so catalogues can facet on it). */
function cfKeywords(id: XMLBuilder, standardNames: readonly string[]): void {
  const cf = id.ele('gmd:descriptiveKeywords').ele('gmd:MD_Keywords');
  for (const k of standardNames) str(cf, 'gmd:keyword', k);
  codeList(cf, 'gmd:type', 'MD_KeywordTypeCode', 'theme');
  const th = cf.ele('gmd:thesaurusName').ele('gmd:CI_Citation');
  str(th, 'gmd:title', 'CF Standard Name Table');
  const thd = th.ele('gmd:date').ele('gmd:CI_Date');
  thd.ele('gmd:date').ele('gco:Date').txt('2024-01-01');
  codeList(thd, 'gmd:dateType', 'CI_DateTypeCode', 'revision');
}

/** The bounding box of an EX_Extent and, when both ends are known, its time period. */
function extentElements(ext: XMLBuilder, box: { west: number; east: number; south: number; north: number }, start: string | null, end: string | null, gmlId: string): void {
  const bbox = ext.ele('gmd:geographicElement').ele('gmd:EX_GeographicBoundingBox');
  decimal(bbox, 'gmd:westBoundLongitude', box.west);
  decimal(bbox, 'gmd:eastBoundLongitude', box.east);
  decimal(bbox, 'gmd:southBoundLatitude', box.south);
  decimal(bbox, 'gmd:northBoundLatitude', box.north);
  if (start && end) {
    const tp = ext.ele('gmd:temporalElement').ele('gmd:EX_TemporalExtent').ele('gmd:extent').ele('gml:TimePeriod', { 'gml:id': gmlId });
    tp.ele('gml:beginPosition').txt(start);
    tp.ele('gml:endPosition').txt(end);
  }
}

/** Distribution links of a dataset, in the protocol vocabulary GeoNetwork understands. */
export function distributionLinks(d: Dataset, baseUrl: string, cfg: Cfg): { url: string; protocol: string; name: string; description: string; fn: string }[] {
  const links = [
    {
      url: `${baseUrl}/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=${cfg.namespacePrefix}:Dataset&RESOURCEID=${encodeURIComponent(`Dataset.${d.code}`)}`,
      protocol: 'OGC:WFS',
      name: `${cfg.namespacePrefix}:Dataset`,
      description: 'WFS 2.0 feature describing this dataset',
      fn: 'download',
    },
    { url: `${baseUrl}/wfs`, protocol: 'OGC:WFS', name: `${cfg.namespacePrefix}:Dataset`, description: 'WFS endpoint (capabilities: ?SERVICE=WFS&REQUEST=GetCapabilities)', fn: 'information' },
    { url: sosObservationUrl(baseUrl, d.code), protocol: 'OGC:SOS', name: d.code, description: 'SOS 2.0 GetObservation of this time series (O&M 2.0)', fn: 'download' },
    { url: sosObservationUrl(baseUrl, d.code, 'text/csv'), protocol: 'WWW:DOWNLOAD-1.0-http--download', name: `${d.code}.csv`, description: 'CSV download of this time series', fn: 'download' },
    {
      url: edrLocationUrl(`${baseUrl}${cfg.ogcapiBasePath}`, d.station.code, d.property.code),
      protocol: EDR_PROTOCOL,
      name: EDR_COLLECTION_ID,
      description: 'OGC API – EDR: this time series as CoverageJSON (f=GeoJSON, f=CSV for the others)',
      fn: 'download',
    },
  ];
  const odap = opendapUrl(cfg, d.code);
  if (odap) links.push({ url: odap, protocol: 'OPeNDAP:OPeNDAP', name: d.code, description: 'OPeNDAP access (THREDDS)', fn: 'download' });
  const nc = netcdfDownloadUrl(cfg, d.code);
  if (nc) links.push({ url: nc, protocol: 'WWW:DOWNLOAD-1.0-http--download', name: `${d.code}.nc`, description: 'OceanSITES NetCDF file (THREDDS)', fn: 'download' });
  return links;
}

/** Builds the ISO 19139 gmd:MD_Metadata document of one dataset. */
export function iso19139Record(d: Dataset, baseUrl: string, cfg: Cfg): string {
  const md = xmlRoot('gmd:MD_Metadata', ['gco', 'gml', 'xlink', 'xsi'], { 'xsi:schemaLocation': `${NS.gmd} ${XSD.gmd}` });
  recordHeader(md, fileIdentifier(d.code), 'dataset', d.updatedAt, metadataUrl(baseUrl, d.code), cfg);
  const rs = md.ele('gmd:referenceSystemInfo').ele('gmd:MD_ReferenceSystem').ele('gmd:referenceSystemIdentifier').ele('gmd:RS_Identifier');
  str(rs, 'gmd:code', crsName.uri(WGS84_SRID));
  str(rs, 'gmd:codeSpace', 'EPSG');

  const id = md.ele('gmd:identificationInfo').ele('gmd:MD_DataIdentification');
  const cit = id.ele('gmd:citation').ele('gmd:CI_Citation');
  str(cit, 'gmd:title', `${d.property.label} at ${d.station.name} (${d.sensor.family}, ${d.processingLevel})`);
  str(cit, 'gmd:alternateTitle', d.code);
  const date = cit.ele('gmd:date').ele('gmd:CI_Date');
  date.ele('gmd:date').ele('gco:DateTime').txt(d.updatedAt.replace(/Z$/, ''));
  codeList(date, 'gmd:dateType', 'CI_DateTypeCode', 'revision');
  const ident = cit.ele('gmd:identifier').ele('gmd:MD_Identifier');
  str(ident, 'gmd:code', d.code);
  responsibleParty(cit, 'gmd:citedResponsibleParty', d.station.producer ?? cfg.providerName, cfg, 'originator');
  const period = d.timeStart && d.timeEnd ? ` from ${d.timeStart} to ${d.timeEnd}` : '';
  str(
    id,
    'gmd:abstract',
    `${d.property.label} (CF standard name ${d.property.standardName}, unit ${d.property.uom}) measured by a ${d.sensor.family} instrument (sensor ${d.sensor.code}) ` +
      `at station ${d.station.name} (${d.station.code}, ${d.station.lat.toFixed(5)}°, ${d.station.lon.toFixed(5)}°${d.station.depthM !== null ? `, ${d.station.depthM} m depth` : ''}) ` +
      `of the ${d.station.network.name} network${period}; ${d.obsCount} observations, processing level ${d.processingLevel}.`,
  );
  codeList(id, 'gmd:status', 'MD_ProgressCode', 'onGoing');
  responsibleParty(id, 'gmd:pointOfContact', d.station.producer ?? cfg.providerName, cfg, 'principalInvestigator');
  const maint = id.ele('gmd:resourceMaintenance').ele('gmd:MD_MaintenanceInformation');
  codeList(maint, 'gmd:maintenanceAndUpdateFrequency', 'MD_MaintenanceFrequencyCode', 'asNeeded');

  cfKeywords(id, [d.property.standardName]);
  const other = id.ele('gmd:descriptiveKeywords').ele('gmd:MD_Keywords');
  for (const k of [d.property.code, d.property.label, d.station.network.name, d.station.name, d.sensor.family]) str(other, 'gmd:keyword', k);
  codeList(other, 'gmd:type', 'MD_KeywordTypeCode', 'theme');
  const place = id.ele('gmd:descriptiveKeywords').ele('gmd:MD_Keywords');
  for (const k of [d.station.name, d.station.country].filter((x): x is string => !!x)) str(place, 'gmd:keyword', k);
  codeList(place, 'gmd:type', 'MD_KeywordTypeCode', 'place');

  const lic = id.ele('gmd:resourceConstraints').ele('gmd:MD_LegalConstraints');
  codeList(lic, 'gmd:useConstraints', 'MD_RestrictionCode', 'otherRestrictions');
  str(lic, 'gmd:otherConstraints', `Cite as: ${d.station.producer ?? cfg.providerName}, ${d.station.network.name}, dataset ${d.code}.`);

  codeList(id, 'gmd:spatialRepresentationType', 'MD_SpatialRepresentationTypeCode', 'textTable');
  codeList(id, 'gmd:language', 'LanguageCode', 'eng');
  codeList(id, 'gmd:characterSet', 'MD_CharacterSetCode', 'utf8');
  id.ele('gmd:topicCategory').ele('gmd:MD_TopicCategoryCode').txt('oceans');

  const ext = id.ele('gmd:extent').ele('gmd:EX_Extent');
  str(ext, 'gmd:description', `Station ${d.station.name}`);
  extentElements(ext, { west: d.station.lon, east: d.station.lon, south: d.station.lat, north: d.station.lat }, d.timeStart, d.timeEnd, `tp_${ncnamePart(d.code)}`);
  str(id, 'gmd:supplementalInformation', `Station depth: ${d.station.depthM ?? 'unknown'} m. Vocabulary: ${d.property.vocabularyUri}`);

  const dist = md.ele('gmd:distributionInfo').ele('gmd:MD_Distribution');
  for (const [name, version] of [['OGC WFS 2.0 / GML 3.2', '2.0.0'], ['OGC SOS 2.0 / O&M 2.0', '2.0.0'], ['CSV', 'RFC 4180']]) {
    const f = dist.ele('gmd:distributionFormat').ele('gmd:MD_Format');
    str(f, 'gmd:name', name);
    str(f, 'gmd:version', version);
  }
  const transfer = dist.ele('gmd:transferOptions').ele('gmd:MD_DigitalTransferOptions');
  for (const l of distributionLinks(d, baseUrl, cfg)) onlineResource(transfer.ele('gmd:onLine'), l.url, l.protocol, l.name, l.description, l.fn);

  const dq = md.ele('gmd:dataQualityInfo').ele('gmd:DQ_DataQuality');
  codeList(dq.ele('gmd:scope').ele('gmd:DQ_Scope'), 'gmd:level', 'MD_ScopeCode', 'dataset');
  str(dq.ele('gmd:lineage').ele('gmd:LI_Lineage'), 'gmd:statement', `Processing level: ${d.processingLevel}. Each observation carries an OceanSITES quality flag (reference table 2).`);
  return xmlString(md, true);
}

/** What a collection-level record says about the whole network. */
export interface CollectionSummary {
  west: number;
  east: number;
  south: number;
  north: number;
  timeStart: string | null;
  timeEnd: string | null;
  standardNames: string[];
  networks: string[];
  datasets: number;
  updatedAt: string;
}

/** Collection summary of the whole catalogue: extent of all stations, time span and count of all datasets. */
export function collectionSummary(cat: Catalogue): CollectionSummary {
  const [west, south, east, north] = stationsExtent(cat.stations);
  const span = timeSpan(cat.datasets);
  const sorted = (xs: string[]) => [...new Set(xs)].sort();
  return {
    west,
    east,
    south,
    north,
    timeStart: span.start,
    timeEnd: span.end,
    standardNames: sorted(cat.properties.map((p) => p.standardName)),
    networks: sorted(cat.networks.map((n) => n.name)),
    datasets: cat.datasets.length,
    updatedAt: cat.datasets.reduce<string | null>((u, d) => (u === null || d.updatedAt > u ? d.updatedAt : u), null) ?? '1970-01-01T00:00:00Z',
  };
}

/**
 * Collection-level ISO 19139 record of one WFS feature type (hierarchyLevel "series"): the target of the
 * capabilities' MetadataURL when METADATA_URL_TEMPLATE points at {base}/metadata/{id}.xml.
 */
export function collectionRecord(type: Pick<FeatureTypeDef, 'name' | 'title' | 'abstract'>, s: CollectionSummary, baseUrl: string, cfg: Cfg & Pick<Config, 'serviceTitle'>): string {
  const md = xmlRoot('gmd:MD_Metadata', ['gco', 'gml', 'xlink']);
  const typeName = `${cfg.namespacePrefix}:${type.name}`;
  recordHeader(md, `reefgate:collection:${type.name}`, 'series', s.updatedAt, metadataUrl(baseUrl, type.name), cfg);
  const id = md.ele('gmd:identificationInfo').ele('gmd:MD_DataIdentification');
  const cit = id.ele('gmd:citation').ele('gmd:CI_Citation');
  str(cit, 'gmd:title', `${cfg.serviceTitle}: ${type.title}`);
  const date = cit.ele('gmd:date').ele('gmd:CI_Date');
  date.ele('gmd:date').ele('gco:DateTime').txt(s.updatedAt.replace(/Z$/, ''));
  codeList(date, 'gmd:dateType', 'CI_DateTypeCode', 'revision');
  str(id, 'gmd:abstract', `${type.abstract} Networks: ${s.networks.join(', ')}; ${s.datasets} datasets. Each dataset has its own record at ${baseUrl}/metadata/{datasetCode}.xml.`);
  responsibleParty(id, 'gmd:pointOfContact', cfg.providerName, cfg, 'pointOfContact');
  cfKeywords(id, s.standardNames);
  codeList(id, 'gmd:language', 'LanguageCode', 'eng');
  id.ele('gmd:topicCategory').ele('gmd:MD_TopicCategoryCode').txt('oceans');
  const ext = id.ele('gmd:extent').ele('gmd:EX_Extent');
  extentElements(ext, s, s.timeStart, s.timeEnd, `tp_${type.name}`);
  const dist = md.ele('gmd:distributionInfo').ele('gmd:MD_Distribution');
  const f = dist.ele('gmd:distributionFormat').ele('gmd:MD_Format');
  str(f, 'gmd:name', 'OGC WFS 2.0 / GML 3.2');
  str(f, 'gmd:version', '2.0.0');
  const transfer = dist.ele('gmd:transferOptions').ele('gmd:MD_DigitalTransferOptions');
  onlineResource(transfer.ele('gmd:onLine'), `${baseUrl}/wfs`, 'OGC:WFS', typeName, `WFS feature type ${typeName}`, 'download');
  onlineResource(transfer.ele('gmd:onLine'), `${baseUrl}/sos`, 'OGC:SOS', 'SOS', 'SOS 2.0 / 1.0 endpoint of the same network', 'download');
  onlineResource(transfer.ele('gmd:onLine'), `${baseUrl}${cfg.ogcapiBasePath}/collections/${EDR_COLLECTION_ID}`, EDR_PROTOCOL, EDR_COLLECTION_ID, 'OGC API – EDR collection of the same series (position, area, locations queries)', 'download');
  return xmlString(md, true);
}
