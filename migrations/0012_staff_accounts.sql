-- Staff accounts of their own: a name, an e-mail where invitations and reset links go
-- (staff have no person record), and a role. Families' accounts keep these null.
alter table account add column role text;             -- 'administrateur' or 'secretariat' (staff only)
alter table account add column display_name text;     -- « Prénom NOM » (staff only)
alter table account add column email text;            -- staff only: families' address is on their record
-- The staff accounts made before roles administer their school.
update account set role = 'administrateur' where is_staff = 1;
