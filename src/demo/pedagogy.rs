//! The demo's pedagogical data: school years, teachers, courses, Irina ABARRE's history as
//! in the manual (2007/2008 to 2011/2012) and this year's courses, evaluations, absences,
//! repertoire, school holidays, and plausible courses for the generated families.

// The builders below take a row's columns as arguments, which reads best for demo data.
#![allow(clippy::type_complexity)]

use crate::db::Pool;

/// Ids for this part of the demo (above the rest of the demo's ids).
struct Ids(i64);
impl Ids {
    fn next(&mut self) -> i64 {
        self.0 += 1;
        self.0
    }
}

/// The students the demo created, for whom courses are made.
pub struct Students {
    pub valognes: i64,
    pub conservatoire: i64,
    pub irina: i64,
    pub hugo: i64,
    pub amelia: i64,
    /// (site, person) of every generated child.
    pub generated: Vec<(i64, i64)>,
}

/// The school year that contains `today` (September to early July), e.g. (2026, "2026/2027").
pub fn current_start_year(today: time::Date) -> i32 {
    if u8::from(today.month()) >= 8 {
        today.year()
    } else {
        today.year() - 1
    }
}

struct CourseSpec<'a> {
    year: i64,
    department: i64,
    teacher: i64,
    room: Option<i64>,
    name: &'a str,
    cycle: Option<&'a str>,
    slot: Option<(i64, &'a str, i64)>,
    ha: bool,
}

async fn course(pool: &Pool, ids: &mut Ids, site: i64, c: CourseSpec<'_>) -> anyhow::Result<i64> {
    let id = ids.next();
    sqlx::query(
        "insert into course (course_id, site_id, school_year_id, department_id, teacher_id, room_id, name, cycle, \
         weekday, start_time, duration_minutes, horaires_amenages) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(id)
    .bind(site)
    .bind(c.year)
    .bind(c.department)
    .bind(c.teacher)
    .bind(c.room)
    .bind(c.name)
    .bind(c.cycle)
    .bind(c.slot.map(|s| s.0))
    .bind(c.slot.map(|s| s.1))
    .bind(c.slot.map(|s| s.2))
    .bind(i64::from(c.ha))
    .execute(pool)
    .await?;
    Ok(id)
}

#[derive(Default)]
struct Outcome<'a> {
    exam_time: Option<&'a str>,
    hours: Option<(i64, i64)>,
    average: Option<i64>,
    class_result: Option<&'a str>,
    class_admission: Option<&'a str>,
    first_instrument: Option<&'a str>,
    mention: Option<&'a str>,
    comment: Option<&'a str>,
}

async fn record(
    pool: &Pool,
    ids: &mut Ids,
    site: i64,
    person: i64,
    course: i64,
    o: Outcome<'_>,
) -> anyhow::Result<i64> {
    let id = ids.next();
    sqlx::query(
        "insert into course_record (course_record_id, site_id, person_id, course_id, exam_time, planned_minutes, \
         effective_minutes, activity_status, first_instrument, average_hundredths, average_out_of_hundredths, \
         class_result, class_admission, mention, comment) \
         values ($1, $2, $3, $4, $5, $6, $7, 'ACTIF', $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(id)
    .bind(site)
    .bind(person)
    .bind(course)
    .bind(o.exam_time)
    .bind(o.hours.map(|h| h.0))
    .bind(o.hours.map(|h| h.1))
    .bind(o.first_instrument)
    .bind(o.average)
    .bind(o.average.map(|_| 2000i64))
    .bind(o.class_result)
    .bind(o.class_admission)
    .bind(o.mention)
    .bind(o.comment)
    .execute(pool)
    .await?;
    Ok(id)
}

/// A mark or an assessment of a course record.
struct Evaluation<'a> {
    rec: i64,
    kind: &'a str,
    on: &'a str,
    mark: Option<i64>,
    appreciation: &'a str,
    absent: bool,
}

async fn evaluation(pool: &Pool, ids: &mut Ids, x: Evaluation<'_>) -> anyhow::Result<()> {
    let Evaluation {
        rec,
        kind,
        on,
        mark,
        appreciation,
        absent,
    } = x;
    sqlx::query(
        "insert into evaluation (evaluation_id, course_record_id, kind, evaluated_on, criterion, mark_hundredths, \
         denominator_hundredths, coefficient_hundredths, appreciation, absent) \
         values ($1, $2, $3, $4, 'Note sur 20', $5, 2000, 100, $6, $7)",
    )
    .bind(ids.next())
    .bind(rec)
    .bind(kind)
    .bind(on)
    .bind(mark)
    .bind(appreciation)
    .bind(i64::from(absent))
    .execute(pool)
    .await?;
    Ok(())
}

