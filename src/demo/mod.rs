//! The demo school: deterministic data created only by `portee demo`.

/// The demo's invoices, receipts and rentals.
pub mod billing;
pub mod exchanges;
/// The demo's courses, history, evaluations and timetable.
pub mod pedagogy;
pub mod preenrolment;
/// The demo's open re-enrolment campaign.
pub mod reenrolment;

use crate::db::{self, Pool};
use crate::domain::text::ascii_lower;
use crate::features::auth::password;

pub const DEMO_PASSWORD: &str = "Valognes2026";
pub const VALOGNES: &str = "École municipale de musique de Valognes";
pub const CONSERVATOIRE: &str = "Conservatoire 1";

/// A small deterministic generator (no randomness: every demo is the same).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

const LAST_NAMES: &[&str] = &[
    "MARTIN",
    "BERNARD",
    "DUBOIS",
    "THOMAS",
    "ROBERT",
    "RICHARD",
    "PETIT",
    "DURAND",
    "LEROY",
    "MOREAU",
    "SIMON",
    "LAURENT",
    "LEFÈVRE",
    "MICHEL",
    "GARCIA",
    "DAVID",
    "BERTRAND",
    "ROUX",
    "VINCENT",
    "FOURNIER",
    "MOREL",
    "GIRARD",
    "ANDRÉ",
    "LEFEBVRE",
    "MERCIER",
    "DUPONT",
    "LAMBERT",
    "BONNET",
    "FRANÇOIS",
    "MARTINEZ",
    "LEGRAND",
    "GARNIER",
    "FAURE",
    "ROUSSEAU",
    "BLANC",
    "GUÉRIN",
    "MULLER",
    "HENRY",
    "ROUSSEL",
    "NICOLAS",
    "PERRIN",
    "MORIN",
    "MATHIEU",
    "CLÉMENT",
    "GAUTHIER",
    "DUMONT",
    "LOPEZ",
    "FONTAINE",
    "CHEVALIER",
    "ROBIN",
];
const MEN: &[&str] = &[
    "Jean",
    "Pierre",
    "Michel",
    "Éric",
    "Nicolas",
    "Stéphane",
    "Olivier",
    "Thierry",
    "Laurent",
    "Sébastien",
];
const WOMEN: &[&str] = &[
    "Marie",
    "Nathalie",
    "Isabelle",
    "Sylvie",
    "Catherine",
    "Émilie",
    "Sophie",
    "Céline",
    "Hélène",
    "Aurélie",
];
const CHILDREN: &[(&str, &str)] = &[
    ("Léa", "MME"),
    ("Hugo", "M"),
    ("Chloé", "MME"),
    ("Lucas", "M"),
    ("Manon", "MME"),
    ("Louis", "M"),
    ("Inès", "MME"),
    ("Jules", "M"),
    ("Zoé", "MME"),
    ("Gabriel", "M"),
    ("Camille", "MME"),
    ("Arthur", "M"),
    ("Jade", "MME"),
    ("Raphaël", "M"),
    ("Lina", "MME"),
];
const CITIES: &[(&str, &str)] = &[
    ("50700", "VALOGNES"),
    ("50100", "CHERBOURG-EN-COTENTIN"),
    ("50260", "BRICQUEBEC-EN-COTENTIN"),
    ("50550", "SAINT-VAAST-LA-HOUGUE"),
    ("50310", "MONTEBOURG"),
];
const STREETS: &[&str] = &[
    "rue de la Poterie",
    "rue des Religieuses",
    "place du Château",
    "rue de Poterie",
    "boulevard Félix-Buhot",
    "rue du Vieux-Château",
];

#[derive(Default)]
struct P<'a> {
    civility: &'a str,
    last: &'a str,
    first: &'a str,
    birth: Option<&'a str>,
    email: Option<String>,
    address: Option<String>,
    postal: Option<&'a str>,
    city: Option<&'a str>,
    home: Option<&'a str>,
    mobile: Option<String>,
    work: Option<&'a str>,
    profession: Option<&'a str>,
    guardian: bool,
    student: bool,
}

#[derive(Default)]
struct Details<'a> {
    situation: Option<&'a str>,
    socio: Option<&'a str>,
    image: Option<&'a str>,
    exit: Option<&'a str>,
    guardian_contact: Option<&'a str>,
    birth_place: Option<&'a str>,
}

struct Seeder<'a> {
    pool: &'a Pool,
    next_id: i64,
    hash: String,
    now: i64,
}

