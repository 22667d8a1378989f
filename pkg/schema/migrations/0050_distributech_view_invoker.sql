-- The view runs with the rights of whoever queries it (SQL SECURITY INVOKER), not of the
-- account that created it: a dump of the database (export_sql) can then be restored,
-- and queried, by an account that holds no more than SELECT on the tables, whoever
-- created the view first.
CREATE OR REPLACE SQL SECURITY INVOKER VIEW stock_actuel AS
  SELECT p.ref_produit, COALESCE(SUM(m.quantite), 0) AS quantite, MAX(m.date_mouvement) AS date_dernier_mouvement
  FROM produits p LEFT JOIN mouvements_stock m ON m.ref_produit = p.ref_produit
  GROUP BY p.ref_produit;
