//! The measuring harness: samples of one quantity, their percentiles, and
//! timing a closure with a warm-up. Sorting a `Vec` is all the statistics a
//! benchmark run of this size needs.

use std::time::{Duration, Instant};

/// Samples of one quantity (microseconds, requests per second, ...).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Samples {
    values: Vec<f64>,
}

impl Samples {
    /// Samples from `values`.
    pub(crate) fn new(values: Vec<f64>) -> Samples {
        Samples { values }
    }

    /// Adds one sample.
    pub(crate) fn push(&mut self, value: f64) {
        self.values.push(value);
    }

    /// How many samples there are.
    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }

    /// The `p`-th percentile (0..=100, nearest rank); NaN when empty.
    pub(crate) fn percentile(&self, p: f64) -> f64 {
        if self.values.is_empty() {
            return f64::NAN;
        }
        let mut sorted = self.values.clone();
        sorted.sort_by(f64::total_cmp);
        let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
        sorted[rank.clamp(1, sorted.len()) - 1]
    }

    /// The median (50th percentile).
    pub(crate) fn median(&self) -> f64 {
        self.percentile(50.0)
    }

    /// The largest sample; NaN when empty.
    pub(crate) fn max(&self) -> f64 {
        self.values.iter().copied().fold(f64::NAN, f64::max)
    }
}

/// How long to run a timed loop: a warm-up, then samples until both a count
/// and a time budget are reached (whichever comes last, capped by `max`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Budget {
    pub(crate) warmup: Duration,
    pub(crate) min_samples: usize,
    pub(crate) min_time: Duration,
    pub(crate) max_samples: usize,
}

/// Times `f` once per sample, in microseconds, after running it for the
/// budget's warm-up time.
pub(crate) fn time_each(budget: Budget, mut f: impl FnMut()) -> Samples {
    let warm_until = Instant::now() + budget.warmup;
    while Instant::now() < warm_until {
        f();
    }
    let started = Instant::now();
    let mut samples = Samples::default();
    while samples.len() < budget.max_samples
        && (samples.len() < budget.min_samples || started.elapsed() < budget.min_time)
    {
        let t = Instant::now();
        f();
        samples.push(t.elapsed().as_secs_f64() * 1e6);
    }
    samples
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let s = Samples::new((1..=100).map(f64::from).collect());
        assert_eq!(s.median(), 50.0);
        assert_eq!(s.percentile(99.0), 99.0);
        assert_eq!(s.percentile(100.0), 100.0);
        assert_eq!(s.percentile(0.0), 1.0);
        assert_eq!(s.max(), 100.0);
    }

    #[test]
    fn order_of_samples_does_not_matter() {
        let s = Samples::new(vec![5.0, 1.0, 3.0]);
        assert_eq!(s.median(), 3.0);
        assert!(Samples::default().median().is_nan());
    }

    #[test]
    fn time_each_takes_at_least_the_minimum_samples() {
        let budget = Budget {
            warmup: Duration::ZERO,
            min_samples: 7,
            min_time: Duration::ZERO,
            max_samples: 100,
        };
        let mut calls = 0;
        let s = time_each(budget, || calls += 1);
        assert_eq!(s.len(), 7);
        assert_eq!(calls, 7);
    }
}
