-- Demo data for the embedded default: loaded once, on a database with no users.
-- Identifiers are fixed so the README, tests and printed tokens can name them.
--   users       11111111-0000-0000-0000-0000000000NN
--   suppliers   22222222-0000-0000-0000-00000000000N
--   couples     33333333-0000-0000-0000-00000000000N
--   weddings    44444444-0000-0000-0000-00000000000N
--   forms       55555555-0000-0000-0000-00000000000N
--   journeys    66666666-0000-0000-0000-00000000000N
--   meetings    77777777-0000-0000-0000-00000000000N
--   tasks       88888888-0000-0000-0000-00000000000N
--   timeline    99999999-0000-0000-0000-00000000000N
--   messages    aaaaaaaa-0000-0000-0000-00000000000N
--   journey failures bbbbbbbb-0000-0000-0000-00000000000N

insert into users (id, email, name, avatar_url, is_admin) values
  ('11111111-0000-0000-0000-000000000001', 'emma@example.com',   'Emma Wilson',   '/avatars/emma.png',   false),
  ('11111111-0000-0000-0000-000000000002', 'james@example.com',  'James Carter',  '/avatars/james.png',  false),
  ('11111111-0000-0000-0000-000000000003', 'olivia@example.com', 'Olivia Wilson', '/avatars/olivia.png', false),
  ('11111111-0000-0000-0000-000000000004', 'sophie@example.com', 'Sophie Turner', '/avatars/sophie.png', false),
  ('11111111-0000-0000-0000-000000000005', 'liam@example.com',   'Liam Brown',    '/avatars/liam.png',   false),
  ('11111111-0000-0000-0000-000000000006', 'sarah@lenslight.example',  'Sarah Jones',  '/avatars/sarah.png', false),
  ('11111111-0000-0000-0000-000000000007', 'tom@lenslight.example',    'Tom Reed',     '/avatars/tom.png',   false),
  ('11111111-0000-0000-0000-000000000008', 'mia@lenslight.example',    'Mia Clarke',   '/avatars/mia.png',   false),
  ('11111111-0000-0000-0000-000000000009', 'noah@lenslight.example',   'Noah Hill',    '/avatars/noah.png',  false),
  ('11111111-0000-0000-0000-000000000010', 'chloe@feast.example',      'Chloe Adams',  '/avatars/chloe.png', false),
  ('11111111-0000-0000-0000-000000000011', 'ben@feast.example',        'Ben Foster',   '/avatars/ben.png',   false),
  ('11111111-0000-0000-0000-000000000012', 'grace@grandhall.example',  'Grace Lee',    '/avatars/grace.png', false),
  ('11111111-0000-0000-0000-000000000013', 'jack@grandhall.example',   'Jack Evans',   '/avatars/jack.png',  false),
  ('11111111-0000-0000-0000-000000000014', 'lily@bloom.example',       'Lily Baker',   '/avatars/lily.png',  false),
  ('11111111-0000-0000-0000-000000000015', 'ava@wedsync.example',      'Ava Admin',    '/avatars/ava.png',   true),
  ('11111111-0000-0000-0000-000000000016', 'sam@example.com',          'Sam Stranger', null,                 false);

insert into suppliers (id, name, business_type) values
  ('22222222-0000-0000-0000-000000000001', 'Lens & Light Photography', 'photographer'),
  ('22222222-0000-0000-0000-000000000002', 'Feast Catering',           'caterer'),
  ('22222222-0000-0000-0000-000000000003', 'Grand Hall Venue',         'venue'),
  ('22222222-0000-0000-0000-000000000004', 'Bloom Florists',           'florist');

