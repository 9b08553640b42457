/** Stable URL of a dataset's ISO 19139 record, served by the gateway (GET /metadata/{code}.xml). */
export function metadataUrl(baseUrl: string, datasetCode: string): string {
  return `${baseUrl}/metadata/${encodeURIComponent(datasetCode)}.xml`;
}
