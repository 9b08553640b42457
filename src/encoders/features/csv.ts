import { csvField } from '../csvField';
import { FeatureEncoder, propertyText } from './featureEncoder';


/** CSV: one row per feature, the gml:id first and the geometry last as WKT (x/y order). */
export const csvEncoder: FeatureEncoder = {
  contentType: 'text/csv; charset=utf-8',
  geometryEncoding: 'wkt',
  layout: 'csv',
  begin(info) {
    const cols = ['gml_id', ...info.properties.map((p) => p.name)];
    if (info.includeGeometry) cols.push(info.type.geometry.name);
    return cols.join(',') + '\r\n';
  },
  feature(row, info) {
    const out = [csvField(`${info.type.name}.${row[0]}`)];
    for (let i = 0; i < info.properties.length; i++) {
      const v = row[i + 2];
      out.push(v === null || v === undefined ? '' : csvField(propertyText(info.properties[i], v, info.baseUrl)));
    }
    if (info.includeGeometry) out.push(row[1] ? csvField(row[1]) : '');
    return out.join(',') + '\r\n';
  },
  end: () => '',
};
