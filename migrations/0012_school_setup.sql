-- A school set up and run from Portée itself: staff accounts and the school's settings.

-- Staff accounts of their own: a name, an e-mail where invitations and reset links go
-- (staff have no person record), and a role. Families' accounts keep these null.
alter table account add column role text;             -- 'administrateur' or 'secretariat' (staff only)
alter table account add column display_name text;     -- « Prénom NOM » (staff only)
alter table account add column email text;            -- staff only: families' address is on their record
-- The staff accounts made before roles administer their school.
update account set role = 'administrateur' where is_staff = 1;

-- The school's own settings (`/gestion/ecole`): the name its mails are sent under, and its
-- PayFiP mode ('test', 'activation', 'production'; null: the instance's PORTEE_PAYFIP_MODE).
alter table site add column sender_name text;
alter table site add column payfip_mode text;

-- Public holidays (computed by the portal) on which a school keeps its lessons.
create table lesson_day (
    site_id bigint not null references site (site_id),
    day text not null,                   -- 'YYYY-MM-DD', a French public holiday
    primary key (site_id, day)
);
