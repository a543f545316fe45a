-- Each school's accessibility statement (RGAA model) and the address that receives
-- accessibility reports. Until a school records an RGAA audit, its status is "non conforme"
-- (RGAA: a site that has not been audited cannot claim conformity).
alter table site add column contact_email text;
alter table site add column a11y_status text not null default 'non conforme';
alter table site add column a11y_rate bigint;               -- % of RGAA criteria met, when audited
alter table site add column a11y_audit_date text;           -- 'YYYY-MM-DD'
alter table site add column a11y_audited_by text;
alter table site add column a11y_non_accessible text not null default '';
