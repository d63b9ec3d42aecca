-- A compact copy of what a full evaluation reads from the orders and their lines, by blocks
-- of order ids (first_id to last_id): each block's counting orders and line categories,
-- column by column, compressed (see evaluation/load/digest.rs). Decoding a block's few
-- hundred kilobytes is much cheaper than decoding its rows.
--
-- A block's row goes as soon as one of its orders or lines changes (the triggers below), so
-- a stored digest is never stale: the next full evaluation reads that block from the tables
-- and stores it again. `data` is NULL while no digest is stored yet; an evaluation stores one
-- only if the row it saw before reading the block, with the same `stamp`, is still there.
-- A migration that rebuilds orders or order_lines must create these triggers again.
CREATE TABLE order_digests (
    first_id INTEGER PRIMARY KEY,
    last_id  INTEGER NOT NULL,
    stamp    INTEGER NOT NULL,
    data     BLOB
);

-- One seek in a table of a few dozen rows: an import into blocks without a digest finds
-- nothing to delete.
CREATE TRIGGER order_digests_order_added AFTER INSERT ON orders BEGIN
    DELETE FROM order_digests WHERE last_id >= NEW.id AND first_id =
        (SELECT first_id FROM order_digests WHERE first_id <= NEW.id ORDER BY first_id DESC LIMIT 1);
END;

CREATE TRIGGER order_digests_order_changed
AFTER UPDATE OF id, customer_id, ordered_on, amount_minor, cost_minor, currency, status ON orders BEGIN
    DELETE FROM order_digests WHERE last_id >= OLD.id AND first_id =
        (SELECT first_id FROM order_digests WHERE first_id <= OLD.id ORDER BY first_id DESC LIMIT 1);
    DELETE FROM order_digests WHERE last_id >= NEW.id AND first_id =
        (SELECT first_id FROM order_digests WHERE first_id <= NEW.id ORDER BY first_id DESC LIMIT 1);
END;

CREATE TRIGGER order_digests_order_removed AFTER DELETE ON orders BEGIN
    DELETE FROM order_digests WHERE last_id >= OLD.id AND first_id =
        (SELECT first_id FROM order_digests WHERE first_id <= OLD.id ORDER BY first_id DESC LIMIT 1);
END;

CREATE TRIGGER order_digests_line_added AFTER INSERT ON order_lines BEGIN
    DELETE FROM order_digests WHERE last_id >= NEW.order_id AND first_id =
        (SELECT first_id FROM order_digests WHERE first_id <= NEW.order_id ORDER BY first_id DESC LIMIT 1);
END;

CREATE TRIGGER order_digests_line_changed AFTER UPDATE OF id, order_id, category ON order_lines BEGIN
    DELETE FROM order_digests WHERE last_id >= OLD.order_id AND first_id =
        (SELECT first_id FROM order_digests WHERE first_id <= OLD.order_id ORDER BY first_id DESC LIMIT 1);
    DELETE FROM order_digests WHERE last_id >= NEW.order_id AND first_id =
        (SELECT first_id FROM order_digests WHERE first_id <= NEW.order_id ORDER BY first_id DESC LIMIT 1);
END;

CREATE TRIGGER order_digests_line_removed AFTER DELETE ON order_lines BEGIN
    DELETE FROM order_digests WHERE last_id >= OLD.order_id AND first_id =
        (SELECT first_id FROM order_digests WHERE first_id <= OLD.order_id ORDER BY first_id DESC LIMIT 1);
END;
