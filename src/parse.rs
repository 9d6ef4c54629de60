//! Parse stage.

mod date;
pub use date::{jalali_to_gregorian, parse_date};
