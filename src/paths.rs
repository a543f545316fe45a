//! The addresses the pages link to, built in one place (their routes are in `routes.rs`).

/// A student's tab: `identite`, `cours`, `historique`, `repertoire`, `reinscription`.
pub fn student_tab(person_id: i64, tab: &str) -> String {
    format!("/eleves/{person_id}/{tab}")
}

pub fn identity(person_id: i64) -> String {
    student_tab(person_id, "identite")
}

pub fn courses(person_id: i64) -> String {
    student_tab(person_id, "cours")
}

/// A course record of this year (its "fiche de suivi").
pub fn course_record(person_id: i64, record_id: i64) -> String {
    format!("/eleves/{person_id}/cours/{record_id}")
}

/// The student's Absences tab (reports and justifications).
pub fn absences(person_id: i64) -> String {
    student_tab(person_id, "absences")
}

/// Justifying a recorded absence.
pub fn justification(person_id: i64, absence_id: i64) -> String {
    format!("/eleves/{person_id}/absences/{absence_id}/justification")
}

pub fn history(person_id: i64) -> String {
    student_tab(person_id, "historique")
}

pub fn repertoire(person_id: i64) -> String {
    student_tab(person_id, "repertoire")
}

pub fn reenrolment(person_id: i64) -> String {
    student_tab(person_id, "reinscription")
}

/// An invoice's or a receipt's page.
pub fn document(entry_id: i64) -> String {
    format!("/facturation/documents/{entry_id}")
}

/// Its tagged PDF duplicate.
pub fn duplicate(entry_id: i64) -> String {
    format!("/facturation/documents/{entry_id}/duplicata.pdf")
}

/// « Payer en ligne » (POST).
pub fn pay(entry_id: i64) -> String {
    format!("/facturation/documents/{entry_id}/payer")
}

/// Where an online payment attempt stands.
pub fn payment(attempt_id: i64) -> String {
    format!("/facturation/paiements/{attempt_id}")
}

/// Where PayFiP sends the browser back (`urlredirect`, under the public address).
pub fn payment_return(attempt_id: i64) -> String {
    format!("/facturation/paiements/{attempt_id}/retour")
}