/// An absence from a lesson.
struct Absence<'a> {
    rec: i64,
    on: &'a str,
    at: &'a str,
    minutes: i64,
    justified: bool,
    reason: Option<&'a str>,
}

async fn absence(pool: &Pool, ids: &mut Ids, x: Absence<'_>) -> anyhow::Result<()> {
    let Absence {
        rec,
        on,
        at,
        minutes,
        justified,
        reason,
    } = x;
    sqlx::query(
        "insert into absence (absence_id, course_record_id, absent_on, at_time, duration_minutes, justified, reason) \
         values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(ids.next())
    .bind(rec)
    .bind(on)
    .bind(at)
    .bind(minutes)
    .bind(i64::from(justified))
    .bind(reason)
    .execute(pool)
    .await?;
    Ok(())
}

/// A piece of a student's repertoire.
struct Piece<'a> {
    person: i64,
    rec: Option<i64>,
    composer: &'a str,
    title: &'a str,
    period: &'a str,
    performed: Option<&'a str>,
}

async fn piece(pool: &Pool, ids: &mut Ids, x: Piece<'_>) -> anyhow::Result<()> {
    let Piece {
        person,
        rec,
        composer,
        title,
        period,
        performed,
    } = x;
    sqlx::query(
        "insert into repertoire_piece (repertoire_piece_id, person_id, course_record_id, composer, title, period, performed) \
         values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(ids.next())
    .bind(person)
    .bind(rec)
    .bind(composer)
    .bind(title)
    .bind(period)
    .bind(performed)
    .execute(pool)
    .await?;
    Ok(())
}

async fn named(
    pool: &Pool,
    ids: &mut Ids,
    sql: &'static str,
    site: i64,
    a: &str,
    b: Option<&str>,
) -> anyhow::Result<i64> {
    let id = ids.next();
    let q = sqlx::query(sql).bind(id).bind(site).bind(a);
    let q = match b {
        Some(b) => q.bind(b),
        None => q,
    };
    q.execute(pool).await?;
    Ok(id)
}

async fn year(pool: &Pool, ids: &mut Ids, site: i64, start: i32) -> anyhow::Result<i64> {
    let id = ids.next();
    sqlx::query("insert into school_year (school_year_id, site_id, label, starts_on, ends_on) values ($1, $2, $3, $4, $5)")
        .bind(id)
        .bind(site)
        .bind(format!("{start}/{}", start + 1))
        .bind(format!("{start}-09-12"))
        .bind(format!("{}-07-05", start + 1))
        .execute(pool)
        .await?;
    Ok(id)
}

pub async fn seed(pool: &Pool, s: &Students, today: time::Date) -> anyhow::Result<()> {
    let mut ids = Ids(500_000);
    let ids = &mut ids;
    let site = s.valognes;
    let current = current_start_year(today);

    let dept = |name: &'static str| {
        (
            name,
            "insert into department (department_id, site_id, name) values ($1, $2, $3)",
        )
    };
    let mut departments = Vec::new();
    for name in [
        "Formation musicale",
        "Polyphoniques",
        "Pratiques collectives",
        "Cordes",
        "Voix",
    ] {
        let (n, sql) = dept(name);
        departments.push(named(pool, ids, sql, site, n, None).await?);
    }
    let [fm, poly, collective, strings, voice] = departments[..] else {
        unreachable!()
    };
    let teacher_sql =
        "insert into teacher (teacher_id, site_id, last_name, first_name) values ($1, $2, $3, $4)";
    let astarel = named(pool, ids, teacher_sql, site, "ASTAREL", Some("Carmen")).await?;
    let ipoustegui = named(pool, ids, teacher_sql, site, "IPOUSTEGUI", Some("Xavier")).await?;
    let margeval = named(pool, ids, teacher_sql, site, "MARGEVAL", Some("Brice")).await?;
    let perrigon = named(pool, ids, teacher_sql, site, "PERRIGON", Some("Isabelle")).await?;
    let bardonault = named(pool, ids, teacher_sql, site, "BARDONAULT", Some("Anthony")).await?;
    let lemercier = named(pool, ids, teacher_sql, site, "LEMERCIER", Some("Solène")).await?;
    let room_sql = "insert into room (room_id, site_id, name) values ($1, $2, $3)";
    let faure = named(pool, ids, room_sql, site, "Fauré (Conservatoire)", None).await?;
    let debussy = named(pool, ids, room_sql, site, "Debussy", None).await?;
    let ravel = named(pool, ids, room_sql, site, "Ravel", None).await?;
    let auditorium = named(pool, ids, room_sql, site, "Auditorium", None).await?;

    // Irina's history, as in the manual: 13 course records over five years.
    let history: &[(i32, i64, i64, &str, Option<&str>, i64, &str)] = &[
        (2007, fm, astarel, "FM 1C4", None, 1450, "Admis"),
        (2007, poly, ipoustegui, "Piano", Some("1C4"), 1500, "Admis"),
        (
            2007,
            collective,
            perrigon,
            "Chorale 1er cycle",
            None,
            1600,
            "Admis",
        ),
        (2008, fm, astarel, "FM 2C1", None, 1175, "Maintien"),
        (2008, poly, ipoustegui, "Piano", Some("2C1"), 1425, "Admis"),
        (
            2008,
            collective,
            perrigon,
            "Chorale 1er cycle",
            None,
            1550,
            "Admis",
        ),
        (2009, fm, astarel, "FM 2C1", None, 1350, "Admis"),
        (2009, poly, ipoustegui, "Piano", Some("2C2"), 1400, "Admis"),
        (
            2009,
            collective,
            perrigon,
            "Chorale 1er cycle",
            None,
            1625,
            "Admis",
        ),
        (2010, fm, bardonault, "FM 2C2", None, 1500, "Admis"),
        (2010, poly, margeval, "Piano", Some("2C3"), 1450, "Admis"),
        (2011, fm, astarel, "FM 2C3", None, 1575, "Admis"),
        (2011, poly, margeval, "Piano", Some("2C4"), 1525, "Admis"),
    ];
    let mut years = std::collections::HashMap::new();
    for start in [2007, 2008, 2009, 2010, 2011, current - 1, current] {
        if let std::collections::hash_map::Entry::Vacant(e) = years.entry(start) {
            e.insert(year(pool, ids, site, start).await?);
        }
    }
    for (i, (start, department, teacher, name, cycle, average, result)) in
        history.iter().enumerate()
    {
        let c = course(
            pool,
            ids,
            site,
            CourseSpec {
                year: years[start],
                department: *department,
                teacher: *teacher,
                room: Some(faure),
                name,
                cycle: *cycle,
                slot: None,
                ha: false,
            },
        )
        .await?;
        let next_class = match *name {
            "FM 2C3" => Some("FM 2C4"),
            _ => None,
        };
        let rec = record(
            pool,
            ids,
            site,
            s.irina,
            c,
            Outcome {
                hours: Some((3240, 3240)),
                average: Some(*average),
                class_result: Some(result),
                class_admission: next_class,
                first_instrument: (*department == poly).then_some("Piano"),
                mention: (*average >= 1500).then_some("Très bien"),
                comment: (*start == 2011 && *department == fm)
                    .then_some("Bon travail régulier, à poursuivre."),
                ..Outcome::default()
            },
        )
        .await?;
        let y = start + 1;
        evaluation(
            pool,
            ids,
            Evaluation {
                rec,
                kind: "Contrôle continu",
                on: &format!("{start}-12-0{}", 1 + i % 8),
                mark: Some(average - 50),
                appreciation: "Progrès réguliers.",
                absent: false,
            },
        )
        .await?;
        evaluation(
            pool,
            ids,
            Evaluation {
                rec,
                kind: "Contrôle continu",
                on: &format!("{y}-03-06"),
                mark: Some(*average),
                appreciation: "Bonne maîtrise, attention au rythme.",
                absent: false,
            },
        )
        .await?;
        if *department != collective {
            evaluation(
                pool,
                ids,
                Evaluation {
                    rec,
                    kind: "Examen",
                    on: &format!("{y}-06-1{}", i % 9),
                    mark: Some(average + 50),
                    appreciation: "Prestation assurée et musicale.",
                    absent: false,
                },
            )
            .await?;
        }
        if *start == 2011 && *department == fm {
            absence(
                pool,
                ids,
                Absence {
                    rec,
                    on: "2011-11-18",
                    at: "17:30",
                    minutes: 90,
                    justified: true,
                    reason: Some("Maladie"),
                },
            )
            .await?;
            absence(
                pool,
                ids,
                Absence {
                    rec,
                    on: "2012-02-03",
                    at: "17:30",
                    minutes: 90,
                    justified: false,
                    reason: None,
                },
            )
            .await?;
        }
        if *start == 2010 && *department == poly {
            piece(
                pool,
                ids,
                Piece {
                    person: s.irina,
                    rec: Some(rec),
                    composer: "Johann Sebastian Bach",
                    title: "Prélude en do majeur, BWV 846",
                    period: "Baroque",
                    performed: Some("Examen"),
                },
            )
            .await?;
        }
        if *start == 2011 && *department == poly {
            piece(
                pool,
                ids,
                Piece {
                    person: s.irina,
                    rec: Some(rec),
                    composer: "Erik Satie",
                    title: "Gymnopédie n° 1",
                    period: "1888",
                    performed: Some("Concert"),
                },
            )
            .await?;
            piece(
                pool,
                ids,
                Piece {
                    person: s.irina,
                    rec: Some(rec),
                    composer: "Wolfgang Amadeus Mozart",
                    title: "Sonate en do majeur, K. 545 : Allegro",
                    period: "Classique",
                    performed: Some("Examen"),
                },
            )
            .await?;
        }
        if *start == 2009 && *department == poly {
            piece(
                pool,
                ids,
                Piece {
                    person: s.irina,
                    rec: Some(rec),
                    composer: "Friedrich Burgmüller",
                    title: "La Candeur, op. 100 n° 1",
                    period: "1851",
                    performed: None,
                },
            )
            .await?;
        }
    }

    // This year's courses (with weekly slots), as in the manual's Cours tab.
    let y = years[&current];
    let previous = years[&(current - 1)];
    let fm24 = course(
        pool,
        ids,
        site,
        CourseSpec {
            year: y,
            department: fm,
            teacher: astarel,
            room: Some(faure),
            name: "FM 2C4",
            cycle: Some("2C4"),
            slot: Some((5, "17:30", 90)),
            ha: false,
        },
    )
    .await?;
    let piano24 = course(
        pool,
        ids,
        site,
        CourseSpec {
            year: y,
            department: poly,
            teacher: margeval,
            room: Some(debussy),
            name: "Piano 2C4",
            cycle: Some("2C4"),
            slot: Some((2, "18:00", 45)),
            ha: false,
        },
    )
    .await?;
    let rec = record(
        pool,
        ids,
        site,
        s.irina,
        fm24,
        Outcome {
            hours: Some((3240, 900)),
            exam_time: Some("18:15"),
            ..Outcome::default()
        },
    )
    .await?;
    evaluation(
        pool,
        ids,
        Evaluation {
            rec,
            kind: "Contrôle continu",
            on: &format!("{current}-10-09"),
            mark: Some(1650),
            appreciation: "Très bon début d'année.",
            absent: false,
        },
    )
    .await?;
    absence(
        pool,
        ids,
        Absence {
            rec,
            on: &format!("{current}-11-13"),
            at: "17:30",
            minutes: 90,
            justified: true,
            reason: Some("Rendez-vous médical"),
        },
    )
    .await?;
    record(
        pool,
        ids,
        site,
        s.irina,
        piano24,
        Outcome {
            hours: Some((1620, 450)),
            first_instrument: Some("Piano"),
            ..Outcome::default()
        },
    )
    .await?;

    let mut current_courses = Vec::new();
    for (department, teacher, room, name, cycle, slot) in [
        (fm, bardonault, ravel, "FM 1C1", "1C1", (3, "14:00", 60)),
        (fm, bardonault, ravel, "FM 1C2", "1C2", (3, "15:00", 60)),
        (fm, astarel, faure, "FM 1C3", "1C3", (6, "10:00", 60)),
        (
            strings,
            lemercier,
            debussy,
            "Violon 1C2",
            "1C2",
            (6, "11:00", 30),
        ),
        (
            strings,
            lemercier,
            debussy,
            "Violoncelle 1C1",
            "1C1",
            (4, "17:00", 30),
        ),
        (
            collective,
            perrigon,
            auditorium,
            "Chorale 1er cycle",
            "1C",
            (3, "16:15", 60),
        ),
        (
            poly,
            ipoustegui,
            debussy,
            "Piano 1C3",
            "1C3",
            (1, "17:15", 30),
        ),
    ] {
        current_courses.push(
            course(
                pool,
                ids,
                site,
                CourseSpec {
                    year: y,
                    department,
                    teacher,
                    room: Some(room),
                    name,
                    cycle: Some(cycle),
                    slot: Some(slot),
                    ha: false,
                },
            )
            .await?,
        );
    }
    // Hugo: FM and violin this year, their first year last year.
    record(
        pool,
        ids,
        site,
        s.hugo,
        current_courses[1],
        Outcome::default(),
    )
    .await?;
    let violin = record(
        pool,
        ids,
        site,
        s.hugo,
        current_courses[3],
        Outcome {
            first_instrument: Some("Violon"),
            ..Outcome::default()
        },
    )
    .await?;
    absence(
        pool,
        ids,
        Absence {
            rec: violin,
            on: &format!("{current}-10-03"),
            at: "11:00",
            minutes: 30,
            justified: false,
            reason: None,
        },
    )
    .await?;
    let fm11 = course(
        pool,
        ids,
        site,
        CourseSpec {
            year: previous,
            department: fm,
            teacher: bardonault,
            room: Some(ravel),
            name: "FM 1C1",
            cycle: Some("1C1"),
            slot: None,
            ha: false,
        },
    )
    .await?;
    let rec = record(
        pool,
        ids,
        site,
        s.hugo,
        fm11,
        Outcome {
            average: Some(1400),
            class_result: Some("Admis"),
            class_admission: Some("FM 1C2"),
            ..Outcome::default()
        },
    )
    .await?;
    evaluation(
        pool,
        ids,
        Evaluation {
            rec,
            kind: "Examen",
            on: &format!("{current}-06-12"),
            mark: Some(1400),
            appreciation: "Bon examen de fin d'année.",
            absent: false,
        },
    )
    .await?;

    // Madame TORRE, adult student: singing, with horaires aménagés off, and choir.
    let chant = course(
        pool,
        ids,
        site,
        CourseSpec {
            year: y,
            department: voice,
            teacher: perrigon,
            room: Some(auditorium),
            name: "Chant 2C1",
            cycle: Some("2C1"),
            slot: Some((4, "19:00", 60)),
            ha: false,
        },
    )
    .await?;
    let rec = record(
        pool,
        ids,
        site,
        s.amelia,
        chant,
        Outcome {
            first_instrument: Some("Chant"),
            ..Outcome::default()
        },
    )
    .await?;
    piece(
        pool,
        ids,
        Piece {
            person: s.amelia,
            rec: Some(rec),
            composer: "Gabriel Fauré",
            title: "Après un rêve, op. 7 n° 1",
            period: "1877",
            performed: Some("Concert"),
        },
    )
    .await?;

    // Generated children: one or two of this year's courses each.
    for (n, (child_site, person)) in s.generated.iter().enumerate() {
        if *child_site != site {
            continue;
        }
        let first = current_courses[n % 3];
        record(pool, ids, site, *person, first, Outcome::default()).await?;
        if n % 2 == 0 {
            record(
                pool,
                ids,
                site,
                *person,
                current_courses[3 + n % 4],
                Outcome::default(),
            )
            .await?;
        }
    }

    // School holidays of this year (zone B), left out of the calendar.
    for (label, from, to) in [
        (
            "Vacances de la Toussaint",
            format!("{current}-10-17"),
            format!("{current}-11-01"),
        ),
        (
            "Vacances de Noël",
            format!("{current}-12-19"),
            format!("{}-01-03", current + 1),
        ),
        (
            "Vacances d'hiver",
            format!("{}-02-13", current + 1),
            format!("{}-02-28", current + 1),
        ),
        (
            "Vacances de printemps",
            format!("{}-04-10", current + 1),
            format!("{}-04-25", current + 1),
        ),
    ] {
        sqlx::query("insert into holiday (holiday_id, site_id, label, starts_on, ends_on) values ($1, $2, $3, $4, $5)")
            .bind(ids.next())
            .bind(site)
            .bind(label)
            .bind(from)
            .bind(to)
            .execute(pool)
            .await?;
    }
    let _ = s.conservatoire;
    Ok(())
}
