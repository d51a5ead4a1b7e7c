-- When a membership or a wedding connection goes away (or a team role changes), tell every hub node which users
-- are affected, so their open subscriptions are re-checked at once instead of at the next join.

create function hub_notify_access_change() returns trigger language plpgsql as $$
declare
  affected uuid[];
begin
  if tg_table_name = 'wedding_suppliers' then
    select coalesce(array_agg(user_id), '{}') into affected from team_members where supplier_id = old.supplier_id;
  else
    affected := array[old.user_id];
  end if;
  perform pg_notify('hub_access', json_build_object('users', affected)::text);
  return null;
end;
$$;

create trigger team_members_access after delete or update of role, user_id, supplier_id on team_members
  for each row execute function hub_notify_access_change();
create trigger couple_members_access after delete or update of user_id, couple_id on couple_members
  for each row execute function hub_notify_access_change();
create trigger wedding_suppliers_access after delete on wedding_suppliers
  for each row execute function hub_notify_access_change();
