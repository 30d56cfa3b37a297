DROP TRIGGER IF EXISTS evidence_chain_append_only ON evidence_chain;
