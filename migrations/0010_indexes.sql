-- Indexes found missing by tests/api/query_plans.rs (EXPLAIN QUERY PLAN of every statement
-- the pages run): without them these statements read a whole table that grows with the
-- number of schools and families.
-- /gestion/comptes lists a school's guardians by name.
create index person_site_guardian on person (site_id, is_guardian, last_name, first_name);
-- A person's account (invitations, the accounts page).
create index account_person on account (person_id);
-- A school's holidays (the timetable and the calendar feed).
create index holiday_site on holiday (site_id, starts_on);
-- Forms kept after a session expired are purged by age.
create index pending_form_expiry on pending_form (expires_at);
