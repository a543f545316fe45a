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

-- Exports back to the school's management software. Each export holds what no earlier
-- export held: the rows it carried keep its id. Every export is kept, files and all.
create table export_run (
    export_id bigint primary key,
    site_id bigint not null references site (site_id),
    number bigint not null,              -- 1, 2, 3… per school, in the order they were made
    created_at bigint not null,
    created_by bigint references account (account_id),   -- null: `portee export`
    since text                           -- 'YYYY-MM-DD' of a `--depuis` export (a repeat), else null
);
create unique index export_run_site on export_run (site_id, number);
create table export_file (
    export_id bigint not null references export_run (export_id),
    name text not null,                  -- 'modifications.csv', 'reinscriptions.csv', 'paiements.csv'
    rows_count bigint not null,
    content text not null,               -- UTF-8 with a BOM, semicolon-separated
    primary key (export_id, name)
);
alter table change_item add column export_id bigint;
alter table reenrolment_request add column export_id bigint;
alter table ledger_entry add column export_id bigint;
-- A receipt Portée wrote (at the desk or from PayFiP), as opposed to one the import brought.
alter table ledger_entry add column received_in_portal integer not null default 0;
create index change_item_export on change_item (export_id);
create index reenrolment_request_export on reenrolment_request (site_id, export_id);
create index ledger_entry_export on ledger_entry (site_id, kind, export_id);
