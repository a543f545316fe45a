//! The text of every mail. Plain text, French, never a password.

use super::Outgoing;

/// The single-use link to choose a new password (lost password or first login).
pub fn password_reset(to: &str, school: &str, identifier: &str, link: &str) -> Outgoing {
    Outgoing {
        to: to.to_owned(),
        subject: format!("{school} – choisir votre mot de passe"),
        body: format!(
            "Bonjour,\n\n\
             Une demande de nouveau mot de passe a été faite pour l'identifiant « {identifier} » \
             sur le portail famille de l'école « {school} ».\n\n\
             Pour choisir votre mot de passe, ouvrez ce lien dans les 30 minutes :\n\n\
             {link}\n\n\
             Ce lien ne sert qu'une fois. Tant que vous ne l'avez pas utilisé, votre mot de passe \
             actuel reste valable.\n\n\
             Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : rien ne change.\n\n\
             {school}\n"
        ),
    }
}

/// Sent after any password change, so an account holder notices a change they did not make.
pub fn password_changed(to: &str, school: &str, identifier: &str, base_url: &str) -> Outgoing {
    Outgoing {
        to: to.to_owned(),
        subject: format!("{school} – votre mot de passe a été modifié"),
        body: format!(
            "Bonjour,\n\n\
             Le mot de passe de l'identifiant « {identifier} » du portail famille de l'école « {school} » \
             vient d'être modifié.\n\n\
             Si vous n'êtes pas à l'origine de ce changement, choisissez tout de suite un nouveau \
             mot de passe depuis la page « Mot de passe perdu » :\n\n\
             {base_url}/mot-de-passe-perdu\n\n\
             et prévenez l'école.\n\n\
             {school}\n"
        ),
    }
}

/// Acknowledges a family's change request, listing each change.
pub fn change_acknowledged(
    to: &str,
    school: &str,
    person: &str,
    lines: &[(String, String, String)],
) -> Outgoing {
    let mut list = String::new();
    for (label, old, new) in lines {
        list.push_str(&format!("- {label} : {old} → {new}\n"));
    }
    Outgoing {
        to: to.to_owned(),
        subject: format!("{school} – demande de modification reçue"),
        body: format!(
            "Bonjour,\n\n\
             Nous avons bien reçu votre demande de modification de la fiche de {person} :\n\n\
             {list}\n\
             Ces modifications seront appliquées après validation par le personnel administratif de l'école. \
             Vous recevrez un message quand elles auront été examinées.\n\n\
             {school}\n"
        ),
    }
}

/// Tells the family what staff decided.
pub fn change_decided(
    school: &str,
    person: &str,
    accepted: &[(String, String)],
    refused: &[(String, String)],
    reason: &str,
) -> Outgoing {
    let mut body = format!(
        "Bonjour,\n\nVotre demande de modification de la fiche de {person} a été examinée.\n\n"
    );
    if !accepted.is_empty() {
        body.push_str("Modifications acceptées et enregistrées :\n");
        for (label, value) in accepted {
            body.push_str(&format!("- {label} : {value}\n"));
        }
        body.push('\n');
    }
    if !refused.is_empty() {
        body.push_str("Modifications refusées :\n");
        for (label, value) in refused {
            body.push_str(&format!("- {label} : {value}\n"));
        }
        body.push('\n');
    }
    if !reason.is_empty() {
        body.push_str(&format!("Motif indiqué par l'école : {reason}\n\n"));
    }
    body.push_str(&format!("{school}\n"));
    let outcome = match (accepted.is_empty(), refused.is_empty()) {
        (false, true) => "acceptée",
        (true, _) => "refusée",
        (false, false) => "acceptée en partie",
    };
    Outgoing {
        to: String::new(),
        subject: format!("{school} – demande de modification {outcome}"),
        body,
    }
}

