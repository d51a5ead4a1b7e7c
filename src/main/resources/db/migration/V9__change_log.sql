-- postgres_changes (issue 14): the row changes the hub read from its logical replication slot, in the order it read
-- them (commit order). The id is the position clients resume from (`postgres_changes_since`); a transaction read
-- twice (the hub stopped before confirming it to the slot) is recognised by (commit_lsn, seq) and not logged twice.
create table hub_change_log (
  id           bigserial primary key,
  commit_lsn   pg_lsn      not null,
  seq          integer     not null,
  committed_at timestamptz not null,
  tbl          text        not null,
  change       jsonb       not null,
  logged_at    timestamptz not null default now(),
  unique (commit_lsn, seq)
);
create index hub_change_log_logged on hub_change_log (logged_at);

-- The log's identity (a position is meaningful only within the log that issued it), and how far it was trimmed (a
-- client behind that cannot be brought up to date from the log).
create table hub_change_log_epoch (
  epoch      text   not null,
  trimmed_to bigint not null default 0
);
insert into hub_change_log_epoch (epoch) values (substr(md5(random()::text || clock_timestamp()::text), 1, 12));
