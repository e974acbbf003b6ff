//! localStorage, read defensively: storage can be missing (private mode), full, or hold text an
//! older version or another tab wrote.

/// The stored text under `key`, if storage works and holds one.
pub fn load(key: &str) -> Option<String> {
    web_sys::window()?.local_storage().ok()??.get_item(key).ok()?
}

/// Stores `value`; the error is a sentence (quota exceeded, storage disabled).
pub fn save(key: &str, value: &str) -> Result<(), String> {
    let storage = web_sys::window()
        .and_then(|window| window.local_storage().ok().flatten())
        .ok_or("this browser does not allow local storage here")?;
    storage.set_item(key, value).map_err(|_| "local storage is full or disabled; history was not saved".to_string())
}

/// Moves unreadable stored text aside under `<key>.corrupt-<time>` so nothing is lost, and
/// returns the new key.
pub fn set_aside(key: &str, value: &str) -> Option<String> {
    let storage = web_sys::window()?.local_storage().ok()??;
    let aside = format!("{key}.corrupt-{}", js_sys::Date::now() as u64);
    storage.set_item(&aside, value).ok()?;
    storage.remove_item(key).ok()?;
    Some(aside)
}
