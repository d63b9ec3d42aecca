-- At most one primary contact per customer; contacts.rs clears the old one first.
CREATE UNIQUE INDEX contacts_one_primary ON contacts (customer_id) WHERE is_primary = 1;

-- The pipeline board counts the few customers placed in the pipeline without scanning all.
CREATE INDEX customers_pipeline_stage ON customers (pipeline_stage) WHERE pipeline_stage IS NOT NULL;
