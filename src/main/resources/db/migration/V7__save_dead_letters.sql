-- Accepted field changes PostgreSQL refused to store (issue 11): parked here by the write-behind so they no longer
-- block everyone else's saves, with the reason, for an operator to inspect and repair. `change` is the change as
-- ASCII JSON (FieldChangeCodec), which keeps exactly what was accepted even where jsonb/text would refuse it.
create table save_dead_letters (
  id         bigserial primary key,
  form_id    uuid        not null,
  field_id   uuid        not null,
  field_key  text        not null,
  version    bigint      not null,
  change     text        not null,
  reason     text        not null,
  sql_state  text,
  node_id    text,
  parked_at  timestamptz not null default now()
);
-- One row per change: a batch retried after its dead letters were stored (a cluster node that died before trimming
-- its pending list) parks the same change again, which changes nothing.
create unique index save_dead_letters_change on save_dead_letters (field_id, version);
