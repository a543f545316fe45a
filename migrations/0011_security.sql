-- Security fixes: payments confirmed by PayFiP's web service, throttles that an attacker
-- cannot turn against a family, sessions a user can list and end.

-- PayFiP's operation id (`idOp`), returned by `creerPaiementSecurise`; the result of an
-- attempt is only ever read back with it from `recupererDetailPaiementSecurise`.
alter table payment_attempt add column idop text;
create unique index payment_attempt_idop on payment_attempt (idop);
-- Why a paid attempt waits for staff ('review'): the money arrived but the invoice was
-- no longer due, or PayFiP's amount was not the attempt's.
alter table payment_attempt add column review_reason text;
create index payment_attempt_invoice on payment_attempt (invoice_entry_id, status);

-- Failed password checks, per throttle key: 'family:SITE:IDENTIFIER' and
-- 'staff:SITE:IDENTIFIER' (every address), the same followed by ':NETWORK' (one client
-- address, IPv6 grouped by /64), 'device:NONCE' (a browser that logged in before) and
-- 'password:ACCOUNT' (the current-password check of the password page).
drop table login_throttle;
create table login_throttle (
    throttle_key text primary key,
    failures bigint not null,            -- failures since first_failure_at
    first_failure_at bigint not null,    -- the window's start: counts reset 15 minutes after it
    last_failure_at bigint not null      -- delays run from the last failure
);

-- A session gets a public id (the page listing a user's sessions names it in its forms)
-- and remembers the browser it was opened in. Sessions of the previous version end.
delete from session;
alter table session add column session_id bigint not null default 0;
alter table session add column user_agent text not null default '';
create index session_public on session (session_id);
