//! The time CareMarket acts at: the system clock, unless `CAREMARKET_CLOCK_FILE` names a file
//! holding an instant (RFC 3339, like `2026-12-14T09:00:00Z`). The browser tests set it so a
//! booked visit can be due now, then delivered an hour later. Care, money and mail follow it;
//! sign-ins and sessions always keep the real time. An empty or missing file means real time.
use chrono::{DateTime, Utc};
use std::path::PathBuf;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Clock {
    file: Option<PathBuf>,
}

impl Clock {
    /// The clock a file sets (`None`: the system clock).
    pub fn set_by(file: Option<PathBuf>) -> Self {
        Self { file }
    }

    pub fn is_set_by_file(&self) -> bool {
        self.file.is_some()
    }

    pub fn now(&self) -> DateTime<Utc> {
        let Some(file) = &self.file else { return Utc::now() };
        match std::fs::read_to_string(file) {
            Ok(text) if !text.trim().is_empty() => match DateTime::parse_from_rfc3339(text.trim()) {
                Ok(instant) => instant.with_timezone(&Utc),
                Err(error) => {
                    tracing::warn!(file = %file.display(), %error, "CAREMARKET_CLOCK_FILE does not hold an RFC 3339 instant; using the real time");
                    Utc::now()
                }
            },
            _ => Utc::now(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_sets_the_time_and_without_one_it_is_real() {
        let file = std::env::temp_dir().join(format!("caremarket-clock-{}", uuid::Uuid::new_v4().simple()));
        let clock = Clock::set_by(Some(file.clone()));
        let before = Utc::now();
        assert!(clock.now() >= before, "no file yet: the real time");
        std::fs::write(&file, "2026-12-14T09:00:00Z\n").expect("written");
        assert_eq!(clock.now().to_rfc3339(), "2026-12-14T09:00:00+00:00");
        std::fs::write(&file, "").expect("emptied");
        assert!(clock.now() >= before, "emptied: the real time again");
        std::fs::remove_file(&file).expect("removed");
        assert!(Clock::default().now() >= before);
    }
}
