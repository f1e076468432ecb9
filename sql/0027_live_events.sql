-- The live stream (`python -m zapfleet events`): what changes is announced on the channel
-- zapfleet_events as a small JSON object {kind, account_id, ...}: ids and statuses only, never a
-- message's text, a phone number or a secret. NOTIFY is transactional: an event leaves when its
-- transaction commits (never for one rolled back), and the same payload twice in one transaction
-- leaves once. The events process LISTENs and hands each event to the streams of its account
-- (and to the platform admin's). No table is added, so no policy either; the functions run as
-- whoever changed the row, under that row's policies.

CREATE OR REPLACE FUNCTION zapfleet_live_notify(payload jsonb) RETURNS void
LANGUAGE sql AS $$
    SELECT pg_notify('zapfleet_events', payload::text);
$$;

-- message {account_id, conversation_id, message_id, direction, status}: a new message, a receipt,
-- a reaction, an edit or a deletion; a campaign's message also moves its campaign's counts.
CREATE OR REPLACE FUNCTION zapfleet_live_message() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    campaign uuid;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.status IS NOT DISTINCT FROM OLD.status
            AND NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
        RETURN NULL;
    END IF;
    PERFORM zapfleet_live_notify(jsonb_build_object(
        'kind', 'message', 'account_id', NEW.account_id, 'conversation_id', NEW.conversation_id,
        'message_id', NEW.id, 'direction', NEW.direction, 'status', NEW.status));
    IF NEW.origin = 'campaign' AND TG_OP = 'UPDATE' AND NEW.status IS DISTINCT FROM OLD.status THEN
        SELECT campaign_id INTO campaign FROM campaign_recipients
         WHERE message_id = NEW.id AND account_id = NEW.account_id LIMIT 1;
        IF campaign IS NOT NULL THEN
            PERFORM zapfleet_live_notify(jsonb_build_object(
                'kind', 'campaign', 'account_id', NEW.account_id, 'campaign_id', campaign));
        END IF;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER messages_live AFTER INSERT OR UPDATE ON messages
    FOR EACH ROW EXECUTE FUNCTION zapfleet_live_message();

-- conversation {account_id, conversation_id}: a new one, a new last message, read, or any other
-- change of the row (status, assignment, labels...).
CREATE OR REPLACE FUNCTION zapfleet_live_conversation() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND to_jsonb(NEW) = to_jsonb(OLD) THEN
        RETURN NULL;
    END IF;
    PERFORM zapfleet_live_notify(jsonb_build_object(
        'kind', 'conversation', 'account_id', NEW.account_id, 'conversation_id', NEW.id));
    RETURN NULL;
END
$$;
CREATE TRIGGER conversations_live AFTER INSERT OR UPDATE ON conversations
    FOR EACH ROW EXECUTE FUNCTION zapfleet_live_conversation();

-- instance {account_id, status} when the status or the phone changes, and qr {account_id} when
-- the QR code does (its text is never sent: the page fetches the image).
CREATE OR REPLACE FUNCTION zapfleet_live_instance() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM zapfleet_live_notify(jsonb_build_object(
            'kind', 'instance', 'account_id', OLD.account_id, 'status', 'deleted'));
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status
            OR NEW.phone IS DISTINCT FROM OLD.phone
            OR NEW.desired_state IS DISTINCT FROM OLD.desired_state THEN
        PERFORM zapfleet_live_notify(jsonb_build_object(
            'kind', 'instance', 'account_id', NEW.account_id, 'status', NEW.status));
    END IF;
    IF (TG_OP = 'INSERT' AND NEW.qr_code IS NOT NULL)
            OR (TG_OP = 'UPDATE' AND NEW.qr_code IS DISTINCT FROM OLD.qr_code) THEN
        PERFORM zapfleet_live_notify(jsonb_build_object('kind', 'qr', 'account_id', NEW.account_id));
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER instances_live AFTER INSERT OR UPDATE OR DELETE ON instances
    FOR EACH ROW EXECUTE FUNCTION zapfleet_live_instance();

-- campaign {account_id, campaign_id}: its status, or one of its recipients, changed.
CREATE OR REPLACE FUNCTION zapfleet_live_campaign() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'campaigns' THEN
        IF TG_OP = 'UPDATE' AND NEW.status IS NOT DISTINCT FROM OLD.status THEN
            RETURN NULL;
        END IF;
        PERFORM zapfleet_live_notify(jsonb_build_object(
            'kind', 'campaign', 'account_id', NEW.account_id, 'campaign_id', NEW.id));
    ELSIF NEW.state IS DISTINCT FROM OLD.state THEN
        PERFORM zapfleet_live_notify(jsonb_build_object(
            'kind', 'campaign', 'account_id', NEW.account_id, 'campaign_id', NEW.campaign_id));
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER campaigns_live AFTER INSERT OR UPDATE ON campaigns
    FOR EACH ROW EXECUTE FUNCTION zapfleet_live_campaign();
CREATE TRIGGER campaign_recipients_live AFTER UPDATE ON campaign_recipients
    FOR EACH ROW EXECUTE FUNCTION zapfleet_live_campaign();

-- account {account_id}: a new account, or its status or plan changed (the platform admin's
-- streams only).
CREATE OR REPLACE FUNCTION zapfleet_live_account() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND (NEW.status, NEW.plan, NEW.name)
            IS NOT DISTINCT FROM (OLD.status, OLD.plan, OLD.name) THEN
        RETURN NULL;
    END IF;
    PERFORM zapfleet_live_notify(jsonb_build_object('kind', 'account', 'account_id', NEW.id));
    RETURN NULL;
END
$$;
CREATE TRIGGER accounts_live AFTER INSERT OR UPDATE ON accounts
    FOR EACH ROW EXECUTE FUNCTION zapfleet_live_account();
