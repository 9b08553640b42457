import type { Queryable, Store } from '../../data/store';
import { Sql, SqlParams } from '../../query/sqlParams';

/*
 * The statements of the SOS transactional operations besides those of the one write path
 * (src/ingest/importSql.ts): look-ups before a write, and the result templates (schemas/004, 005).
 */

async function rows<R>(db: Queryable, st: Sql): Promise<R[]> {
  return (await db.query<R>(st.text, st.values)).rows;
}

/** A station's name and network, by code. */
export async function stationByCode(db: Queryable, code: string): Promise<{ name: string; network: string } | undefined> {
  const p = new SqlParams();
  return (await rows<{ name: string; network: string }>(db, p.sql(`SELECT s.name, n.code AS network FROM station s JOIN network n ON n.id = s.network_id WHERE s.code = ${p.add(code)}`)))[0];
}

export interface PropertyRow {
  uri: string;
  code: string;
  standard_name: string;
  label: string;
  uom: string;
}

const PROPERTY_COLUMNS = 'vocabulary_uri AS uri, code, standard_name, label, uom';

/** Observed properties by their vocabulary URIs (the SOS observableProperty), those that exist. */
export async function propertiesByUri(db: Queryable, uris: string[]): Promise<PropertyRow[]> {
  const p = new SqlParams();
  return rows<PropertyRow>(db, p.sql(`SELECT DISTINCT ON (vocabulary_uri) ${PROPERTY_COLUMNS} FROM observed_property WHERE vocabulary_uri = ANY(${p.add(uris)}::text[]) ORDER BY vocabulary_uri, id`));
}

/** Observed properties by code, those that exist (a new property's code may be taken by another URI). */
export async function propertiesByCode(db: Queryable, codes: string[]): Promise<PropertyRow[]> {
  const p = new SqlParams();
  return rows<PropertyRow>(db, p.sql(`SELECT ${PROPERTY_COLUMNS} FROM observed_property WHERE code = ANY(${p.add(codes)}::text[])`));
}

/** A dataset as InsertSensor sees it: its code, sensor, property URI and processing level. */
export interface SensorDatasetRow {
  code: string;
  procedure: string;
  property: string;
  processing: string;
}

const SENSOR_DATASET = `SELECT d.code, se.code AS procedure, op.vocabulary_uri AS property, d.processing_level AS processing
  FROM dataset d JOIN sensor se ON se.id = d.sensor_id JOIN observed_property op ON op.id = d.property_id`;

/** The datasets of the given codes that exist (an offering InsertSensor would create may exist). */
export async function datasetsByCode(db: Queryable, codes: string[]): Promise<SensorDatasetRow[]> {
  const p = new SqlParams();
  return rows<SensorDatasetRow>(db, p.sql(`${SENSOR_DATASET} WHERE d.code = ANY(${p.add(codes)}::text[])`));
}

/** A sensor's datasets (a sensor inserted again keeps them, whatever their codes). */
export async function sensorDatasets(db: Queryable, procedure: string): Promise<SensorDatasetRow[]> {
  const p = new SqlParams();
  return rows<SensorDatasetRow>(db, p.sql(`${SENSOR_DATASET} WHERE se.code = ${p.add(procedure)} ORDER BY d.id`));
}

/** A result template: the text encoding InsertResult blocks use, and its dataset. */
export interface ResultTemplate {
  id: string;
  datasetId: number;
  offering: string;
  network: string;
  tokenSeparator: string;
  blockSeparator: string;
  decimalSeparator: string;
  withQc: boolean;
  /** Measured values per block: 1, or several for a record of several quantities (templateValues). */
  valueCount: number;
}

const TEMPLATE_COLUMNS = `t.id, t.dataset_id AS "datasetId", d.code AS offering, n.code AS network, t.token_separator AS "tokenSeparator",
  t.block_separator AS "blockSeparator", t.decimal_separator AS "decimalSeparator", t.with_qc AS "withQc", t.value_count AS "valueCount"
  FROM sos_result_template t JOIN dataset d ON d.id = t.dataset_id JOIN station s ON s.id = d.station_id JOIN network n ON n.id = s.network_id`;

/** A template by id. */
export async function templateById(db: Queryable, id: string): Promise<ResultTemplate | undefined> {
  const p = new SqlParams();
  return (await rows<ResultTemplate>(db, p.sql(`SELECT ${TEMPLATE_COLUMNS} WHERE t.id = ${p.add(id)}`)))[0];
}

/** One measured value of a template's blocks: its dataset, and whether a quality flag follows it. */
export interface TemplateValue {
  datasetId: number;
  /** The dataset's code. */
  offering: string;
  /** The network of its station (an API key may be limited to networks). */
  network: string;
  withQc: boolean;
}

