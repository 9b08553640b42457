-- SOS 2.0 result handling (InsertResultTemplate / InsertResult): one template per dataset, naming the
-- text encoding of the blocks `time,value[,qc]` that InsertResult sends. Removed with its dataset.
CREATE TABLE IF NOT EXISTS sos_result_template (
  id                 text PRIMARY KEY,
  dataset_id         integer NOT NULL UNIQUE REFERENCES dataset(id) ON DELETE CASCADE,
  token_separator    text NOT NULL,
  block_separator    text NOT NULL,
  decimal_separator  text NOT NULL DEFAULT '.',
  with_qc            boolean NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now()
);
