-- No query reads orders by date alone or order lines by category alone: the lists and the
-- evaluation go by customer and by order. Each index cost every import a sort of all orders
-- or all order lines, and every new order a write.
DROP INDEX orders_date;
DROP INDEX order_lines_category;
