-- Messaging that businesses run on: scheduled messages, paced campaigns, services and
-- appointments, the booking bot's per-conversation state. Settings live in accounts.settings.

-- Messages: a later start (send_at), who made them (origin), and a cancelled scheduled message.
ALTER TABLE messages
    ADD COLUMN send_at timestamptz,
    ADD COLUMN origin  text CHECK (origin IN ('api', 'campaign', 'notice', 'bot', 'auto_reply')),
    DROP CONSTRAINT messages_status_check,
    ADD CONSTRAINT messages_status_check CHECK (status IN (
        'queued', 'sent', 'delivered', 'read', 'failed', 'received', 'cancelled'));
UPDATE messages SET origin = 'api' WHERE direction = 'out';
CREATE INDEX messages_account_created_idx ON messages (account_id, created_at);
CREATE INDEX messages_account_sent_idx ON messages (account_id, sent_at) WHERE sent_at IS NOT NULL;
CREATE INDEX messages_scheduled_idx ON messages (account_id, send_at)
    WHERE status = 'queued' AND send_at IS NOT NULL;

-- Campaigns: text variants, a scheduled start, and when they ran.
ALTER TABLE campaigns
    ADD COLUMN variants    text[] NOT NULL DEFAULT '{}',
    ADD COLUMN send_at     timestamptz,
    ADD COLUMN started_at  timestamptz,
    ADD COLUMN finished_at timestamptz;

-- Each campaign's recipients, fixed when it starts: each phone once, in send order.
CREATE TABLE campaign_recipients (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id   uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    campaign_id  uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    contact_id   uuid REFERENCES contacts(id) ON DELETE SET NULL,
    phone        text NOT NULL,
    name         text NOT NULL DEFAULT '',
    position     integer NOT NULL,
    state        text NOT NULL DEFAULT 'pending'
                 CHECK (state IN ('pending', 'handed', 'skipped', 'cancelled')),
    message_id   uuid REFERENCES messages(id) ON DELETE SET NULL,
    error        text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (campaign_id, phone)
);
CREATE INDEX campaign_recipients_account_idx ON campaign_recipients (account_id);
CREATE INDEX campaign_recipients_order_idx ON campaign_recipients (campaign_id, position);
CREATE INDEX campaign_recipients_pending_idx ON campaign_recipients (campaign_id, position)
    WHERE state = 'pending';
CREATE INDEX campaign_recipients_message_idx ON campaign_recipients (message_id);

-- Pacing per number: when the next campaign message may leave, today's count, the warm-up.
CREATE TABLE send_pacing (
    account_id    uuid PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    next_send_at  timestamptz,
    day           date,
    sent_today    integer NOT NULL DEFAULT 0 CHECK (sent_today >= 0),
    phone         text,
    phone_since   timestamptz,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- What an account offers for booking.
CREATE TABLE services (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id        uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    duration_minutes  integer NOT NULL CHECK (duration_minutes BETWEEN 5 AND 720),
    price_cents       integer CHECK (price_cents >= 0),
    active            boolean NOT NULL DEFAULT true,
    position          integer NOT NULL DEFAULT 0,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, name)
);
CREATE INDEX services_account_idx ON services (account_id, position, name);

CREATE TABLE appointments (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id        uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    contact_id        uuid NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    service_id        uuid REFERENCES services(id) ON DELETE SET NULL,
    service_name      text NOT NULL,
    starts_at         timestamptz NOT NULL,
    ends_at           timestamptz NOT NULL,
    status            text NOT NULL DEFAULT 'scheduled'
                      CHECK (status IN ('scheduled', 'cancelled', 'completed', 'no_show')),
    source            text NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'whatsapp')),
    notes             text NOT NULL DEFAULT '',
    remind_at         timestamptz,
    reminder_sent_at  timestamptz,
    cancelled_at      timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at > starts_at)
);
CREATE INDEX appointments_account_starts_idx ON appointments (account_id, starts_at, id);
CREATE INDEX appointments_contact_idx ON appointments (contact_id, starts_at);
CREATE INDEX appointments_reminder_due_idx ON appointments (remind_at)
    WHERE status = 'scheduled' AND reminder_sent_at IS NULL AND remind_at IS NOT NULL;

-- The booking bot's state of each conversation (a restart loses nothing).
CREATE TABLE chat_states (
    conversation_id     uuid PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
    account_id          uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    step                text NOT NULL DEFAULT 'idle'
                        CHECK (step IN ('idle', 'choosing_service', 'choosing_slot')),
    data                jsonb NOT NULL DEFAULT '{}'::jsonb,
    step_at             timestamptz,
    bot_paused_until    timestamptz,
    bot_resumed_at      timestamptz,
    away_sent_at        timestamptz,
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX chat_states_account_idx ON chat_states (account_id);

GRANT SELECT, INSERT, UPDATE, DELETE ON
    campaign_recipients, send_pacing, services, appointments, chat_states TO zapfleet_app;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['campaign_recipients', 'send_pacing', 'services', 'appointments',
                             'chat_states']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I '
                       'USING (account_id = zapfleet_current_account()) '
                       'WITH CHECK (account_id = zapfleet_current_account())', t);
    END LOOP;
END
$$;
