//! The scale rows of `cargo xtask bench` (issue #19, row 5: the `scale`
//! bench): each figure at 10,000 connections total beside the same figure
//! at 1,000 total, measured in the same run, as the ratio
//! `figure at 1,000 / figure at 10,000` per unit (per active message for
//! the polling round with and without its timers, per connection-second for the idle timers, per peer
//! connection for the heap). 1.0 means the figure does not grow with the
//! idle connections; the round's target is at most 1.5× the round at
//! 1,000 total, i.e. a ratio of at least [`ROUND_MIN_RATIO`].

use crate::bench::{Measurement, Row, Throughput};

/// The reference column of the scale rows: the same figure at 1,000
/// connections total.
pub const REFERENCE: &str = "1000-total";
/// The parameter of the reference rows.
const REFERENCE_PARAM: &str = "1000";
/// The groups compared with their own 1,000-total row.
const GROUPS: &[&str] = &[
    "scale round",
    "scale messages",
    "scale idle",
    "scale heap per connection",
];
/// The polling round's group, the one with a target.
pub const ROUND_GROUP: &str = "scale round";
/// Issue #19 row 5: the round at 10,000 total costs at most 1.5× the round
/// at 1,000 total (`1 / 1.5`, rounded up to three places).
pub const ROUND_MIN_RATIO: f64 = 0.667;

/// The figure per unit of work: per element for a time with an element
/// throughput, else the figure itself.
fn per_unit(m: &Measurement) -> f64 {
    match m.throughput {
        Throughput::Elements(n) if n > 0 => m.median_ns / n as f64,
        _ => m.median_ns,
    }
}

/// Adds the [`REFERENCE`] ratio to every scale row but the reference's
/// own, from the reference row of the same group in `rows`.
pub fn add_ratios(rows: &mut [Row]) {
    let references: Vec<(String, f64)> = rows
        .iter()
        .filter(|r| GROUPS.contains(&r.group.as_str()) && r.param == REFERENCE_PARAM)
        .map(|r| (r.group.clone(), per_unit(&r.ours)))
        .collect();
    for row in rows.iter_mut() {
        if !GROUPS.contains(&row.group.as_str()) || row.param == REFERENCE_PARAM {
            continue;
        }
        let ours = per_unit(&row.ours);
        let reference = references.iter().find(|(g, _)| *g == row.group);
        if let Some((_, reference)) = reference {
            if ours > 0.0 {
                row.ratios.insert(REFERENCE.to_string(), reference / ours);
            }
        }
    }
}

/// The target of a scale row: the round above 1,000 total.
pub fn targets_for(group: &str, param: &str) -> Vec<(&'static str, f64)> {
    if group == ROUND_GROUP && param != REFERENCE_PARAM {
        vec![(REFERENCE, ROUND_MIN_RATIO)]
    } else {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::{build_rows, render};

    fn m(group: &str, param: &str, ns: f64, throughput: Throughput) -> Measurement {
        Measurement {
            group: group.into(),
            function: "sansrtc".into(),
            param: param.into(),
            median_ns: ns,
            throughput,
        }
    }

    #[test]
    fn the_round_is_compared_with_the_round_at_1000() {
        let ms = vec![
            m("scale round", "1000", 1.0e6, Throughput::Elements(100)),
            m("scale round", "10000", 1.6e6, Throughput::Elements(100)),
            m("scale idle", "1000", 1.0e7, Throughput::Elements(1000)),
            m("scale idle", "10000", 1.0e8, Throughput::Elements(10000)),
            m("scale heap per connection", "1000", 40e3, Throughput::Heap),
            m("scale heap per connection", "10000", 40e3, Throughput::Heap),
            m("scale heap", "10000", 8e8, Throughput::HeapTotal),
        ];
        let rows = build_rows(&ms);
        let ratio = |g: &str, p: &str| {
            rows.iter()
                .find(|r| r.group == g && r.param == p)
                .and_then(|r| r.ratios.get(REFERENCE).copied())
        };
        assert_eq!(ratio("scale round", "10000"), Some(0.625));
        assert_eq!(ratio("scale round", "1000"), None);
        // Ten times the connections, ten times the time: the same per
        // connection-second.
        assert_eq!(ratio("scale idle", "10000"), Some(1.0));
        assert_eq!(ratio("scale heap per connection", "10000"), Some(1.0));
        assert_eq!(ratio("scale heap", "10000"), None);
        let round = rows
            .iter()
            .find(|r| r.group == "scale round" && r.param == "10000")
            .unwrap();
        assert_eq!(round.missed(), vec![(REFERENCE, ROUND_MIN_RATIO, 0.625)]);
        let text = render(&rows);
        assert!(text.contains("vs 1000-total"), "{text}");
        assert!(text.contains("MISSED: 1000-total 0.62 < 0.667"), "{text}");
        assert!(text.contains("762.9 MiB"), "{text}");
    }

    #[test]
    fn only_the_round_above_1000_has_a_target() {
        assert_eq!(
            targets_for("scale round", "10000"),
            vec![(REFERENCE, ROUND_MIN_RATIO)]
        );
        assert!(targets_for("scale round", "1000").is_empty());
        assert!(targets_for("scale idle", "10000").is_empty());
    }
}
