//! Writes the 12-hour `night-wave` scenario; the bar is under 30 s.
fn main() {}
