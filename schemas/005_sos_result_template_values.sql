-- SOS 2.0 result templates whose record holds several measured values (InsertResultTemplate of a
-- multi-parameter instrument: time, TEMP, PSAL…): one row per value, in record order, with the dataset
-- it goes to. Every template has its rows (a single-value template one), so "one template per dataset"
-- holds across both kinds through the UNIQUE dataset_id. value_count lets InsertResult notice a template
-- one of whose datasets was removed since.
ALTER TABLE sos_result_template ADD COLUMN IF NOT EXISTS value_count smallint NOT NULL DEFAULT 1;

CREATE TABLE IF NOT EXISTS sos_result_template_value (
  template_id  text NOT NULL REFERENCES sos_result_template(id) ON DELETE CASCADE,
  position     smallint NOT NULL,
  dataset_id   integer NOT NULL UNIQUE REFERENCES dataset(id) ON DELETE CASCADE,
  with_qc      boolean NOT NULL,
  PRIMARY KEY (template_id, position)
);

INSERT INTO sos_result_template_value (template_id, position, dataset_id, with_qc)
SELECT id, 1, dataset_id, with_qc FROM sos_result_template
ON CONFLICT DO NOTHING;
