-- The books and the audit trail are append-only, and an entry is sealed only when balanced.
-- These guards hold even for code that bypasses the domain (a bulk UPDATE, a psql session).

CREATE FUNCTION garanzia_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'la tabella % è in sola aggiunta: % rifiutato', TG_TABLE_NAME, TG_OP
    USING ERRCODE = '23514';
END
$$ LANGUAGE plpgsql;
-- next
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION garanzia_refuse_change();
-- next
CREATE TRIGGER postings_append_only BEFORE UPDATE OR DELETE ON postings
  FOR EACH ROW EXECUTE FUNCTION garanzia_refuse_change();
-- next
CREATE TRIGGER journal_entries_no_delete BEFORE DELETE ON journal_entries
  FOR EACH ROW EXECUTE FUNCTION garanzia_refuse_change();
-- next
CREATE FUNCTION garanzia_seal_entry() RETURNS trigger AS $$
DECLARE
  debits bigint;
  credits bigint;
  legs integer;
BEGIN
  IF OLD.posted OR NOT NEW.posted
     OR (NEW.id, NEW.fund_id, NEW.kind, NEW.occurred_on, NEW.description, NEW.reference,
         NEW.guarantee_id, NEW.recorded_at, NEW.recorded_by)
        IS DISTINCT FROM
        (OLD.id, OLD.fund_id, OLD.kind, OLD.occurred_on, OLD.description, OLD.reference,
         OLD.guarantee_id, OLD.recorded_at, OLD.recorded_by) THEN
    RAISE EXCEPTION 'scrittura % già registrata: non si modifica', OLD.id USING ERRCODE = '23514';
  END IF;
  SELECT coalesce(sum(amount) FILTER (WHERE side = 'debit'), 0),
         coalesce(sum(amount) FILTER (WHERE side = 'credit'), 0),
         count(*)
    INTO debits, credits, legs
    FROM postings WHERE entry_id = NEW.id;
  IF legs < 2 OR debits <> credits THEN
    RAISE EXCEPTION 'scrittura % non bilanciata: dare % avere %', NEW.id, debits, credits
      USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
-- next
CREATE TRIGGER journal_entries_seal BEFORE UPDATE ON journal_entries
  FOR EACH ROW EXECUTE FUNCTION garanzia_seal_entry();
-- next
CREATE FUNCTION garanzia_posting_on_open_entry() RETURNS trigger AS $$
BEGIN
  IF (SELECT posted FROM journal_entries WHERE id = NEW.entry_id) THEN
    RAISE EXCEPTION 'scrittura % già registrata: nessun nuovo movimento', NEW.entry_id
      USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
-- next
CREATE TRIGGER postings_on_open_entry BEFORE INSERT ON postings
  FOR EACH ROW EXECUTE FUNCTION garanzia_posting_on_open_entry();
-- next
-- An unsealed entry at commit is an unbalanced one that never got checked: refuse the commit.
CREATE FUNCTION garanzia_entry_sealed_at_commit() RETURNS trigger AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM journal_entries WHERE id = NEW.id AND NOT posted) THEN
    RAISE EXCEPTION 'scrittura % non sigillata al commit', NEW.id USING ERRCODE = '23514';
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
-- next
CREATE CONSTRAINT TRIGGER journal_entries_sealed_at_commit AFTER INSERT ON journal_entries
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION garanzia_entry_sealed_at_commit();
