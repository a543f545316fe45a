//! Ledgers, invoice lines, operation numbers and payment attempts. Every read of a
//! family's document is scoped by the family in SQL.

use sqlx::AnyConnection;

use crate::audit::audit;
use crate::db::{self, Pool};
use crate::domain::status::stored_enum;
use crate::mail::{self, Outgoing};

/// The two ledgers of the manual's two tabs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ledger {
    Tuition,
    Rentals,
}

impl Ledger {
    pub fn key(self) -> &'static str {
        match self {
            Ledger::Tuition => "cotisations",
            Ledger::Rentals => "locations",
        }
    }

    pub fn from_key(s: &str) -> Option<Self> {
        match s {
            "cotisations" => Some(Ledger::Tuition),
            "locations" => Some(Ledger::Rentals),
            _ => None,
        }
    }

    /// The tab's name in the manual.
    pub fn title(self) -> &'static str {
        match self {
            Ledger::Tuition => "Facturation cotisations",
            Ledger::Rentals => "Facturation locations",
        }
    }
}

/// One operation of a ledger.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Entry {
    pub ledger_entry_id: i64,
    pub site_id: i64,
    pub family_id: i64,
    pub ledger: String,
    pub kind: String,
    pub entry_date: String,
    pub number: String,
    pub label: String,
    pub payment_mode: Option<String>,
    pub debit_cents: i64,
    pub credit_cents: i64,
    pub discount_cents: i64,
    pub settles_entry_id: Option<i64>,
    /// For an invoice: what receipts settling it have paid (credits and discounts).
    pub settled_cents: i64,
}

impl Entry {
    pub fn is_invoice(&self) -> bool {
        self.kind == "invoice"
    }

    /// What is still due on an invoice (0 for a receipt).
    pub fn due_cents(&self) -> i64 {
        if self.is_invoice() {
            (self.debit_cents - self.discount_cents - self.settled_cents).max(0)
        } else {
            0
        }
    }

    /// The payment mode in words.
    pub fn mode_label(&self) -> &'static str {
        mode_label(self.payment_mode.as_deref().unwrap_or(""))
    }

    pub fn document_name(&self) -> &'static str {
        if self.is_invoice() {
            "Facture"
        } else {
            "Reçu"
        }
    }
}

/// Payment modes: stored key, words shown.
pub const MODES: &[(&str, &str)] = &[
    ("cheque", "Chèque"),
    ("especes", "Espèces"),
    ("prelevement", "Prélèvement"),
    ("carte", "Carte bancaire"),
    ("carte-en-ligne", "Carte en ligne"),
    ("prelevement-en-ligne", "Prélèvement en ligne"),
    ("virement", "Virement"),
    ("cheque-vacances", "Chèques-vacances"),
];

pub fn mode_label(key: &str) -> &'static str {
    MODES
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, l)| *l)
        .unwrap_or("")
}

/// The columns of `Entry`, for `concat!` (every query text stays a literal).
macro_rules! entry_columns {
    () => {
        "e.ledger_entry_id, e.site_id, e.family_id, e.ledger, e.kind, e.entry_date, e.number, \
     e.label, e.payment_mode, e.debit_cents, e.credit_cents, e.discount_cents, e.settles_entry_id, \
     cast(coalesce((select sum(r.credit_cents + r.discount_cents) from ledger_entry r \
       where r.settles_entry_id = e.ledger_entry_id), 0) as bigint) as settled_cents"
    };
}

/// A family's operations in one ledger, newest first.
pub async fn entries(pool: &Pool, family_id: i64, ledger: Ledger) -> sqlx::Result<Vec<Entry>> {
    sqlx::query_as(concat!(
        "select ",
        entry_columns!(),
        " from ledger_entry e where e.family_id = $1 and e.ledger = $2 \
         order by e.entry_date desc, e.number desc"
    ))
    .bind(family_id)
    .bind(ledger.key())
    .fetch_all(pool)
    .await
}

