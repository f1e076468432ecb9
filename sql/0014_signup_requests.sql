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

SELECT zapfleet_platform_table('signup_requests');
