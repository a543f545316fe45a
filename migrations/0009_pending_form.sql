-- A form sent after the session expired: kept (at most an hour) so that, after logging in
-- again, its author finds it filled as they left it, to confirm. Only the token's hash is
-- stored; the body is the form as sent (application/x-www-form-urlencoded, ≤ 64 KB).
create table pending_form (
    token_hash text primary key,
    account_id bigint not null references account (account_id),
    path text not null,
    body text not null,
    created_at bigint not null,
    expires_at bigint not null
);
create index pending_form_account on pending_form (account_id);
