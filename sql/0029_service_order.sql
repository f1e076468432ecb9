-- Services in the order the account chose (the booking bot offers them so): each account's
-- services numbered 1, 2, 3… in the order they were shown until now (position, then name).
-- The table keeps its row-level security and grants (sql/0005_messaging.sql); only rows change.
UPDATE services AS s SET position = ordered.n
  FROM (SELECT id, row_number() OVER (PARTITION BY account_id ORDER BY position, name, id) AS n
          FROM services) AS ordered
 WHERE s.id = ordered.id;
