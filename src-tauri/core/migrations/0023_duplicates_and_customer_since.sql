-- The customer form's duplicate warning compares the names of a company's live customers;
-- this index answers it without reading the table.
CREATE INDEX customers_live_by_company_name ON customers (company, name_key)
    WHERE company IS NOT NULL AND deleted_at IS NULL AND erased_at IS NULL;

-- The first order's date when it is older than the record (imported and demo customers
-- bring years of orders on the day they are typed in); NULL: a customer since the record
-- was made. Filled after this script by customers::since (one UPDATE over orders_customer_date).
ALTER TABLE customers ADD COLUMN customer_since TEXT;
