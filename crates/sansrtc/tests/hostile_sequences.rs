//! The fuzz driver (tests/common/hostile.rs) over seeded random sequences,
//! so that CI runs what `cargo fuzz run connected_pair` explores further.

mod common;

#[test]
fn seeded_hostile_sequences_never_panic() {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut total = 0;
    for _ in 0..40 {
        let data: Vec<u8> = (0..600)
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                (state >> 33) as u8
            })
            .collect();
        total += common::hostile::run(&data);
    }
    eprintln!("{total} operations");
    assert!(total >= 200, "{total}");
}
