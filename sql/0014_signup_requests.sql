-- Sign-ups confirmed by e-mail (when SMTP_URL is set): a request waits here, with the password
-- already hashed, until the link sent to its address is opened; only the token's hash is kept.
-- Whether an address already has an account is told only to that address, never to the caller.
-- A platform table: no tenant role may read it.
CREATE TABLE signup_requests (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    token_hash    text NOT NULL UNIQUE,
    email         text NOT NULL,
    name          text NOT NULL,
    phone         text,
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    used_at       timestamptz
);
CREATE INDEX signup_requests_expiry ON signup_requests (expires_at);

ALTER TABLE signup_requests ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON signup_requests FROM PUBLIC, zapfleet_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON signup_requests TO zapfleet_platform;
CREATE POLICY platform_access ON signup_requests TO zapfleet_platform USING (true) WITH CHECK (true);

DO $$
DECLARE
    api_role text;
BEGIN
    FOREACH api_role IN ARRAY ARRAY['anon', 'authenticated'] LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = api_role) THEN
            EXECUTE format('REVOKE ALL ON signup_requests FROM %I', api_role);
        END IF;
    END LOOP;
END
$$;
