-- WedSync's remaining live areas (issue 14 §2): journeys with modules and per-client progress, a journey's failed
-- actions, meetings, tasks, timeline items and messages. Other services write these rows; the hub publishes their
-- changes (postgres_changes and domain events, docs/protocol.md §12) to exactly the people a row names:
--
--   journeys          the supplier's team (a journey's definition is the supplier's business)
--   journey_clients   the journey's supplier's team and that couple
--   journey_failures  the journey's supplier's team only (never the couple)
--   meetings          the meeting's supplier's team and its couple — never another supplier of the same wedding
--   tasks             the couple; and the task's supplier's team when it names one (no supplier: the couple only)
--   timeline_items    the couple; and the item's supplier's team when it names one
--   messages          the message's supplier's team and its couple
--
-- So every row carries the supplier and couple it is for in columns of its own (a journey's supplier is copied onto
-- its clients and failures, and kept equal to the journey's by a foreign key), and none is published through its
-- wedding: the wedding rule would reach every supplier connected to it.

-- A wedding is its couple's: rows naming both are checked against each other.
alter table weddings add constraint weddings_id_couple_key unique (id, couple_id);

-- Journeys: the modules each stage runs (emails, forms, reminders), besides the stages.
alter table journeys add column modules jsonb not null default '[]';
alter table journeys add constraint journeys_id_supplier_key unique (id, supplier_id);

-- Where each client stands in a journey: the stage reached (and when), the modules that ran, the emails opened, and
-- what happens next.
alter table journey_clients
  add column supplier_id          uuid,
  add column stage_reached_at     timestamptz,
  add column modules_run          integer not null default 0 check (modules_run >= 0),
  add column last_module          text,
  add column last_module_at       timestamptz,
  add column emails_opened        integer not null default 0 check (emails_opened >= 0),
  add column last_email           text,
  add column last_email_opened_at timestamptz,
  add column next_action          text,
  add column next_action_at       timestamptz;

-- The journey's supplier, copied onto the rows that belong to one journey (row access needs it in the row).
create function hub_journey_supplier() returns trigger language plpgsql as $$
begin
  new.supplier_id := (select j.supplier_id from journeys j where j.id = new.journey_id);
  return new;
end;
$$;

update journey_clients jc set supplier_id = j.supplier_id from journeys j where j.id = jc.journey_id;
alter table journey_clients alter column supplier_id set not null;
alter table journey_clients add constraint journey_clients_journey_supplier_fkey
  foreign key (journey_id, supplier_id) references journeys (id, supplier_id) on update cascade on delete cascade;
create trigger journey_clients_supplier before insert or update of journey_id, supplier_id on journey_clients
  for each row execute function hub_journey_supplier();
create index journey_clients_supplier_idx on journey_clients (supplier_id);

-- A journey action that failed for a client (an email that bounced, a form that could not be sent): the supplier's
-- team deals with it; the couple is not told.
create table journey_failures (
  id          uuid primary key default gen_random_uuid(),
  journey_id  uuid        not null,
  couple_id   uuid        not null,
  supplier_id uuid        not null,
  module      text        not null check (length(module) between 1 and 200),
  reason      text        not null check (length(reason) between 1 and 2000),
  failed_at   timestamptz not null default now(),
  resolved_at timestamptz,
  foreign key (journey_id, couple_id) references journey_clients (journey_id, couple_id) on delete cascade,
  foreign key (journey_id, supplier_id) references journeys (id, supplier_id) on update cascade on delete cascade
);
create trigger journey_failures_supplier before insert or update of journey_id, supplier_id on journey_failures
  for each row execute function hub_journey_supplier();
create index journey_failures_supplier_idx on journey_failures (supplier_id, failed_at desc);

-- A meeting between a couple and one supplier, about one of the couple's weddings.
create table meetings (
  id             uuid primary key default gen_random_uuid(),
  supplier_id    uuid        not null references suppliers (id) on delete cascade,
  couple_id      uuid        not null references couples (id) on delete cascade,
  wedding_id     uuid        not null,
  title          text        not null check (length(title) between 1 and 200),
  starts_at      timestamptz not null,
  ends_at        timestamptz not null,
  location       text,
  status         text        not null default 'scheduled' check (status in ('scheduled', 'cancelled')),
  -- the people taking part (users of the couple and of the supplier's team)
  attendees      uuid[]      not null default '{}',
  -- the supplier's own notes: never published (not in the column allow-list)
  internal_notes text,
  created_by     uuid references users (id) on delete set null,
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  check (ends_at >= starts_at),
  foreign key (wedding_id, couple_id) references weddings (id, couple_id) on update cascade on delete cascade
);
create index meetings_supplier_idx on meetings (supplier_id, starts_at);
create index meetings_couple_idx on meetings (couple_id, starts_at);
create index meetings_wedding_idx on meetings (wedding_id);

-- A couple's task: private (no supplier) or shared with one supplier.
create table tasks (
  id           uuid primary key default gen_random_uuid(),
  couple_id    uuid        not null references couples (id) on delete cascade,
  -- the supplier the task is shared with; a supplier that goes away leaves the task private
  supplier_id  uuid references suppliers (id) on delete set null,
  wedding_id   uuid,
  title        text        not null check (length(title) between 1 and 500),
  notes        text,
  done         boolean     not null default false,
  due          date,
  assignee_id  uuid references users (id) on delete set null,
  created_by   uuid references users (id) on delete set null,
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now(),
  completed_at timestamptz,
  foreign key (wedding_id, couple_id) references weddings (id, couple_id) on update cascade on delete cascade
);
create index tasks_couple_idx on tasks (couple_id);
create index tasks_supplier_idx on tasks (supplier_id) where supplier_id is not null;

-- The wedding day's timeline: each item the couple's, shown to the supplier it names (if any).
create table timeline_items (
  id          uuid primary key default gen_random_uuid(),
  couple_id   uuid        not null,
  wedding_id  uuid        not null,
  supplier_id uuid references suppliers (id) on delete set null,
  starts_at   timestamptz not null,
  ends_at     timestamptz,
  title       text        not null check (length(title) between 1 and 200),
  location    text,
  notes       text,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  check (ends_at is null or ends_at >= starts_at),
  foreign key (wedding_id, couple_id) references weddings (id, couple_id) on update cascade on delete cascade
);
create index timeline_items_couple_idx on timeline_items (couple_id, starts_at);

-- Messages between a supplier's team and a couple, either way. read_at: when the other side read it.
create table messages (
  id          uuid primary key default gen_random_uuid(),
  supplier_id uuid        not null references suppliers (id) on delete cascade,
  couple_id   uuid        not null references couples (id) on delete cascade,
  sender_id   uuid references users (id) on delete set null,
  sender_side text        not null check (sender_side in ('supplier', 'couple')),
  body        text        not null check (length(body) between 1 and 20000),
  read_at     timestamptz,
  read_by     uuid references users (id) on delete set null,
  -- internal: the email relay's message id and the moderation flag; never published
  relay_id    text,
  flagged     boolean     not null default false,
  created_at  timestamptz not null default now()
);
create index messages_pair_idx on messages (supplier_id, couple_id, created_at);
create index messages_unread_idx on messages (supplier_id, couple_id, sender_side) where read_at is null;
create index messages_couple_idx on messages (couple_id, created_at);

-- Updates and deletes carry the whole old row: a row that moves away from someone reaches them as a delete, and the
-- hub's domain events compare old and new (the change feed would set this too, on its first start).
alter table journeys replica identity full;
alter table journey_clients replica identity full;
alter table journey_failures replica identity full;
alter table meetings replica identity full;
alter table tasks replica identity full;
alter table timeline_items replica identity full;
alter table messages replica identity full;