impl Seeder<'_> {
    fn id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    async fn site(&mut self, slug: &str, name: &str) -> anyhow::Result<i64> {
        let id = self.id();
        sqlx::query("insert into site (site_id, slug, name, created_at) values ($1, $2, $3, $4)")
            .bind(id)
            .bind(slug)
            .bind(name)
            .bind(self.now)
            .execute(self.pool)
            .await?;
        Ok(id)
    }

    async fn family(&mut self, site: i64) -> anyhow::Result<i64> {
        let id = self.id();
        sqlx::query("insert into family (family_id, site_id, created_at) values ($1, $2, $3)")
            .bind(id)
            .bind(site)
            .bind(self.now)
            .execute(self.pool)
            .await?;
        Ok(id)
    }

    async fn person(&mut self, site: i64, family: i64, p: P<'_>) -> anyhow::Result<i64> {
        let id = self.id();
        sqlx::query(
            "insert into person (person_id, site_id, family_id, civility, last_name, first_name, birth_date, email, \
             address, postal_code, city, phone_home, phone_mobile, phone_work, profession, is_guardian, is_student, \
             created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18)",
        )
        .bind(id).bind(site).bind(family).bind(p.civility).bind(p.last).bind(p.first)
        .bind(p.birth).bind(p.email).bind(p.address).bind(p.postal).bind(p.city)
        .bind(p.home).bind(p.mobile).bind(p.work).bind(p.profession)
        .bind(i64::from(p.guardian)).bind(i64::from(p.student)).bind(self.now)
        .execute(self.pool).await?;
        Ok(id)
    }

    /// The Identité and Famille details the base insert leaves out.
    async fn details(&mut self, person: i64, d: Details<'_>) -> anyhow::Result<()> {
        sqlx::query(
            "update person set family_situation = $1, socio_professional = $2, image_rights = $3, \
             exit_authorisation = $4, use_guardian_contact = $5, birth_place = $6 where person_id = $7",
        )
        .bind(d.situation)
        .bind(d.socio)
        .bind(d.image)
        .bind(d.exit)
        .bind(d.guardian_contact)
        .bind(d.birth_place)
        .bind(person)
        .execute(self.pool)
        .await?;
        Ok(())
    }

    async fn account(
        &mut self,
        site: i64,
        person: Option<i64>,
        family: Option<i64>,
        identifier: &str,
        staff: bool,
    ) -> anyhow::Result<i64> {
        let id = self.id();
        sqlx::query(
            "insert into account (account_id, site_id, person_id, family_id, identifier, password_hash, is_staff, role, \
             display_name, email, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(id).bind(site).bind(person).bind(family).bind(identifier).bind(&self.hash)
        .bind(i64::from(staff))
        // The demo's staff account administers its school.
        .bind(staff.then_some(crate::domain::status::Role::Administrator.key()))
        .bind(staff.then_some("Claire LEMOINE"))
        .bind(staff.then(|| format!("{identifier}@ecole.example.org")))
        .bind(self.now)
        .execute(self.pool).await?;
        Ok(id)
    }
}

