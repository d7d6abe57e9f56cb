-- The change feed (outbox): one row per recorded campaign, activity, person, status change and
-- support event, written by statement-level triggers in the writing transaction, so whatever
-- writes (an RPC, an import batch) publishes. Each trigger takes the feed's advisory lock
-- before inserting and holds it to commit: cursor order is commit order, and a reader that
-- has seen cursor N never sees a smaller cursor appear later.
CREATE TABLE change_feed (
  cursor       bigserial PRIMARY KEY,
  kind         text NOT NULL,
  resource     text NOT NULL,
  commune_code text NOT NULL DEFAULT '',
  event_date   date,
  at           timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION feed_campaigns() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('lnob.campaigns.change_feed'));
  INSERT INTO change_feed (kind, resource, event_date)
    SELECT 'CAMPAIGN_CREATED', 'campaigns/' || id, start_date FROM new_rows ORDER BY id;
  RETURN NULL;
END $$;
CREATE TRIGGER feed_campaigns AFTER INSERT ON campaigns REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION feed_campaigns();

CREATE FUNCTION feed_activities() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('lnob.campaigns.change_feed'));
  INSERT INTO change_feed (kind, resource, commune_code, event_date)
    SELECT 'ACTIVITY_RECORDED', 'activities/' || id, commune_code, start_date FROM new_rows ORDER BY id;
  RETURN NULL;
END $$;
CREATE TRIGGER feed_activities AFTER INSERT ON activities REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION feed_activities();

CREATE FUNCTION feed_person_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('lnob.campaigns.change_feed'));
  INSERT INTO change_feed (kind, resource, commune_code, event_date)
    SELECT CASE WHEN n.seq = 1 THEN 'PERSON_REGISTERED' ELSE 'PERSON_STATUS_CHANGED' END,
           'persons/' || n.person_id, p.commune_code, n.effective_date
      FROM new_rows n JOIN persons p ON p.id = n.person_id ORDER BY n.person_id, n.seq;
  RETURN NULL;
END $$;
CREATE TRIGGER feed_person_status AFTER INSERT ON person_status_history REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION feed_person_status();

CREATE FUNCTION feed_support_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('lnob.campaigns.change_feed'));
  INSERT INTO change_feed (kind, resource, commune_code, event_date)
    SELECT 'SUPPORT_EVENT_RECORDED', 'supportEvents/' || id, commune_code, event_date FROM new_rows ORDER BY id;
  RETURN NULL;
END $$;
CREATE TRIGGER feed_support_events AFTER INSERT ON support_events REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION feed_support_events();