/** A template's values in block order (the datasets that still exist). */
export async function templateValues(db: Queryable, id: string): Promise<TemplateValue[]> {
  const p = new SqlParams();
  return rows<TemplateValue>(
    db,
    p.sql(`SELECT v.dataset_id AS "datasetId", d.code AS offering, n.code AS network, v.with_qc AS "withQc"
             FROM sos_result_template_value v JOIN dataset d ON d.id = v.dataset_id JOIN station s ON s.id = d.station_id JOIN network n ON n.id = s.network_id
            WHERE v.template_id = ${p.add(id)} ORDER BY v.position`),
  );
}

/**
 * Stores a template with its values (the first value's dataset is the template's own); false when one of
 * the datasets has a template already (one template per dataset) or the id is taken, and then nothing is stored.
 */
export async function insertTemplate(store: Store, t: Omit<ResultTemplate, 'datasetId' | 'withQc' | 'offering' | 'network' | 'valueCount'>, values: Pick<TemplateValue, 'datasetId' | 'withQc'>[]): Promise<boolean> {
  const p = new SqlParams();
  const st = p.sql(
    `WITH t AS (INSERT INTO sos_result_template (id, dataset_id, token_separator, block_separator, decimal_separator, with_qc, value_count)
                VALUES (${p.add(t.id)}, ${p.add(values[0].datasetId)}, ${p.add(t.tokenSeparator)}, ${p.add(t.blockSeparator)}, ${p.add(t.decimalSeparator)}, ${p.add(values[0].withQc)}, ${p.add(values.length)})
                ON CONFLICT DO NOTHING RETURNING id),
          v AS (INSERT INTO sos_result_template_value (template_id, position, dataset_id, with_qc)
                SELECT t.id, x.position, x.dataset_id, x.with_qc FROM t, unnest(${p.add(values.map((v) => v.datasetId))}::int[], ${p.add(values.map((v) => String(v.withQc)))}::boolean[])
                  WITH ORDINALITY AS x(dataset_id, with_qc, position)
                ON CONFLICT DO NOTHING RETURNING 1)
     SELECT (SELECT count(*) FROM v)::int AS n`,
  );
  const refused = new Error('template refused');
  try {
    return await store.transaction(async (s) => {
      // Fewer value rows than values: a dataset has another template; the template row goes back too.
      if ((await s.query<{ n: number }>(st.text, st.values)).rows[0].n !== values.length) throw refused;
      return true;
    });
  } catch (err) {
    if (err === refused) return false;
    throw err;
  }
}

/** A dataset as an observation for it is checked: its id, sensor, property, unit and network. */
export interface TargetDataset {
  id: number;
  code: string;
  procedure: string;
  property: string;
  uom: string;
  station: string;
  network: string;
}

/** A dataset a write may address through an offering, with that offering. */
export interface AddressedDataset extends TargetDataset {
  offering: string;
}

/**
 * The datasets each offering code addresses (docs/sos.md, "Several observed properties"): the dataset of
 * that code with the other datasets of its sensor at the same processing level (a client sends every
 * property of a procedure to the one assignedOffering); or, for a code naming no dataset, the datasets
 * coded `<code>_<property code>` (the offeringID a multi-property InsertSensor declared). Offerings
 * addressing nothing have no rows.
 */
export async function datasetGroups(db: Queryable, offerings: string[]): Promise<AddressedDataset[]> {
  const p = new SqlParams();
  const codes = p.add(offerings);
  return rows<AddressedDataset>(
    db,
    p.sql(
      `WITH o AS (SELECT DISTINCT unnest(${codes}::text[]) AS offering),
            named AS (SELECT o.offering, d.sensor_id, d.processing_level FROM o JOIN dataset d ON d.code = o.offering),
            g AS (SELECT named.offering, d.id FROM named JOIN dataset d ON d.sensor_id = named.sensor_id AND d.processing_level = named.processing_level
                  UNION ALL
                  SELECT o.offering, d.id FROM o CROSS JOIN observed_property p JOIN dataset d ON d.code = o.offering || '_' || p.code AND d.property_id = p.id
                   WHERE NOT EXISTS (SELECT 1 FROM named WHERE named.offering = o.offering))
       SELECT g.offering, d.id, d.code, se.code AS procedure, op.vocabulary_uri AS property, op.uom, st.code AS station, n.code AS network
         FROM g JOIN dataset d ON d.id = g.id JOIN sensor se ON se.id = d.sensor_id JOIN observed_property op ON op.id = d.property_id
         JOIN station st ON st.id = d.station_id JOIN network n ON n.id = st.network_id
        ORDER BY g.offering, d.code = g.offering DESC, d.id`,
    ),
  );
}
