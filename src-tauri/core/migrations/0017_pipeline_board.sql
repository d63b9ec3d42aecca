-- The board counts and pages the live prospects of a stage; with the trash and erasure in the
-- index's condition a count needs no table rows (1 ms instead of 60 ms for 8,000 prospects
-- of 200,000 customers).
CREATE INDEX customers_pipeline_live ON customers (pipeline_stage)
    WHERE pipeline_stage IS NOT NULL AND deleted_at IS NULL AND erased_at IS NULL;
