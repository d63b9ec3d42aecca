use headtail_core::settings::{language, set_language, Language};

#[test]
fn the_language_is_unset_until_chosen_and_then_remembered() {
    let (_dir, db) = crate::temp_db();
    assert_eq!(db.with_conn(language).expect("read"), None);
    db.with_conn(|c| set_language(c, Language::ZhCn)).expect("set");
    assert_eq!(db.with_conn(language).expect("read"), Some(Language::ZhCn));
    db.with_conn(|c| set_language(c, Language::En)).expect("change");
    assert_eq!(db.with_conn(language).expect("read"), Some(Language::En));
}
