//! Accuracies assumed when the wire does not say, per category, in one place.
//!
//! The radar figures are typical of en-route Mode S secondary radars (range
//! noise tens of metres, azimuth noise under a tenth of a degree); the track
//! and ADS-B figures are conservative stand-ins used only when I062/500 or
//! I021/090 is absent. A deployment sets them per feed from the sensor's
//! acceptance test.

/// Accuracies (1 sigma) the ASTERIX decoder gives observations.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AsterixOptions {
    /// CAT048 slant range noise.
    pub cat048_range_sigma_m: f64,
    /// CAT048 azimuth noise.
    pub cat048_azimuth_sigma_deg: f64,
    /// CAT062 horizontal accuracy when I062/500 APC and APW are absent.
    pub cat062_horizontal_sigma_m: f64,
    /// CAT021 horizontal accuracy when I021/090 gives neither NACp nor NUCp.
    pub cat021_horizontal_sigma_m: f64,
    /// Vertical accuracy of a geometric height without a stated accuracy.
    pub geometric_vertical_sigma_m: f64,
    /// Vertical accuracy of a flight level used as a pressure altitude: the
    /// 25 ft quantisation plus the unknown local pressure correction.
    pub barometric_vertical_sigma_m: f64,
}

impl Default for AsterixOptions {
    fn default() -> AsterixOptions {
        AsterixOptions {
            cat048_range_sigma_m: 50.0,
            cat048_azimuth_sigma_deg: 0.08,
            cat062_horizontal_sigma_m: 150.0,
            cat021_horizontal_sigma_m: 500.0,
            geometric_vertical_sigma_m: 30.0,
            barometric_vertical_sigma_m: 60.0,
        }
    }
}
