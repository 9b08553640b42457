/** The station, dataset and latest-values panels. */
import { Dataset, datasetFileUrl, featurePageUrl, Format, isoRecordUrl, observationUrl, PortalSettings, Series, Station } from './api';
import { displayUnit, formatInstant, formatLatLon } from './coords';
import { definitions, h } from './dom';
import { t } from './i18n';

/** Renders the station panel; clicking a dataset calls `onDataset`. */
export function stationPanel(s: PortalSettings, st: Station, datasets: Dataset[], onDataset: (id: string) => void): HTMLElement {
  const list = h('ul', { class: 'dataset-list' });
  for (const d of datasets) {
    const b = h('button', { type: 'button', class: 'link', 'data-dataset': d.id }, `${d.propertyLabel} — ${d.instrumentFamily} (${d.processingLevel})`);
    b.addEventListener('click', () => onDataset(d.id));
    list.append(h('li', { 'data-dataset-item': d.id }, b, datasetFacts(d), datasetLinks(s, d)));
  }
  return h(
    'section',
    { class: 'panel', id: 'station-panel', 'aria-labelledby': 'station-title', 'data-station': st.id },
    h('h2', { id: 'station-title', tabindex: '-1' }, `${t('stationPanel')} · ${st.name}`),
    definitions([
      [t('network'), st.network],
      [t('producer'), st.producer],
      [t('country'), st.country],
      [t('coordinates'), h('span', { class: 'coords', 'data-lon': String(st.lon), 'data-lat': String(st.lat) }, formatLatLon(st.lon, st.lat))],
      [t('depth'), st.depth === null ? '—' : `${st.depth} m`],
      [t('observedProperties'), st.observedProperties.join(', ')],
      [t('firstObservation'), formatInstant(st.firstObservation)],
      [t('lastObservation'), formatInstant(st.lastObservation)],
    ]),
    h('h3', {}, `${t('datasets')} (${datasets.length})`),
    list,
    h('p', {}, h('a', { href: featurePageUrl(s, 'stations', st.id), class: 'feature-page' }, t('featurePage'))),
  );
}

/** A dataset's dates, unit, processing level and instrument family, as the station page lists them (the seed's page). */
function datasetFacts(d: Dataset): HTMLElement {
  const day = (iso: string | null) => (iso ? iso.slice(0, 10) : '—');
  const unit = displayUnit(d.uom) || d.uom;
  return definitions([
    [t('start'), h('span', { 'data-field': 'start' }, day(d.startTime))],
    [t('end'), h('span', { 'data-field': 'end' }, day(d.endTime))],
    [t('unit'), h('span', { 'data-field': 'unit' }, unit)],
    [t('processingLevel'), h('span', { 'data-field': 'processingLevel' }, d.processingLevel)],
    [t('instrumentFamily'), h('span', { 'data-field': 'instrumentFamily' }, d.instrumentFamily)],
  ]);
}

/** A dataset's links on the station page: OGC API item, SOS, CSV, NetCDF, EDR, ISO record; OPeNDAP and catalogue when configured. */
function datasetLinks(s: PortalSettings, d: Dataset): HTMLElement {
  const a = (href: string, kind: string, label: string, download?: boolean) => h('a', { href, 'data-link': kind, ...(download ? { download: '' } : {}) }, label);
  return h(
    'span',
    { class: 'downloads dataset-links' },
    a(featurePageUrl(s, 'datasets', d.id), 'ogcapi', t('ogcapiItem')),
    a(observationUrl(s, { offering: d.id, format: 'om' }), 'sos', t('sos')),
    a(datasetFileUrl(s, d.id, 'csv'), 'csv', t('csv'), true),
    a(datasetFileUrl(s, d.id, 'nc'), 'netcdf', t('netcdf'), true),
    d.edrUrl ? a(d.edrUrl, 'edr', t('edrShort')) : null,
    a(isoRecordUrl(s, d.id), 'iso', t('isoShort')),
    d.opendapUrl ? a(d.opendapUrl, 'opendap', t('opendap')) : null,
    d.metadataUrl ? a(d.metadataUrl, 'metadata', t('metadata')) : null,
  );
}

/** SOS formats offered beside the readable CSV (which is its own route, /datasets/{code}.csv). */
const SOS_FORMATS: Format[] = ['om', 'json'];

function downloadLinks(s: PortalSettings, d: Dataset, from?: string, to?: string): HTMLElement {
  return h(
    'span',
    { class: 'downloads' },
    // CSV for people: station, dataset, parameter, unit, time, value, qc (the SOS CSV stays for machines).
    h('a', { href: datasetFileUrl(s, d.id, 'csv', from?.slice(0, 10), to?.slice(0, 10)), 'data-format': 'csv', download: '' }, t('csv')),
    ...SOS_FORMATS.map((f) => h('a', { href: observationUrl(s, { offering: d.id, format: f, from, to }), 'data-format': f, download: '' }, t(f))),
    // The whole dataset also as OceanSITES NetCDF (GET /datasets/{code}.nc).
    ...(from ? [] : [h('a', { href: datasetFileUrl(s, d.id, 'nc'), 'data-format': 'netcdf', download: '' }, t('netcdf'))]),
  );
}

