/** French and English labels; the language defaults to the browser's and can be toggled. */
export type Lang = 'en' | 'fr';

const en = {
  title: 'Observation portal',
  intro: 'Choose an observed property, then a station on the map or in the list, then one of its datasets.',
  skip: 'Skip to the data panel',
  language: 'Français',
  languageLabel: 'Afficher en français',
  map: 'Station map',
  property: 'Observed property',
  allProperties: 'All properties',
  station: 'Station',
  chooseStation: 'Choose a station',
  dataset: 'Dataset',
  chooseDataset: 'Choose a dataset',
  latestValues: 'Latest values',
  showLatest: 'Show latest values',
  stationPanel: 'Station',
  network: 'Network',
  producer: 'Producer',
  country: 'Country',
  coordinates: 'Coordinates',
  depth: 'Depth',
  observedProperties: 'Observed properties',
  datasets: 'Datasets',
  firstObservation: 'First observation',
  lastObservation: 'Last observation',
  datasetPanel: 'Dataset',
  platform: 'Platform',
  processingLevel: 'Processing level',
  instrumentFamily: 'Instrument family',
  unit: 'Unit',
  start: 'Start',
  end: 'End',
  observations: 'Observations',
  downloads: 'Downloads',
  wholeDataset: 'Whole dataset',
  period: 'Chosen period',
  from: 'From',
  to: 'To',
  csv: 'CSV',
  om: 'O&M XML',
  json: 'JSON',
  netcdf: 'NetCDF (OceanSITES)',
  opendap: 'OPeNDAP (THREDDS)',
  edr: 'OGC API – EDR (CoverageJSON)',
  metadata: 'Catalogue record (GeoNetwork)',
  isoRecord: 'Metadata (ISO 19139 XML)',
  featurePage: 'Feature page (OGC API – Features)',
  ogcapiItem: 'OGC API item',
  sos: 'SOS (O&M)',
  isoShort: 'ISO 19139',
  edrShort: 'EDR',
  chart: 'Station time series',
  chartHelp: 'Drag across the chart or use the buttons to zoom (long ranges are reduced on the server to their extremes); click a legend entry to show or hide a series. Only good and probably good values (quality flags 1, 2) are plotted unless flagged values are shown (red rings).',
  zoomIn: 'Zoom in',
  zoomOut: 'Zoom out',
  resetZoom: 'Last year',
  allData: 'All data',
  showFlagged: 'Show flagged values',
  loading: 'Loading…',
  noData: 'No data in this period',
  loadError: 'Could not load data from the server',
  time: 'Time',
  value: 'Value',
  services: 'OGC services',
  servicesIntro: 'The portal is built on the public services of this gateway:',
  endpoints: 'Endpoints',
  health: 'Health',
  stationsShown: 'stations shown',
  close: 'Close',
  periodInvalid: 'The start of the period must be before its end',
};

type Dict = typeof en;

const fr: Dict = {
  title: "Portail d'observations",
  intro: 'Choisissez un paramètre observé, puis une station sur la carte ou dans la liste, puis un de ses jeux de données.',
  skip: 'Aller au panneau de données',
  language: 'English',
  languageLabel: 'Show in English',
  map: 'Carte des stations',
  property: 'Paramètre observé',
  allProperties: 'Tous les paramètres',
  station: 'Station',
  chooseStation: 'Choisir une station',
  dataset: 'Jeu de données',
  chooseDataset: 'Choisir un jeu de données',
  latestValues: 'Dernières valeurs',
  showLatest: 'Afficher les dernières valeurs',
  stationPanel: 'Station',
  network: 'Réseau',
  producer: 'Producteur',
  country: 'Pays',
  coordinates: 'Coordonnées',
  depth: 'Profondeur',
  observedProperties: 'Paramètres observés',
  datasets: 'Jeux de données',
  firstObservation: 'Première observation',
  lastObservation: 'Dernière observation',
  datasetPanel: 'Jeu de données',
  platform: 'Plateforme',
  processingLevel: 'Niveau de traitement',
  instrumentFamily: "Famille d'instrument",
  unit: 'Unité',
  start: 'Début',
  end: 'Fin',
  observations: 'Observations',
  downloads: 'Téléchargements',
  wholeDataset: 'Jeu complet',
  period: 'Période choisie',
  from: 'Du',
  to: 'Au',
  csv: 'CSV',
  om: 'O&M XML',
  json: 'JSON',
  netcdf: 'NetCDF (OceanSITES)',
  opendap: 'OPeNDAP (THREDDS)',
  edr: 'OGC API – EDR (CoverageJSON)',
  metadata: 'Fiche du catalogue (GeoNetwork)',
  isoRecord: 'Métadonnées (ISO 19139 XML)',
  featurePage: 'Fiche de l’objet (OGC API – Features)',
  ogcapiItem: 'Objet OGC API',
  sos: 'SOS (O&M)',
  isoShort: 'ISO 19139',
  edrShort: 'EDR',
  chart: 'Séries temporelles de la station',
  chartHelp: 'Glissez sur le graphique ou utilisez les boutons pour zoomer (les longues périodes sont réduites par le serveur à leurs extrêmes) ; cliquez sur la légende pour afficher ou masquer une série. Seules les valeurs bonnes et probablement bonnes (indicateurs qualité 1, 2) sont tracées, sauf si les valeurs douteuses sont affichées (cercles rouges).',
  zoomIn: 'Zoom avant',
  zoomOut: 'Zoom arrière',
  resetZoom: 'Dernière année',
  allData: 'Toutes les données',
  showFlagged: 'Afficher les valeurs douteuses',
  loading: 'Chargement…',
  noData: 'Aucune donnée sur cette période',
  loadError: 'Impossible de charger les données du serveur',
  time: 'Date',
  value: 'Valeur',
  services: 'Services OGC',
  servicesIntro: 'Le portail repose sur les services publics de cette passerelle :',
  endpoints: "Points d'accès",
  health: 'État',
  stationsShown: 'stations affichées',
  close: 'Fermer',
  periodInvalid: 'Le début de la période doit précéder sa fin',
};

export type MessageKey = keyof Dict;
const dictionaries: Record<Lang, Dict> = { en, fr };
let current: Lang = 'en';

/** Picks French when the browser prefers it (or a saved choice), English otherwise. */
export function initialLang(saved: string | null, navigatorLanguage: string | undefined): Lang {
  if (saved === 'fr' || saved === 'en') return saved;
  return (navigatorLanguage ?? '').toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

/** Sets the active language. */
export function setLang(lang: Lang): void {
  current = lang;
}

/** The active language. */
export function lang(): Lang {
  return current;
}

/** Translates one message key in the active language. */
export function t(key: MessageKey): string {
  return dictionaries[current][key];
}

/** Both dictionaries, for the completeness test. */
export const allMessages = dictionaries;
