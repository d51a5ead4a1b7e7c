-- Admin powers (README "Operations"): what hub admins (users.is_admin) did, and the sessions they ended.
-- V12, not V11: another branch may take V11; Flyway applies the versions in order either way.

-- One row per use of a power: who, what, on what, when and why. Written before the power takes effect is answered.
create table admin_audit (
  id         bigserial   primary key,
  admin_id   uuid        not null,
  admin_name text        not null,
  action     text        not null check (action in ('break_lock', 'end_sessions', 'view_form')),
  target     text        not null,
  reason     text        not null,
  details    jsonb       not null default '{}',
  node_id    text        not null,
  at         timestamptz not null default now()
);
create index admin_audit_at on admin_audit (at desc, id desc);

-- "End a user's sessions": tokens issued up to this moment are refused from then on (the hub reads it with the
-- user), and every node closes the user's open sockets.
alter table users add column sessions_ended_at timestamptz;

-- An admin who stops being one loses admin:health and the read-only form views at once, like a removed membership.
create function hub_notify_admin_change() returns trigger language plpgsql as $$
begin
  perform pg_notify('hub_access', json_build_object('users', array[old.id])::text);
  return null;
end;
$$;

create trigger users_admin_access after update of is_admin on users
  for each row when (old.is_admin and not new.is_admin) execute function hub_notify_admin_change();
