DROP TRIGGER documents_immutable ON documents;