/// One operation of the family (None for another family's, or none at all).
pub async fn entry(pool: &Pool, family_id: i64, entry_id: i64) -> sqlx::Result<Option<Entry>> {
    sqlx::query_as(concat!(
        "select ",
        entry_columns!(),
        " from ledger_entry e where e.family_id = $1 and e.ledger_entry_id = $2"
    ))
    .bind(family_id)
    .bind(entry_id)
    .fetch_optional(pool)
    .await
}

/// An invoice of the site found by its operation number (staff).
pub async fn invoice_by_number(
    pool: &Pool,
    site_id: i64,
    number: &str,
) -> sqlx::Result<Option<Entry>> {
    sqlx::query_as(concat!(
        "select ",
        entry_columns!(),
        " from ledger_entry e where e.site_id = $1 and e.number = $2 and e.kind = 'invoice'"
    ))
    .bind(site_id)
    .bind(number)
    .fetch_optional(pool)
    .await
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Line {
    pub beneficiary: String,
    pub description: String,
    pub amount_cents: i64,
}

pub async fn lines(pool: &Pool, entry_id: i64) -> sqlx::Result<Vec<Line>> {
    sqlx::query_as(
        "select beneficiary, description, amount_cents from invoice_line \
         where ledger_entry_id = $1 order by position",
    )
    .bind(entry_id)
    .fetch_all(pool)
    .await
}

/// The receipts that paid an invoice, oldest first.
pub async fn receipts_of(pool: &Pool, invoice_id: i64) -> sqlx::Result<Vec<Entry>> {
    sqlx::query_as(concat!(
        "select ",
        entry_columns!(),
        " from ledger_entry e where e.settles_entry_id = $1 \
         order by e.entry_date, e.number"
    ))
    .bind(invoice_id)
    .fetch_all(pool)
    .await
}

/// The school as printed on its documents.
pub use crate::site::{School, school};

/// The family as addressed on its documents: its first guardian.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Addressee {
    pub civility: String,
    pub last_name: String,
    pub first_name: String,
    pub address: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub email: Option<String>,
}

impl Addressee {
    pub fn name(&self) -> String {
        let civ = match self.civility.as_str() {
            "M" => "Monsieur ",
            "MME" => "Madame ",
            _ => "",
        };
        format!("{civ}{} {}", self.last_name, self.first_name)
    }

    /// Name and address, one line each.
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![self.name()];
        if let Some(a) = self.address.as_deref().filter(|a| !a.trim().is_empty()) {
            out.extend(a.lines().map(str::to_owned));
        }
        let town = format!(
            "{} {}",
            self.postal_code.as_deref().unwrap_or(""),
            self.city.as_deref().unwrap_or("")
        );
        if !town.trim().is_empty() {
            out.push(town.trim().to_owned());
        }
        out
    }
}

pub async fn addressee(pool: &Pool, family_id: i64) -> sqlx::Result<Option<Addressee>> {
    sqlx::query_as(
        "select civility, last_name, first_name, address, postal_code, city, email from person \
         where family_id = $1 and is_guardian = 1 order by last_name, first_name, person_id limit 1",
    )
    .bind(family_id)
    .fetch_optional(pool)
    .await
}

/// Allocates the next operation number of a prefix ('26RC' → '26RC00001', …), skipping
/// numbers already used (imported operations keep their own numbers).
pub async fn next_number(
    conn: &mut AnyConnection,
    site_id: i64,
    prefix: &str,
) -> sqlx::Result<String> {
    loop {
        let (n,): (i64,) = sqlx::query_as(
            "insert into number_sequence (site_id, prefix, last_value) values ($1, $2, 1) \
             on conflict (site_id, prefix) do update set last_value = number_sequence.last_value + 1 \
             returning last_value",
        )
        .bind(site_id)
        .bind(prefix)
        .fetch_one(&mut *conn)
        .await?;
        let number = format!("{prefix}{n:05}");
        let taken: Option<(i64,)> = sqlx::query_as(
            "select ledger_entry_id from ledger_entry where site_id = $1 and number = $2",
        )
        .bind(site_id)
        .bind(&number)
        .fetch_optional(&mut *conn)
        .await?;
        if taken.is_none() {
            return Ok(number);
        }
    }
}

