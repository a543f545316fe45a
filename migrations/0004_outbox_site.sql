-- Which school a mail belongs to, so staff see their own school's undelivered mails only.
alter table mail_outbox add column site_id bigint;
create index mail_outbox_site on mail_outbox (site_id, sent_at);
