//! The demo's Facturation: the manual's two ABARRE operations (11/10/2012 invoice
//! 12FC01618 of 84,00 €, 19/11/2012 cheque 12RC01632), this year's unpaid invoice with a
//! family discount, an instrument rental partly paid, and one invoice per generated family.
//! Valognes offers online payment (a PayFiP client number); the second school does not.

use crate::db::Pool;

pub struct Families {
    pub valognes: i64,
    pub abarre: i64,
    pub torre: i64,
    /// (site, family, children's first names and last name) of the generated families.
    pub generated: Vec<(i64, i64, Vec<String>)>,
}

struct Ids(i64);

impl Ids {
    fn next(&mut self) -> i64 {
        self.0 += 1;
        self.0
    }
}

struct Op<'a> {
    site: i64,
    family: i64,
    ledger: &'a str,
    kind: &'a str,
    date: &'a str,
    number: &'a str,
    label: &'a str,
    mode: Option<&'a str>,
    debit: i64,
    credit: i64,
    discount: i64,
    settles: Option<i64>,
}

async fn op(pool: &Pool, ids: &mut Ids, o: Op<'_>, now: i64) -> anyhow::Result<i64> {
    let id = ids.next();
    sqlx::query(
        "insert into ledger_entry (ledger_entry_id, site_id, family_id, ledger, kind, entry_date, number, label, \
         payment_mode, debit_cents, credit_cents, discount_cents, settles_entry_id, created_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(id).bind(o.site).bind(o.family).bind(o.ledger).bind(o.kind).bind(o.date).bind(o.number)
    .bind(o.label).bind(o.mode).bind(o.debit).bind(o.credit).bind(o.discount).bind(o.settles).bind(now)
    .execute(pool)
    .await?;
    Ok(id)
}

/// One line of an invoice.
struct Line<'a> {
    entry: i64,
    position: i64,
    who: &'a str,
    what: &'a str,
    cents: i64,
}

