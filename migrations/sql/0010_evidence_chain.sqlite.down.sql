DROP TRIGGER IF EXISTS evidence_chain_no_update;
-- next
DROP TRIGGER IF EXISTS evidence_chain_no_delete;
