-- Access can also end because a journey stops including a couple, or a form goes away: the same re-check applies.

create function hub_notify_scope_change() returns trigger language plpgsql as $$
declare
  affected uuid[];
begin
  if tg_table_name = 'journey_clients' then
    select coalesce(array_agg(user_id), '{}') into affected from couple_members where couple_id = old.couple_id;
  else -- forms: the owning team and the couple of the form's wedding
    select coalesce(array_agg(u), '{}') into affected from (
      select user_id as u from team_members where supplier_id = old.supplier_id
      union select cm.user_id from weddings w join couple_members cm on cm.couple_id = w.couple_id
             where w.id = old.wedding_id) x;
  end if;
  perform pg_notify('hub_access', json_build_object('users', affected)::text);
  return null;
end;
$$;

create trigger journey_clients_access after delete on journey_clients
  for each row execute function hub_notify_scope_change();
create trigger forms_access after delete on forms
  for each row execute function hub_notify_scope_change();
