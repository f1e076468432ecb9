-- A campaign sends one file with each message: an attachment uploaded beforehand (an image or a
-- PDF), or the image at its qr_code_url, fetched and stored when the URL is saved.
ALTER TABLE campaigns
    ADD COLUMN attachment_id    uuid REFERENCES media (id) ON DELETE SET NULL,
    ADD COLUMN qr_code_media_id uuid REFERENCES media (id) ON DELETE SET NULL;
