-- Families and the school talk to each other: absences reported ahead of time and absences
-- justified, message threads, the school's news; what the school sets for them.

-- A teacher's e-mail (optional column of enseignants.csv): reported absences are mailed there.
alter table teacher add column email text;

-- How many hours after a lesson has started a family may still report it (0: only before it
-- starts); whether a message's text is copied into the mail that tells of it.
alter table site add column absence_report_hours bigint not null default 0;
alter table site add column mail_message_text integer not null default 0;

-- The login before the last one: "new since your last visit" on the home page.
alter table account add column previous_login_at bigint;

-- An absence a family reports ahead of time: one lesson of a course (course_record_id and
-- lesson_on), or every lesson of a student from first_day to last_day (an illness).
create table absence_report (
    absence_report_id bigint primary key,
    site_id bigint not null references site (site_id),
    family_id bigint not null references family (family_id),
    person_id bigint not null references person (person_id),
    course_record_id bigint references course_record (course_record_id), -- one lesson: its course
    lesson_on text,                      -- 'YYYY-MM-DD' of that lesson; null for a span
    first_day text not null,             -- 'YYYY-MM-DD'; the lesson's day for one lesson
    last_day text not null,
    reason text not null,                -- 'maladie', 'medical', 'famille', 'examen', 'transport', 'autre'
    details text not null default '',
    status text not null,                -- 'reported', 'withdrawn'
    created_at bigint not null,
    created_by bigint not null references account (account_id),
    withdrawn_at bigint
);
create index absence_report_site on absence_report (site_id, status, first_day);
create index absence_report_person on absence_report (person_id, first_day);
-- The same lesson (or the same span) reported twice is one report.
create unique index absence_report_lesson on absence_report (person_id, course_record_id, lesson_on)
    where status = 'reported' and course_record_id is not null;
create unique index absence_report_span on absence_report (person_id, first_day, last_day)
    where status = 'reported' and course_record_id is null;

-- A family's justification of an absence the school recorded, with an optional document
-- (the re-enrolment's upload rules; the bytes in the database, as there).
create table absence_justification (
    justification_id bigint primary key,
    site_id bigint not null references site (site_id),
    family_id bigint not null references family (family_id),
    absence_id bigint not null references absence (absence_id),
    reason text not null,                -- a code of the reasons' list
    details text not null default '',
    file_name text,                      -- the optional document
    content_type text,
    size_bytes bigint,
    content bytea,
    status text not null,                -- 'submitted', 'accepted', 'refused'
    decision_reason text,
    created_at bigint not null,
    created_by bigint not null references account (account_id),
    decided_at bigint,
    decided_by bigint references account (account_id),
    export_id bigint                     -- the export that carried the decision
);
create index absence_justification_site on absence_justification (site_id, status, created_at);
create index absence_justification_absence on absence_justification (absence_id);
create index absence_justification_export on absence_justification (site_id, export_id);
-- One justification waits for staff at a time.
create unique index absence_justification_waiting on absence_justification (absence_id)
    where status = 'submitted';

-- A conversation between a family and its school. Unread messages are counted, not timed:
-- each side's count of the other side's messages, and how many of them it has seen.
create table message_thread (
    thread_id bigint primary key,
    site_id bigint not null references site (site_id),
    family_id bigint not null references family (family_id),
    subject text not null,
    status text not null,                -- 'open', 'closed'
    created_at bigint not null,
    updated_at bigint not null,          -- its last message
    family_messages bigint not null default 0,
    staff_messages bigint not null default 0,
    family_seen bigint not null default 0,   -- staff messages the family has seen
    staff_seen bigint not null default 0,    -- family messages staff have seen
    closed_at bigint,
    closed_by bigint references account (account_id)
);
create index message_thread_site on message_thread (site_id, status, updated_at);
create index message_thread_family on message_thread (family_id, updated_at);

create table message (
    message_id bigint primary key,
    thread_id bigint not null references message_thread (thread_id),
    author_account bigint not null references account (account_id),
    from_staff integer not null,
    seq bigint not null,                 -- 1, 2, 3… in the thread (ids are random; seconds tie)
    body text not null,
    created_at bigint not null,
    file_name text,                      -- an optional attachment (upload rules)
    content_type text,
    size_bytes bigint,
    content bytea
);
create unique index message_in_thread on message (thread_id, seq);

-- The school's news: to the whole school, or to the families of a department or a course.
create table notice (
    notice_id bigint primary key,
    site_id bigint not null references site (site_id),
    title text not null,
    body text not null,                  -- plain text: paragraphs and links become HTML when shown
    audience text not null,              -- 'ecole', 'departement', 'cours'
    department_id bigint references department (department_id),
    course_id bigint references course (course_id),
    publish_on text not null,            -- 'YYYY-MM-DD', first day shown
    expires_on text,                     -- last day shown; null: until removed
    file_name text,                      -- an optional PDF
    size_bytes bigint,
    content bytea,
    created_at bigint not null,
    created_by bigint not null references account (account_id),
    mailed_at bigint                     -- queued to its audience (once)
);
create index notice_site on notice (site_id, publish_on);
-- A notice is mailed to a family once at most.
create table notice_mail (
    notice_id bigint not null references notice (notice_id),
    family_id bigint not null references family (family_id),
    primary key (notice_id, family_id)
);

-- The family's private Atom feed of news (like the calendar's link).
alter table family add column news_token_hash text;
create index family_news_token on family (news_token_hash);

-- Staff filter absences by teacher: the school's teachers by name.
create index teacher_site on teacher (site_id, last_name, first_name);
-- A notice's audience is chosen among the school's departments.
create index department_site on department (site_id, name);
