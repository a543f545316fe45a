-- Everything the manual's Famille and Identité screens show, and the change requests
-- through which families correct their records (staff validate before anything applies).

alter table person add column birth_place text;
alter table person add column country text;                      -- null or '' means France
alter table person add column family_situation text;             -- code, see src/features/records/fields.rs
alter table person add column socio_professional text;           -- code (INSEE PCS group)
alter table person add column phone_extra1 text;
alter table person add column phone_extra2 text;
alter table person add column phone_extra3 text;
alter table person add column emergency_contact text;            -- person to contact in an emergency
alter table person add column emergency_phone text;
alter table person add column image_rights text;                 -- '1' yes, '0' no, null unknown
alter table person add column exit_authorisation text;           -- '1' yes, '0' no, null unknown
alter table person add column use_guardian_contact text;         -- '1': address and phones are the guardian's

-- A family's request to change one person's record. At most one is pending per person:
-- a second submission before review updates its items.
create table change_request (
    change_request_id bigint primary key,
    site_id bigint not null references site (site_id),
    family_id bigint not null references family (family_id),
    person_id bigint not null references person (person_id),
    requested_by bigint not null references account (account_id),
    status text not null,               -- 'pending', 'accepted', 'partly_accepted', 'refused'
    created_at bigint not null,
    updated_at bigint not null,
    decided_at bigint,
    decided_by bigint references account (account_id),
    reason text                          -- staff's reason when refusing (all or part)
);
create index change_request_queue on change_request (site_id, status, created_at);
create index change_request_person on change_request (person_id, status);

-- One field of a request. Values are canonical strings ('' for empty).
create table change_item (
    change_item_id bigint primary key,
    change_request_id bigint not null references change_request (change_request_id),
    field text not null,                 -- key of the field, e.g. 'phone_mobile'
    old_value text not null,             -- value on record when requested
    new_value text not null,
    status text not null,                -- 'pending', 'accepted', 'refused', 'superseded', 'withdrawn'
    created_at bigint not null
);
create index change_item_request on change_item (change_request_id, status);

-- Each rendered form carries a one-time key; a second POST with the same key (double
-- click, resubmission) is answered like the first and creates nothing.
create table form_submission (
    form_key text primary key,
    account_id bigint not null references account (account_id),
    location text not null,              -- where the first submission was redirected
    created_at bigint not null
);
