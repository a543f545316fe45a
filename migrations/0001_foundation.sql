-- The foundation of the portal: sites, families, people, accounts, sessions,
-- password resets, login throttling, the mail outbox and the audit log.
-- Portable between SQLite and PostgreSQL: ids are BIGINT chosen by the app,
-- booleans are INTEGER 0/1, times are BIGINT unix seconds (UTC).

-- One school (a deployment may host several).
create table site (
    site_id bigint primary key,
    slug text not null unique,          -- short stable name used in forms and the CLI
    name text not null,                 -- "École municipale de musique de Valognes"
    created_at bigint not null
);

-- A household: the unit that sees its own students and invoices.
create table family (
    family_id bigint primary key,
    site_id bigint not null references site (site_id),
    created_at bigint not null
);
create index family_site on family (site_id);

-- A guardian or a student (an adult student is both).
create table person (
    person_id bigint primary key,
    site_id bigint not null references site (site_id),
    family_id bigint not null references family (family_id),
    civility text not null,              -- 'M' (Monsieur) or 'MME' (Madame); '' when unknown
    last_name text not null,
    first_name text not null,
    birth_date text,                     -- ISO 8601 date, 'YYYY-MM-DD'
    email text,
    address text,
    postal_code text,
    city text,
    phone_home text,
    phone_mobile text,
    phone_work text,
    profession text,
    is_guardian integer not null default 0,
    is_student integer not null default 0,
    created_at bigint not null,
    updated_at bigint not null
);
create index person_family on person (family_id);

-- A login. The identifier is unique per site and stored in lower case.
create table account (
    account_id bigint primary key,
    site_id bigint not null references site (site_id),
    person_id bigint references person (person_id),   -- null for staff accounts
    family_id bigint references family (family_id),   -- null for staff accounts
    identifier text not null,
    password_hash text,                  -- argon2id PHC string; null until a first password is chosen
    is_staff integer not null default 0,
    accessible_mode integer not null default 0,
    disabled integer not null default 0,
    last_login_at bigint,
    password_changed_at bigint,
    created_at bigint not null,
    unique (site_id, identifier)
);

-- A logged-in browser. The cookie holds a random token; only its SHA-256 is stored.
create table session (
    token_hash text primary key,
    account_id bigint not null references account (account_id),
    csrf_token text not null,            -- sent back in every form of this session
    created_at bigint not null,
    last_seen_at bigint not null,        -- refreshed at most once a minute
    expires_at bigint not null           -- absolute expiry
);
create index session_account on session (account_id);

-- A single-use link to choose a new password. Only the token's SHA-256 is stored.
create table password_reset (
    token_hash text primary key,
    account_id bigint not null references account (account_id),
    created_at bigint not null,
    expires_at bigint not null,
    used_at bigint
);
create index password_reset_account on password_reset (account_id, created_at);

-- Failed logins per typed identifier (known or not, so that throttling reveals nothing).
create table login_throttle (
    site_id bigint not null,
    identifier text not null,
    failures bigint not null,
    last_failure_at bigint not null,
    primary key (site_id, identifier)
);

-- Every mail is written here in the transaction of the action that causes it,
-- then sent by the outbox worker with retries.
create table mail_outbox (
    mail_id bigint primary key,
    to_address text not null,
    subject text not null,
    body_text text not null,
    created_at bigint not null,
    attempts bigint not null default 0,
    next_attempt_at bigint not null,
    claimed_until bigint,                -- a worker owns the row until then
    sent_at bigint,
    last_error text
);
create index mail_outbox_due on mail_outbox (sent_at, next_attempt_at);

-- What happened, for staff and auditors. Never holds a password or a token.
create table audit_log (
    audit_id bigint primary key,
    site_id bigint,
    account_id bigint,
    action text not null,                -- 'login', 'login_failed', 'logout', 'password_changed', ...
    detail text not null default '',
    created_at bigint not null
);
create index audit_log_account on audit_log (account_id, created_at);

-- Secrets shared by every instance (e.g. the key that binds anonymous CSRF tokens).
create table app_secret (
    name text primary key,
    value text not null
);
