-- The WedSync domain (SPEC.md §3). The hub owns these tables; other services may change rows, never the shape.

create table users (
  id          uuid primary key,
  email       text not null unique,
  name        text not null check (length(name) between 1 and 200),
  avatar_url  text,
  is_admin    boolean not null default false,
  -- "appear offline": the user still sees others but is never tracked in presence
  invisible   boolean not null default false,
  created_at  timestamptz not null default now()
);

create table suppliers (
  id            uuid primary key,
  name          text not null,
  business_type text not null,
  created_at    timestamptz not null default now()
);

create table team_members (
  supplier_id uuid not null references suppliers (id) on delete cascade,
  user_id     uuid not null references users (id) on delete cascade,
  role        text not null check (role in ('owner', 'admin', 'member', 'viewer')),
  joined_at   timestamptz not null default now(),
  primary key (supplier_id, user_id)
);
create index team_members_user_idx on team_members (user_id);

create table couples (
  id         uuid primary key,
  name       text not null,
  created_at timestamptz not null default now()
);

create table couple_members (
  couple_id uuid not null references couples (id) on delete cascade,
  user_id   uuid not null references users (id) on delete cascade,
  role      text not null check (role in ('partner', 'helper')),
  primary key (couple_id, user_id)
);
create index couple_members_user_idx on couple_members (user_id);

create table weddings (
  id            uuid primary key,
  couple_id     uuid not null references couples (id) on delete cascade,
  wedding_date  date,
  ceremony_time time,
  venue_name    text,
  venue_address text,
  guest_count   integer check (guest_count between 0 and 100000),
  partner1_name text,
  partner2_name text,
  contact_email text,
  contact_phone text,
  version       bigint not null default 1,
  updated_at    timestamptz not null default now(),
  updated_by    uuid references users (id)
);
create index weddings_couple_idx on weddings (couple_id);

-- Which supplier works on which wedding, and which core fields the couple shares with it.
create table wedding_suppliers (
  wedding_id    uuid not null references weddings (id) on delete cascade,
  supplier_id   uuid not null references suppliers (id) on delete cascade,
  shared_fields text[] not null default '{}',
  connected_at  timestamptz not null default now(),
  primary key (wedding_id, supplier_id)
);
create index wedding_suppliers_supplier_idx on wedding_suppliers (supplier_id);

create table forms (
  id          uuid primary key,
  supplier_id uuid not null references suppliers (id) on delete cascade,
  wedding_id  uuid not null references weddings (id) on delete cascade,
  title       text not null,
  status      text not null default 'draft'
              check (status in ('draft', 'sent', 'in_progress', 'submitted', 'completed', 'archived')),
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now()
);
create index forms_supplier_idx on forms (supplier_id);
create index forms_wedding_idx on forms (wedding_id);

create table form_status_history (
  id          bigserial primary key,
  form_id     uuid not null references forms (id) on delete cascade,
  from_status text,
  to_status   text not null,
  changed_by  uuid references users (id),
  changed_at  timestamptz not null default now()
);
create index form_status_history_form_idx on form_status_history (form_id, id);

create table form_fields (
  id         uuid primary key default gen_random_uuid(),
  form_id    uuid not null references forms (id) on delete cascade,
  key        text not null check (key ~ '^[a-z][a-z0-9_]{0,63}$'),
  label      text not null,
  type       text not null check (type in ('text', 'email', 'phone', 'number', 'slider', 'date', 'time', 'select',
                                           'checkbox', 'radio', 'textarea', 'list')),
  required   boolean not null default false,
  options    jsonb,
  validation jsonb not null default '{}',
  core_field text check (core_field in ('wedding_date', 'ceremony_time', 'venue_name', 'venue_address',
                                        'guest_count', 'partner1_name', 'partner2_name', 'contact_email',
                                        'contact_phone')),
  position   integer not null,
  value      jsonb,
  version    bigint not null default 0,
  updated_at timestamptz not null default now(),
  updated_by uuid references users (id),
  unique (form_id, key)
);
create index form_fields_core_idx on form_fields (form_id) where core_field is not null;

