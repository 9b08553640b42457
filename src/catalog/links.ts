/**
 * Where each published object can be fetched: the one place its URLs are spelled, read by the WFS
 * feature types, the ISO records, the NetCDF export and its THREDDS catalog alike.
 */
import type { Config } from '../config/config';

/** URL path under which THREDDS serves the exported files (the datasetRoot of the exported catalog). */
export const THREDDS_URL_PATH = 'reefgate';

/** File name of a dataset's NetCDF file: the dataset code, restricted to safe file-name characters. */
export function netcdfFileName(datasetCode: string): string {
  return `${datasetCode.replace(/[^A-Za-z0-9._-]/g, '_')}.nc`;
}

/** OPeNDAP URL of a dataset on THREDDS, or undefined when THREDDS_URL is not configured. */
export function opendapUrl(cfg: Pick<Config, 'threddsUrl'>, datasetCode: string): string | undefined {
  if (!cfg.threddsUrl) return undefined;
  return `${cfg.threddsUrl}/dodsC/${THREDDS_URL_PATH}/${encodeURIComponent(netcdfFileName(datasetCode))}`;
}

/** Direct NetCDF download URL of a dataset on THREDDS (HTTPServer service), or undefined. */
export function netcdfDownloadUrl(cfg: Pick<Config, 'threddsUrl'>, datasetCode: string): string | undefined {
  if (!cfg.threddsUrl) return undefined;
  return `${cfg.threddsUrl}/fileServer/${THREDDS_URL_PATH}/${encodeURIComponent(netcdfFileName(datasetCode))}`;
}

/** Stable URL of a dataset's ISO 19139 record, served by the gateway (GET /metadata/{code}.xml). */
export function metadataUrl(baseUrl: string, datasetCode: string): string {
  return `${baseUrl}/metadata/${encodeURIComponent(datasetCode)}.xml`;
}

/** SOS 2.0 GetObservation KVP URL of one offering (a dataset code), optionally in another response format. */
export function sosObservationUrl(baseUrl: string, offering: string, responseFormat?: string): string {
  const q = `service=SOS&version=2.0.0&request=GetObservation&offering=${encodeURIComponent(offering)}`;
  return `${baseUrl}/sos?${q}${responseFormat ? `&responseFormat=${encodeURIComponent(responseFormat)}` : ''}`;
}

/** Id of the OGC API – EDR collection holding every station series (docs/ogcapi.md, *Environmental Data Retrieval*). */
export const EDR_COLLECTION_ID = 'insitu';

/**
 * OGC API – EDR URL of one station's series (CoverageJSON by default), optionally of one parameter
 * (an observed property code): `{apiRoot}/collections/insitu/locations/{station}?parameter-name={code}`.
 */
export function edrLocationUrl(apiRoot: string, stationCode: string, parameter?: string): string {
  const url = `${apiRoot}/collections/${EDR_COLLECTION_ID}/locations/${encodeURIComponent(stationCode)}`;
  return parameter === undefined ? url : `${url}?parameter-name=${encodeURIComponent(parameter)}`;
}
