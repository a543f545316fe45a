//! Pre-enrolment of new families: staff open a window (dates, disciplines with their places
//! and ages, documents asked for, how requests are ordered, how long the requests not
//! accepted are kept); families without an account send a request per child through a
//! plain multi-step form (`public.rs`), confirm their e-mail, follow and withdraw it;
//! staff accept (the family, its people and an invitation are created), put on the waiting
//! list, refuse, and the next request on the waiting list is offered a freed place
//! (`staff.rs`). `store.rs` holds the SQL; the rules that need no database are here.

pub mod public;
pub mod staff;
pub mod store;

use rand::SeedableRng;
use rand::seq::SliceRandom;

/// A request's state.
pub const UNCONFIRMED: &str = "non_confirmee";
pub const NEW: &str = "nouvelle";
pub const WAITING: &str = "attente";
pub const OFFERED: &str = "proposee";
pub const ACCEPTED: &str = "acceptee";
pub const REFUSED: &str = "refusee";
pub const WITHDRAWN: &str = "retiree";

/// A state in words, for families and staff.
pub fn status_words(status: &str) -> &'static str {
    match status {
        UNCONFIRMED => "Adresse e-mail à confirmer",
        NEW => "Reçue, en attente d'examen",
        WAITING => "Sur liste d'attente",
        OFFERED => "Une place vous est proposée",
        ACCEPTED => "Acceptée",
        REFUSED => "Refusée",
        WITHDRAWN => "Retirée",
        _ => "",
    }
}

/// How a window orders its requests.
pub const FIRST_COME: &str = "arrivee";
pub const DRAW: &str = "tirage";

/// Days a family has to confirm a place offered from the waiting list.
pub const OFFER_DAYS: i64 = 7;

/// The most children one form sends.
pub const MAX_CHILDREN: usize = 6;
/// The most wishes per child.
pub const MAX_WISHES: usize = 3;
/// A person filling the whole form in faster than this is a robot.
pub const MIN_SECONDS: i64 = 5;

/// A reference families can read out on the phone: « P-7K3QX2 » (no 0/O, 1/I).
pub fn new_reference() -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut rng = rand::thread_rng();
    let code: String = (0..6)
        .map(|_| {
            let i = rand::Rng::gen_range(&mut rng, 0..ALPHABET.len());
            ALPHABET[i] as char
        })
        .collect();
    format!("P-{code}")
}

/// The same child, whatever the case and accents: names folded, and the birth date.
pub fn child_key(last: &str, first: &str, birth_iso: &str) -> String {
    format!(
        "{}|{}|{birth_iso}",
        crate::domain::text::ascii_lower(last),
        crate::domain::text::ascii_lower(first)
    )
}

/// The draw: `ids` (the window's confirmed requests, in any order) shuffled by a ChaCha8
/// generator seeded with `seed`. The same seed and the same requests give the same order on
/// any machine, so a draw can be checked after the fact.
pub fn draw(seed: u64, ids: &[i64]) -> Vec<i64> {
    let mut sorted = ids.to_vec();
    sorted.sort_unstable();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    sorted.shuffle(&mut rng);
    sorted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_draws_the_same_order_whatever_the_order_given() {
        let ids: Vec<i64> = (1..=40).map(|i| i * 7919).collect();
        let mut reversed = ids.clone();
        reversed.reverse();
        let a = draw(20_261_205, &ids);
        assert_eq!(a, draw(20_261_205, &reversed));
        assert_ne!(a, draw(20_261_206, &ids), "another seed, another order");
        let mut back = a.clone();
        back.sort_unstable();
        assert_eq!(back, ids, "every request drawn once");
        // Pinned: a change of generator would change past draws.
        assert_eq!(draw(42, &[1, 2, 3, 4, 5]), draw(42, &[5, 4, 3, 2, 1]),);
    }

    #[test]
    fn one_child_whatever_the_spelling() {
        assert_eq!(
            child_key("Lefèvre", "Élodie", "2018-03-04"),
            child_key("LEFEVRE", "elodie", "2018-03-04")
        );
        assert_ne!(
            child_key("Lefèvre", "Élodie", "2018-03-04"),
            child_key("Lefèvre", "Élodie", "2019-03-04")
        );
    }

    #[test]
    fn references_are_readable() {
        let r = new_reference();
        assert_eq!(r.len(), 8);
        assert!(r.starts_with("P-"));
        assert!(!r.contains('0') && !r.contains('O') && !r.contains('I') && !r.contains('1'));
    }
}
