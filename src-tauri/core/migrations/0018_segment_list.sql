-- The customer list by segment at a million customers. One index on the members serves both
-- the walk in predicted-CLV order and, covering every filter column, the count of a filter
-- on tier, segment, value class, lifecycle or service level within one run (the customer id
-- follows the CLV so that a walk needs no sort of equal values); every index here
-- is written once per member when a run is saved, so there is only this one.
CREATE INDEX evaluation_members_list ON evaluation_members
    (run_id, predicted_clv_minor, customer_id, tier, segment, value_class, lifecycle, service_level);
-- Erased customers, few, so that a count can take them off without a scan.
CREATE INDEX customers_erased ON customers (erased_at) WHERE erased_at IS NOT NULL;
