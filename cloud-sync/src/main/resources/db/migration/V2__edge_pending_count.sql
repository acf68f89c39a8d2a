-- How many seqs of an edge wait in edge_seq_pending, kept on the edge row itself. The in-order
-- fast path tests it in the same upsert that locks the row: a row's own columns are re-read at
-- their newest committed version after a lock wait, whereas a subquery on edge_seq_pending
-- would still see the statement's older snapshot and miss a seq parked by the transaction it
-- waited for (leaving the contiguous prefix stuck behind it).
ALTER TABLE edges ADD COLUMN pending_count INTEGER NOT NULL DEFAULT 0;
UPDATE edges e SET pending_count = (SELECT count(*) FROM edge_seq_pending p WHERE p.edge_id = e.edge_id);
