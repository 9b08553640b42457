/** The stored queries offered (GetFeatureById only; ManageStoredQueries is FALSE). */
export const GET_FEATURE_BY_ID_IDS = ['urn:ogc:def:query:OGC-WFS::GetFeatureById', 'http://www.opengis.net/def/query/OGC-WFS/0/GetFeatureById'];

/** True when an id names the GetFeatureById stored query (either spelling). */
export function isGetFeatureById(id: string): boolean {
  return GET_FEATURE_BY_ID_IDS.some((x) => x.toLowerCase() === id.trim().toLowerCase());
}
