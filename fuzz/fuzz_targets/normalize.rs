//! The normalizer and its offset map: every word's span lies inside the
//! input, on `char` boundaries, in increasing order; units are numbered
//! without gaps; `normalize_text` is idempotent.
#![no_main]

use classify_core::normalize::{normalize, normalize_text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text: &str = &text;
    let n = normalize(text);
    let mut last_end = 0;
    let mut last_unit = 0;
    for (i, w) in n.words().iter().enumerate() {
        assert!(w.span.start < w.span.end, "empty span {w:?}");
        assert!(w.span.end <= text.len(), "span past the end {w:?}");
        assert!(
            text.is_char_boundary(w.span.start) && text.is_char_boundary(w.span.end),
            "span off a char boundary {w:?}"
        );
        assert!(w.span.start >= last_end, "spans overlap or go back {w:?}");
        assert!(w.norm.start < w.norm.end && w.norm.end <= n.buffer().len());
        let form = n.text(w);
        assert!(
            !form.chars().any(char::is_whitespace),
            "a normalized word holds a space: {form:?}"
        );
        if i > 0 {
            assert!(
                w.unit == last_unit || w.unit == last_unit + 1,
                "unit gap {w:?}"
            );
        } else {
            assert_eq!(w.unit, 0);
        }
        last_end = w.span.end;
        last_unit = w.unit;
    }
    let expected_units = n.words().last().map_or(0, |w| w.unit + 1);
    assert_eq!(n.units(), expected_units);
    let once = normalize_text(text);
    let twice = normalize_text(&once);
    assert_eq!(twice, once, "normalize_text is not idempotent on {text:?}");
});