/// The invitation: the identifier and the link to choose a first password.
pub fn invitation(to: &str, school: &str, identifier: &str, link: &str) -> Outgoing {
    Outgoing {
        to: to.to_owned(),
        subject: format!("{school} – votre accès au portail famille"),
        body: format!(
            "Bonjour,\n\n\
             {school} vous ouvre un accès au portail famille : vous y verrez et corrigerez vos \
             informations, suivrez les cours de vos élèves et vos factures.\n\n\
             Votre identifiant : {identifier}\n\n\
             Pour choisir votre mot de passe, ouvrez ce lien dans les 7 jours :\n\n\
             {link}\n\n\
             Ce lien ne sert qu'une fois. S'il a expiré, demandez-en un nouveau depuis la page \
             « Mot de passe perdu » du portail, avec votre identifiant et cette adresse e-mail.\n\n\
             {school}\n"
        ),
    }
}

/// To a new staff member: their identifier and the link to choose a first password.
pub fn staff_invitation(
    to: &str,
    school: &str,
    identifier: &str,
    role: &str,
    link: &str,
) -> Outgoing {
    Outgoing {
        to: to.to_owned(),
        subject: format!("{school} – votre accès à la gestion du portail famille"),
        body: format!(
            "Bonjour,\n\n\
             Un compte de personnel ({role}) vous est ouvert sur le portail famille de l'école « {school} ».\n\n\
             Votre identifiant : {identifier}\n\n\
             Pour choisir votre mot de passe, ouvrez ce lien dans les 7 jours :\n\n\
             {link}\n\n\
             Ce lien ne sert qu'une fois. Vous vous connecterez ensuite depuis la page « Accès \
             du personnel » du portail.\n\n\
             {school}\n"
        ),
    }
}

/// Confirms an online payment. `{receipt}` in the body is replaced by the receipt's number
/// once it is allocated (in the same transaction as the mail).
pub fn payment_received(
    to: &str,
    school: &str,
    invoice: &str,
    amount: &str,
    base_url: &str,
) -> Outgoing {
    Outgoing {
        to: to.to_owned(),
        subject: format!("{school} – paiement reçu pour la facture {invoice}"),
        body: format!(
            "Bonjour,\n\n\
             Votre paiement en ligne de {amount} pour la facture {invoice} est bien reçu. \
             Il est enregistré sous le reçu n° {{receipt}}, que vous trouverez dans le menu \
             Facturation du portail famille :\n\n\
             {base_url}/facturation/cotisations\n\n\
             {school}\n"
        ),
    }
}

/// Confirms a re-enrolment request sent by a family.
/// To the family: the money arrived, but the invoice was already settled.
pub fn payment_to_review_family(to: &str, school: &str, invoice: &str, amount: &str) -> Outgoing {
    Outgoing {
        to: to.to_owned(),
        subject: format!("{school} – paiement reçu pour la facture {invoice}"),
        body: format!(
            "Bonjour,\n\n\
             Votre paiement en ligne de {amount} est bien reçu, mais la facture {invoice} \
             était déjà réglée quand il est arrivé. L'école en est informée : elle vous \
             remboursera ou l'affectera à une autre facture, et vous recontactera.\n\n\
             {school}\n"
        ),
    }
}

/// An online payment PayFiP confirmed, as the school's mail names it.
pub struct ConfirmedPayment<'a> {
    pub school: &'a str,
    pub invoice: &'a str,
    /// `84,00 €`.
    pub amount: &'a str,
    /// The payment's reference at PayFiP.
    pub refdet: &'a str,
    /// The bank's authorisation number (`—` when PayFiP gave none).
    pub authorisation: &'a str,
}

/// To the school: an online payment that settled nothing, to refund or to apply by hand.
pub fn payment_to_review_staff(to: &str, payment: &ConfirmedPayment, base_url: &str) -> Outgoing {
    let ConfirmedPayment {
        school,
        invoice,
        amount,
        refdet,
        authorisation,
    } = *payment;
    Outgoing {
        to: to.to_owned(),
        subject: format!("{school} – paiement en ligne à régulariser ({invoice})"),
        body: format!(
            "Bonjour,\n\n\
             PayFiP a confirmé un paiement en ligne de {amount} (référence {refdet}, \
             autorisation {authorisation}) pour la facture {invoice}, qui n'était plus due \
             de ce montant quand il est arrivé. Aucun reçu n'a été écrit : remboursez la \
             famille ou enregistrez le règlement sur la bonne facture.\n\n\
             {base_url}/gestion/paiements\n"
        ),
    }
}

