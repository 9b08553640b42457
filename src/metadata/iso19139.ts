/**
 * ISO 19139 (gmd) metadata record of one dataset, for GeoNetwork and any CSW catalogue: stable
 * fileIdentifier, title, abstract, contact, CF standard-name keywords, extent (bbox and time),
 * and distribution links (WFS, SOS GetObservation, CSV, OPeNDAP when THREDDS is configured).
 */
import { xmlDocument } from '../xml/document';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import type { FeatureTypeDef } from '../catalog/types';
import type { Config } from '../config/config';
import { stationsExtent, timeSpan } from '../catalog/extents';
import type { Catalogue, Dataset } from '../catalog/model';
import { metadataUrl, netcdfDownloadUrl, opendapUrl, sosObservationUrl } from '../catalog/links';

const NS = {
  gmd: 'http://www.isotc211.org/2005/gmd',
  gco: 'http://www.isotc211.org/2005/gco',
  gml: 'http://www.opengis.net/gml/3.2',
  xlink: 'http://www.w3.org/1999/xlink',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
};
const CODELISTS = 'http://standards.iso.org/iso/19139/resources/gmxCodelists.xml';

/** Namespace used for fileIdentifiers: stable across exports, imports and replicas. */
export const FILE_IDENTIFIER_PREFIX = 'reefgate:dataset:';

/** Stable fileIdentifier of a dataset's record (does not change when the data are updated). */
export function fileIdentifier(datasetCode: string): string {
  return `${FILE_IDENTIFIER_PREFIX}${datasetCode}`;
}

type Cfg = Pick<Config, 'providerName' | 'providerSite' | 'contactEmail' | 'threddsUrl' | 'namespacePrefix'>;

const str = (parent: XMLBuilder, name: string, text: string) => parent.ele(NS.gmd, name).ele(NS.gco, 'gco:CharacterString').txt(text);
const codeList = (parent: XMLBuilder, name: string, list: string, value: string) =>
  parent.ele(NS.gmd, name).ele(NS.gmd, `gmd:${list}`, { codeList: `${CODELISTS}#${list}`, codeListValue: value }).txt(value);
const decimal = (parent: XMLBuilder, name: string, v: number) => parent.ele(NS.gmd, name).ele(NS.gco, 'gco:Decimal').txt(String(v));

function responsibleParty(parent: XMLBuilder, elem: string, org: string, cfg: Cfg, role: string): void {
  const rp = parent.ele(NS.gmd, elem).ele(NS.gmd, 'gmd:CI_ResponsibleParty');
  str(rp, 'gmd:organisationName', org);
  const contact = rp.ele(NS.gmd, 'gmd:contactInfo').ele(NS.gmd, 'gmd:CI_Contact');
  str(contact.ele(NS.gmd, 'gmd:address').ele(NS.gmd, 'gmd:CI_Address'), 'gmd:electronicMailAddress', cfg.contactEmail);
  onlineResource(contact.ele(NS.gmd, 'gmd:onlineResource'), cfg.providerSite, 'WWW:LINK-1.0-http--link', cfg.providerName, 'Web site', 'information');
  codeList(rp, 'gmd:role', 'CI_RoleCode', role);
}

function onlineResource(parent: XMLBuilder, url: string, protocol: string, name: string, description: string, fn: string): void {
  const r = parent.ele(NS.gmd, 'gmd:CI_OnlineResource');
  r.ele(NS.gmd, 'gmd:linkage').ele(NS.gmd, 'gmd:URL').txt(url);
  str(r, 'gmd:protocol', protocol);
  str(r, 'gmd:name', name);
  str(r, 'gmd:description', description);
  codeList(r, 'gmd:function', 'CI_OnLineFunctionCode', fn);
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
  ];
  const odap = opendapUrl(cfg, d.code);
  if (odap) links.push({ url: odap, protocol: 'OPeNDAP:OPeNDAP', name: d.code, description: 'OPeNDAP access (THREDDS)', fn: 'download' });
  const nc = netcdfDownloadUrl(cfg, d.code);
  if (nc) links.push({ url: nc, protocol: 'WWW:DOWNLOAD-1.0-http--download', name: `${d.code}.nc`, description: 'OceanSITES NetCDF file (THREDDS)', fn: 'download' });
  return links;
}

