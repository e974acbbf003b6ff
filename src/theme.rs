//! Light and dark themes: follow the system setting unless the person picks one, and remember
//! the pick in localStorage.

use web_sys::window;

const STORAGE_KEY: &str = "wirelab.theme";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThemeChoice {
    System,
    Light,
    Dark,
}

impl ThemeChoice {
    pub fn next(self) -> ThemeChoice {
        match self {
            ThemeChoice::System => ThemeChoice::Light,
            ThemeChoice::Light => ThemeChoice::Dark,
            ThemeChoice::Dark => ThemeChoice::System,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ThemeChoice::System => "System theme",
            ThemeChoice::Light => "Light theme",
            ThemeChoice::Dark => "Dark theme",
        }
    }

    pub fn icon(self) -> &'static str {
        match self {
            ThemeChoice::System => "◐",
            ThemeChoice::Light => "☀",
            ThemeChoice::Dark => "☾",
        }
    }

    fn key(self) -> &'static str {
        match self {
            ThemeChoice::System => "system",
            ThemeChoice::Light => "light",
            ThemeChoice::Dark => "dark",
        }
    }
}

/// The stored choice, or System when nothing (or something unreadable) is stored.
pub fn load() -> ThemeChoice {
    let stored = window()
        .and_then(|window| window.local_storage().ok().flatten())
        .and_then(|storage| storage.get_item(STORAGE_KEY).ok().flatten());
    match stored.as_deref() {
        Some("light") => ThemeChoice::Light,
        Some("dark") => ThemeChoice::Dark,
        _ => ThemeChoice::System,
    }
}

/// Applies the choice to the page (`<html data-theme>`) and stores it. Storage failures (private
/// mode, quota) only mean the choice is not remembered.
pub fn apply(choice: ThemeChoice) {
    let Some(window) = window() else { return };
    if let Some(root) = window.document().and_then(|document| document.document_element()) {
        let _ = match choice {
            ThemeChoice::System => root.remove_attribute("data-theme"),
            other => root.set_attribute("data-theme", other.key()),
        };
    }
    if let Ok(Some(storage)) = window.local_storage() {
        let _ = storage.set_item(STORAGE_KEY, choice.key());
    }
}