async fn line(pool: &Pool, ids: &mut Ids, l: Line<'_>) -> anyhow::Result<()> {
    let Line {
        entry,
        position,
        who,
        what,
        cents,
    } = l;
    sqlx::query(
        "insert into invoice_line (invoice_line_id, ledger_entry_id, position, beneficiary, description, amount_cents) \
         values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(ids.next())
    .bind(entry)
    .bind(position)
    .bind(who)
    .bind(what)
    .bind(cents)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn seed(pool: &Pool, f: &Families, today: time::Date) -> anyhow::Result<()> {
    let now = crate::db::now();
    let mut ids = Ids(900_000);
    sqlx::query(
        "update site set address = $1, postal_code = $2, city = $3, phone = $4, payfip_numcli = $5 where site_id = $6",
    )
    .bind("Place du Château")
    .bind("50700")
    .bind("VALOGNES")
    .bind("02 33 40 12 34")
    .bind("012345")
    .bind(f.valognes)
    .execute(pool)
    .await?;

    // The manual's two operations.
    let v = f.valognes;
    let old = op(
        pool,
        &mut ids,
        Op {
            site: v,
            family: f.abarre,
            ledger: "cotisations",
            kind: "invoice",
            date: "2012-10-11",
            number: "12FC01618",
            label: "AVIS DES SOMMES A PAYER",
            mode: None,
            debit: 8400,
            credit: 0,
            discount: 0,
            settles: None,
        },
        now,
    )
    .await?;
    line(
        pool,
        &mut ids,
        Line {
            entry: old,
            position: 1,
            who: "ABARRE Irina",
            what: "Formation musicale 1C3 – cotisation 2012/2013",
            cents: 8400,
        },
    )
    .await?;
    op(
        pool,
        &mut ids,
        Op {
            site: v,
            family: f.abarre,
            ledger: "cotisations",
            kind: "receipt",
            date: "2012-11-19",
            number: "12RC01632",
            label: "98135",
            mode: Some("cheque"),
            debit: 0,
            credit: 8400,
            discount: 0,
            settles: Some(old),
        },
        now,
    )
    .await?;

    // This school year: an unpaid invoice with a family discount, and a rental.
    let year = if u8::from(today.month()) >= 9 {
        today.year()
    } else {
        today.year() - 1
    };
    let yy = year % 100;
    let date = format!("{year}-10-05");
    let n = format!("{yy:02}FC00412");
    let current = op(
        pool,
        &mut ids,
        Op {
            site: v,
            family: f.abarre,
            ledger: "cotisations",
            kind: "invoice",
            date: &date,
            number: &n,
            label: "AVIS DES SOMMES A PAYER",
            mode: None,
            debit: 33600,
            credit: 0,
            discount: 2400,
            settles: None,
        },
        now,
    )
    .await?;
    let season = format!("{year}/{}", year + 1);
    line(
        pool,
        &mut ids,
        Line {
            entry: current,
            position: 1,
            who: "ABARRE Irina",
            what: &format!("Formation musicale 2C4 – cotisation {season}"),
            cents: 9600,
        },
    )
    .await?;
    line(
        pool,
        &mut ids,
        Line {
            entry: current,
            position: 2,
            who: "ABARRE Irina",
            what: &format!("Piano 2C4 (30 min) – cotisation {season}"),
            cents: 16800,
        },
    )
    .await?;
    line(
        pool,
        &mut ids,
        Line {
            entry: current,
            position: 3,
            who: "ABARRE Hugo",
            what: &format!("Éveil musical – cotisation {season}"),
            cents: 7200,
        },
    )
    .await?;

    let n = format!("{yy:02}FL00037");
    let rental = op(
        pool,
        &mut ids,
        Op {
            site: v,
            family: f.abarre,
            ledger: "locations",
            kind: "invoice",
            date: &format!("{year}-09-20"),
            number: &n,
            label: "LOCATION D'INSTRUMENT",
            mode: None,
            debit: 9000,
            credit: 0,
            discount: 0,
            settles: None,
        },
        now,
    )
    .await?;
    line(
        pool,
        &mut ids,
        Line {
            entry: rental,
            position: 1,
            who: "ABARRE Hugo",
            what: &format!("Location violon 1/2 n° V-017 – année {season}"),
            cents: 9000,
        },
    )
    .await?;
    let n = format!("{yy:02}RL00021");
    op(
        pool,
        &mut ids,
        Op {
            site: v,
            family: f.abarre,
            ledger: "locations",
            kind: "receipt",
            date: &format!("{year}-10-02"),
            number: &n,
            label: "1er trimestre",
            mode: Some("especes"),
            debit: 0,
            credit: 3000,
            discount: 0,
            settles: Some(rental),
        },
        now,
    )
    .await?;

    // Madame TORRE paid by direct debit.
    let n = format!("{yy:02}FC00413");
    let torre = op(
        pool,
        &mut ids,
        Op {
            site: v,
            family: f.torre,
            ledger: "cotisations",
            kind: "invoice",
            date: &date,
            number: &n,
            label: "AVIS DES SOMMES A PAYER",
            mode: None,
            debit: 21000,
            credit: 0,
            discount: 0,
            settles: None,
        },
        now,
    )
    .await?;
    line(
        pool,
        &mut ids,
        Line {
            entry: torre,
            position: 1,
            who: "TORRE Amélia",
            what: &format!("Chant, adulte – cotisation {season}"),
            cents: 21000,
        },
    )
    .await?;
    let n = format!("{yy:02}RC00102");
    op(
        pool,
        &mut ids,
        Op {
            site: v,
            family: f.torre,
            ledger: "cotisations",
            kind: "receipt",
            date: &format!("{year}-11-05"),
            number: &n,
            label: "PRELEVEMENT NOVEMBRE",
            mode: Some("prelevement"),
            debit: 0,
            credit: 21000,
            discount: 0,
            settles: Some(torre),
        },
        now,
    )
    .await?;

    // One invoice per generated family, one line per child.
    for (k, (site, family, children)) in f.generated.iter().enumerate() {
        let n = format!("{yy:02}FC{:05}", 500 + k);
        let total = 9600 * children.len() as i64;
        let inv = op(
            pool,
            &mut ids,
            Op {
                site: *site,
                family: *family,
                ledger: "cotisations",
                kind: "invoice",
                date: &date,
                number: &n,
                label: "AVIS DES SOMMES A PAYER",
                mode: None,
                debit: total,
                credit: 0,
                discount: 0,
                settles: None,
            },
            now,
        )
        .await?;
        for (i, child) in children.iter().enumerate() {
            line(
                pool,
                &mut ids,
                Line {
                    entry: inv,
                    position: i as i64 + 1,
                    who: child,
                    what: &format!("Formation musicale – cotisation {season}"),
                    cents: 9600,
                },
            )
            .await?;
        }
    }
    Ok(())
}
