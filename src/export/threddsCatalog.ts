import { xmlRoot, xmlString } from '../xml/document';
import type { Dataset } from '../catalog/model';
import { netcdfFileName, THREDDS_URL_PATH } from '../catalog/links';
import { cfUnits, variableName } from './oceansites';

/** Where the THREDDS container sees the exported directory (compose mounts the shared volume there). */
export const DEFAULT_THREDDS_LOCATION = '/usr/local/tomcat/content/thredds/reefgate/';

export interface CatalogEntry {
  info: Dataset;
  bytes: number;
}

export interface CatalogOptions {
  title: string;
  /** Absolute directory of the files inside the THREDDS server (datasetRoot location). */
  location: string;
  /** Link to a dataset's ISO 19139 record, when the gateway's public URL is known. */
  metadataUrl?: (code: string) => string;
}

/** THREDDS client catalog (InvCatalog 1.0) listing every exported file with OPeNDAP and HTTP access. */
export function threddsCatalog(entries: CatalogEntry[], opts: CatalogOptions): string {
  const cat = xmlRoot('thredds:catalog', ['xlink'], { name: opts.title, version: '1.2' });
  const all = cat.ele('service', { name: 'all', serviceType: 'Compound', base: '' });
  all.ele('service', { name: 'odap', serviceType: 'OpenDAP', base: '/thredds/dodsC/' });
  all.ele('service', { name: 'http', serviceType: 'HTTPServer', base: '/thredds/fileServer/' });
  all.ele('service', { name: 'ncss', serviceType: 'NetcdfSubset', base: '/thredds/ncss/' });
  cat.ele('datasetRoot', { path: THREDDS_URL_PATH, location: opts.location });

  const top = cat.ele('dataset', { name: opts.title, ID: THREDDS_URL_PATH });
  const meta = top.ele('metadata', { inherited: 'true' });
  meta.ele('serviceName').txt('all');
  meta.ele('dataType').txt('Station');
  meta.ele('dataFormat').txt('NetCDF');
  meta.ele('documentation', { type: 'summary' }).txt('Ocean observation time series exported from ReefGate, one OceanSITES (CF-1.6) NetCDF file per dataset.');

  for (const { info: d, bytes } of entries) {
    const file = netcdfFileName(d.code);
    const ds = top.ele('dataset', { name: `${d.property.label} at ${d.station.name} (${d.code})`, ID: `${THREDDS_URL_PATH}/${file}`, urlPath: `${THREDDS_URL_PATH}/${file}` });
    ds.ele('dataSize', { units: 'bytes' }).txt(String(bytes));
    ds.ele('date', { type: 'modified' }).txt(d.updatedAt);
    if (d.timeStart && d.timeEnd) {
      const tc = ds.ele('timeCoverage');
      tc.ele('start').txt(d.timeStart);
      tc.ele('end').txt(d.timeEnd);
    }
    const gc = ds.ele('geospatialCoverage');
    gc.ele('northsouth').ele('start').txt(String(d.station.lat)).up().ele('size').txt('0').up().ele('units').txt('degrees_north');
    gc.ele('eastwest').ele('start').txt(String(d.station.lon)).up().ele('size').txt('0').up().ele('units').txt('degrees_east');
    // "CF-1.0" is THREDDS' vocabulary name for CF standard names (its enumeration has no later CF versions).
    ds.ele('variables', { vocabulary: 'CF-1.0' })
      .ele('variable', { name: variableName(d.property.code), vocabulary_name: d.property.standardName, units: cfUnits(d.property.uom) })
      .txt(d.property.label);
    if (opts.metadataUrl) ds.ele('documentation', { 'xlink:href': opts.metadataUrl(d.code), 'xlink:title': 'ISO 19139 metadata record' });
  }
  return xmlString(cat, true);
}
