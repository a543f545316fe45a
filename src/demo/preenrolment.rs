//! The demo's pre-enrolment at Valognes: a window open from ten days ago to three weeks
//! ahead (first come, first served, a proof of address asked for), three disciplines, and
//! requests in every state: one whose address is not confirmed yet, new ones, two accepted
//! (Piano is then full), one on Piano's waiting list, one refused.

use crate::db::Pool;
use crate::features::preenrolment::store::{self, NewRequest, NewWindow};
use crate::features::preenrolment::{REFUSED, WAITING};

/// (guardian's last name, first name, e-mail, child, birth date, wishes, address confirmed)
type DemoRequest<'a> = (&'a str, &'a str, &'a str, &'a str, String, Vec<i64>, bool);

pub async fn seed(pool: &Pool, valognes: i64, staff: i64, today: time::Date) -> anyhow::Result<()> {
    let year = today.year();
    let window = store::save_window(
        pool,
        None,
        &NewWindow {
            site_id: valognes,
            account_id: staff,
            label: &format!(
                "Rentrée {}",
                if u8::from(today.month()) >= 9 {
                    year + 1
                } else {
                    year
                }
            ),
            opens_on: &(today - time::Duration::days(10)).to_string(),
            closes_on: &(today + time::Duration::days(21)).to_string(),
            rule: crate::features::preenrolment::FIRST_COME,
            documents: "Justificatif de domicile",
            retention_months: 6,
        },
    )
    .await?;
    let y = i64::from(year);
    for offer in [
        ("Éveil musical", 12, Some(y - 6), Some(y - 4)),
        ("Piano", 2, None, Some(y - 6)),
        ("Violon", 3, None, Some(y - 6)),
    ] {
        store::add_offer(pool, valognes, staff, window, offer).await?;
    }
    let offers = store::offers(pool, window).await?;
    let id = |label: &str| {
        offers
            .iter()
            .find(|o| o.label == label)
            .map(|o| o.offer_id)
            .unwrap_or(0)
    };
    let (eveil, piano, violon) = (id("Éveil musical"), id("Piano"), id("Violon"));
    let proof = crate::domain::pdf_check::sample("", &[]);
    let documents = vec![(
        "Justificatif de domicile".to_owned(),
        "justificatif.pdf".to_owned(),
        "application/pdf",
        proof,
    )];
    // (guardian, e-mail, child, birth, wishes, confirmed)
    let families: [DemoRequest; 7] = [
        (
            "MARTIN",
            "Claire",
            "claire.martin@example.org",
            "Léo",
            format!("{}-03-12", y - 8),
            vec![piano, violon],
            true,
        ),
        (
            "NGUYEN",
            "Minh",
            "minh.nguyen@example.org",
            "Anaïs",
            format!("{}-11-02", y - 9),
            vec![piano],
            true,
        ),
        (
            "DUBOIS",
            "Sophie",
            "sophie.dubois@example.org",
            "Jules",
            format!("{}-06-30", y - 10),
            vec![piano, violon],
            true,
        ),
        (
            "PETIT",
            "Karim",
            "karim.petit@example.org",
            "Inès",
            format!("{}-01-20", y - 5),
            vec![eveil],
            true,
        ),
        (
            "ROUSSEL",
            "Hélène",
            "helene.roussel@example.org",
            "Tom",
            format!("{}-09-05", y - 7),
            vec![violon],
            true,
        ),
        (
            "GARNIER",
            "Paul",
            "paul.garnier@example.org",
            "Lina",
            format!("{}-04-14", y - 12),
            vec![violon],
            true,
        ),
        (
            "LEROY",
            "Anne",
            "anne.leroy@example.org",
            "Noé",
            format!("{}-02-28", y - 4),
            vec![eveil],
            false,
        ),
    ];
    let mut requests = Vec::new();
    for (i, (last, first, email, child, birth, wishes, confirmed)) in families.iter().enumerate() {
        let token_hash = crate::tokens::hash_token(&format!("demo-preinscription-{i}"));
        store::submit(
            pool,
            &[NewRequest {
                window_id: window,
                site_id: valognes,
                civility: if i % 2 == 0 { "MME" } else { "M" },
                last_name: last,
                first_name: first,
                email,
                phone: "+33612345678",
                address: "3 rue des Tilleuls",
                postal_code: "50700",
                city: "VALOGNES",
                child_last_name: last,
                child_first_name: child,
                child_birth_date: birth,
                wishes,
                documents: &documents,
            }],
            &token_hash,
            None,
        )
        .await?;
        if *confirmed {
            requests.extend(store::confirm(pool, &token_hash).await?);
        }
    }
    let by_child = |name: &str| {
        requests
            .iter()
            .find(|r| r.child_first_name == name)
            .cloned()
    };
    // Piano: Léo and Anaïs accepted (full), Jules waits.
    for (child, offer) in [("Léo", piano), ("Anaïs", piano)] {
        if let Some(r) = by_child(child) {
            let _ = store::accept(pool, &r, offer, Some(staff), false).await?;
        }
    }
    if let Some(r) = by_child("Jules") {
        store::decide(pool, &r, staff, (WAITING, Some(piano), None), None).await?;
    }
    if let Some(r) = by_child("Lina") {
        store::decide(
            pool,
            &r,
            staff,
            (
                REFUSED,
                None,
                Some("Le cours de violon débutant accueille les enfants de moins de 10 ans."),
            ),
            None,
        )
        .await?;
    }
    Ok(())
}
