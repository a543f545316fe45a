//! The statuses the portal stores as text, as enums: each maps to and from its stored
//! text in one place, and reads from a row through `sqlx(try_from = "String")`.

/// An enum stored as text: `key()`, `from_key()`, and `TryFrom<String>` for rows.
macro_rules! stored_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $key:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The text stored in the database.
            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }

            pub fn from_key(s: &str) -> Option<Self> {
                match s { $($key => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.key())
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                Self::from_key(&s).ok_or_else(|| format!("unknown {} {s:?}", stringify!($name)))
            }
        }
    };
}
pub(crate) use stored_enum;

stored_enum! {
    /// A re-enrolment request (`reenrolment_request.status`).
    RequestStatus {
        /// Being prepared by the family (choices, documents).
        Draft => "draft",
        /// Sent: staff decide; the files are frozen.
        Submitted => "submitted",
        Accepted => "accepted",
        Refused => "refused",
    }
}

stored_enum! {
    /// A file a family provided (`provided_document.status`).
    DocumentStatus {
        Provided => "provided",
        Accepted => "accepted",
        /// Refused by staff (with a reason): the family may send another.
        Refused => "refused",
    }
}

stored_enum! {
    /// A change request (`change_request.status`; the migration's comment predates
    /// `withdrawn`).
    ChangeStatus {
        Pending => "pending",
        Accepted => "accepted",
        PartlyAccepted => "partly_accepted",
        Refused => "refused",
        /// Every field typed back to its recorded value.
        Withdrawn => "withdrawn",
    }
}

stored_enum! {
    /// One field of a change request (`change_item.status`).
    ItemStatus {
        Pending => "pending",
        Accepted => "accepted",
        Refused => "refused",
        /// Replaced by a newer value of the same field.
        Superseded => "superseded",
        /// Typed back to the recorded value.
        Withdrawn => "withdrawn",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_reads_back_from_its_key() {
        for s in RequestStatus::ALL {
            assert_eq!(RequestStatus::from_key(s.key()), Some(*s));
        }
        for s in ItemStatus::ALL {
            assert_eq!(ItemStatus::try_from(s.key().to_owned()), Ok(*s));
        }
        assert!(DocumentStatus::try_from("lost".to_owned()).is_err());
        assert_eq!(ChangeStatus::Withdrawn.key(), "withdrawn");
    }
}

stored_enum! {
    /// What a staff account may do (`account.role`).
    Role {
        /// Also the school's settings and its staff.
        Administrator => "administrateur",
        /// The queues: requests, re-enrolments, payments, mails, families' accounts.
        Secretariat => "secretariat",
    }
}

impl Role {
    /// As the staff pages name it.
    pub fn label(self) -> &'static str {
        match self {
            Role::Administrator => "Administrateur",
            Role::Secretariat => "Secrétariat",
        }
    }
}
