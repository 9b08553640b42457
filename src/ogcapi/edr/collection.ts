/**
 * The EDR members of an EDR collection's description (the OGC API – Features members stay as they
 * are): `data_queries` with each query's URL and variables, `parameter_names` from the catalogue's
 * observed properties, `output_formats`, and the vertical extent of the station depths.
 */
import { stationsWithDatasets } from '../../catalog/extents';
import type { Catalogue } from '../../catalog/model';
import { DEPTH_CRS } from '../../encoders/series/covjson';
import type { Collection } from '../collections';
import { FORMATS, FormatId } from '../formats';
import { Link, seg } from '../links';
import { EDR_CRS } from './crs';
import { parameterNames } from './parameters';
import { EDR_DATA_FORMATS, EDR_LOCATIONS_FORMATS, POSITION_TOLERANCE_M } from './routes';
import { WITHIN_UNITS } from './spatial';

const names = (ids: FormatId[]) => ids.map((id) => FORMATS[id].title);

/** One data_queries member: its link, whose variables describe the query. */
function query(href: string, type: string, title: string, description: string, formats: FormatId[], extra: Record<string, unknown> = {}) {
  const variables = { title, description, query_type: type, output_formats: names(formats), default_output_format: FORMATS[formats[0]].title, crs_details: EDR_CRS, ...extra };
  return { link: { href, rel: 'data', type: FORMATS[formats[0]].mediaType, title, variables } };
}

/** Vertical extent: the depths of the stations that have series (metres below mean sea level, EPSG:5715). */
function vertical(cat: Catalogue): Record<string, unknown> | undefined {
  const depths = [...new Set(stationsWithDatasets(cat).flatMap((s) => (s.depthM === null ? [] : [s.depthM])))].sort((a, b) => a - b);
  if (depths.length === 0) return undefined;
  return { interval: [[String(depths[0]), String(depths[depths.length - 1])]], values: depths.map(String), vrs: DEPTH_CRS, name: 'MSL depth (m, positive down)' };
}

/** The collection description with its EDR members added. */
export function withEdr(doc: Record<string, unknown>, c: Collection, cat: Catalogue, root: string): Record<string, unknown> {
  const url = `${root}/collections/${seg(c.id)}`;
  const v = vertical(cat);
  const links: Link[] = [
    ...(doc.links as Link[]),
    { href: `${url}/locations`, rel: 'data', type: FORMATS.geojson.mediaType, title: 'Locations (stations)' },
  ];
  return {
    ...doc,
    extent: { ...(doc.extent as Record<string, unknown>), ...(v ? { vertical: v } : {}) },
    data_queries: {
      position: query(`${url}/position`, 'position', 'Position query', `The series of the station nearest coords (POINT or MULTIPOINT) within ${POSITION_TOLERANCE_M} m.`, EDR_DATA_FORMATS),
      radius: query(`${url}/radius`, 'radius', 'Radius query', 'The series of every station within a distance of coords.', EDR_DATA_FORMATS, { within_units: WITHIN_UNITS }),
      area: query(`${url}/area`, 'area', 'Area query', 'The series of every station inside a POLYGON or MULTIPOLYGON.', EDR_DATA_FORMATS),
      cube: query(`${url}/cube`, 'cube', 'Cube query', 'The series of every station inside bbox, and within the depths z.', EDR_DATA_FORMATS, { height_units: ['m'] }),
      locations: query(`${url}/locations`, 'locations', 'Locations query', 'The stations; /locations/{station code} is the series of one.', EDR_LOCATIONS_FORMATS),
      items: { link: { href: `${url}/items`, rel: 'data', type: FORMATS.geojson.mediaType, title: 'Items query', variables: { title: 'Items query', description: 'The datasets (one per station series) as features.', query_type: 'items' } } },
    },
    parameter_names: parameterNames(cat),
    output_formats: names(EDR_DATA_FORMATS),
    links,
  };
}
