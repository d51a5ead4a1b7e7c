-- Notifications, preferences and their delivery (SPEC.md §5 "Notifications").

-- An outbox row is a delivery promise, not a part of the bell: it must survive the recipient clearing their bell, and
-- it exists even for a recipient who turned the in-app bell off for that type (then no notification row is stored).
-- notification_id stays as the delivery's reference (and the receiver's grouping key).
alter table notification_outbox drop constraint notification_outbox_notification_id_fkey;

-- email / sms: null means "by priority" (email for important and critical, SMS for critical only); true or false is
-- the user's explicit choice for that type.
alter table notification_preferences
  alter column email drop not null, alter column email drop default,
  alter column sms drop not null, alter column sms drop default;

-- The bell filters by type; the listing pages by (created_at, id) newest first.
create index notifications_recipient_type_idx on notifications (recipient_id, type, created_at desc, id desc);

-- Which node claimed a delivery last (for operators reading the table; the claim itself is the lease in
-- next_attempt_at, taken with FOR UPDATE SKIP LOCKED).
alter table notification_outbox add column claimed_by text;