/// Seeds the demo school unless the database already holds a site. Returns whether it seeded.
pub async fn seed(pool: &Pool) -> anyhow::Result<bool> {
    let (sites,): (i64,) = sqlx::query_as("select cast(count(*) as bigint) from site")
        .fetch_one(pool)
        .await?;
    if sites > 0 {
        return Ok(false);
    }
    let mut s = Seeder {
        pool,
        next_id: 1000,
        hash: password::hash(DEMO_PASSWORD.to_owned()).await?,
        now: db::now(),
    };
    let valognes = s.site("valognes", VALOGNES).await?;
    let conservatoire = s.site("conservatoire1", CONSERVATOIRE).await?;

    // The manual's family.
    let abarre = s.family(valognes).await?;
    let jeremie = s
        .person(
            valognes,
            abarre,
            P {
                civility: "M",
                last: "ABARRE",
                first: "Jérémie",
                email: Some("jeremie.abarre@example.org".into()),
                address: Some("19 rue de Paris".into()),
                postal: Some("45000"),
                city: Some("ORLÉANS"),
                home: Some("+33238550238"),
                work: Some("+33601020304"),
                profession: Some("Apiculteur"),
                guardian: true,
                ..P::default()
            },
        )
        .await?;
    s.details(
        jeremie,
        Details {
            situation: Some("marie"),
            socio: Some("agriculteur"),
            ..Details::default()
        },
    )
    .await?;
    let irina = s
        .person(
            valognes,
            abarre,
            P {
                civility: "MME",
                last: "ABARRE",
                first: "Irina",
                birth: Some("2000-03-12"),
                student: true,
                ..P::default()
            },
        )
        .await?;
    let hugo = s
        .person(
            valognes,
            abarre,
            P {
                civility: "M",
                last: "ABARRE",
                first: "Hugo",
                birth: Some("2013-09-05"),
                student: true,
                ..P::default()
            },
        )
        .await?;
    for (child, exit) in [(irina, "1"), (hugo, "0")] {
        let d = Details {
            image: Some("1"),
            exit: Some(exit),
            guardian_contact: Some("1"),
            birth_place: Some("Orléans"),
            ..Details::default()
        };
        s.details(child, d).await?;
    }
    let abarre_account = s
        .account(valognes, Some(jeremie), Some(abarre), "abarre1", false)
        .await?;

    // An adult student with her own account.
    let torre = s.family(valognes).await?;
    let amelia = s
        .person(
            valognes,
            torre,
            P {
                civility: "MME",
                last: "TORRE",
                first: "Amélia",
                birth: Some("2006-06-14"),
                email: Some("amelia.torre@example.org".into()),
                address: Some("56 rue des Lilas".into()),
                postal: Some("63000"),
                city: Some("CLERMONT-FERRAND"),
                mobile: Some("+33606060606".into()),
                guardian: true,
                student: true,
                ..P::default()
            },
        )
        .await?;
    s.account(valognes, Some(amelia), Some(torre), "torre1", false)
        .await?;
    let d = Details {
        situation: Some("celibataire"),
        image: Some("1"),
        exit: Some("0"),
        birth_place: Some("Clermont-Ferrand"),
        ..Details::default()
    };
    s.details(amelia, d).await?;

    // Staff.
    let admin = s.account(valognes, None, None, "admin", true).await?;

    // Generated families: 42 at Valognes, 6 at the second school.
    let mut rng = Lcg(2026);
    let mut first_generated: Option<(i64, i64, i64, String)> = None;
    let mut generated = Vec::new();
    let mut billed = Vec::new();
    let mut taken: Vec<(i64, String)> =
        vec![(valognes, "abarre1".into()), (valognes, "torre1".into())];
    for (site, count) in [(valognes, 42), (conservatoire, 6)] {
        for n in 0..count {
            let fam = s.family(site).await?;
            let mut children_names = Vec::new();
            let last = LAST_NAMES[rng.next(LAST_NAMES.len())];
            let woman = rng.next(2) == 0;
            let first = if woman {
                WOMEN[rng.next(WOMEN.len())]
            } else {
                MEN[rng.next(MEN.len())]
            };
            let (postal, city) = CITIES[rng.next(CITIES.len())];
            let base = ascii_lower(last);
            let mut k = 1;
            while taken.contains(&(site, format!("{base}{k}"))) {
                k += 1;
            }
            let identifier = format!("{base}{k}");
            taken.push((site, identifier.clone()));
            let guardian = s
                .person(
                    site,
                    fam,
                    P {
                        civility: if woman { "MME" } else { "M" },
                        last,
                        first,
                        email: Some(format!("{}.{identifier}@example.org", ascii_lower(first))),
                        address: Some(format!(
                            "{} {}",
                            1 + rng.next(80),
                            STREETS[rng.next(STREETS.len())]
                        )),
                        postal: Some(postal),
                        city: Some(city),
                        mobile: Some(format!("+336{:08}", 10_000_000 + n * 7919)),
                        guardian: true,
                        ..P::default()
                    },
                )
                .await?;
            for _ in 0..1 + rng.next(3) {
                let (child, civ) = CHILDREN[rng.next(CHILDREN.len())];
                children_names.push(format!("{last} {child}"));
                let birth = format!(
                    "{}-{:02}-{:02}",
                    2008 + rng.next(12),
                    1 + rng.next(12),
                    1 + rng.next(28)
                );
                let child = s
                    .person(
                        site,
                        fam,
                        P {
                            civility: civ,
                            last,
                            first: child,
                            birth: Some(&birth),
                            student: true,
                            ..P::default()
                        },
                    )
                    .await?;
                generated.push((site, child));
            }
            billed.push((site, fam, children_names));
            let account = s
                .account(site, Some(guardian), Some(fam), &identifier, false)
                .await?;
            if first_generated.is_none() && site == valognes {
                first_generated = Some((
                    fam,
                    guardian,
                    account,
                    format!("+336{:08}", 10_000_000 + n * 7919),
                ));
            }
        }
    }

    // One change waiting in the staff queue: a family gave a new mobile number.
    if let Some((family, person, account, old_mobile)) = first_generated {
        let request = s.id();
        sqlx::query(
            "insert into change_request (change_request_id, site_id, family_id, person_id, requested_by, status, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, 'pending', $6, $6)",
        )
        .bind(request).bind(valognes).bind(family).bind(person).bind(account).bind(s.now - 86_400)
        .execute(pool).await?;
        let item = s.id();
        sqlx::query(
            "insert into change_item (change_item_id, change_request_id, field, old_value, new_value, status, created_at) \
             values ($1, $2, 'phone_mobile', $3, '+33699887766', 'pending', $4)",
        )
        .bind(item).bind(request).bind(old_mobile).bind(s.now - 86_400)
        .execute(pool).await?;
    }
    billing::seed(
        pool,
        &billing::Families {
            valognes,
            abarre,
            torre,
            generated: billed,
        },
        crate::domain::date::today(),
    )
    .await?;
    reenrolment::seed(pool, valognes, abarre, crate::domain::date::today()).await?;
    pedagogy::seed(
        pool,
        &pedagogy::Students {
            valognes,
            conservatoire,
            irina,
            hugo,
            amelia,
            generated,
        },
        crate::domain::date::today(),
    )
    .await?;
    exchanges::seed(
        pool,
        &exchanges::Who {
            valognes,
            abarre,
            irina,
            hugo,
            account: abarre_account,
        },
        crate::domain::date::today(),
    )
    .await?;
    preenrolment::seed(pool, valognes, admin, crate::domain::date::today()).await?;
    Ok(true)
}