pub fn reenrolment_received(
    to: &str,
    school: &str,
    student: &str,
    year: &str,
    link: &str,
) -> Outgoing {
    Outgoing {
        to: to.to_owned(),
        subject: format!("{school} – demande de réinscription de {student}"),
        body: format!(
            "Bonjour,\n\n\
             Votre demande de réinscription de {student} pour l'année {year} est bien enregistrée. \
             L'équipe administrative l'examine et vous répondra par courriel.\n\n\
             Vous pouvez la suivre sur le portail famille :\n\n\
             {link}\n\n\
             {school}\n"
        ),
    }
}

/// Tells the family what staff decided about one document they provided.
pub fn document_decided(
    to: &str,
    school: &str,
    student: &str,
    document: &str,
    refusal: Option<&str>,
    link: &str,
) -> Outgoing {
    let (subject, what) = match refusal {
        None => (
            "accepté",
            format!(
                "Le document « {document} » fourni pour la réinscription de {student} est accepté."
            ),
        ),
        Some(r) => (
            "refusé",
            format!(
                "Le document « {document} » fourni pour la réinscription de {student} est refusé, pour ce motif :\n\n  {r}\n\n\
                 Vous pouvez en importer un autre sur le portail famille."
            ),
        ),
    };
    Outgoing {
        to: to.to_owned(),
        subject: format!("{school} – document {subject} : {document}"),
        body: format!("Bonjour,\n\n{what}\n\n{link}\n\n{school}\n"),
    }
}

/// Tells the family whether the re-enrolment is accepted.
pub fn reenrolment_decided(
    to: &str,
    school: &str,
    student: &str,
    year: &str,
    refusal: Option<&str>,
) -> Outgoing {
    let body = match refusal {
        None => format!("La réinscription de {student} pour l'année {year} est acceptée."),
        Some(r) => format!(
            "La réinscription de {student} pour l'année {year} est refusée, pour ce motif :\n\n  {r}\n\n\
             N'hésitez pas à contacter l'école."
        ),
    };
    Outgoing {
        to: to.to_owned(),
        subject: format!(
            "{school} – réinscription de {student} {}",
            if refusal.is_none() {
                "acceptée"
            } else {
                "refusée"
            }
        ),
        body: format!("Bonjour,\n\n{body}\n\n{school}\n"),
    }
}

/// What an absence report is about, for its mails: a student, a lesson or a span, a reason.
pub struct AbsenceNote<'a> {
    pub school: &'a str,
    pub student: &'a str,
    /// « le cours Piano 2C4 du mardi 08/12/2026 à 18h00 », « du 07/12/2026 au 11/12/2026 ».
    pub what: &'a str,
    pub reason: &'a str,
    pub details: &'a str,
}

/// To the school: an absence reported by a family.
pub fn absence_reported_school(to: &str, n: &AbsenceNote, link: &str) -> Outgoing {
    let details = if n.details.is_empty() {
        String::new()
    } else {
        format!("\nPrécisions de la famille :\n\n  {}\n", n.details)
    };
    Outgoing {
        to: to.to_owned(),
        subject: format!("{} – absence signalée : {}", n.school, n.student),
        body: format!(
            "Bonjour,\n\n\
             La famille de {} signale une absence {}.\n\n\
             Motif : {}\n{details}\n\
             Les absences signalées : {link}\n\n\
             {}\n",
            n.student, n.what, n.reason, n.school
        ),
    }
}

