//! The demo's re-enrolment campaign at Valognes: open from a week ago to a month ahead,
//! for next school year, asking two family documents and two student documents; the
//! ABARRE family has already provided its proof of address (a small tagged PDF).

use crate::db::Pool;

pub async fn seed(
    pool: &Pool,
    valognes: i64,
    abarre: i64,
    today: time::Date,
) -> anyhow::Result<()> {
    let now = crate::db::now();
    let year = if u8::from(today.month()) >= 9 {
        today.year()
    } else {
        today.year() - 1
    };
    let campaign: i64 = 950_001;
    let opens = today - time::Duration::days(7);
    let closes = today + time::Duration::days(30);
    sqlx::query(
        "insert into reenrolment_campaign (campaign_id, site_id, year_label, opens_on, closes_on, created_at) \
         values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(campaign)
    .bind(valognes)
    .bind(format!("{}/{}", year + 1, year + 2))
    .bind(opens.to_string())
    .bind(closes.to_string())
    .bind(now)
    .execute(pool)
    .await?;
    // Ids as i64, like every id the portal binds: PostgreSQL keeps a prepared statement's
    // parameter types, so the portal's own insert of a document (the same text) would
    // otherwise send 8 bytes where the statement, prepared here, expects 4.
    let docs: [(i64, &str, i64, i64); 4] = [
        (950_011, "Justificatif de domicile", 0, 1),
        (950_012, "Justificatif de quotient familial", 0, 0),
        (950_013, "Photo d'identité", 1, 1),
        (950_014, "Certificat médical pour la danse", 1, 0),
    ];
    for (position, (id, name, per_student, required)) in docs.iter().enumerate() {
        sqlx::query(
            "insert into campaign_document (campaign_document_id, campaign_id, name, per_student, required, position) \
             values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(*id)
        .bind(campaign)
        .bind(*name)
        .bind(*per_student)
        .bind(*required)
        .bind(position as i64)
        .execute(pool)
        .await?;
    }
    let proof = crate::pdf::render(&crate::pdf::Document {
        title: "Facture d'électricité (démonstration)".into(),
        author: "Fournisseur d'énergie".into(),
        subject: "Justificatif de domicile".into(),
        blocks: vec![
            crate::pdf::Block::Title("Facture d'électricité".into()),
            crate::pdf::Block::Paragraph(
                "Monsieur ABARRE Jérémie\n19 rue de Paris\n45000 ORLÉANS".into(),
            ),
            crate::pdf::Block::Paragraph("Montant : 64,20 € – document de démonstration.".into()),
        ],
    });
    sqlx::query(
        "insert into provided_document (provided_document_id, campaign_document_id, family_id, person_id, slot, \
         file_name, content_type, size_bytes, content, uploaded_at, status) \
         values ($1, $2, $3, null, $4, $5, 'application/pdf', $6, $7, $8, 'provided')",
    )
    .bind(950_021_i64)
    .bind(950_011_i64)
    .bind(abarre)
    .bind(format!("f{abarre}"))
    .bind("facture-electricite.pdf")
    .bind(proof.len() as i64)
    .bind(proof)
    .bind(now - 86_400)
    .execute(pool)
    .await?;

    // A request waiting for staff: a child of another Valognes family, with a photo.
    let child: Option<(i64, i64)> = sqlx::query_as(
        "select person_id, family_id from person where site_id = $1 and is_student = 1 and family_id <> $2 \
         and family_id in (select family_id from person where is_guardian = 1 and email is not null) \
         order by person_id limit 1",
    )
    .bind(valognes)
    .bind(abarre)
    .fetch_optional(pool)
    .await?;
    if let Some((person, family)) = child {
        sqlx::query(
            "insert into reenrolment_request (request_id, campaign_id, site_id, family_id, person_id, administrative, \
             comment, status, submitted_at, created_at) values ($1, $2, $3, $4, $5, 1, $6, 'submitted', $7, $7)",
        )
        .bind(950_031_i64)
        .bind(campaign)
        .bind(valognes)
        .bind(family)
        .bind(person)
        .bind("Possible de garder le même professeur ?")
        .bind(now - 3_600)
        .execute(pool)
        .await?;
        let photo = [
            b"\x89PNG\r\n\x1a\n".as_slice(),
            b"\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89",
            b"\0\0\0\x0dIDATx\x9cc\xf8\xff\xff?\0\x05\xfe\x02\xfe\xa7\x35\x81\x84",
            b"\0\0\0\0IEND\xaeB`\x82",
        ]
        .concat();
        sqlx::query(
            "insert into provided_document (provided_document_id, campaign_document_id, family_id, person_id, slot, \
             file_name, content_type, size_bytes, content, uploaded_at, status) \
             values ($1, $2, $3, $4, $5, 'photo.png', 'image/png', $6, $7, $8, 'provided')",
        )
        .bind(950_032_i64)
        .bind(950_013_i64)
        .bind(family)
        .bind(person)
        .bind(format!("p{person}"))
        .bind(photo.len() as i64)
        .bind(photo)
        .bind(now - 3_600)
        .execute(pool)
        .await?;
    }
    Ok(())
}
