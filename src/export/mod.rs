//! Exports back to the school's management software (`portee export`, `/gestion/exports`):
//! what staff accepted from families, in the import's conventions (CSV, UTF-8 with a BOM,
//! semicolon-separated, the software's ids from `import_source`).
//!
//! - `modifications.csv`: one line per accepted field change.
//! - `reinscriptions.csv`: each decided re-enrolment, with its choices and documents.
//! - `paiements.csv`: payments received in Portée (online or at the desk).
//! - `absences.csv`: staff's decisions on families' justifications of absences.
//! - `preinscriptions.csv`: pre-enrolment requests staff accepted or refused, with the
//!   child's wishes (an accepted one names the family and people Portée created).
//!
//! An export holds what no earlier export held (the rows it carried keep its id), is made
//! in one transaction, and is kept whole so staff can download it again. `since` makes a
//! repeat export of everything decided since that day, which moves no cursor.

use std::collections::HashMap;

use sqlx::AnyConnection;

use crate::db::{self, Pool};
use crate::domain::money::euros_plain;

/// The files of every export, in this order.
pub const FILES: [&str; 5] = [
    "modifications.csv",
    "reinscriptions.csv",
    "paiements.csv",
    "absences.csv",
    "preinscriptions.csv",
];

/// A cell as a spreadsheet must read it: text starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return would be taken for a formula, so it gets a leading apostrophe. A sign
/// followed only by digits, spaces and separators (`+44 20 7946 0958`, `-12,50`) is at most
/// a number, so a foreign phone or a refund reaches the software as it is.
pub fn neutralise(cell: &str) -> String {
    let number = |rest: &str| {
        rest.starts_with(|c: char| c.is_ascii_digit())
            && rest
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | ','))
    };
    match cell.chars().next() {
        Some('+' | '-') if number(&cell[1..]) => cell.to_owned(),
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

/// A CSV file in the import's conventions.
fn csv(header: &[&str], rows: &[Vec<String>]) -> anyhow::Result<String> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record(header)?;
    for row in rows {
        w.write_record(row.iter().map(|c| neutralise(c)))?;
    }
    let body = String::from_utf8(w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?)?;
    Ok(format!("\u{feff}{body}"))
}

/// `dd/mm/yyyy` of a unix time, in France.
fn day_of(t: i64) -> String {
    let d = crate::domain::french_datetime(t);
    d.split(' ').next().unwrap_or_default().to_owned()
}

/// The software's ids of one kind of row (`personnes`, `familles`, `ecritures`…).
async fn source_ids(
    conn: &mut AnyConnection,
    site_id: i64,
    kind: &str,
) -> sqlx::Result<HashMap<i64, String>> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "select local_id, source_id from import_source where site_id = $1 and kind = $2",
    )
    .bind(site_id)
    .bind(kind)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().collect())
}

/// A stored value as the import writes it: phones spelt the French way, dates `jj/mm/aaaa`;
/// codes (civility, yes/no) as they are.
fn as_imported(field: &str, stored: &str) -> String {
    use crate::features::records::fields::{Kind, by_key};
    match by_key(field).map(|d| &d.kind) {
        Some(Kind::Phone) if !stored.is_empty() => crate::domain::phone::display_phone(stored),
        Some(Kind::BirthDate) => crate::domain::french_date(stored),
        _ => stored.to_owned(),
    }
}

