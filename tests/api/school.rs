//! A small school built for one test, in the style of zero-to-production's
//! `TestUser::generate`: a site with a random slug, a staff account and families whose
//! names, identifiers and passwords are the test's own. A test that uses it depends on
//! nothing the demo holds, so changing the demo breaks none of them; the demo keeps its
//! own smoke tests (`cli`, `weight`, `query_plans`, the accessibility crawl).
//!
//! Tests built on it start from `spawn_empty_app()`: migrations only, no demo.

use portee::db;
use reqwest::{Client, Response};

use crate::helpers::{Options, TestApp, spawn_app_with};

/// A test app on an empty database (migrations applied, no demo school).
pub async fn spawn_empty_app() -> TestApp {
    spawn_app_with(Options {
        demo: false,
        ..Options::default()
    })
    .await
}

fn random_hex() -> String {
    format!("{:08x}", rand::random::<u32>())
}

/// A login of the test school: its identifier and clear password.
pub struct TestUser {
    pub identifier: String,
    pub password: String,
}

impl TestUser {
    fn generate(prefix: &str) -> (String, String) {
        let hex = random_hex();
        // Letters of both cases and digits: the password policy's rules, never a common one.
        (format!("{prefix}-{hex}"), format!("Essai{hex}X9"))
    }
}

/// A person of a test family.
pub struct TestPerson {
    pub person_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
}

impl TestPerson {
    /// "NOM Prénom", as the portal's lists write it.
    pub fn listed(&self) -> String {
        format!("{} {}", self.last_name, self.first_name)
    }
}

/// A family: one guardian holding the account, and one child.
pub struct TestFamily {
    pub family_id: i64,
    pub guardian: TestPerson,
    pub child: TestPerson,
    pub account: TestUser,
}

pub struct TestSchool {
    pub site_id: i64,
    pub slug: String,
    pub staff: TestUser,
}

impl TestSchool {
    /// A new school with its staff account.
    pub async fn generate(app: &TestApp) -> TestSchool {
        let hex = random_hex();
        let slug = format!("ecole-{hex}");
        let name = format!("École de musique d'essai {hex}");
        let site_id = db::new_id();
        sqlx::query("insert into site (site_id, slug, name, created_at) values ($1, $2, $3, $4)")
            .bind(site_id)
            .bind(&slug)
            .bind(&name)
            .bind(db::now())
            .execute(&app.pool)
            .await
            .expect("site");
        let (identifier, password) = TestUser::generate("secretariat");
        let staff = Holder {
            site_id,
            person_id: None,
            family_id: None,
            staff: true,
            role: Some("administrateur"),
        };
        account(app, staff, &identifier, &password).await;
        TestSchool {
            site_id,
            slug,
            staff: TestUser {
                identifier,
                password,
            },
        }
    }

    /// A new family of this school at 12 rue des Tilleuls, 45000 ORLÉANS: Hélène, the
    /// guardian, with an account and an e-mail, and Gaspard, born on 19/11/2012.
    pub async fn add_family(&self, app: &TestApp, last_name: &str) -> TestFamily {
        let family_id = db::new_id();
        sqlx::query("insert into family (family_id, site_id, created_at) values ($1, $2, $3)")
            .bind(family_id)
            .bind(self.site_id)
            .bind(db::now())
            .execute(&app.pool)
            .await
            .expect("family");
        let hex = random_hex();
        let email = format!("parent-{hex}@example.org");
        let guardian = person(
            app,
            self.site_id,
            family_id,
            ("MME", last_name, "Hélène"),
            (None, Some(&email)),
            (true, false),
        )
        .await;
        let child = person(
            app,
            self.site_id,
            family_id,
            ("M", last_name, "Gaspard"),
            (Some("2012-11-19"), None),
            (false, true),
        )
        .await;
        let (identifier, password) = TestUser::generate("famille");
        let holder = Holder {
            site_id: self.site_id,
            person_id: Some(guardian.person_id),
            family_id: Some(family_id),
            staff: false,
            role: None,
        };
        account(app, holder, &identifier, &password).await;
        TestFamily {
            family_id,
            guardian,
            child,
            account: TestUser {
                identifier,
                password,
            },
        }
    }
}

