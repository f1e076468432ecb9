-- Full-text search over messages and contacts, in Portuguese and without accents ("horario"
-- finds "horário"). unaccent() is only STABLE (it reads a dictionary), so an IMMUTABLE wrapper
-- naming the dictionary by schema lets generated columns and indexes use it. A server without
-- the unaccent extension (the embedded pgserver build has none) gets the same wrapper made of
-- translate() over the Latin letters Portuguese (and Spanish) write.
DO $$
DECLARE
    home text;
BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent') THEN
        CREATE EXTENSION IF NOT EXISTS unaccent;
        SELECT n.nspname INTO home FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
         WHERE e.extname = 'unaccent';
        EXECUTE format('CREATE FUNCTION zapfleet_unaccent(text) RETURNS text'
                       ' LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE'
                       ' AS $f$ SELECT %I.unaccent(%L::regdictionary, $1) $f$',
                       home, format('%I.unaccent', home));
    ELSE
        CREATE FUNCTION zapfleet_unaccent(text) RETURNS text
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $f$
            SELECT translate($1, 'áàâãäåéèêëíìîïóòôõöúùûüçñýÿÁÀÂÃÄÅÉÈÊËÍÌÎÏÓÒÔÕÖÚÙÛÜÇÑÝ',
                                 'aaaaaaeeeeiiiiooooouuuucnyyAAAAAAEEEEIIIIOOOOOUUUUCNY')
        $f$;
    END IF;
END
$$;
GRANT EXECUTE ON FUNCTION zapfleet_unaccent(text) TO zapfleet_app, zapfleet_platform;

-- Messages: stemmed Portuguese words of the text, kept in step with every edit and deletion.
ALTER TABLE messages ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (to_tsvector('portuguese'::regconfig, zapfleet_unaccent(body))) STORED;
CREATE INDEX messages_search_idx ON messages USING gin (search_vector);

-- Contacts: names are not stemmed (a name is not a word), so 'simple', with the phone's digits.
ALTER TABLE contacts ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, zapfleet_unaccent(name) || ' ' || phone)) STORED;
CREATE INDEX contacts_search_idx ON contacts USING gin (search_vector);
