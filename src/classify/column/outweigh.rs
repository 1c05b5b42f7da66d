//! Which findings of one value count for the column: a weak shape inside a finding of
//! another type that the column name hints is the same text read another way.

use crate::detect::{Engine, Finding};

/// Whether finding `f` is the same text as a finding of another type that the column name
/// hints, read another way: it lies inside that finding and has no evidence of its own
/// beyond a shape (no name hint, no context word, no checksum). A strong name hint for
/// one type outweighs a weak pattern of another: a `phone` column of `88.60.15.31` holds
/// phones, not IP addresses; a `user_agent` column's version numbers are not IPs.
pub(super) fn outweighed(engine: &Engine, f: &Finding, findings: &[Finding]) -> bool {
    let ev = &f.evidence;
    if ev.name_hint
        || ev.context_word.is_some()
        || ev
            .validator
            .is_some_and(|v| v.strength() == crate::validate::Strength::Checksum)
    {
        return false;
    }
    let own = engine.detector(f.detector).type_idx;
    findings.iter().any(|h| {
        h.evidence.name_hint
            && engine.detector(h.detector).type_idx != own
            && h.start <= f.start
            && f.end <= h.end
    })
}