/// To the lesson's teacher: who will be absent (the reason stays with the school).
pub fn absence_reported_teacher(to: &str, n: &AbsenceNote) -> Outgoing {
    Outgoing {
        to: to.to_owned(),
        subject: format!("{} – absence prévue : {}", n.school, n.student),
        body: format!(
            "Bonjour,\n\n\
             La famille de {} a prévenu l'école d'une absence {}.\n\n\
             {}\n",
            n.student, n.what, n.school
        ),
    }
}

/// To the family: the report is received, and can be withdrawn until the lesson starts.
pub fn absence_report_ack(to: &str, n: &AbsenceNote, link: &str) -> Outgoing {
    Outgoing {
        to: to.to_owned(),
        subject: format!("{} – absence de {} bien signalée", n.school, n.student),
        body: format!(
            "Bonjour,\n\n\
             L'école a bien reçu votre signalement : {} sera absent(e) {}.\n\n\
             Motif : {}\n\n\
             Si l'élève peut finalement venir, vous pouvez retirer ce signalement jusqu'au début \
             du cours sur le portail famille :\n\n{link}\n\n\
             {}\n",
            n.student, n.what, n.reason, n.school
        ),
    }
}

/// To the school and the teacher: a report the family withdrew.
pub fn absence_withdrawn(to: &str, n: &AbsenceNote) -> Outgoing {
    Outgoing {
        to: to.to_owned(),
        subject: format!("{} – absence annulée : {}", n.school, n.student),
        body: format!(
            "Bonjour,\n\n\
             La famille de {} retire l'absence signalée {} : l'élève sera présent(e).\n\n\
             {}\n",
            n.student, n.what, n.school
        ),
    }
}

/// To the school: a justification waits for a decision.
pub fn justification_received(to: &str, n: &AbsenceNote, link: &str) -> Outgoing {
    Outgoing {
        to: to.to_owned(),
        subject: format!(
            "{} – justificatif d'absence à examiner : {}",
            n.school, n.student
        ),
        body: format!(
            "Bonjour,\n\n\
             La famille de {} justifie l'absence {}.\n\n\
             Motif : {}\n\n\
             Les justificatifs à examiner : {link}\n\n\
             {}\n",
            n.student, n.what, n.reason, n.school
        ),
    }
}

/// To the family: what staff decided about a justification.
pub fn justification_decided(
    to: &str,
    n: &AbsenceNote,
    refusal: Option<&str>,
    link: &str,
) -> Outgoing {
    let (subject, body) = match refusal {
        None => (
            "acceptée",
            format!("L'absence {} de {} est justifiée.", n.what, n.student),
        ),
        Some(r) => (
            "refusée",
            format!(
                "La justification de l'absence {} de {} n'est pas acceptée, pour ce motif :\n\n  {r}\n\n\
                 Vous pouvez en envoyer une autre sur le portail famille.",
                n.what, n.student
            ),
        ),
    };
    Outgoing {
        to: to.to_owned(),
        subject: format!("{} – justification {subject} : {}", n.school, n.student),
        body: format!("Bonjour,\n\n{body}\n\n{link}\n\n{}\n", n.school),
    }
}

/// To the other side of a thread: a message is waiting, with a link to it; its text only if
/// the school allows it (`site.mail_message_text`), else the portal keeps it.
pub fn message_waiting(
    to: &str,
    school: &str,
    subject: &str,
    from: &str,
    text: Option<&str>,
    link: &str,
) -> Outgoing {
    let body = match text {
        Some(t) => format!("Message :\n\n{t}\n\nPour répondre, ouvrez la conversation :\n\n{link}"),
        None => format!("Pour le lire et y répondre, ouvrez la conversation :\n\n{link}"),
    };
    Outgoing {
        to: to.to_owned(),
        subject: format!("{school} – nouveau message : {subject}"),
        body: format!(
            "Bonjour,\n\n\
             {from} vous a écrit sur le portail famille, au sujet de « {subject} ».\n\n\
             {body}\n\n\
             {school}\n"
        ),
    }
}
