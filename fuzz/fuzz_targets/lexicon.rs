//! The lexicon loader on arbitrary bytes: never a panic; an error names the
//! source and has a message; a lexicon that loads dumps to JSON that loads
//! again to the same document, and classifies.
#![no_main]

use classify_core::{Ad, Classifier, Lexicon};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let json = String::from_utf8_lossy(data);
    match Lexicon::from_json("fuzz.json", &json) {
        Err(e) => {
            assert_eq!(e.source_name(), "fuzz.json");
            assert!(!e.message().is_empty(), "{e:?}");
            assert!(e.to_string().starts_with("fuzz.json"), "{e}");
        }
        Ok(lexicon) => {
            let dumped = lexicon.to_json();
            let again = Lexicon::from_json("dump.json", &dumped)
                .unwrap_or_else(|e| panic!("the dump of a valid lexicon does not load: {e}"));
            assert_eq!(again.document(), lexicon.document());
            assert_eq!(again.entries().len(), lexicon.entries().len());
            let classifier = Classifier::with_lexicon(lexicon);
            let ad = Ad::new("Community Manager H/F", "Vous animez nos réseaux sociaux.");
            let v = classifier.classify(&ad);
            assert!(v.confidence.is_finite() && (0.0..=1.0).contains(&v.confidence));
        }
    }
});
