-- An archived document is never edited or deleted: regenerating makes a new one.
CREATE TRIGGER documents_immutable BEFORE UPDATE OR DELETE ON documents
  FOR EACH ROW EXECUTE FUNCTION garanzia_refuse_change();
