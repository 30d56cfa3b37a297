-- An archived document is never edited or deleted: regenerating makes a new one.
CREATE TRIGGER documents_no_update BEFORE UPDATE ON documents
BEGIN SELECT RAISE(ABORT, 'la tabella documents è in sola aggiunta'); END;
-- next
CREATE TRIGGER documents_no_delete BEFORE DELETE ON documents
BEGIN SELECT RAISE(ABORT, 'la tabella documents è in sola aggiunta'); END;
