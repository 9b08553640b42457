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
