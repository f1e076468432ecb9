-- Failed sign-in attempts, kept for the login rate limit (platform-level, not tenant data:
-- only the owner role reads it, before anyone is signed in).
CREATE TABLE login_failures (
    id          bigserial PRIMARY KEY,
    email       text NOT NULL,
    address     text NOT NULL,
    failed_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_email ON login_failures (lower(email), failed_at);
CREATE INDEX login_failures_address ON login_failures (address, failed_at);
