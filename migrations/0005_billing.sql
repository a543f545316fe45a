-- Facturation: each family's two ledgers (tuition "cotisations", instrument rentals
-- "locations"), the lines of each invoice, and online payment attempts through PayFiP.
-- Money is BIGINT cents; dates are ISO 8601 TEXT ('YYYY-MM-DD'); times BIGINT unix seconds.

-- The school's identity printed on invoices, and its PayFiP client number (6 digits;
-- null when the school does not offer online payment).
alter table site add column address text;
alter table site add column postal_code text;
alter table site add column city text;
alter table site add column phone text;
alter table site add column payfip_numcli text;

-- One operation of a family's ledger: an invoice (debit) or a payment received (credit).
create table ledger_entry (
    ledger_entry_id bigint primary key,
    site_id bigint not null references site (site_id),
    family_id bigint not null references family (family_id),
    ledger text not null,                -- 'cotisations' or 'locations'
    kind text not null,                  -- 'invoice' or 'receipt'
    entry_date text not null,            -- ISO date of the operation
    number text not null,                -- operation number: '12FC01618', '12RC01632'
    label text not null,                 -- 'AVIS DES SOMMES A PAYER', a cheque number…
    payment_mode text,                   -- receipts: 'cheque', 'especes', 'prelevement', 'carte', 'virement'
    debit_cents bigint not null default 0,
    credit_cents bigint not null default 0,
    discount_cents bigint not null default 0,
    settles_entry_id bigint references ledger_entry (ledger_entry_id), -- the invoice a receipt pays
    created_at bigint not null,
    unique (site_id, number)
);
create index ledger_entry_family on ledger_entry (family_id, ledger, entry_date);
create index ledger_entry_settles on ledger_entry (settles_entry_id);

-- What an invoice charges: one line per student and course, or per rented instrument.
create table invoice_line (
    invoice_line_id bigint primary key,
    ledger_entry_id bigint not null references ledger_entry (ledger_entry_id),
    position bigint not null,
    beneficiary text not null,           -- the student (or the family for a family fee)
    description text not null,           -- 'Piano 2C4 (30 min)', 'Location violon 3/4, 1er trimestre'
    amount_cents bigint not null
);
create index invoice_line_entry on invoice_line (ledger_entry_id, position);

-- Operation numbers are allocated per site, year and kind ('26FC', '26RC', '26FL', …).
create table number_sequence (
    site_id bigint not null references site (site_id),
    prefix text not null,
    last_value bigint not null,
    primary key (site_id, prefix)
);

-- One attempt to pay an invoice online. `refdet` is sent to PayFiP and comes back with the
-- result; an attempt is resolved once ('paid', 'refused', 'cancelled') and never again.
create table payment_attempt (
    payment_attempt_id bigint primary key,
    site_id bigint not null references site (site_id),
    family_id bigint not null references family (family_id),
    invoice_entry_id bigint not null references ledger_entry (ledger_entry_id),
    refdet text not null unique,
    amount_cents bigint not null,
    status text not null,                -- 'pending', 'paid', 'refused', 'cancelled'
    result_code text,                    -- PayFiP's resultrans: P, V, R, A
    authorisation text,                  -- numauto
    paid_on text,                        -- dattrans + heurtrans as 'YYYY-MM-DD HH:MM'
    receipt_entry_id bigint references ledger_entry (ledger_entry_id),
    created_at bigint not null,
    resolved_at bigint
);
create index payment_attempt_family on payment_attempt (family_id, created_at);
create index payment_attempt_site on payment_attempt (site_id, created_at);
