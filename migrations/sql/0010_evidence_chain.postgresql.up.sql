-- The chain is append-only, like the trail it protects.
CREATE TRIGGER evidence_chain_append_only BEFORE UPDATE OR DELETE ON evidence_chain
  FOR EACH ROW EXECUTE FUNCTION garanzia_refuse_change();
