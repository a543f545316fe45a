-- Which row of the portal each row of the school's management software became, so that
-- importing the same files again updates in place instead of duplicating (`portee import`).
create table import_source (
    site_id bigint not null references site (site_id),
    kind text not null,                  -- the file: 'familles', 'personnes', 'cours', …
    source_id text not null,             -- the id in the school's software
    local_id bigint not null,            -- the portal's id
    primary key (site_id, kind, source_id)
);
