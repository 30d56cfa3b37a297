DROP TRIGGER journal_entries_sealed_at_commit ON journal_entries;
-- next
DROP FUNCTION garanzia_entry_sealed_at_commit();
-- next
DROP TRIGGER postings_on_open_entry ON postings;
-- next
DROP FUNCTION garanzia_posting_on_open_entry();
-- next
DROP TRIGGER journal_entries_seal ON journal_entries;
-- next
DROP FUNCTION garanzia_seal_entry();
-- next
DROP TRIGGER journal_entries_no_delete ON journal_entries;
-- next
DROP TRIGGER postings_append_only ON postings;
-- next
DROP TRIGGER audit_events_append_only ON audit_events;
-- next
DROP FUNCTION garanzia_refuse_change();