/// One export's files.
pub struct Export {
    pub export_id: i64,
    /// 1, 2, 3… per school.
    pub number: i64,
    pub files: Vec<(&'static str, usize, String)>,
}

/// Which rows an export takes: those no export took yet, or (a repeat) every row decided
/// since a day.
#[derive(Clone, Copy)]
pub enum Scope<'a> {
    New,
    Since(&'a str),
}

/// Makes an export of `site_id` in one transaction and records it. `by`: the staff account
/// (None: the command line). `deliver` gets the files before the transaction commits: if it
/// fails (the command line could not write them), nothing is recorded and every row stays
/// for the next export. `None` when there is nothing to export: no export is numbered.
#[allow(clippy::type_complexity)] // the rows are read as tuples, named where used
pub async fn run(
    pool: &Pool,
    site_id: i64,
    by: Option<i64>,
    scope: Scope<'_>,
    deliver: impl FnOnce(&[(&'static str, usize, String)]) -> anyhow::Result<()>,
) -> anyhow::Result<Option<Export>> {
    let mut tx = db::begin(pool).await?;
    // One export of a school at a time, so two never carry the same rows (SQLite: BEGIN
    // IMMEDIATE already holds the write lock).
    if db::is_postgres(pool) {
        sqlx::query("select site_id from site where site_id = $1 for update")
            .bind(site_id)
            .execute(&mut *tx)
            .await?;
    }
    let export_id = db::new_id();
    let (number,): (i64,) = sqlx::query_as(
        "select cast(coalesce(max(number), 0) + 1 as bigint) from export_run where site_id = $1",
    )
    .bind(site_id)
    .fetch_one(&mut *tx)
    .await?;
    let since_time = match scope {
        Scope::New => None,
        Scope::Since(day) => {
            let date = crate::domain::date::from_iso(day)
                .ok_or_else(|| anyhow::anyhow!("not a day: {day}"))?;
            Some(
                date.midnight()
                    .assume_offset(time::UtcOffset::UTC)
                    .unix_timestamp(),
            )
        }
    };
    // Which rows: not exported yet, or (a repeat) decided since a day.
    let pick = |export_col: &str, time_col: &str| match since_time {
        None => format!("{export_col} is null"),
        Some(t) => format!("{time_col} >= {t}"),
    };
    let persons = source_ids(&mut tx, site_id, "personnes").await?;
    let families = source_ids(&mut tx, site_id, "familles").await?;
    let entries = source_ids(&mut tx, site_id, "ecritures").await?;
    let id_of = |map: &HashMap<i64, String>, id: i64| map.get(&id).cloned().unwrap_or_default();

    // Accepted field changes.
    let changes: Vec<(i64, i64, String, String, String, i64, Option<i64>, Option<String>)> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "select i.change_item_id, r.person_id, i.field, i.old_value, i.new_value, i.created_at, r.decided_at, \
                    coalesce(a.display_name, a.identifier) \
             from change_item i join change_request r on r.change_request_id = i.change_request_id \
             left join account a on a.account_id = r.decided_by \
             where r.site_id = $1 and i.status = 'accepted' and {} \
             order by r.decided_at, i.change_item_id",
            pick("i.export_id", "r.decided_at")
        )))
        .bind(site_id)
        .fetch_all(&mut *tx)
        .await?;
    let modifications: Vec<Vec<String>> = changes
        .iter()
        .map(|(_, person, field, old, new, asked, decided, by)| {
            vec![
                id_of(&persons, *person),
                person.to_string(),
                crate::import::column_of("personnes", field)
                    .unwrap_or(field)
                    .to_owned(),
                as_imported(field, old),
                as_imported(field, new),
                day_of(*asked),
                decided.map(day_of).unwrap_or_default(),
                by.clone().unwrap_or_default(),
            ]
        })
        .collect();

    // Decided re-enrolments.
    let requests: Vec<(i64, i64, i64, String, String, String, i64, String, Option<String>, Option<i64>)> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "select q.request_id, q.person_id, q.family_id, p.last_name, p.first_name, k.year_label, q.administrative, q.status, \
                    q.decision_reason, q.decided_at \
             from reenrolment_request q join person p on p.person_id = q.person_id \
             join reenrolment_campaign k on k.campaign_id = q.campaign_id \
             where q.site_id = $1 and q.status in ('accepted', 'refused') and {} \
             order by q.decided_at, q.request_id",
            pick("q.export_id", "q.decided_at")
        )))
        .bind(site_id)
        .fetch_all(&mut *tx)
        .await?;
    let mut reenrolments = Vec::new();
    for (request_id, person, family, last, first, year, administrative, status, reason, decided) in
        &requests
    {
        let choices: Vec<(String,)> = sqlx::query_as(
            "select c.name from reenrolment_choice x join course_record cr on cr.course_record_id = x.course_record_id \
             join course c on c.course_id = cr.course_id where x.request_id = $1 order by c.name",
        )
        .bind(request_id)
        .fetch_all(&mut *tx)
        .await?;
        let documents: Vec<(String, String)> = sqlx::query_as(
            "select d.name, f.status from provided_document f \
             join campaign_document d on d.campaign_document_id = f.campaign_document_id \
             join reenrolment_request q on q.campaign_id = d.campaign_id and q.request_id = $1 \
             where f.family_id = $2 and (f.person_id is null or f.person_id = $3) order by d.position, d.name",
        )
        .bind(request_id)
        .bind(family)
        .bind(person)
        .fetch_all(&mut *tx)
        .await?;
        reenrolments.push(vec![
            id_of(&persons, *person),
            person.to_string(),
            last.clone(),
            first.clone(),
            year.clone(),
            if *administrative != 0 {
                "administrative".to_owned()
            } else {
                choices
                    .iter()
                    .map(|(c,)| c.as_str())
                    .collect::<Vec<_>>()
                    .join(" | ")
            },
            match status.as_str() {
                "accepted" => "acceptee",
                _ => "refusee",
            }
            .to_owned(),
            reason.clone().unwrap_or_default(),
            decided.map(day_of).unwrap_or_default(),
            documents
                .iter()
                .map(|(name, st)| {
                    format!(
                        "{name} ({})",
                        match st.as_str() {
                            "accepted" => "accepté",
                            "refused" => "refusé",
                            _ => "fourni",
                        }
                    )
                })
                .collect::<Vec<_>>()
                .join(" | "),
        ]);
    }

    // Payments received in Portée (at the desk, or online), not those the import brought.
    let receipts: Vec<(i64, i64, String, String, Option<String>, i64, Option<String>, String, Option<String>, Option<String>)> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "select e.ledger_entry_id, e.family_id, e.number, e.entry_date, e.payment_mode, e.credit_cents, \
                    inv.number, e.label, pa.refdet, pa.authorisation \
             from ledger_entry e left join ledger_entry inv on inv.ledger_entry_id = e.settles_entry_id \
             left join payment_attempt pa on pa.receipt_entry_id = e.ledger_entry_id \
             where e.site_id = $1 and e.kind = 'receipt' and e.received_in_portal = 1 and {} \
             order by e.created_at, e.ledger_entry_id",
            pick("e.export_id", "e.created_at")
        )))
        .bind(site_id)
        .fetch_all(&mut *tx)
        .await?;
    let payments: Vec<Vec<String>> = receipts
        .iter()
        .map(
            |(id, family, number, date, mode, cents, invoice, label, refdet, auth)| {
                vec![
                    id_of(&entries, *id),
                    number.clone(),
                    id_of(&families, *family),
                    family.to_string(),
                    invoice.clone().unwrap_or_default(),
                    euros_plain(*cents),
                    mode.clone().unwrap_or_default(),
                    crate::domain::french_date(date),
                    refdet.clone().unwrap_or_else(|| label.clone()),
                    auth.clone().unwrap_or_default(),
                ]
            },
        )
        .collect();

    // Decisions on justifications of absences.
    let absences_src = source_ids(&mut tx, site_id, "absences").await?;
    let decided: Vec<(i64, i64, i64, String, String, String, String, String, Option<String>, Option<i64>, Option<String>)> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "select j.justification_id, a.absence_id, r.person_id, a.absent_on, c.name, j.status, j.reason, j.details,                     j.decision_reason, j.decided_at, coalesce(s.display_name, s.identifier)              from absence_justification j join absence a on a.absence_id = j.absence_id              join course_record r on r.course_record_id = a.course_record_id              join course c on c.course_id = r.course_id              left join account s on s.account_id = j.decided_by              where j.site_id = $1 and j.status in ('accepted', 'refused') and {}              order by j.decided_at, j.justification_id",
            pick("j.export_id", "j.decided_at")
        )))
        .bind(site_id)
        .fetch_all(&mut *tx)
        .await?;
    let absences: Vec<Vec<String>> = decided
        .iter()
        .map(
            |(_, absence, person, on, course, status, reason, details, refusal, at, by)| {
                vec![
                    id_of(&absences_src, *absence),
                    absence.to_string(),
                    id_of(&persons, *person),
                    person.to_string(),
                    crate::domain::french_date(on),
                    course.clone(),
                    match status.as_str() {
                        "accepted" => "acceptee",
                        _ => "refusee",
                    }
                    .to_owned(),
                    crate::features::absences::reason_label(reason).to_owned(),
                    details.clone(),
                    refusal.clone().unwrap_or_default(),
                    at.map(day_of).unwrap_or_default(),
                    by.clone().unwrap_or_default(),
                ]
            },
        )
        .collect();

    // Pre-enrolment requests decided (accepted or refused).
    let pre: Vec<PreRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select r.request_id, r.reference, r.family_id, r.status, r.child_last_name, r.child_first_name, \
                r.child_birth_date, r.civility, r.last_name, r.first_name, r.email, r.phone, \
                r.address || ', ' || r.postal_code || ' ' || r.city as address, o.label as offer, r.decided_at, \
                r.decision_reason, coalesce(s.display_name, s.identifier) as decided_by \
         from preenrolment_request r left join preenrolment_offer o on o.offer_id = r.offer_id \
         left join account s on s.account_id = r.decided_by \
         where r.site_id = $1 and r.status in ('acceptee', 'refusee') and r.anonymised_at is null and {} \
         order by r.decided_at, r.request_id",
        pick("r.export_id", "r.decided_at")
    )))
    .bind(site_id)
    .fetch_all(&mut *tx)
    .await?;
    let mut preenrolments: Vec<Vec<String>> = Vec::new();
    for p in &pre {
        let wishes: Vec<(String,)> = sqlx::query_as(
            "select o.label from preenrolment_wish w join preenrolment_offer o on o.offer_id = w.offer_id \
             where w.request_id = $1 order by w.preference",
        )
        .bind(p.request_id)
        .fetch_all(&mut *tx)
        .await?;
        preenrolments.push(vec![
            p.reference.clone(),
            p.family_id.map(|f| f.to_string()).unwrap_or_default(),
            p.status.clone(),
            p.child_last_name.clone(),
            p.child_first_name.clone(),
            crate::domain::french_date(&p.child_birth_date),
            p.civility.clone(),
            p.last_name.clone(),
            p.first_name.clone(),
            p.email.clone(),
            crate::domain::phone::display_phone(&p.phone),
            p.address.clone(),
            wishes
                .into_iter()
                .map(|w| w.0)
                .collect::<Vec<_>>()
                .join("|"),
            p.offer.clone().unwrap_or_default(),
            p.decided_at.map(day_of).unwrap_or_default(),
            p.decision_reason.clone().unwrap_or_default(),
            p.decided_by.clone().unwrap_or_default(),
        ]);
    }

    let files = vec![
        (
            FILES[0],
            modifications.len(),
            csv(
                &[
                    "personne",
                    "personne_portee",
                    "champ",
                    "avant",
                    "apres",
                    "demande_le",
                    "decide_le",
                    "decide_par",
                ],
                &modifications,
            )?,
        ),
        (
            FILES[1],
            reenrolments.len(),
            csv(
                &[
                    "eleve",
                    "eleve_portee",
                    "nom",
                    "prenom",
                    "annee",
                    "choix",
                    "decision",
                    "motif",
                    "decide_le",
                    "documents",
                ],
                &reenrolments,
            )?,
        ),
        (
            FILES[2],
            payments.len(),
            csv(
                &[
                    "id",
                    "numero",
                    "famille",
                    "famille_portee",
                    "facture",
                    "montant",
                    "mode",
                    "date",
                    "reference",
                    "autorisation",
                ],
                &payments,
            )?,
        ),
        (
            FILES[3],
            absences.len(),
            csv(
                &[
                    "absence",
                    "absence_portee",
                    "eleve",
                    "eleve_portee",
                    "date",
                    "cours",
                    "decision",
                    "motif",
                    "precisions",
                    "motif_refus",
                    "decide_le",
                    "decide_par",
                ],
                &absences,
            )?,
        ),
        (
            FILES[4],
            preenrolments.len(),
            csv(
                &[
                    "reference",
                    "famille_portee",
                    "decision",
                    "nom",
                    "prenom",
                    "naissance",
                    "civilite_responsable",
                    "nom_responsable",
                    "prenom_responsable",
                    "email",
                    "telephone",
                    "adresse",
                    "voeux",
                    "discipline_acceptee",
                    "decide_le",
                    "motif",
                    "decide_par",
                ],
                &preenrolments,
            )?,
        ),
    ];
    if modifications.is_empty()
        && reenrolments.is_empty()
        && payments.is_empty()
        && absences.is_empty()
        && preenrolments.is_empty()
    {
        return Ok(None);
    }
    sqlx::query(
        "insert into export_run (export_id, site_id, number, created_at, created_by, since) values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(export_id)
    .bind(site_id)
    .bind(number)
    .bind(db::now())
    .bind(by)
    .bind(match scope {
        Scope::New => None,
        Scope::Since(d) => Some(d),
    })
    .execute(&mut *tx)
    .await?;
    for (name, rows, content) in &files {
        sqlx::query(
            "insert into export_file (export_id, name, rows_count, content) values ($1, $2, $3, $4)",
        )
        .bind(export_id)
        .bind(*name)
        .bind(*rows as i64)
        .bind(content)
        .execute(&mut *tx)
        .await?;
    }
    if matches!(scope, Scope::New) {
        // What this export carried is not carried again.
        for (id, ..) in &changes {
            sqlx::query("update change_item set export_id = $1 where change_item_id = $2")
                .bind(export_id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        for (id, ..) in &requests {
            sqlx::query("update reenrolment_request set export_id = $1 where request_id = $2")
                .bind(export_id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        for (id, ..) in &receipts {
            sqlx::query("update ledger_entry set export_id = $1 where ledger_entry_id = $2")
                .bind(export_id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        for (id, ..) in &decided {
            sqlx::query(
                "update absence_justification set export_id = $1 where justification_id = $2",
            )
            .bind(export_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        for p in &pre {
            sqlx::query("update preenrolment_request set export_id = $1 where request_id = $2")
                .bind(export_id)
                .bind(p.request_id)
                .execute(&mut *tx)
                .await?;
        }
    }
    crate::audit::audit(
        &mut tx,
        Some(site_id),
        by,
        "export_made",
        &format!(
            "n° {number}: {} modification(s), {} réinscription(s), {} paiement(s), {} absence(s), {} préinscription(s){}",
            modifications.len(),
            reenrolments.len(),
            payments.len(),
            absences.len(),
            preenrolments.len(),
            match scope {
                Scope::New => String::new(),
                Scope::Since(d) => format!(", depuis {d}"),
            }
        ),
    )
    .await?;
    deliver(&files)?;
    tx.commit().await?;
    Ok(Some(Export {
        export_id,
        number,
        files,
    }))
}

/// A decided pre-enrolment request, as exported.
#[derive(sqlx::FromRow)]
struct PreRow {
    request_id: i64,
    reference: String,
    family_id: Option<i64>,
    status: String,
    child_last_name: String,
    child_first_name: String,
    child_birth_date: String,
    civility: String,
    last_name: String,
    first_name: String,
    email: String,
    phone: String,
    address: String,
    offer: Option<String>,
    decided_at: Option<i64>,
    decision_reason: Option<String>,
    decided_by: Option<String>,
}

/// An export as the page lists it.
#[derive(sqlx::FromRow)]
pub struct Listed {
    pub export_id: i64,
    pub number: i64,
    pub created_at: i64,
    pub by_name: Option<String>,
    pub since: Option<String>,
    pub modifications: i64,
    pub reenrolments: i64,
    pub payments: i64,
    /// None for an export made before absences were exported.
    pub absences: Option<i64>,
    /// None for an export made before pre-enrolments were exported.
    pub preenrolments: Option<i64>,
}

pub async fn list(pool: &Pool, site_id: i64) -> sqlx::Result<Vec<Listed>> {
    sqlx::query_as(
        "select r.export_id, r.number, r.created_at, coalesce(a.display_name, a.identifier) as by_name, r.since, \
           (select rows_count from export_file f where f.export_id = r.export_id and f.name = 'modifications.csv') as modifications, \
           (select rows_count from export_file f where f.export_id = r.export_id and f.name = 'reinscriptions.csv') as reenrolments, \
           (select rows_count from export_file f where f.export_id = r.export_id and f.name = 'paiements.csv') as payments, \
           (select rows_count from export_file f where f.export_id = r.export_id and f.name = 'absences.csv') as absences, \
           (select rows_count from export_file f where f.export_id = r.export_id and f.name = 'preinscriptions.csv') as preenrolments \
         from export_run r left join account a on a.account_id = r.created_by \
         where r.site_id = $1 order by r.number desc limit 200",
    )
    .bind(site_id)
    .fetch_all(pool)
    .await
}

/// One file of one of the site's exports.
pub async fn file(
    pool: &Pool,
    site_id: i64,
    export_id: i64,
    name: &str,
) -> sqlx::Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as(
        "select f.content from export_file f join export_run r on r.export_id = f.export_id \
         where r.site_id = $1 and f.export_id = $2 and f.name = $3",
    )
    .bind(site_id)
    .bind(export_id)
    .bind(name)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| r.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_files_follow_the_import() {
        for bad in [
            "=1+1",
            "+cmd|' /C calc'!A0",
            "-2+3",
            "+ 1",
            "-",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            assert!(neutralise(bad).starts_with('\''), "{bad:?}");
        }
        for number in [
            "06 01 02 03 04",
            "+44 20 7946 0958",
            "-12,50",
            "+33 6 12 34 56 78",
        ] {
            assert_eq!(neutralise(number), number);
        }
        let file = csv(
            &["a", "b"],
            &[vec!["=HYPERLINK(\"x\")".into(), "un; deux".into()]],
        )
        .unwrap();
        assert!(file.starts_with("\u{feff}a;b\r\n"));
        assert!(file.contains("'=HYPERLINK(\"\"x\"\")"), "{file}");
        assert!(file.contains("\"un; deux\""));
    }
}
