-- Rows that other services change in the hub's tables reach the channels (SPEC.md §5 "Changes made outside the hub"):
-- each such change announces itself on 'hub_external' with ids only (the hub reads the row; NOTIFY payloads are
-- limited to 8000 bytes and values can be larger).
--
-- The hub's own writes are not announced: the hub publishes those itself, at once. Its pooled sessions connect with
-- application_name 'wedsync-hub' (Database.APPLICATION_NAME), so every hub write is recognised whichever feature
-- makes it, without each statement having to mark itself.

create function hub_is_origin() returns boolean language sql stable as $$
  select coalesce(current_setting('application_name', true), '') = 'wedsync-hub'
$$;

-- A value or core fact changed outside the hub without touching the version still gets a newer version, so a client
-- holding the old one gets a conflict instead of overwriting the new value unseen. A version the statement sets
-- itself is kept.
create function hub_external_version() returns trigger language plpgsql as $$
begin
  if hub_is_origin() or new.version <> old.version then
    return new;
  end if;
  if tg_table_name = 'form_fields' then
    if new.value is distinct from old.value then
      new.version := old.version + 1;
    end if;
  elsif (new.wedding_date, new.ceremony_time, new.venue_name, new.venue_address, new.guest_count, new.partner1_name,
         new.partner2_name, new.contact_email, new.contact_phone)
        is distinct from
        (old.wedding_date, old.ceremony_time, old.venue_name, old.venue_address, old.guest_count, old.partner1_name,
         old.partner2_name, old.contact_email, old.contact_phone) then
    new.version := old.version + 1;
  end if;
  return new;
end;
$$;

create trigger form_fields_external_version before update on form_fields
  for each row execute function hub_external_version();
create trigger weddings_external_version before update on weddings
  for each row execute function hub_external_version();

-- The announcement. 'tx' (the transaction id) makes every payload unique, which is what lets cluster nodes agree
-- that one of them handles it (ExternalChanges); PostgreSQL itself folds identical payloads within a transaction.
create function hub_notify_external_change() returns trigger language plpgsql as $$
declare
  payload jsonb;
  changed text[];
begin
  if hub_is_origin() then
    return null;
  end if;
  if tg_table_name = 'form_fields' then
    if new.value is not distinct from old.value then
      return null;
    end if;
    payload := jsonb_build_object('table', 'form_fields', 'id', new.id, 'form', new.form_id, 'version', new.version);
  elsif tg_table_name = 'forms' then
    if new.status is not distinct from old.status and new.title is not distinct from old.title then
      return null;
    end if;
    payload := jsonb_build_object('table', 'forms', 'id', new.id, 'from', old.status);
  elsif tg_table_name = 'weddings' then
    select coalesce(array_agg(n.key order by n.key), '{}') into changed
      from jsonb_each(to_jsonb(new)) n join jsonb_each(to_jsonb(old)) o on o.key = n.key
     where n.value is distinct from o.value
       and n.key in ('wedding_date', 'ceremony_time', 'venue_name', 'venue_address', 'guest_count', 'partner1_name',
                     'partner2_name', 'contact_email', 'contact_phone');
    if cardinality(changed) = 0 then
      return null;
    end if;
    payload := jsonb_build_object('table', 'weddings', 'id', new.id, 'columns', changed, 'version', new.version);
  elsif tg_op = 'DELETE' then -- notifications
    payload := jsonb_build_object('table', 'notifications', 'id', old.id, 'recipient', old.recipient_id,
                                  'op', 'delete');
  else
    payload := jsonb_build_object('table', 'notifications', 'id', new.id, 'recipient', new.recipient_id,
                                  'op', lower(tg_op));
  end if;
  perform pg_notify('hub_external', (payload || jsonb_build_object('tx', txid_current()))::text);
  return null;
end;
$$;

create trigger form_fields_external after update of value on form_fields
  for each row execute function hub_notify_external_change();
create trigger forms_external after update of status, title on forms
  for each row execute function hub_notify_external_change();
create trigger weddings_external after update on weddings
  for each row execute function hub_notify_external_change();
create trigger notifications_external after insert or update or delete on notifications
  for each row execute function hub_notify_external_change();