async fn person(
    app: &TestApp,
    site_id: i64,
    family_id: i64,
    (civility, last_name, first_name): (&str, &str, &str),
    (birth_date, email): (Option<&str>, Option<&str>),
    (guardian, student): (bool, bool),
) -> TestPerson {
    let person_id = db::new_id();
    sqlx::query(
        "insert into person (person_id, site_id, family_id, civility, last_name, first_name, birth_date, email, \
         address, postal_code, city, is_guardian, is_student, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, '12 rue des Tilleuls', '45000', 'ORLÉANS', $9, $10, $11, $11)",
    )
    .bind(person_id)
    .bind(site_id)
    .bind(family_id)
    .bind(civility)
    .bind(last_name)
    .bind(first_name)
    .bind(birth_date)
    .bind(email)
    .bind(i64::from(guardian))
    .bind(i64::from(student))
    .bind(db::now())
    .execute(&app.pool)
    .await
    .expect("person");
    TestPerson {
        person_id,
        first_name: first_name.to_owned(),
        last_name: last_name.to_owned(),
        email: email.map(str::to_owned),
    }
}

/// Whose account: staff of a site, or a family's guardian.
struct Holder {
    site_id: i64,
    person_id: Option<i64>,
    family_id: Option<i64>,
    staff: bool,
    /// A staff account's role (`administrateur` for the school's first account).
    role: Option<&'static str>,
}

async fn account(app: &TestApp, holder: Holder, identifier: &str, password: &str) {
    let Holder {
        site_id,
        person_id,
        family_id,
        staff,
        role,
    } = holder;
    let account_id = db::new_id();
    let hash = portee::features::auth::password::hash(password.to_owned())
        .await
        .expect("hash");
    sqlx::query(
        "insert into account (account_id, site_id, person_id, family_id, identifier, password_hash, is_staff, role, created_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(account_id)
    .bind(site_id)
    .bind(person_id)
    .bind(family_id)
    .bind(identifier)
    .bind(hash)
    .bind(i64::from(staff))
    .bind(role)
    .bind(db::now())
    .execute(&app.pool)
    .await
    .expect("account");
}

impl TestSchool {
    /// Another staff account of the school, with a password, in `role` (`administrateur`
    /// or `secretariat`).
    pub async fn add_staff(&self, app: &TestApp, role: &'static str) -> TestUser {
        let (identifier, password) = TestUser::generate(role);
        let holder = Holder {
            site_id: self.site_id,
            person_id: None,
            family_id: None,
            staff: true,
            role: Some(role),
        };
        account(app, holder, &identifier, &password).await;
        TestUser {
            identifier,
            password,
        }
    }

    /// Another child of `family` (born on 19/11/2012 too).
    pub async fn add_child(
        &self,
        app: &TestApp,
        family: &TestFamily,
        first_name: &str,
    ) -> TestPerson {
        person(
            app,
            self.site_id,
            family.family_id,
            ("MME", &family.guardian.last_name, first_name),
            (Some("2012-11-19"), None),
            (false, true),
        )
        .await
    }
}

impl TestApp {
    /// Logs `client` in as a family of `school`.
    pub async fn family_login(
        &self,
        client: &Client,
        school: &TestSchool,
        user: &TestUser,
    ) -> Response {
        self.login_at(
            client,
            "/connexion",
            school,
            &user.identifier,
            &user.password,
        )
        .await
    }

    /// Logs `client` in as `school`'s first staff account (an administrator).
    pub async fn school_staff_login(&self, client: &Client, school: &TestSchool) -> Response {
        self.staff_login_as(client, school, &school.staff).await
    }

    /// Logs `client` in as a staff account of `school`.
    pub async fn staff_login_as(
        &self,
        client: &Client,
        school: &TestSchool,
        user: &TestUser,
    ) -> Response {
        self.login_at(
            client,
            "/gestion/connexion",
            school,
            &user.identifier,
            &user.password,
        )
        .await
    }

    /// Submits a login form of `school` with any identifier and password.
    pub async fn login_at(
        &self,
        client: &Client,
        page: &str,
        school: &TestSchool,
        identifier: &str,
        password: &str,
    ) -> Response {
        self.post_form(
            client,
            page,
            page,
            &[
                ("site", school.slug.as_str()),
                ("identifiant", identifier),
                ("mot_de_passe", password),
            ],
        )
        .await
    }
}
