DROP TRIGGER postings_on_open_entry;
-- next
DROP TRIGGER journal_entries_balanced;
-- next
DROP TRIGGER journal_entries_only_sealing;
-- next
DROP TRIGGER journal_entries_no_delete;
-- next
DROP TRIGGER postings_no_delete;
-- next
DROP TRIGGER postings_no_update;
-- next
DROP TRIGGER audit_events_no_delete;
-- next
DROP TRIGGER audit_events_no_update;
