-- New families enrol online: a school opens a pre-enrolment window, families without an
-- account send requests (one per child), staff accept them, put them on a waiting list or
-- refuse them.

-- A window: its dates, how its requests are ordered, what it asks for, how long the requests
-- not accepted are kept after it closes.
create table preenrolment_window (
    window_id bigint primary key,
    site_id bigint not null references site (site_id),
    label text not null,                 -- 'Rentrée 2027'
    opens_on text not null,              -- 'YYYY-MM-DD'
    closes_on text not null,
    rule text not null,                  -- 'arrivee' (first come, first served) or 'tirage' (a draw at the close)
    seed bigint,                         -- the draw's seed, recorded when drawn
    drawn_at bigint,
    documents text not null default '',  -- the documents asked for, one per line
    retention_months bigint not null,
    purged_at bigint,                    -- requests not accepted anonymised
    created_at bigint not null,
    created_by bigint references account (account_id)
);
create index preenrolment_window_site on preenrolment_window (site_id, opens_on);
-- The hourly retention check: windows not purged yet, by their last day.
create index preenrolment_window_purge on preenrolment_window (purged_at, closes_on);

-- A discipline or course offered, with its places and who may ask for it.
create table preenrolment_offer (
    offer_id bigint primary key,
    window_id bigint not null references preenrolment_window (window_id),
    label text not null,                 -- 'Piano', 'Éveil musical'
    places bigint not null,
    taken bigint not null default 0,     -- places accepted or offered (never above places)
    born_from bigint,                    -- years of birth allowed (inclusive), null: any
    born_to bigint
);
create index preenrolment_offer_window on preenrolment_offer (window_id, label);

-- A request: one child, with the guardian who sent it.
create table preenrolment_request (
    request_id bigint primary key,
    window_id bigint not null references preenrolment_window (window_id),
    site_id bigint not null references site (site_id),
    reference text not null unique,      -- 'P-7K3QX2', given to the family
    civility text not null,
    last_name text not null,
    first_name text not null,
    email text not null,                 -- lower-cased
    phone text not null,
    address text not null,
    postal_code text not null,
    city text not null,
    child_last_name text not null,
    child_first_name text not null,
    child_birth_date text not null,      -- 'YYYY-MM-DD'
    child_key text not null,             -- names folded + birth date: one request per child
    consent_at bigint not null,
    status text not null,                -- 'non_confirmee', 'nouvelle', 'attente', 'proposee', 'acceptee', 'refusee', 'retiree'
    confirm_token_hash text,
    confirmed_at bigint,                 -- first come, first served counts from here
    follow_token_hash text,
    follow_expires_at bigint,
    draw_rank bigint,                    -- its place in the draw
    offer_id bigint references preenrolment_offer (offer_id), -- the wish it is accepted, offered or waiting on
    offered_until text,                  -- a place offered: to confirm by this day
    decision_reason text,
    decided_at bigint,
    decided_by bigint references account (account_id),
    family_id bigint references family (family_id), -- created when accepted
    export_id bigint,
    created_at bigint not null,
    anonymised_at bigint
);
create unique index preenrolment_request_child on preenrolment_request (window_id, email, child_key);
create index preenrolment_request_window on preenrolment_request (window_id, status);
create index preenrolment_request_offer on preenrolment_request (offer_id, status);
create index preenrolment_request_confirm on preenrolment_request (confirm_token_hash);
create index preenrolment_request_follow on preenrolment_request (follow_token_hash);
create index preenrolment_request_export on preenrolment_request (site_id, export_id);

-- A child's wishes, in order of preference.
create table preenrolment_wish (
    request_id bigint not null references preenrolment_request (request_id),
    offer_id bigint not null references preenrolment_offer (offer_id),
    preference bigint not null,          -- 1, 2, 3
    primary key (request_id, offer_id)
);
create index preenrolment_wish_offer on preenrolment_wish (offer_id);

-- The documents a request was sent with (the re-enrolment's upload rules).
create table preenrolment_document (
    document_id bigint primary key,
    request_id bigint not null references preenrolment_request (request_id),
    label text not null,                 -- the document asked for
    file_name text not null,
    content_type text not null,
    size_bytes bigint not null,
    content bytea not null
);
create index preenrolment_document_request on preenrolment_document (request_id);
