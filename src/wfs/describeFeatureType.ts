import { xmlRoot, xmlString } from '../xml/document';
import { featureTypes } from '../catalog/featureTypes';
import type { FeatureTypeDef, PropertyType } from '../catalog/types';
import type { Config } from '../config/config';
import { commaList } from '../http/kvp';
import type { OwsContext, OwsRequest, OwsResponse } from '../ows/types';
import { SchemaFlavour, schemaFlavourFor } from './formats';
import { parseNamespaces, resolveTypeName } from './typeNames';
import { operationVersion } from './version';
import { NS, NsKey, xmlnsAttrs, XSD } from '../xml/namespaces';

/** XSD simple types of our property types (only those QGIS maps to plain attributes). */
const XSD_TYPE: Record<PropertyType, string> = {
  string: 'xs:string',
  int: 'xs:int',
  long: 'xs:long',
  double: 'xs:double',
  boolean: 'xs:boolean',
  dateTime: 'xs:dateTime',
  // GDAL's schema reader (parsexsd.cpp) gives up on the whole schema at xs:anyURI; links are declared as strings.
  anyURI: 'xs:string',
};

/** What differs between the GML versions of an application schema. */
const FLAVOURS: Record<SchemaFlavour, { gml: NsKey; gmlXsd: string; substitutionGroup: string }> = {
  gml32: { gml: 'gml', gmlXsd: XSD.gml321, substitutionGroup: 'gml:AbstractFeature' },
  gml311: { gml: 'gml311', gmlXsd: XSD.gml311, substitutionGroup: 'gml:_Feature' },
  gml2: { gml: 'gml311', gmlXsd: XSD.gml212, substitutionGroup: 'gml:_Feature' },
};

/**
 * The XML Schema of some feature types, shaped for QGIS (qgsxmlschemaanalyzer): a top-level element typed
 * `prefix:NameType`, a top-level complexType, geometry as `gml:PointPropertyType`, simple XSD types only.
 * Every property is optional so PROPERTYNAME subsets and null values stay valid.
 */
export function applicationSchema(types: FeatureTypeDef[], config: Config, flavour: SchemaFlavour): string {
  const f = FLAVOURS[flavour];
  const prefix = config.namespacePrefix;
  const schema = xmlRoot('xs:schema', [], {
    [`xmlns:${prefix}`]: config.namespaceUri,
    ...xmlnsAttrs([f.gml]),
    targetNamespace: config.namespaceUri,
    elementFormDefault: 'qualified',
    version: '1.0',
  });
  schema.ele('xs:import', { namespace: NS[f.gml], schemaLocation: f.gmlXsd });
  for (const t of types) {
    schema.ele('xs:element', { name: t.name, type: `${prefix}:${t.name}Type`, substitutionGroup: f.substitutionGroup });
    const ct = schema.ele('xs:complexType', { name: `${t.name}Type` });
    const seq = ct.ele('xs:complexContent').ele('xs:extension', { base: 'gml:AbstractFeatureType' }).ele('xs:sequence');
    for (const p of t.properties) seq.ele('xs:element', { name: p.name, type: XSD_TYPE[p.type], minOccurs: '0' });
    seq.ele('xs:element', { name: t.geometry.name, type: `gml:${t.geometry.gmlType}`, minOccurs: '0' });
  }
  return xmlString(schema, true);
}

/** Type names asked for (KVP TYPENAME/TYPENAMES or XML wfs:TypeName); empty = all. */
function requestedTypes(req: OwsRequest, config: Config): FeatureTypeDef[] {
  const all = featureTypes(config);
  if (req.xml) {
    const names = req.xml.children.filter((c) => c.local === 'TypeName');
    const ns = new Map(Object.entries(req.xml.scope));
    return names.map((n) => resolveTypeName(n.text, new Map([...ns, ...Object.entries(n.scope)]), all, config, 'typeName'));
  }
  const key = req.kvp.has('typenames') ? 'typenames' : 'typename';
  const raw = commaList(req.kvp.get(key)?.replace(/[()]/g, ','));
  if (raw.length === 0) return all;
  const ns = parseNamespaces(req.kvp.get('namespaces'));
  const out: FeatureTypeDef[] = [];
  for (const n of raw) {
    const t = resolveTypeName(n, ns, all, config, key === 'typenames' ? 'typeNames' : 'typeName');
    if (!out.includes(t)) out.push(t);
  }
  return out;
}

/** WFS DescribeFeatureType (GML 3.2 for 2.0.0, GML 3.1.1 for 1.1.0, GML 2 for 1.0.0). */
export async function describeFeatureType(req: OwsRequest, ctx: OwsContext): Promise<OwsResponse> {
  const version = operationVersion(req);
  const outputFormat = req.xml ? req.xml.attrs.outputFormat : req.kvp.get('outputformat');
  const flavour = schemaFlavourFor(outputFormat, version);
  const types = requestedTypes(req, ctx.config);
  const contentType = flavour === 'gml32' ? 'application/gml+xml; version=3.2; charset=utf-8' : 'text/xml; subtype=gml/3.1.1; charset=utf-8';
  return { kind: 'body', contentType: flavour === 'gml2' ? 'text/xml; charset=utf-8' : contentType, body: applicationSchema(types, ctx.config, flavour) };
}
