-- A note is posted at most once per author and op id (clients retry after reconnects).
create unique index form_notes_op_idx on form_notes (author_id, op_id) where op_id is not null;