-- Every accepted change: the audit trail and the source of history and rollback.
create table field_revisions (
  id             bigserial primary key,
  field_id       uuid not null references form_fields (id) on delete cascade,
  form_id        uuid not null references forms (id) on delete cascade,
  version        bigint not null,
  value          jsonb,
  previous_value jsonb,
  kind           text not null check (kind in ('set', 'text', 'list')),
  ops            jsonb,
  op_id          text,
  source         text not null check (source in ('user', 'core', 'rollback', 'external')),
  changed_by     uuid references users (id),
  changed_at     timestamptz not null default now(),
  unique (field_id, version)
);
create index field_revisions_form_idx on field_revisions (form_id, changed_at);
create unique index field_revisions_op_idx on field_revisions (changed_by, op_id) where op_id is not null;

create table form_notes (
  id         uuid primary key default gen_random_uuid(),
  form_id    uuid not null references forms (id) on delete cascade,
  author_id  uuid not null references users (id),
  text       text not null check (length(text) between 1 and 10000),
  mentions   uuid[] not null default '{}',
  op_id      text,
  created_at timestamptz not null default now()
);
create index form_notes_form_idx on form_notes (form_id, created_at);

create table notifications (
  id           uuid primary key default gen_random_uuid(),
  recipient_id uuid not null references users (id) on delete cascade,
  type         text not null,
  title        text not null,
  body         text not null default '',
  data         jsonb not null default '{}',
  priority     text not null default 'normal' check (priority in ('low', 'normal', 'important', 'critical')),
  read_at      timestamptz,
  created_at   timestamptz not null default now()
);
create index notifications_recipient_idx on notifications (recipient_id, created_at desc, id desc);
create index notifications_unread_idx on notifications (recipient_id) where read_at is null;

create table notification_preferences (
  user_id uuid not null references users (id) on delete cascade,
  type    text not null,
  in_app  boolean not null default true,
  email   boolean not null default false,
  sms     boolean not null default false,
  push    boolean not null default true,
  primary key (user_id, type)
);

-- Transactional outbox: written in the same transaction as the notification, delivered by a poller.
create table notification_outbox (
  id              bigserial primary key,
  notification_id uuid not null references notifications (id) on delete cascade,
  channel         text not null check (channel in ('email', 'sms', 'push')),
  recipient_id    uuid not null references users (id) on delete cascade,
  payload         jsonb not null,
  status          text not null default 'pending' check (status in ('pending', 'delivered', 'dead')),
  attempts        integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_error      text,
  created_at      timestamptz not null default now(),
  delivered_at    timestamptz
);
create index notification_outbox_due_idx on notification_outbox (next_attempt_at) where status = 'pending';

create table activity_events (
  id          bigserial primary key,
  supplier_id uuid references suppliers (id) on delete cascade,
  wedding_id  uuid references weddings (id) on delete cascade,
  actor_id    uuid references users (id),
  verb        text not null,
  object      jsonb not null default '{}',
  text        text not null,
  created_at  timestamptz not null default now()
);
create index activity_supplier_idx on activity_events (supplier_id, id desc);
create index activity_wedding_idx on activity_events (wedding_id, id desc);

create table journeys (
  id          uuid primary key,
  supplier_id uuid not null references suppliers (id) on delete cascade,
  name        text not null,
  stages      jsonb not null default '[]',
  created_at  timestamptz not null default now()
);
create index journeys_supplier_idx on journeys (supplier_id);

create table journey_clients (
  journey_id    uuid not null references journeys (id) on delete cascade,
  couple_id     uuid not null references couples (id) on delete cascade,
  current_stage text,
  updated_at    timestamptz not null default now(),
  primary key (journey_id, couple_id)
);
create index journey_clients_couple_idx on journey_clients (couple_id);