/** Builds the ISO 19139 gmd:MD_Metadata document of one dataset. */
export function iso19139Record(d: Dataset, baseUrl: string, cfg: Cfg): string {
  const doc = xmlDocument();
  const md = doc.ele(NS.gmd, 'gmd:MD_Metadata', {
    'xmlns:gco': NS.gco,
    'xmlns:gml': NS.gml,
    'xmlns:xlink': NS.xlink,
    'xmlns:xsi': NS.xsi,
    'xsi:schemaLocation': `${NS.gmd} http://schemas.opengis.net/iso/19139/20070417/gmd/gmd.xsd`,
  });
  str(md, 'gmd:fileIdentifier', fileIdentifier(d.code));
  codeList(md, 'gmd:language', 'LanguageCode', 'eng');
  codeList(md, 'gmd:characterSet', 'MD_CharacterSetCode', 'utf8');
  codeList(md, 'gmd:hierarchyLevel', 'MD_ScopeCode', 'dataset');
  responsibleParty(md, 'gmd:contact', cfg.providerName, cfg, 'pointOfContact');
  md.ele(NS.gmd, 'gmd:dateStamp').ele(NS.gco, 'gco:DateTime').txt(d.updatedAt.replace(/Z$/, ''));
  str(md, 'gmd:metadataStandardName', 'ISO 19115:2003/19139');
  str(md, 'gmd:metadataStandardVersion', '1.0');
  str(md, 'gmd:dataSetURI', metadataUrl(baseUrl, d.code));
  const rs = md.ele(NS.gmd, 'gmd:referenceSystemInfo').ele(NS.gmd, 'gmd:MD_ReferenceSystem').ele(NS.gmd, 'gmd:referenceSystemIdentifier').ele(NS.gmd, 'gmd:RS_Identifier');
  str(rs, 'gmd:code', 'http://www.opengis.net/def/crs/EPSG/0/4326');
  str(rs, 'gmd:codeSpace', 'EPSG');

  const id = md.ele(NS.gmd, 'gmd:identificationInfo').ele(NS.gmd, 'gmd:MD_DataIdentification');
  const cit = id.ele(NS.gmd, 'gmd:citation').ele(NS.gmd, 'gmd:CI_Citation');
  str(cit, 'gmd:title', `${d.property.label} at ${d.station.name} (${d.sensor.family}, ${d.processingLevel})`);
  str(cit, 'gmd:alternateTitle', d.code);
  const date = cit.ele(NS.gmd, 'gmd:date').ele(NS.gmd, 'gmd:CI_Date');
  date.ele(NS.gmd, 'gmd:date').ele(NS.gco, 'gco:DateTime').txt(d.updatedAt.replace(/Z$/, ''));
  codeList(date, 'gmd:dateType', 'CI_DateTypeCode', 'revision');
  const ident = cit.ele(NS.gmd, 'gmd:identifier').ele(NS.gmd, 'gmd:MD_Identifier');
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
  const maint = id.ele(NS.gmd, 'gmd:resourceMaintenance').ele(NS.gmd, 'gmd:MD_MaintenanceInformation');
  codeList(maint, 'gmd:maintenanceAndUpdateFrequency', 'MD_MaintenanceFrequencyCode', 'asNeeded');

  const cf = id.ele(NS.gmd, 'gmd:descriptiveKeywords').ele(NS.gmd, 'gmd:MD_Keywords');
  str(cf, 'gmd:keyword', d.property.standardName);
  codeList(cf, 'gmd:type', 'MD_KeywordTypeCode', 'theme');
  const th = cf.ele(NS.gmd, 'gmd:thesaurusName').ele(NS.gmd, 'gmd:CI_Citation');
  str(th, 'gmd:title', 'CF Standard Name Table');
  const thd = th.ele(NS.gmd, 'gmd:date').ele(NS.gmd, 'gmd:CI_Date');
  thd.ele(NS.gmd, 'gmd:date').ele(NS.gco, 'gco:Date').txt('2024-01-01');
  codeList(thd, 'gmd:dateType', 'CI_DateTypeCode', 'revision');
  const other = id.ele(NS.gmd, 'gmd:descriptiveKeywords').ele(NS.gmd, 'gmd:MD_Keywords');
  for (const k of [d.property.code, d.property.label, d.station.network.name, d.station.name, d.sensor.family]) str(other, 'gmd:keyword', k);
  codeList(other, 'gmd:type', 'MD_KeywordTypeCode', 'theme');
  const place = id.ele(NS.gmd, 'gmd:descriptiveKeywords').ele(NS.gmd, 'gmd:MD_Keywords');
  for (const k of [d.station.name, d.station.country].filter((x): x is string => !!x)) str(place, 'gmd:keyword', k);
  codeList(place, 'gmd:type', 'MD_KeywordTypeCode', 'place');

  const lic = id.ele(NS.gmd, 'gmd:resourceConstraints').ele(NS.gmd, 'gmd:MD_LegalConstraints');
  codeList(lic, 'gmd:useConstraints', 'MD_RestrictionCode', 'otherRestrictions');
  str(lic, 'gmd:otherConstraints', `Cite as: ${d.station.producer ?? cfg.providerName}, ${d.station.network.name}, dataset ${d.code}.`);

  codeList(id, 'gmd:spatialRepresentationType', 'MD_SpatialRepresentationTypeCode', 'textTable');
  codeList(id, 'gmd:language', 'LanguageCode', 'eng');
  codeList(id, 'gmd:characterSet', 'MD_CharacterSetCode', 'utf8');
  id.ele(NS.gmd, 'gmd:topicCategory').ele(NS.gmd, 'gmd:MD_TopicCategoryCode').txt('oceans');

  const ext = id.ele(NS.gmd, 'gmd:extent').ele(NS.gmd, 'gmd:EX_Extent');
  str(ext, 'gmd:description', `Station ${d.station.name}`);
  const bbox = ext.ele(NS.gmd, 'gmd:geographicElement').ele(NS.gmd, 'gmd:EX_GeographicBoundingBox');
  decimal(bbox, 'gmd:westBoundLongitude', d.station.lon);
  decimal(bbox, 'gmd:eastBoundLongitude', d.station.lon);
  decimal(bbox, 'gmd:southBoundLatitude', d.station.lat);
  decimal(bbox, 'gmd:northBoundLatitude', d.station.lat);
  if (d.timeStart && d.timeEnd) {
    const tp = ext.ele(NS.gmd, 'gmd:temporalElement').ele(NS.gmd, 'gmd:EX_TemporalExtent').ele(NS.gmd, 'gmd:extent').ele(NS.gml, 'gml:TimePeriod', { 'gml:id': `tp_${d.code.replace(/[^A-Za-z0-9_.-]/g, '_')}` });
    tp.ele(NS.gml, 'gml:beginPosition').txt(d.timeStart);
    tp.ele(NS.gml, 'gml:endPosition').txt(d.timeEnd);
  }
  str(id, 'gmd:supplementalInformation', `Station depth: ${d.station.depthM ?? 'unknown'} m. Vocabulary: ${d.property.vocabularyUri}`);

  const dist = md.ele(NS.gmd, 'gmd:distributionInfo').ele(NS.gmd, 'gmd:MD_Distribution');
  for (const [name, version] of [['OGC WFS 2.0 / GML 3.2', '2.0.0'], ['OGC SOS 2.0 / O&M 2.0', '2.0.0'], ['CSV', 'RFC 4180']]) {
    const f = dist.ele(NS.gmd, 'gmd:distributionFormat').ele(NS.gmd, 'gmd:MD_Format');
    str(f, 'gmd:name', name);
    str(f, 'gmd:version', version);
  }
  const transfer = dist.ele(NS.gmd, 'gmd:transferOptions').ele(NS.gmd, 'gmd:MD_DigitalTransferOptions');
  for (const l of distributionLinks(d, baseUrl, cfg)) onlineResource(transfer.ele(NS.gmd, 'gmd:onLine'), l.url, l.protocol, l.name, l.description, l.fn);

  const dq = md.ele(NS.gmd, 'gmd:dataQualityInfo').ele(NS.gmd, 'gmd:DQ_DataQuality');
  codeList(dq.ele(NS.gmd, 'gmd:scope').ele(NS.gmd, 'gmd:DQ_Scope'), 'gmd:level', 'MD_ScopeCode', 'dataset');
  str(dq.ele(NS.gmd, 'gmd:lineage').ele(NS.gmd, 'gmd:LI_Lineage'), 'gmd:statement', `Processing level: ${d.processingLevel}. Each observation carries an OceanSITES quality flag (reference table 2).`);
  return doc.end({ prettyPrint: true });
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
  const doc = xmlDocument();
  const md = doc.ele(NS.gmd, 'gmd:MD_Metadata', { 'xmlns:gco': NS.gco, 'xmlns:gml': NS.gml, 'xmlns:xlink': NS.xlink });
  const typeName = `${cfg.namespacePrefix}:${type.name}`;
  str(md, 'gmd:fileIdentifier', `reefgate:collection:${type.name}`);
  codeList(md, 'gmd:language', 'LanguageCode', 'eng');
  codeList(md, 'gmd:characterSet', 'MD_CharacterSetCode', 'utf8');
  codeList(md, 'gmd:hierarchyLevel', 'MD_ScopeCode', 'series');
  responsibleParty(md, 'gmd:contact', cfg.providerName, cfg, 'pointOfContact');
  md.ele(NS.gmd, 'gmd:dateStamp').ele(NS.gco, 'gco:DateTime').txt(s.updatedAt.replace(/Z$/, ''));
  str(md, 'gmd:metadataStandardName', 'ISO 19115:2003/19139');
  str(md, 'gmd:metadataStandardVersion', '1.0');
  str(md, 'gmd:dataSetURI', metadataUrl(baseUrl, type.name));
  const id = md.ele(NS.gmd, 'gmd:identificationInfo').ele(NS.gmd, 'gmd:MD_DataIdentification');
  const cit = id.ele(NS.gmd, 'gmd:citation').ele(NS.gmd, 'gmd:CI_Citation');
  str(cit, 'gmd:title', `${cfg.serviceTitle}: ${type.title}`);
  const date = cit.ele(NS.gmd, 'gmd:date').ele(NS.gmd, 'gmd:CI_Date');
  date.ele(NS.gmd, 'gmd:date').ele(NS.gco, 'gco:DateTime').txt(s.updatedAt.replace(/Z$/, ''));
  codeList(date, 'gmd:dateType', 'CI_DateTypeCode', 'revision');
  str(id, 'gmd:abstract', `${type.abstract} Networks: ${s.networks.join(', ')}; ${s.datasets} datasets. Each dataset has its own record at ${baseUrl}/metadata/{datasetCode}.xml.`);
  responsibleParty(id, 'gmd:pointOfContact', cfg.providerName, cfg, 'pointOfContact');
  const cf = id.ele(NS.gmd, 'gmd:descriptiveKeywords').ele(NS.gmd, 'gmd:MD_Keywords');
  for (const k of s.standardNames) str(cf, 'gmd:keyword', k);
  codeList(cf, 'gmd:type', 'MD_KeywordTypeCode', 'theme');
  const th = cf.ele(NS.gmd, 'gmd:thesaurusName').ele(NS.gmd, 'gmd:CI_Citation');
  str(th, 'gmd:title', 'CF Standard Name Table');
  const thd = th.ele(NS.gmd, 'gmd:date').ele(NS.gmd, 'gmd:CI_Date');
  thd.ele(NS.gmd, 'gmd:date').ele(NS.gco, 'gco:Date').txt('2024-01-01');
  codeList(thd, 'gmd:dateType', 'CI_DateTypeCode', 'revision');
  codeList(id, 'gmd:language', 'LanguageCode', 'eng');
  id.ele(NS.gmd, 'gmd:topicCategory').ele(NS.gmd, 'gmd:MD_TopicCategoryCode').txt('oceans');
  const ext = id.ele(NS.gmd, 'gmd:extent').ele(NS.gmd, 'gmd:EX_Extent');
  const bbox = ext.ele(NS.gmd, 'gmd:geographicElement').ele(NS.gmd, 'gmd:EX_GeographicBoundingBox');
  decimal(bbox, 'gmd:westBoundLongitude', s.west);
  decimal(bbox, 'gmd:eastBoundLongitude', s.east);
  decimal(bbox, 'gmd:southBoundLatitude', s.south);
  decimal(bbox, 'gmd:northBoundLatitude', s.north);
  if (s.timeStart && s.timeEnd) {
    const tp = ext.ele(NS.gmd, 'gmd:temporalElement').ele(NS.gmd, 'gmd:EX_TemporalExtent').ele(NS.gmd, 'gmd:extent').ele(NS.gml, 'gml:TimePeriod', { 'gml:id': `tp_${type.name}` });
    tp.ele(NS.gml, 'gml:beginPosition').txt(s.timeStart);
    tp.ele(NS.gml, 'gml:endPosition').txt(s.timeEnd);
  }
  const dist = md.ele(NS.gmd, 'gmd:distributionInfo').ele(NS.gmd, 'gmd:MD_Distribution');
  const f = dist.ele(NS.gmd, 'gmd:distributionFormat').ele(NS.gmd, 'gmd:MD_Format');
  str(f, 'gmd:name', 'OGC WFS 2.0 / GML 3.2');
  str(f, 'gmd:version', '2.0.0');
  const transfer = dist.ele(NS.gmd, 'gmd:transferOptions').ele(NS.gmd, 'gmd:MD_DigitalTransferOptions');
  onlineResource(transfer.ele(NS.gmd, 'gmd:onLine'), `${baseUrl}/wfs`, 'OGC:WFS', typeName, `WFS feature type ${typeName}`, 'download');
  onlineResource(transfer.ele(NS.gmd, 'gmd:onLine'), `${baseUrl}/sos`, 'OGC:SOS', 'SOS', 'SOS 2.0 / 1.0 endpoint of the same network', 'download');
  return doc.end({ prettyPrint: true });
}
