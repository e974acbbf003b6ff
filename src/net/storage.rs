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

/// The value stored under `key`, read with `parse`. Nothing stored (or no storage) is `Ok(None)`;
/// text `parse` refuses is moved aside (see [`set_aside`]) and the error is a sentence saying
/// where it went.
pub fn load_or_set_aside<T>(key: &str, parse: impl FnOnce(&str) -> Result<T, String>) -> Result<Option<T>, String> {
    let Some(stored) = load(key) else { return Ok(None) };
    match parse(&stored) {
        Ok(value) => Ok(Some(value)),
        Err(error) => Err(match set_aside(key, &stored) {
            Some(aside) => format!("{error}; it was kept under “{aside}”"),
            None => error,
        }),
    }
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