insert into team_members (supplier_id, user_id, role) values
  ('22222222-0000-0000-0000-000000000001', '11111111-0000-0000-0000-000000000006', 'owner'),
  ('22222222-0000-0000-0000-000000000001', '11111111-0000-0000-0000-000000000007', 'admin'),
  ('22222222-0000-0000-0000-000000000001', '11111111-0000-0000-0000-000000000008', 'member'),
  ('22222222-0000-0000-0000-000000000001', '11111111-0000-0000-0000-000000000009', 'viewer'),
  ('22222222-0000-0000-0000-000000000002', '11111111-0000-0000-0000-000000000010', 'owner'),
  ('22222222-0000-0000-0000-000000000002', '11111111-0000-0000-0000-000000000011', 'member'),
  ('22222222-0000-0000-0000-000000000003', '11111111-0000-0000-0000-000000000012', 'owner'),
  ('22222222-0000-0000-0000-000000000003', '11111111-0000-0000-0000-000000000013', 'viewer'),
  ('22222222-0000-0000-0000-000000000004', '11111111-0000-0000-0000-000000000014', 'owner');

insert into couples (id, name) values
  ('33333333-0000-0000-0000-000000000001', 'Emma & James'),
  ('33333333-0000-0000-0000-000000000002', 'Sophie & Liam');

insert into couple_members (couple_id, user_id, role) values
  ('33333333-0000-0000-0000-000000000001', '11111111-0000-0000-0000-000000000001', 'partner'),
  ('33333333-0000-0000-0000-000000000001', '11111111-0000-0000-0000-000000000002', 'partner'),
  ('33333333-0000-0000-0000-000000000001', '11111111-0000-0000-0000-000000000003', 'helper'),
  ('33333333-0000-0000-0000-000000000002', '11111111-0000-0000-0000-000000000004', 'partner'),
  ('33333333-0000-0000-0000-000000000002', '11111111-0000-0000-0000-000000000005', 'partner');

insert into weddings (id, couple_id, wedding_date, ceremony_time, venue_name, venue_address, guest_count,
                      partner1_name, partner2_name, contact_email, contact_phone) values
  ('44444444-0000-0000-0000-000000000001', '33333333-0000-0000-0000-000000000001', '2027-06-12', '14:00',
   'Grand Hall', '1 Castle Street, York', 120, 'Emma Wilson', 'James Carter', 'emma@example.com', '+44 7700 900001'),
  ('44444444-0000-0000-0000-000000000002', '33333333-0000-0000-0000-000000000002', '2027-09-04', '13:30',
   'Riverside Barn', '8 Mill Lane, Bath', 80, 'Sophie Turner', 'Liam Brown', 'sophie@example.com', '+44 7700 900002');

