//! The media sections of the next offer, in order: what was negotiated
//! keeps its place (RFC 9429 §5.2.2), new transceivers follow in the order
//! they were added, and the data section comes last when it is new.

/// What one section of an offer carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SectionContent {
    /// A transceiver, by index.
    Transceiver(usize),
    /// The data channel section.
    Data,
}

/// One section of a planned offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PlannedSection {
    pub mid: String,
    pub content: SectionContent,
}

/// Sections that already have a place (`(index, mid, content)`), then the
/// new ones, which get the smallest unused numeric mids.
pub(crate) fn plan_sections(
    mut existing: Vec<(usize, String, SectionContent)>,
    new: impl IntoIterator<Item = SectionContent>,
) -> Vec<PlannedSection> {
    existing.sort_by_key(|(index, _, _)| *index);
    let mut out: Vec<PlannedSection> = existing
        .into_iter()
        .map(|(_, mid, content)| PlannedSection { mid, content })
        .collect();
    let mut next = 0u32;
    for content in new {
        while out.iter().any(|s| s.mid == next.to_string()) {
            next += 1;
        }
        out.push(PlannedSection {
            mid: next.to_string(),
            content,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use SectionContent::*;

    #[test]
    fn negotiated_sections_keep_their_place_and_new_ones_take_free_mids() {
        let plan = plan_sections(
            vec![(1, "0".into(), Data), (0, "audio".into(), Transceiver(0))],
            [Transceiver(1), Transceiver(2)],
        );
        let mids: Vec<&str> = plan.iter().map(|p| p.mid.as_str()).collect();
        assert_eq!(mids, ["audio", "0", "1", "2"]);
        assert_eq!(plan[0].content, Transceiver(0));
        assert_eq!(plan[3].content, Transceiver(2));
    }
}
