-- The chain is append-only, like the trail it protects.
CREATE TRIGGER evidence_chain_no_update BEFORE UPDATE ON evidence_chain
BEGIN SELECT RAISE(ABORT, 'la tabella evidence_chain è in sola aggiunta'); END;
-- next
CREATE TRIGGER evidence_chain_no_delete BEFORE DELETE ON evidence_chain
BEGIN SELECT RAISE(ABORT, 'la tabella evidence_chain è in sola aggiunta'); END;
