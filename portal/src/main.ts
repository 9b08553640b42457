/** Portal entry: loads stations and datasets from OGC API – Features, wires property → station → dataset selection, panels, chart and map. */
import 'ol/ol.css';
import '../styles.css';
import { Dataset, fetchDatasets, fetchLatest, fetchStationSeries, fetchStations, FLAGGED_FLAGS, GOOD_FLAGS, PortalSettings, SeriesColumns, Station } from './api';
import { ChartSeries, TimeSeriesChart } from './chart';
import { displayUnit } from './coords';
import { h } from './dom';
import { initialLang, Lang, lang, MessageKey, setLang, t } from './i18n';
import { createStationMap, StationMap } from './map';
import { datasetPanel, latestPanel, stationPanel } from './panels';

const YEAR = 365 * 86_400_000;

interface State {
  stations: Station[];
  datasets: Dataset[];
  byId: Map<string, Dataset>;
  property: string;
  stationId?: string;
  datasetId?: string;
  latestShown: boolean;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function readSettings(): PortalSettings {
  const raw = JSON.parse($('portal-settings').textContent ?? '{}') as Partial<PortalSettings>;
  const advertised = raw.baseUrl ?? '';
  return { baseUrl: apiBase(advertised), advertisedBaseUrl: advertised, ogcapiPath: raw.ogcapiPath ?? '/ogcapi', basemapUrl: raw.basemapUrl ?? '', landAsset: raw.landAsset ?? '' };
}

/** The advertised base URL when the page was reached through it, else this page's own directory (same origin, as the CSP requires). */
function apiBase(advertised: string): string {
  try {
    if (advertised && new URL(advertised).origin === location.origin) return advertised;
  } catch {
    // not a URL: fall through.
  }
  return location.origin + location.pathname.replace(/\/[^/]*$/, '');
}

/** Re-labels every static element marked with data-i18n. */
function applyStaticLabels(): void {
  document.documentElement.lang = lang();
  document.querySelectorAll<HTMLElement>('[data-i18n]').forEach((el) => {
    el.textContent = t(el.dataset.i18n as MessageKey);
  });
  document.querySelectorAll<HTMLElement>('[data-i18n-label]').forEach((el) => {
    el.setAttribute('aria-label', t(el.dataset.i18nLabel as MessageKey));
  });
}

function fillSelect(sel: HTMLSelectElement, placeholder: string, options: [string, string][], value: string | undefined): void {
  sel.replaceChildren(h('option', { value: '' }, placeholder), ...options.map(([v, label]) => h('option', { value: v }, label)));
  sel.value = value && options.some(([v]) => v === value) ? value : '';
}

/** Keeps the selection in the address (#property=…&station=…&dataset=…) so it can be shared or bookmarked. */
function writeHash(state: State): void {
  const q = new URLSearchParams();
  if (state.property) q.set('property', state.property);
  if (state.stationId) q.set('station', state.stationId);
  if (state.datasetId) q.set('dataset', state.datasetId);
  const hash = q.toString();
  if (hash !== location.hash.slice(1)) history.replaceState(null, '', hash ? `#${hash}` : location.pathname + location.search);
}

async function boot(): Promise<void> {
  const settings = readSettings();
  let saved: string | null = null;
  try {
    saved = localStorage.getItem('reefgate.lang');
  } catch {
    // storage may be disabled; the browser language still applies.
  }
  setLang(initialLang(saved, navigator.language));
  applyStaticLabels();

  const propertySel = $<HTMLSelectElement>('property-select');
  const stationSel = $<HTMLSelectElement>('station-select');
  const datasetSel = $<HTMLSelectElement>('dataset-select');
  const stationHost = $('station-host');
  const datasetHost = $('dataset-host');
  const chartHost = $('chart-host');
  const latestHost = $('latest-host');
  const status = $('status');
  const state: State = { stations: [], datasets: [], byId: new Map(), property: '', latestShown: false };

  const chart = new TimeSeriesChart(async (from, to, buckets, showFlagged, signal) => {
    const list = state.datasets.filter((d) => d.stationId === state.stationId);
    const fromIso = new Date(from).toISOString().replace('.000Z', 'Z');
    const toIso = new Date(to).toISOString().replace('.000Z', 'Z');
    if (!state.stationId || list.length === 0) return [];
    // One OGC API – EDR request (CoverageJSON, downsampled on the server) for all the station's series,
    // and one more for the flagged values when they are shown.
    const [good, bad] = await Promise.all([
      fetchStationSeries(settings, state.stationId, fromIso, toIso, buckets, GOOD_FLAGS, signal),
      showFlagged ? fetchStationSeries(settings, state.stationId, fromIso, toIso, buckets, FLAGGED_FLAGS, signal) : undefined,
    ]);
    const none: SeriesColumns = { times: new Float64Array(0), values: new Float64Array(0), qc: new Uint8Array(0) };
    return list.map((d): ChartSeries => {
      const dup = list.filter((o) => o.propertyLabel === d.propertyLabel).length > 1;
      const label = dup ? `${d.propertyLabel} · ${d.instrumentFamily}` : d.propertyLabel;
      return { id: d.id, label, uom: displayUnit(d.uom), ...(good.get(d.id) ?? none), flagged: bad ? (bad.get(d.id) ?? none) : undefined };
    });
  });

  const visibleStations = () => (state.property ? state.stations.filter((s) => state.datasets.some((d) => d.stationId === s.id && d.propertyLabel === state.property)) : state.stations);
  const stationDatasets = (id: string | undefined) => state.datasets.filter((d) => d.stationId === id && (!state.property || d.propertyLabel === state.property));

  let map: StationMap;

  const renderSelects = () => {
    const props = [...new Set(state.datasets.map((d) => d.propertyLabel))].sort();
    fillSelect(propertySel, t('allProperties'), props.map((p) => [p, p]), state.property);
    fillSelect(stationSel, t('chooseStation'), visibleStations().map((s) => [s.id, s.name]), state.stationId);
    fillSelect(datasetSel, t('chooseDataset'), stationDatasets(state.stationId).map((d) => [d.id, `${d.propertyLabel} — ${d.instrumentFamily} — ${d.id}`]), state.datasetId);
    datasetSel.disabled = !state.stationId;
  };

  const renderPanels = () => {
    const st = state.stations.find((s) => s.id === state.stationId);
    stationHost.replaceChildren(st ? stationPanel(settings, st, stationDatasets(st.id), (id) => selectDataset(id, true)) : h('p', { class: 'hint intro' }, t('intro')));
    const d = state.datasetId ? state.byId.get(state.datasetId) : undefined;
    datasetHost.replaceChildren(d ? datasetPanel(settings, d, st) : '');
    chartHost.hidden = !st;
    writeHash(state);
  };

  const selectStation = (id: string | undefined, focus: boolean) => {
    state.stationId = id;
    state.datasetId = undefined;
    renderSelects();
    renderPanels();
    map.select(id);
    const ends = stationDatasets(id).map((d) => Date.parse(d.endTime ?? '')).filter((x) => !Number.isNaN(x));
    const starts = stationDatasets(id).map((d) => Date.parse(d.startTime ?? '')).filter((x) => !Number.isNaN(x));
    if (id && ends.length) {
      const end = Math.max(...ends);
      const start = starts.length ? Math.min(...starts) : end - YEAR;
      void chart.reset(Math.max(start, end - YEAR), end, [start, end]);
    }
    if (focus) $('station-title')?.focus();
  };

  const selectDataset = (id: string | undefined, focus: boolean) => {
    state.datasetId = id;
    renderSelects();
    renderPanels();
    if (id) chart.reveal(id);
    if (focus) $('dataset-title')?.focus();
  };

  /** Re-opens the selection a shared link carries (#property=…&station=…&dataset=…). */
  const restoreFromHash = () => {
    const q = new URLSearchParams(location.hash.slice(1));
    const property = q.get('property') ?? '';
    if (property && state.datasets.some((d) => d.propertyLabel === property)) {
      state.property = property;
      map.show(visibleStations());
    }
    const stationId = q.get('station') ?? undefined;
    if (!stationId || !visibleStations().some((st) => st.id === stationId)) {
      renderSelects();
      renderPanels();
      return;
    }
    selectStation(stationId, false);
    const datasetId = q.get('dataset') ?? undefined;
    if (datasetId && stationDatasets(stationId).some((d) => d.id === datasetId)) selectDataset(datasetId, false);
  };

  const showLatest = async () => {
    state.latestShown = !state.latestShown;
    $('latest-button').setAttribute('aria-expanded', String(state.latestShown));
    if (!state.latestShown) {
      latestHost.replaceChildren();
      return;
    }
    latestHost.replaceChildren(h('p', {}, t('loading')));
    try {
      const series = await fetchLatest(settings);
      latestHost.replaceChildren(latestPanel(series, state.byId, (sid) => selectStation(sid, true)));
      $('latest-title')?.focus();
    } catch {
      latestHost.replaceChildren(h('p', { class: 'error', role: 'alert' }, t('loadError')));
    }
  };

  propertySel.addEventListener('change', () => {
    state.property = propertySel.value;
    map.show(visibleStations());
    if (state.stationId && !visibleStations().some((s) => s.id === state.stationId)) selectStation(undefined, false);
    else {
      renderSelects();
      renderPanels();
    }
    status.textContent = `${visibleStations().length} ${t('stationsShown')}`;
  });
  stationSel.addEventListener('change', () => selectStation(stationSel.value || undefined, false));
  datasetSel.addEventListener('change', () => selectDataset(datasetSel.value || undefined, false));
  $('latest-button').addEventListener('click', () => void showLatest());
  $('lang-button').addEventListener('click', () => {
    const next: Lang = lang() === 'fr' ? 'en' : 'fr';
    setLang(next);
    try {
      localStorage.setItem('reefgate.lang', next);
    } catch {
      // not persisted; fine.
    }
    applyStaticLabels();
    // The map badge follows the language too.
    status.textContent = `${visibleStations().length} ${t('stationsShown')}`;
    renderSelects();
    renderPanels();
    chart.draw();
    if (state.latestShown) {
      state.latestShown = false;
      void showLatest();
    }
  });

  chartHost.append(chart.element);
  map = createStationMap($('map'), { basemapUrl: settings.basemapUrl, landUrl: settings.landAsset ? `${settings.baseUrl}/portal/assets/${settings.landAsset}` : undefined }, (id) => selectStation(id, true));
  status.textContent = t('loading');
  try {
    const datasetsLoading = fetchDatasets(settings);
    // Stations go on the map as soon as they arrive; the selection lists also need the datasets.
    const stations = await fetchStations(settings);
    state.stations = stations.sort((a, b) => a.name.localeCompare(b.name));
    map.show(state.stations);
    const datasets = await datasetsLoading;
    state.datasets = datasets;
    state.byId = new Map(datasets.map((d) => [d.id, d]));
    renderSelects();
    restoreFromHash();
    status.textContent = `${visibleStations().length} ${t('stationsShown')}`;
    document.body.dataset.loaded = 'true';
  } catch (err) {
    status.textContent = t('loadError');
    status.classList.add('error');
    document.body.dataset.loaded = 'error';
  }
}

void boot();
