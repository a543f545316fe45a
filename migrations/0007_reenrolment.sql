-- Réinscription: staff open a campaign per school year with the documents they ask for;
-- families tick their choices per student, upload the papers and submit; staff decide.

create table reenrolment_campaign (
    campaign_id bigint primary key,
    site_id bigint not null references site (site_id),
    year_label text not null,            -- the school year it enrols for: '2027/2028'
    opens_on text not null,              -- 'YYYY-MM-DD', first day families can use it
    closes_on text not null,             -- last day
    created_at bigint not null
);
create index reenrolment_campaign_site on reenrolment_campaign (site_id, opens_on);

-- A document the school asks for, per family or per student.
create table campaign_document (
    campaign_document_id bigint primary key,
    campaign_id bigint not null references reenrolment_campaign (campaign_id),
    name text not null,                  -- 'Justificatif de domicile'
    per_student integer not null,        -- 0: one per family; 1: one per student
    required integer not null,
    position bigint not null
);
create index campaign_document_campaign on campaign_document (campaign_id, position);

-- One student's re-enrolment in a campaign (at most one).
create table reenrolment_request (
    request_id bigint primary key,
    campaign_id bigint not null references reenrolment_campaign (campaign_id),
    site_id bigint not null references site (site_id),
    family_id bigint not null references family (family_id),
    person_id bigint not null references person (person_id),
    administrative integer not null default 0, -- "Réinscription administrative": all of it
    comment text not null default '',
    status text not null,                -- 'draft', 'submitted', 'accepted', 'refused'
    decision_reason text,
    submitted_at bigint,
    decided_at bigint,
    decided_by bigint,
    created_at bigint not null,
    unique (campaign_id, person_id)
);
create index reenrolment_request_status on reenrolment_request (campaign_id, status, submitted_at);

-- The courses (this year's course records) a request re-enrols in.
create table reenrolment_choice (
    request_id bigint not null references reenrolment_request (request_id),
    course_record_id bigint not null references course_record (course_record_id),
    primary key (request_id, course_record_id)
);

-- A file a family provided. Family documents have no person. The bytes live in the
-- database (at most 2 MB) so every instance serves them.
create table provided_document (
    provided_document_id bigint primary key,
    campaign_document_id bigint not null references campaign_document (campaign_document_id),
    family_id bigint not null references family (family_id),
    person_id bigint references person (person_id),
    slot text not null,                  -- family id or person id: one file per document and holder
    file_name text not null,             -- sanitised original name, for display only
    content_type text not null,          -- from the content: image/jpeg, image/png, application/pdf
    size_bytes bigint not null,
    content bytea not null,
    uploaded_at bigint not null,
    status text not null,                -- 'provided', 'accepted', 'refused'
    refusal_reason text,
    unique (campaign_document_id, slot)
);
create index provided_document_family on provided_document (family_id);
