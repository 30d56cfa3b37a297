DROP TRIGGER documents_no_delete;
-- next
DROP TRIGGER documents_no_update;
