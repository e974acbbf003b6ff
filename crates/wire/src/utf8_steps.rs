//! Checking that a big buffer is UTF-8 a step at a time, so a page can yield between steps
//! (checking 20 MB at once holds a browser's main thread for tens of milliseconds).

/// Checks `bytes[checked..]` up to `step` bytes further and returns where the checked part now
/// ends; a character cut by the step's end is left for the next step. `Err` gives the offset of
/// the first byte that is not UTF-8. Call until the result is `bytes.len()`.
pub fn check_step(bytes: &[u8], checked: usize, step: usize) -> Result<usize, usize> {
    let end = checked.saturating_add(step.max(4)).min(bytes.len());
    let Some(window) = bytes.get(checked..end) else {
        return Err(checked);
    };
    match std::str::from_utf8(window) {
        Ok(_) => Ok(end),
        // Cut at the window's end, not wrong: the next step starts at the cut character.
        // (A window holds at least four bytes, so some of it is always checked: no step is empty.)
        Err(error) if error.error_len().is_none() && end < bytes.len() && error.valid_up_to() > 0 => {
            Ok(checked + error.valid_up_to())
        }
        Err(error) => Err(checked + error.valid_up_to()),
    }
}

/// Whether all of `bytes` is UTF-8, checked in steps of `step` bytes (what a caller that yields
/// between steps computes; tests compare it with `str::from_utf8`).
pub fn check_all(bytes: &[u8], step: usize) -> Result<(), usize> {
    let mut checked = 0;
    while checked < bytes.len() {
        checked = check_step(bytes, checked, step)?;
    }
    Ok(())
}
