-- The pedagogical follow-up: school years, departments, teachers, rooms, courses, each
-- student's course records with their evaluations and absences, the repertoire, school
-- holidays (left out of the calendar) and the family's private calendar link.
-- Decimal values (marks, averages, coefficients) are BIGINT hundredths: 1575 = 15,75.

create table school_year (
    school_year_id bigint primary key,
    site_id bigint not null references site (site_id),
    label text not null,                 -- '2011/2012'
    starts_on text not null,             -- 'YYYY-MM-DD'
    ends_on text not null,
    unique (site_id, label)
);

create table department (
    department_id bigint primary key,
    site_id bigint not null references site (site_id),
    name text not null                   -- 'Formation musicale'
);

create table teacher (
    teacher_id bigint primary key,
    site_id bigint not null references site (site_id),
    last_name text not null,
    first_name text not null
);

create table room (
    room_id bigint primary key,
    site_id bigint not null references site (site_id),
    name text not null                   -- 'Fauré (Conservatoire)'
);

-- A class of one school year.
create table course (
    course_id bigint primary key,
    site_id bigint not null references site (site_id),
    school_year_id bigint not null references school_year (school_year_id),
    department_id bigint not null references department (department_id),
    teacher_id bigint references teacher (teacher_id),
    room_id bigint references room (room_id),
    name text not null,                  -- 'FM 2C4'
    cycle text,                          -- '2C4'
    weekday bigint,                      -- 1 Monday … 7 Sunday; null when not weekly
    start_time text,                     -- 'HH:MM'
    duration_minutes bigint,
    horaires_amenages bigint not null default 0
);
create index course_year on course (school_year_id);

-- A student's follow-up in one course ("fiche de suivi").
create table course_record (
    course_record_id bigint primary key,
    site_id bigint not null references site (site_id),
    person_id bigint not null references person (person_id),
    course_id bigint not null references course (course_id),
    exam_time text,                      -- 'HH:MM', heure de passage
    planned_minutes bigint,
    effective_minutes bigint,
    activity_status text,                -- 'ACTIF', 'ABANDON'…
    activity_reason text,
    first_instrument text,
    average_hundredths bigint,
    average_out_of_hundredths bigint,
    letter_average text,
    mention text,
    class_result text,
    cycle_result text,
    class_admission text,
    cycle_admission text,
    comment text
);
create index course_record_person on course_record (person_id);

create table evaluation (
    evaluation_id bigint primary key,
    course_record_id bigint not null references course_record (course_record_id),
    kind text not null,                  -- 'Contrôle continu', 'Examen'…
    evaluated_on text not null,          -- 'YYYY-MM-DD'
    criterion text,
    mark_hundredths bigint,
    denominator_hundredths bigint,
    coefficient_hundredths bigint,
    letter text,
    mention text,
    appreciation text,
    choice text,
    absent bigint not null default 0
);
create index evaluation_record on evaluation (course_record_id, evaluated_on);

create table absence (
    absence_id bigint primary key,
    course_record_id bigint not null references course_record (course_record_id),
    absent_on text not null,             -- 'YYYY-MM-DD'
    at_time text,                        -- 'HH:MM'
    duration_minutes bigint,
    justified bigint not null default 0,
    reason text
);
create index absence_record on absence (course_record_id, absent_on);

create table repertoire_piece (
    repertoire_piece_id bigint primary key,
    person_id bigint not null references person (person_id),
    course_record_id bigint references course_record (course_record_id),
    composer text not null,
    title text not null,
    period text,                         -- 'Baroque', '1720'…
    performed text                       -- 'Examen', 'Concert', or null
);
create index repertoire_person on repertoire_piece (person_id);

create table holiday (
    holiday_id bigint primary key,
    site_id bigint not null references site (site_id),
    label text not null,                 -- 'Vacances de la Toussaint'
    starts_on text not null,             -- first day off
    ends_on text not null                -- last day off
);

-- The private calendar link: only the token's SHA-256 is stored.
alter table family add column calendar_token_hash text;
create index family_calendar on family (calendar_token_hash);
