-- The embedded database keeps the same promises as PostgreSQL: append-only books and audit
-- trail, and an entry sealed only when its postings balance.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'la tabella audit_events è in sola aggiunta'); END;
-- next
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'la tabella audit_events è in sola aggiunta'); END;
-- next
CREATE TRIGGER postings_no_update BEFORE UPDATE ON postings
BEGIN SELECT RAISE(ABORT, 'la tabella postings è in sola aggiunta'); END;
-- next
CREATE TRIGGER postings_no_delete BEFORE DELETE ON postings
BEGIN SELECT RAISE(ABORT, 'la tabella postings è in sola aggiunta'); END;
-- next
CREATE TRIGGER journal_entries_no_delete BEFORE DELETE ON journal_entries
BEGIN SELECT RAISE(ABORT, 'la tabella journal_entries è in sola aggiunta'); END;
-- next
CREATE TRIGGER journal_entries_only_sealing BEFORE UPDATE ON journal_entries
WHEN OLD.posted OR NOT NEW.posted
  OR NEW.id IS NOT OLD.id OR NEW.fund_id IS NOT OLD.fund_id OR NEW.kind IS NOT OLD.kind
  OR NEW.occurred_on IS NOT OLD.occurred_on OR NEW.description IS NOT OLD.description
  OR NEW.reference IS NOT OLD.reference OR NEW.guarantee_id IS NOT OLD.guarantee_id
  OR NEW.recorded_at IS NOT OLD.recorded_at OR NEW.recorded_by IS NOT OLD.recorded_by
BEGIN SELECT RAISE(ABORT, 'scrittura già registrata: non si modifica'); END;
-- next
CREATE TRIGGER journal_entries_balanced BEFORE UPDATE OF posted ON journal_entries
WHEN NEW.posted AND (
  (SELECT count(*) FROM postings WHERE entry_id = NEW.id) < 2
  OR (SELECT coalesce(sum(amount), 0) FROM postings WHERE entry_id = NEW.id AND side = 'debit')
     <> (SELECT coalesce(sum(amount), 0) FROM postings WHERE entry_id = NEW.id AND side = 'credit'))
BEGIN SELECT RAISE(ABORT, 'scrittura non bilanciata'); END;
-- next
CREATE TRIGGER postings_on_open_entry BEFORE INSERT ON postings
WHEN (SELECT posted FROM journal_entries WHERE id = NEW.entry_id)
BEGIN SELECT RAISE(ABORT, 'scrittura già registrata: nessun nuovo movimento'); END;
