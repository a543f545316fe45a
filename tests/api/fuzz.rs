//! No input makes a record form fail: random text in every field is answered with a page
//! (saved, refused with messages, or "nothing changed"), never a server error.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};

use crate::helpers::*;
use crate::records::JEREMIE;

#[tokio::test]
async fn random_input_never_makes_the_family_form_fail() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let html = app.get_html(&app.client, "/famille").await;
    let token = csrf_of(&html);
    let any_text = prop_oneof![
        ".{0,40}",
        "[0-9 +().-]{0,20}",
        "\\PC{0,300}",
        Just(String::new()),
        Just("\u{0}\u{7f}\u{202e}".to_owned()),
    ];
    let cases = proptest::collection::vec(any_text, JEREMIE.len());
    let mut runner = TestRunner::new(Config {
        cases: 48,
        failure_persistence: None,
        ..Config::default()
    });
    let inputs: Vec<Vec<String>> = (0..48)
        .map(|_| cases.new_tree(&mut runner).unwrap().current())
        .collect();
    for values in inputs {
        let key = format!("fuzz-{}", inputs_key(&values));
        let fields: Vec<(&str, &str)> = JEREMIE
            .iter()
            .zip(&values)
            .map(|((k, _), v)| (*k, v.as_str()))
            .collect();
        let resp = app
            .post_record_with_key(&app.client, "/famille", &fields, &token, &key)
            .await;
        let status = resp.status().as_u16();
        assert!(
            [200, 303, 422].contains(&status),
            "status {status} for {values:?}"
        );
    }
}

fn inputs_key(values: &[String]) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    values.hash(&mut h);
    format!("{:x}", h.finish())
}