/** The instant range of a chosen pair of calendar days, both days included. */
export function dayRange(fromDay: string, toDay: string): { from: string; to: string } | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(fromDay) || !/^\d{4}-\d{2}-\d{2}$/.test(toDay) || fromDay > toDay) return undefined;
  return { from: `${fromDay}T00:00:00Z`, to: `${toDay}T23:59:59Z` };
}

/** Renders the dataset panel with whole-dataset and chosen-period downloads. */
export function datasetPanel(s: PortalSettings, d: Dataset, st: Station | undefined): HTMLElement {
  const endDay = (d.endTime ?? new Date().toISOString()).slice(0, 10);
  const startDay = (d.startTime ?? endDay).slice(0, 10);
  const monthBefore = new Date(Date.parse(`${endDay}T00:00:00Z`) - 30 * 86_400_000).toISOString().slice(0, 10);
  const fromInput = h('input', { type: 'date', id: 'period-from', min: startDay, max: endDay, value: monthBefore < startDay ? startDay : monthBefore });
  const toInput = h('input', { type: 'date', id: 'period-to', min: startDay, max: endDay, value: endDay });
  const periodLinks = h('span', { id: 'period-links' });
  const periodError = h('span', { class: 'error', role: 'alert' });
  const update = () => {
    const r = dayRange(fromInput.value, toInput.value);
    periodError.textContent = r ? '' : t('periodInvalid');
    periodLinks.replaceChildren(r ? downloadLinks(s, d, r.from, r.to) : '');
  };
  fromInput.addEventListener('change', update);
  toInput.addEventListener('change', update);
  update();
  const extra: HTMLElement[] = [
    h('li', {}, h('a', { href: isoRecordUrl(s, d.id), class: 'iso-record' }, t('isoRecord'))),
    h('li', {}, h('a', { href: featurePageUrl(s, 'datasets', d.id), class: 'feature-page' }, t('featurePage'))),
  ];
  if (d.edrUrl) extra.push(h('li', {}, h('a', { href: d.edrUrl, class: 'edr' }, t('edr'))));
  if (d.opendapUrl) extra.push(h('li', {}, h('a', { href: d.opendapUrl, class: 'opendap' }, t('opendap'))));
  if (d.metadataUrl) extra.push(h('li', {}, h('a', { href: d.metadataUrl, class: 'metadata' }, t('metadata'))));
  return h(
    'section',
    { class: 'panel', id: 'dataset-panel', 'aria-labelledby': 'dataset-title', 'data-dataset': d.id },
    h('h2', { id: 'dataset-title', tabindex: '-1' }, `${t('datasetPanel')} · ${d.id}`),
    definitions([
      [t('station'), d.stationName || st?.name],
      [t('platform'), st ? `${st.network} · ${st.name}` : d.stationId],
      [t('property'), `${d.propertyLabel} (${d.standardName})`],
      [t('processingLevel'), d.processingLevel],
      [t('instrumentFamily'), d.instrumentFamily],
      [t('unit'), displayUnit(d.uom) && displayUnit(d.uom) !== d.uom ? `${displayUnit(d.uom)} (UCUM ${d.uom})` : d.uom],
      [t('start'), formatInstant(d.startTime)],
      [t('end'), formatInstant(d.endTime)],
      [t('observations'), d.observationCount.toLocaleString()],
    ]),
    h('h3', {}, t('downloads')),
    h('ul', { class: 'download-list' }, h('li', { id: 'whole-links' }, `${t('wholeDataset')}: `, downloadLinks(s, d)), h('li', {}, h('fieldset', {}, h('legend', {}, t('period')), h('label', { for: 'period-from' }, t('from')), fromInput, h('label', { for: 'period-to' }, t('to')), toInput, periodLinks, periodError)), ...extra),
  );
}

/** The latest-values table; a row click selects its station. */
export function latestPanel(series: Series[], datasets: Map<string, Dataset>, onStation: (id: string) => void): HTMLElement {
  const rows = series
    .filter((s) => s.points.length > 0)
    .map((s) => ({ s, d: datasets.get(s.offering), p: s.points[s.points.length - 1] }))
    .sort((a, b) => (a.d?.stationName ?? a.s.featureOfInterest).localeCompare(b.d?.stationName ?? b.s.featureOfInterest));
  const body = h('tbody');
  for (const { s, d, p } of rows) {
    const stationId = d?.stationId ?? s.featureOfInterest;
    const b = h('button', { type: 'button', class: 'link' }, d?.stationName ?? stationId);
    b.addEventListener('click', () => onStation(stationId));
    body.append(h('tr', { 'data-dataset': s.offering }, h('td', {}, b), h('td', {}, d?.propertyLabel ?? s.label), h('td', {}, formatInstant(p[0])), h('td', { class: 'num' }, p[1] === null ? '—' : `${p[1]} ${displayUnit(s.uom)}`.trim())));
  }
  return h(
    'section',
    { class: 'panel', id: 'latest-panel', 'aria-labelledby': 'latest-title', 'data-rows': String(rows.length) },
    h('h2', { id: 'latest-title', tabindex: '-1' }, t('latestValues')),
    h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, t('station')), h('th', {}, t('property')), h('th', {}, t('time')), h('th', {}, t('value')))), body)),
  );
}