/// Reads an invoice inside a transaction that will write a receipt for it, holding it
/// until the transaction ends: on PostgreSQL its row is locked (SQLite's `BEGIN IMMEDIATE`
/// already holds every writer), so what is due cannot change before the receipt is written.
async fn locked_invoice(
    pool: &Pool,
    tx: &mut AnyConnection,
    invoice_id: i64,
) -> sqlx::Result<Entry> {
    if db::is_postgres(pool) {
        sqlx::query(
            "select ledger_entry_id from ledger_entry where ledger_entry_id = $1 for update",
        )
        .bind(invoice_id)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query_as(concat!(
        "select ",
        entry_columns!(),
        " from ledger_entry e where e.ledger_entry_id = $1"
    ))
    .bind(invoice_id)
    .fetch_one(&mut *tx)
    .await
}

/// A receipt to record (a payment at the desk or online).
pub struct NewReceipt<'a> {
    pub invoice: &'a Entry,
    pub date: &'a str,
    pub mode: &'a str,
    pub label: &'a str,
    pub amount_cents: i64,
}

/// Writes a receipt settling an invoice; returns its id and number.
pub async fn insert_receipt(
    conn: &mut AnyConnection,
    r: &NewReceipt<'_>,
) -> sqlx::Result<(i64, String)> {
    let year = r.date.get(2..4).unwrap_or("00");
    let prefix = if r.invoice.ledger == "locations" {
        format!("{year}RL")
    } else {
        format!("{year}RC")
    };
    let number = next_number(conn, r.invoice.site_id, &prefix).await?;
    let id = db::new_id();
    sqlx::query(
        "insert into ledger_entry (ledger_entry_id, site_id, family_id, ledger, kind, entry_date, number, label, \
         payment_mode, credit_cents, settles_entry_id, created_at, received_in_portal) \
         values ($1, $2, $3, $4, 'receipt', $5, $6, $7, $8, $9, $10, $11, 1)",
    )
    .bind(id)
    .bind(r.invoice.site_id)
    .bind(r.invoice.family_id)
    .bind(&r.invoice.ledger)
    .bind(r.date)
    .bind(&number)
    .bind(r.label)
    .bind(r.mode)
    .bind(r.amount_cents)
    .bind(r.invoice.ledger_entry_id)
    .bind(db::now())
    .execute(&mut *conn)
    .await?;
    Ok((id, number))
}

/// Staff record a payment received at the desk. The amount is checked against what is
/// still due inside the transaction (an online payment may have arrived meanwhile): None
/// when it is more than that.
pub async fn record_desk_payment(
    pool: &Pool,
    staff_account: i64,
    r: &NewReceipt<'_>,
) -> sqlx::Result<Option<String>> {
    let mut tx = crate::db::begin(pool).await?;
    let invoice = locked_invoice(pool, &mut tx, r.invoice.ledger_entry_id).await?;
    if r.amount_cents > invoice.due_cents() {
        tx.rollback().await?;
        return Ok(None);
    }
    let (_, number) = insert_receipt(&mut tx, r).await?;
    audit(
        &mut tx,
        Some(r.invoice.site_id),
        Some(staff_account),
        "payment_recorded",
        &format!(
            "{} {} cents on {} ({})",
            number, r.amount_cents, r.invoice.number, r.mode
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Some(number))
}

stored_enum! {
    /// Where an online payment attempt stands (`payment_attempt.status`).
    AttemptStatus {
        /// Created at PayFiP (or being created); no result yet.
        Pending => "pending",
        /// A newer attempt on the same invoice replaced it. PayFiP may still report it paid
        /// (the payer kept its page open): the result is then recorded like any other.
        Superseded => "superseded",
        /// PayFiP's service did not create it (the family was told to try again).
        Failed => "failed",
        Paid => "paid",
        Refused => "refused",
        Cancelled => "cancelled",
        /// Paid, but the money could not settle the invoice (already settled meanwhile, or
        /// PayFiP's amount was not the attempt's): recorded, and staff were told.
        Review => "review",
    }
}

impl AttemptStatus {
    /// Still waiting for PayFiP's result.
    pub fn is_open(self) -> bool {
        matches!(self, AttemptStatus::Pending | AttemptStatus::Superseded)
    }

    /// Staff's words for it.
    pub fn label(self) -> &'static str {
        match self {
            AttemptStatus::Pending => "En attente du résultat de PayFiP",
            AttemptStatus::Superseded => "Remplacé par un nouvel essai",
            AttemptStatus::Failed => "Non créé (PayFiP injoignable)",
            AttemptStatus::Paid => "Payé",
            AttemptStatus::Refused => "Refusé",
            AttemptStatus::Cancelled => "Abandonné",
            AttemptStatus::Review => "Payé, à régulariser",
        }
    }
}