-- Emma & James share everything with the photographer, most with the caterer, and not the guest count with the venue
-- (so the venue's bound guest_count field shows that the cascade respects sharing).
insert into wedding_suppliers (wedding_id, supplier_id, shared_fields) values
  ('44444444-0000-0000-0000-000000000001', '22222222-0000-0000-0000-000000000001',
   '{wedding_date,ceremony_time,venue_name,venue_address,guest_count,partner1_name,partner2_name,contact_email,contact_phone}'),
  ('44444444-0000-0000-0000-000000000001', '22222222-0000-0000-0000-000000000002',
   '{wedding_date,venue_name,venue_address,guest_count,contact_email}'),
  ('44444444-0000-0000-0000-000000000001', '22222222-0000-0000-0000-000000000003',
   '{wedding_date,ceremony_time,venue_name}'),
  ('44444444-0000-0000-0000-000000000002', '22222222-0000-0000-0000-000000000002',
   '{wedding_date,venue_name,guest_count}'),
  ('44444444-0000-0000-0000-000000000002', '22222222-0000-0000-0000-000000000004',
   '{wedding_date,venue_name,venue_address}');

insert into forms (id, supplier_id, wedding_id, title, status) values
  ('55555555-0000-0000-0000-000000000001', '22222222-0000-0000-0000-000000000001',
   '44444444-0000-0000-0000-000000000001', 'Photography timeline', 'sent'),
  ('55555555-0000-0000-0000-000000000002', '22222222-0000-0000-0000-000000000002',
   '44444444-0000-0000-0000-000000000001', 'Dietary requirements', 'sent'),
  ('55555555-0000-0000-0000-000000000003', '22222222-0000-0000-0000-000000000003',
   '44444444-0000-0000-0000-000000000001', 'Venue setup', 'draft'),
  ('55555555-0000-0000-0000-000000000004', '22222222-0000-0000-0000-000000000002',
   '44444444-0000-0000-0000-000000000002', 'Menu selection', 'sent'),
  ('55555555-0000-0000-0000-000000000005', '22222222-0000-0000-0000-000000000004',
   '44444444-0000-0000-0000-000000000002', 'Flowers and colours', 'sent');

insert into form_status_history (form_id, from_status, to_status, changed_by)
select id, 'draft', 'sent', '11111111-0000-0000-0000-000000000006' from forms where status = 'sent';

-- The photography timeline has one field of every type; some are bound to the wedding's core fields.
insert into form_fields (form_id, key, label, type, required, options, validation, core_field, position, value, version) values
  ('55555555-0000-0000-0000-000000000001', 'partner1_name', 'Partner 1 name', 'text', true, null, '{"maxLength": 100}', 'partner1_name', 1, '"Emma Wilson"', 1),
  ('55555555-0000-0000-0000-000000000001', 'contact_email', 'Contact email', 'email', true, null, '{}', 'contact_email', 2, '"emma@example.com"', 1),
  ('55555555-0000-0000-0000-000000000001', 'contact_phone', 'Contact phone', 'phone', false, null, '{}', 'contact_phone', 3, '"+44 7700 900001"', 1),
  ('55555555-0000-0000-0000-000000000001', 'guest_count', 'Guest count', 'number', true, null, '{"min": 0, "max": 1000}', 'guest_count', 4, '120', 1),
  ('55555555-0000-0000-0000-000000000001', 'coverage_hours', 'Hours of coverage', 'slider', true, null, '{"min": 1, "max": 14, "step": 1}', null, 5, null, 0),
  ('55555555-0000-0000-0000-000000000001', 'wedding_date', 'Wedding date', 'date', true, null, '{}', 'wedding_date', 6, '"2027-06-12"', 1),
  ('55555555-0000-0000-0000-000000000001', 'ceremony_time', 'Ceremony time', 'time', true, null, '{}', 'ceremony_time', 7, '"14:00"', 1),
  ('55555555-0000-0000-0000-000000000001', 'style', 'Photography style', 'select', true, '["documentary", "classic", "editorial"]', '{}', null, 8, null, 0),
  ('55555555-0000-0000-0000-000000000001', 'drone', 'Drone shots wanted', 'checkbox', false, null, '{}', null, 9, null, 0),
  ('55555555-0000-0000-0000-000000000001', 'album', 'Album size', 'radio', false, '["small", "medium", "large"]', '{}', null, 10, null, 0),
  ('55555555-0000-0000-0000-000000000001', 'timeline_notes', 'Timeline notes', 'textarea', false, null, '{"maxLength": 5000}', null, 11, '""', 0),
  ('55555555-0000-0000-0000-000000000001', 'shot_list', 'Shot list', 'list', false, null, '{"maxItems": 200}', null, 12, '[]', 0),
  ('55555555-0000-0000-0000-000000000001', 'venue_name', 'Venue', 'text', true, null, '{}', 'venue_name', 13, '"Grand Hall"', 1),

  ('55555555-0000-0000-0000-000000000002', 'guest_count', 'Guest count', 'number', true, null, '{"min": 0, "max": 1000}', 'guest_count', 1, '120', 1),
  ('55555555-0000-0000-0000-000000000002', 'dietary', 'Dietary requirements', 'list', false, null, '{}', null, 2, '[]', 0),
  ('55555555-0000-0000-0000-000000000002', 'allergy_notes', 'Allergy notes', 'textarea', false, null, '{}', null, 3, '""', 0),
  ('55555555-0000-0000-0000-000000000002', 'menu', 'Menu', 'select', true, '["meat", "fish", "vegetarian"]', '{}', null, 4, null, 0),

  ('55555555-0000-0000-0000-000000000003', 'guest_count', 'Guest count', 'number', true, null, '{"min": 0, "max": 500}', 'guest_count', 1, '120', 1),
  ('55555555-0000-0000-0000-000000000003', 'wedding_date', 'Wedding date', 'date', true, null, '{}', 'wedding_date', 2, '"2027-06-12"', 1),
  ('55555555-0000-0000-0000-000000000003', 'layout', 'Room layout', 'radio', true, '["banquet", "rounds", "theatre"]', '{}', null, 3, null, 0),

  ('55555555-0000-0000-0000-000000000004', 'guest_count', 'Guest count', 'number', true, null, '{"min": 0, "max": 1000}', 'guest_count', 1, '80', 1),
  ('55555555-0000-0000-0000-000000000004', 'starter', 'Starter', 'select', true, '["soup", "salad"]', '{}', null, 2, null, 0),

  ('55555555-0000-0000-0000-000000000005', 'colours', 'Colour palette', 'text', true, null, '{}', null, 1, null, 0),
  ('55555555-0000-0000-0000-000000000005', 'venue_name', 'Venue', 'text', true, null, '{}', 'venue_name', 2, '"Riverside Barn"', 1);

insert into journeys (id, supplier_id, name, stages, modules) values
  ('66666666-0000-0000-0000-000000000001', '22222222-0000-0000-0000-000000000001', 'Photography client journey',
   '["enquiry", "booked", "planning", "wedding", "delivered"]',
   '[{"id": "welcome", "stage": "booked", "kind": "email", "name": "Welcome email"},
     {"id": "timeline-form", "stage": "planning", "kind": "form", "name": "Send the photography timeline"},
     {"id": "two-week-reminder", "stage": "planning", "kind": "email", "name": "Two-week reminder"},
     {"id": "gallery", "stage": "delivered", "kind": "email", "name": "Gallery delivery"}]'),
  ('66666666-0000-0000-0000-000000000002', '22222222-0000-0000-0000-000000000002', 'Catering client journey',
   '["enquiry", "tasting", "menu", "confirmed"]',
   '[{"id": "tasting-invite", "stage": "tasting", "kind": "email", "name": "Tasting invitation"},
     {"id": "menu-form", "stage": "menu", "kind": "form", "name": "Send the menu selection"},
     {"id": "menu-reminder", "stage": "menu", "kind": "email", "name": "Menu reminder"}]');

-- Where each client stands (the supplier column is filled from the journey).
insert into journey_clients (journey_id, couple_id, current_stage, stage_reached_at, modules_run, last_module,
                             last_module_at, emails_opened, last_email, last_email_opened_at, next_action,
                             next_action_at) values
  ('66666666-0000-0000-0000-000000000001', '33333333-0000-0000-0000-000000000001', 'planning',
   '2026-11-02 10:00+00', 2, 'Send the photography timeline', '2026-11-02 10:05+00', 1, 'Welcome email',
   '2026-10-20 19:12+00', 'Two-week reminder', '2027-05-29 09:00+00'),
  ('66666666-0000-0000-0000-000000000002', '33333333-0000-0000-0000-000000000001', 'tasting',
   '2026-11-20 12:00+00', 1, 'Tasting invitation', '2026-11-20 12:01+00', 1, 'Tasting invitation',
   '2026-11-21 08:30+00', 'Menu tasting', '2027-04-02 18:00+00'),
  ('66666666-0000-0000-0000-000000000002', '33333333-0000-0000-0000-000000000002', 'menu',
   '2026-12-01 09:00+00', 3, 'Menu reminder', '2026-12-08 09:00+00', 1, 'Tasting invitation',
   '2026-11-15 20:40+00', null, null);

-- An action that failed for a client: the caterer's team sees it, Sophie & Liam do not.
insert into journey_failures (id, journey_id, couple_id, module, reason, failed_at) values
  ('bbbbbbbb-0000-0000-0000-000000000001', '66666666-0000-0000-0000-000000000002',
   '33333333-0000-0000-0000-000000000002', 'Menu reminder', 'The email to sophie@example.com bounced (mailbox full)',
   '2026-12-08 09:00+00');

-- Meetings: each between a couple and one supplier; the internal notes never leave the hub.
insert into meetings (id, supplier_id, couple_id, wedding_id, title, starts_at, ends_at, location, status, attendees,
                      internal_notes, created_by) values
  ('77777777-0000-0000-0000-000000000001', '22222222-0000-0000-0000-000000000001',
   '33333333-0000-0000-0000-000000000001', '44444444-0000-0000-0000-000000000001', 'Engagement shoot planning',
   '2027-03-14 15:00+00', '2027-03-14 16:00+00', 'Lens & Light studio, York', 'scheduled',
   '{11111111-0000-0000-0000-000000000001,11111111-0000-0000-0000-000000000002,11111111-0000-0000-0000-000000000006}',
   'Mention the album upgrade', '11111111-0000-0000-0000-000000000006'),
  ('77777777-0000-0000-0000-000000000002', '22222222-0000-0000-0000-000000000002',
   '33333333-0000-0000-0000-000000000001', '44444444-0000-0000-0000-000000000001', 'Menu tasting',
   '2027-04-02 18:00+00', '2027-04-02 20:00+00', 'Feast kitchen, Leeds', 'scheduled',
   '{11111111-0000-0000-0000-000000000001,11111111-0000-0000-0000-000000000002,11111111-0000-0000-0000-000000000010}',
   null, '11111111-0000-0000-0000-000000000010'),
  ('77777777-0000-0000-0000-000000000003', '22222222-0000-0000-0000-000000000004',
   '33333333-0000-0000-0000-000000000002', '44444444-0000-0000-0000-000000000002', 'Flower consultation',
   '2027-05-10 11:00+00', '2027-05-10 12:00+00', 'Bloom Florists, Bath', 'scheduled',
   '{11111111-0000-0000-0000-000000000004,11111111-0000-0000-0000-000000000014}', null,
   '11111111-0000-0000-0000-000000000014'),
  ('77777777-0000-0000-0000-000000000004', '22222222-0000-0000-0000-000000000003',
   '33333333-0000-0000-0000-000000000001', '44444444-0000-0000-0000-000000000001', 'Venue walk-through',
   '2027-02-20 10:00+00', '2027-02-20 11:00+00', 'Grand Hall, York', 'cancelled',
   '{11111111-0000-0000-0000-000000000001,11111111-0000-0000-0000-000000000012}', null,
   '11111111-0000-0000-0000-000000000012');

-- Tasks: private to the couple, or shared with one supplier.
insert into tasks (id, couple_id, supplier_id, wedding_id, title, done, due, assignee_id, created_by, completed_at) values
  ('88888888-0000-0000-0000-000000000001', '33333333-0000-0000-0000-000000000001', null,
   '44444444-0000-0000-0000-000000000001', 'Book the registrar', false, '2027-01-15',
   '11111111-0000-0000-0000-000000000001', '11111111-0000-0000-0000-000000000001', null),
  ('88888888-0000-0000-0000-000000000002', '33333333-0000-0000-0000-000000000001',
   '22222222-0000-0000-0000-000000000001', '44444444-0000-0000-0000-000000000001',
   'Send the shot list to Lens & Light', false, '2027-04-30', '11111111-0000-0000-0000-000000000001',
   '11111111-0000-0000-0000-000000000006', null),
  ('88888888-0000-0000-0000-000000000003', '33333333-0000-0000-0000-000000000001',
   '22222222-0000-0000-0000-000000000002', '44444444-0000-0000-0000-000000000001',
   'Confirm dietary requirements with Feast', true, '2027-03-01', '11111111-0000-0000-0000-000000000002',
   '11111111-0000-0000-0000-000000000010', '2026-12-01 18:00+00'),
  ('88888888-0000-0000-0000-000000000004', '33333333-0000-0000-0000-000000000002', null,
   '44444444-0000-0000-0000-000000000002', 'Order the wedding rings', false, '2027-06-01',
   '11111111-0000-0000-0000-000000000005', '11111111-0000-0000-0000-000000000004', null),
  ('88888888-0000-0000-0000-000000000005', '33333333-0000-0000-0000-000000000002',
   '22222222-0000-0000-0000-000000000004', '44444444-0000-0000-0000-000000000002', 'Choose the bouquet colours',
   false, '2027-04-15', '11111111-0000-0000-0000-000000000004', '11111111-0000-0000-0000-000000000014', null);

-- The wedding days' timelines (local time is BST, +01): each item shown to the supplier it names.
insert into timeline_items (id, couple_id, wedding_id, supplier_id, starts_at, ends_at, title, location) values
  ('99999999-0000-0000-0000-000000000001', '33333333-0000-0000-0000-000000000001',
   '44444444-0000-0000-0000-000000000001', null, '2027-06-12 09:00+01', '2027-06-12 12:00+01', 'Getting ready',
   'The Grange Hotel'),
  ('99999999-0000-0000-0000-000000000002', '33333333-0000-0000-0000-000000000001',
   '44444444-0000-0000-0000-000000000001', '22222222-0000-0000-0000-000000000001', '2027-06-12 15:30+01',
   '2027-06-12 16:15+01', 'Couple portraits', 'Castle gardens'),
  ('99999999-0000-0000-0000-000000000003', '33333333-0000-0000-0000-000000000001',
   '44444444-0000-0000-0000-000000000001', '22222222-0000-0000-0000-000000000002', '2027-06-12 16:30+01',
   '2027-06-12 18:30+01', 'Wedding breakfast', 'Grand Hall'),
  ('99999999-0000-0000-0000-000000000004', '33333333-0000-0000-0000-000000000001',
   '44444444-0000-0000-0000-000000000001', '22222222-0000-0000-0000-000000000003', '2027-06-12 18:30+01',
   '2027-06-12 19:30+01', 'Room turnaround for the evening', 'Grand Hall'),
  ('99999999-0000-0000-0000-000000000005', '33333333-0000-0000-0000-000000000002',
   '44444444-0000-0000-0000-000000000002', '22222222-0000-0000-0000-000000000004', '2027-09-04 10:00+01',
   null, 'Flowers delivered', 'Riverside Barn');

-- Messages, either way; read ones carry who read them. One from Emma & James waits for Feast to read it.
insert into messages (id, supplier_id, couple_id, sender_id, sender_side, body, read_at, read_by, relay_id,
                      created_at) values
  ('aaaaaaaa-0000-0000-0000-000000000001', '22222222-0000-0000-0000-000000000001',
   '33333333-0000-0000-0000-000000000001', '11111111-0000-0000-0000-000000000006', 'supplier',
   'Hi Emma and James, the photography timeline form is ready for you.', '2026-11-02 19:30+00',
   '11111111-0000-0000-0000-000000000001', 'relay-5f1c', '2026-11-02 10:06+00'),
  ('aaaaaaaa-0000-0000-0000-000000000002', '22222222-0000-0000-0000-000000000001',
   '33333333-0000-0000-0000-000000000001', '11111111-0000-0000-0000-000000000001', 'couple',
   'Thanks Sarah! We will fill it in this weekend.', '2026-11-03 08:15+00', '11111111-0000-0000-0000-000000000006',
   null, '2026-11-02 19:32+00'),
  ('aaaaaaaa-0000-0000-0000-000000000003', '22222222-0000-0000-0000-000000000002',
   '33333333-0000-0000-0000-000000000001', '11111111-0000-0000-0000-000000000002', 'couple',
   'Could we add a vegan option to the tasting?', null, null, null, '2026-12-05 21:00+00'),
  ('aaaaaaaa-0000-0000-0000-000000000004', '22222222-0000-0000-0000-000000000004',
   '33333333-0000-0000-0000-000000000002', '11111111-0000-0000-0000-000000000014', 'supplier',
   'Here are some colour ideas for the bouquets.', '2026-12-06 10:00+00', '11111111-0000-0000-0000-000000000004',
   'relay-91aa', '2026-12-06 09:00+00');

insert into notification_preferences (user_id, type, in_app, email, sms, push) values
  ('11111111-0000-0000-0000-000000000006', 'form_submitted', true, true, false, true);
