-- Live client status (issue 13): when a user last had a connection open. Written by the hub (batched) when a
-- connection of theirs opens and when it closes; a supplier's client list derives "recent" and "inactive" from it.
alter table users add column last_seen_at timestamptz;