/// One online payment attempt.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Attempt {
    pub payment_attempt_id: i64,
    pub site_id: i64,
    pub family_id: i64,
    pub invoice_entry_id: i64,
    pub refdet: String,
    pub idop: Option<String>,
    pub amount_cents: i64,
    #[sqlx(try_from = "String")]
    pub status: AttemptStatus,
    pub result_code: Option<String>,
    pub authorisation: Option<String>,
    pub paid_on: Option<String>,
    pub receipt_entry_id: Option<i64>,
    pub review_reason: Option<String>,
    pub created_at: i64,
    /// The invoice's number (joined).
    pub invoice_number: String,
}

impl Attempt {
    pub fn status(&self) -> AttemptStatus {
        self.status
    }
}

macro_rules! attempt_columns {
    () => {
        "a.payment_attempt_id, a.site_id, a.family_id, a.invoice_entry_id, a.refdet, a.idop, \
     a.amount_cents, a.status, a.result_code, a.authorisation, a.paid_on, a.receipt_entry_id, \
     a.review_reason, a.created_at, e.number as invoice_number"
    };
}

/// Records a new attempt (pending, without its `idOp` yet) and returns its id.
pub async fn create_attempt(
    pool: &Pool,
    invoice: &Entry,
    account_id: i64,
    refdet: &str,
) -> sqlx::Result<i64> {
    let id = db::new_id();
    let mut tx = crate::db::begin(pool).await?;
    sqlx::query(
        "insert into payment_attempt (payment_attempt_id, site_id, family_id, invoice_entry_id, refdet, \
         amount_cents, status, created_at) values ($1, $2, $3, $4, $5, $6, 'pending', $7)",
    )
    .bind(id)
    .bind(invoice.site_id)
    .bind(invoice.family_id)
    .bind(invoice.ledger_entry_id)
    .bind(refdet)
    .bind(invoice.due_cents())
    .bind(db::now())
    .execute(&mut *tx)
    .await?;
    audit(
        &mut tx,
        Some(invoice.site_id),
        Some(account_id),
        "payment_started",
        &format!("{refdet} for {}", invoice.number),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// PayFiP created the operation: the attempt gets its `idOp`, and the invoice's earlier
/// pending attempts are superseded (one attempt at a time is offered).
pub async fn attempt_created(pool: &Pool, attempt_id: i64, idop: &str) -> sqlx::Result<()> {
    let mut tx = crate::db::begin(pool).await?;
    sqlx::query("update payment_attempt set idop = $1 where payment_attempt_id = $2")
        .bind(idop)
        .bind(attempt_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "update payment_attempt set status = 'superseded' where status = 'pending' \
         and payment_attempt_id <> $1 \
         and invoice_entry_id = (select invoice_entry_id from payment_attempt where payment_attempt_id = $1)",
    )
    .bind(attempt_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// PayFiP's service did not create the operation.
pub async fn attempt_failed(
    pool: &Pool,
    attempt_id: i64,
    site_id: i64,
    why: &str,
) -> sqlx::Result<()> {
    let mut tx = crate::db::begin(pool).await?;
    sqlx::query(
        "update payment_attempt set status = 'failed', resolved_at = $1 \
         where payment_attempt_id = $2 and status = 'pending' and idop is null",
    )
    .bind(db::now())
    .bind(attempt_id)
    .execute(&mut *tx)
    .await?;
    audit(&mut tx, Some(site_id), None, "payment_failed", why).await?;
    tx.commit().await?;
    Ok(())
}

/// An attempt by PayFiP's operation id (the notification carries nothing else).
pub async fn attempt_by_idop(pool: &Pool, idop: &str) -> sqlx::Result<Option<Attempt>> {
    sqlx::query_as(concat!(
        "select ",
        attempt_columns!(),
        " from payment_attempt a join ledger_entry e on e.ledger_entry_id = a.invoice_entry_id \
         where a.idop = $1"
    ))
    .bind(idop)
    .fetch_optional(pool)
    .await
}

pub async fn attempt(pool: &Pool, family_id: i64, id: i64) -> sqlx::Result<Option<Attempt>> {
    sqlx::query_as(concat!(
        "select ",
        attempt_columns!(),
        " from payment_attempt a join ledger_entry e on e.ledger_entry_id = a.invoice_entry_id \
         where a.family_id = $1 and a.payment_attempt_id = $2"
    ))
    .bind(family_id)
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// The newest attempt on an invoice still waiting for PayFiP's result, if any.
pub async fn open_attempt(
    pool: &Pool,
    family_id: i64,
    invoice_id: i64,
) -> sqlx::Result<Option<Attempt>> {
    sqlx::query_as(concat!(
        "select ",
        attempt_columns!(),
        " from payment_attempt a join ledger_entry e on e.ledger_entry_id = a.invoice_entry_id \
         where a.invoice_entry_id = $1 and a.family_id = $2 and a.status = 'pending' and a.idop is not null \
         order by a.created_at desc limit 1"
    ))
    .bind(invoice_id)
    .bind(family_id)
    .fetch_optional(pool)
    .await
}

/// The site's online payments, newest first (staff).
pub async fn site_attempts(pool: &Pool, site_id: i64, limit: i64) -> sqlx::Result<Vec<Attempt>> {
    sqlx::query_as(concat!(
        "select ",
        attempt_columns!(),
        " from payment_attempt a join ledger_entry e on e.ledger_entry_id = a.invoice_entry_id \
         where a.site_id = $1 order by a.created_at desc limit $2"
    ))
    .bind(site_id)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// The site's paid attempts waiting for staff (money received that settled nothing).
pub async fn site_reviews(pool: &Pool, site_id: i64) -> sqlx::Result<Vec<Attempt>> {
    sqlx::query_as(concat!(
        "select ",
        attempt_columns!(),
        " from payment_attempt a join ledger_entry e on e.ledger_entry_id = a.invoice_entry_id \
         where a.site_id = $1 and a.status = 'review' order by a.created_at desc"
    ))
    .bind(site_id)
    .fetch_all(pool)
    .await
}

/// What applying PayFiP's answer did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    /// This call resolved the attempt.
    Resolved(AttemptStatus),
    /// Another call (a second notification, the browser's return) already had.
    AlreadyResolved,
}

/// Mails written when an attempt is resolved (the receipt's number is filled in here).
pub struct ResultMails {
    /// To the family, when the payment settled the invoice.
    pub paid: Option<Outgoing>,
    /// To the family, when the money arrived but settled nothing (staff will call back).
    pub review_family: Option<Outgoing>,
    /// To the school, in that case.
    pub review_staff: Option<Outgoing>,
}

/// What PayFiP's answer says, already checked against the attempt by the caller.
pub struct Answer<'a> {
    pub code: char,
    pub paid_cents: Option<i64>,
    pub authorisation: Option<&'a str>,
    /// 'YYYY-MM-DD HH:MM' when PayFiP gave a valid date and time.
    pub paid_on: Option<String>,
}

/// Applies PayFiP's answer to an attempt, exactly once. In one transaction that holds the
/// invoice (the write lock on SQLite, the invoice row on PostgreSQL), it checks that the
/// attempt is still waiting, that PayFiP's amount is the attempt's and that this amount is
/// still due. Then a payment writes its receipt and the family's mail; otherwise the money
/// is recorded on the attempt (`review`) and staff are told: it never becomes a silent credit.
pub async fn apply_result(
    pool: &Pool,
    attempt: &Attempt,
    r: &Answer<'_>,
    mails: ResultMails,
) -> anyhow::Result<Applied> {
    let mut tx = crate::db::begin(pool).await?;
    let invoice = locked_invoice(pool, &mut tx, attempt.invoice_entry_id).await?;
    let paid = matches!(r.code, 'P' | 'V');
    let review_reason = if !paid {
        None
    } else if r.paid_cents != Some(attempt.amount_cents) {
        Some(format!(
            "PayFiP indique {} au lieu de {}",
            r.paid_cents
                .map(crate::domain::money::euros)
                .unwrap_or_else(|| "un montant illisible".into()),
            crate::domain::money::euros(attempt.amount_cents)
        ))
    } else if invoice.due_cents() < attempt.amount_cents {
        Some(format!(
            "la facture {} n'était plus due que de {} quand le paiement est arrivé",
            invoice.number,
            crate::domain::money::euros(invoice.due_cents())
        ))
    } else {
        None
    };
    let status = match (r.code, &review_reason) {
        ('P' | 'V', None) => AttemptStatus::Paid,
        ('P' | 'V', Some(_)) => AttemptStatus::Review,
        ('R', _) => AttemptStatus::Refused,
        _ => AttemptStatus::Cancelled,
    };
    let changed = sqlx::query(
        "update payment_attempt set status = $1, result_code = $2, authorisation = $3, paid_on = $4, \
         review_reason = $5, resolved_at = $6 \
         where payment_attempt_id = $7 and status in ('pending', 'superseded')",
    )
    .bind(status.key())
    .bind(r.code.to_string())
    .bind(r.authorisation)
    .bind(r.paid_on.as_deref())
    .bind(review_reason.as_deref())
    .bind(db::now())
    .bind(attempt.payment_attempt_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed != 1 {
        tx.rollback().await?;
        return Ok(Applied::AlreadyResolved);
    }
    match status {
        AttemptStatus::Paid => {
            let date = r
                .paid_on
                .as_deref()
                .and_then(|d| d.get(..10))
                .map(str::to_owned)
                .unwrap_or_else(crate::domain::date::today_iso);
            let label = format!(
                "PAIEMENT EN LIGNE {}",
                r.authorisation.unwrap_or(&attempt.refdet)
            );
            let (receipt, number) = insert_receipt(
                &mut tx,
                &NewReceipt {
                    invoice: &invoice,
                    date: &date,
                    mode: if r.code == 'V' {
                        "prelevement-en-ligne"
                    } else {
                        "carte-en-ligne"
                    },
                    label: &label,
                    amount_cents: attempt.amount_cents,
                },
            )
            .await?;
            sqlx::query(
                "update payment_attempt set receipt_entry_id = $1 where payment_attempt_id = $2",
            )
            .bind(receipt)
            .bind(attempt.payment_attempt_id)
            .execute(&mut *tx)
            .await?;
            if let Some(m) = mails.paid {
                let m = Outgoing {
                    body: m.body.replace("{receipt}", &number),
                    ..m
                };
                mail::enqueue(&mut tx, Some(attempt.site_id), &m).await?;
            }
        }
        AttemptStatus::Review => {
            for m in [mails.review_staff, mails.review_family]
                .into_iter()
                .flatten()
            {
                mail::enqueue(&mut tx, Some(attempt.site_id), &m).await?;
            }
        }
        _ => {}
    }
    audit(
        &mut tx,
        Some(attempt.site_id),
        None,
        "payment_resolved",
        &format!(
            "{} {} ({}){}",
            attempt.refdet,
            status.key(),
            r.code,
            review_reason.map(|w| format!(": {w}")).unwrap_or_default()
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Applied::Resolved(status))
}
