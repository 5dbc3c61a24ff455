//! End-to-end behaviour of the pipeline on short ads, one named case per
//! rule of `ROLES.md` or hazard of French text.

use classify_core::{Ad, Classifier, Evidence, EvidenceKind, Label, Section, Verdict};

fn classify(title: &str, text: &str) -> Verdict {
    Classifier::new().classify(&Ad::new(title, text))
}

fn find<'v>(verdict: &'v Verdict, entry: &str) -> &'v Evidence {
    verdict
        .evidence
        .iter()
        .find(|e| e.entry == entry)
        .unwrap_or_else(|| panic!("no evidence {entry:?} in {:#?}", verdict.evidence))
}

fn snippet<'a>(ad_title: &'a str, ad_text: &'a str, e: &Evidence) -> &'a str {
    match e.section {
        Section::Title => &ad_title[e.span.clone()],
        Section::Body => &ad_text[e.span.clone()],
    }
}

#[test]
fn negated_missions_count_against() {
    let text = "Vous animez la communauté. Sans gestion du budget, vous n’encadrerez pas d’équipe.";
    let v = classify("", text);
    let budget = find(&v, "gestion du budget");
    assert!(budget.negated && budget.contribution < 0.0, "{budget:?}");
    let team = find(&v, "encadrer");
    assert!(team.negated && team.contribution < 0.0, "{team:?}");
    assert!(!find(&v, "animer la communauté").negated);
    let budget_family = v.families.iter().find(|f| f.family == "budget").unwrap();
    assert!(budget_family.raw < 0.0 && budget_family.score == 0.0);
}

#[test]
fn sans_oublier_is_no_negation() {
    let v = classify(
        "",
        "Animer la communauté, sans oublier la modération des commentaires.",
    );
    assert!(!find(&v, "modérer").negated);
}

#[test]
fn ne_que_means_only() {
    for text in [
        "Vous ne modérerez que les commentaires.",
        "Vous n’aurez qu’à modérer les commentaires.",
        "Vous ne ferez que modérer les commentaires.",
    ] {
        let v = classify("", text);
        let e = find(&v, "modérer");
        assert!(!e.negated && e.contribution > 0.0, "{text}: {e:?}");
    }
    // With `pas`, `jamais` or `aucun` before the `que`, `ne` negates.
    for text in [
        "Vous ne modérerez pas les commentaires que les clients laissent.",
        "Vous ne modérerez jamais les commentaires que laissent les fans.",
    ] {
        let v = classify("", text);
        let e = find(&v, "modérer");
        assert!(e.negated && e.contribution < 0.0, "{text}: {e:?}");
    }
    // A `que` right after `ne`, or beyond its scope, or in another unit,
    // restricts nothing.
    let v = classify("", "Vous ne modérerez pas. Que les fans commentent.");
    assert!(find(&v, "modérer").negated);
}

#[test]
fn a_brand_born_in_lyon_is_not_negated() {
    // `née` stems like the particle `ne`; it must not negate what follows.
    let v = classify(
        "",
        "Notre marque, née à Lyon, recrute : vous modérerez les commentaires.",
    );
    assert!(
        v.evidence.iter().all(|e| e.entry != "ne"),
        "{:#?}",
        v.evidence
    );
    let e = find(&v, "modérer");
    assert!(!e.negated && e.contribution > 0.0, "{e:?}");
}

#[test]
fn applying_someone_elses_strategy_is_execution() {
    let text = "Vous appliquez la stratégie social media définie par notre responsable.";
    let v = classify("", text);
    let s = find(&v, "stratégie social media");
    assert!(s.deferred && !s.negated, "{s:?}");
    let strategy = v.families.iter().find(|f| f.family == "strategy").unwrap();
    assert_eq!(strategy.raw, 0.0);
    let owned = classify("", "Vous définissez la stratégie social media.");
    let s2 = find(&owned, "stratégie social media");
    assert!(
        !s2.deferred && s2.contribution > s.weight,
        "ownership weighs more: {s2:?}"
    );
}

#[test]
fn publication_and_publicite_go_to_different_families() {
    let v = classify("", "Programmer les publications. Publicité en ligne.");
    assert_eq!(find(&v, "programmer les publications").family, "content");
    assert_eq!(find(&v, "publicité en ligne").family, "paid");
}

#[test]
fn the_title_weighs_more_than_the_body() {
    let in_title = classify("Modération des commentaires", "Poste basé à Lyon.");
    let in_body = classify("Poste basé à Lyon", "Modération des commentaires.");
    let t = find(&in_title, "modérer");
    let b = find(&in_body, "modérer");
    assert_eq!(t.section, Section::Title);
    assert!(t.contribution > b.contribution, "{t:?} vs {b:?}");
}

#[test]
fn feminine_and_inclusive_titles_are_recognised() {
    for title in [
        "Community Manageuse",
        "Community manager (H/F)",
        "Un·e community manager",
        "COMMUNITY MANAGER F/H/X",
    ] {
        let v = classify(title, "");
        let e = find(&v, "community manager");
        assert_eq!(e.kind, EvidenceKind::Title, "{title}");
        assert_eq!(e.family, "CM", "{title}");
    }
    let v = classify("Chargé·e de communication", "");
    assert_eq!(find(&v, "chargé de communication").family, "NONE");
}

#[test]
fn missing_accents_and_html_still_match_and_spans_point_into_the_original() {
    let text = "<ul><li>Mod&eacute;rer les commentaires</li><li>moderer les avis</li><li>strategie social media</li></ul>";
    let v = classify("", text);
    let hits: Vec<&str> = v.evidence.iter().map(|e| snippet("", text, e)).collect();
    assert!(hits.contains(&"Mod&eacute;rer"), "{hits:?}");
    assert!(hits.contains(&"moderer"), "{hits:?}");
    assert!(hits.contains(&"strategie social media"), "{hits:?}");
}

#[test]
fn elision_is_split_and_spans_start_after_it() {
    let text = "L’animation de la communauté et l'e-réputation";
    let v = classify("", text);
    assert_eq!(
        snippet("", text, find(&v, "animer la communauté")),
        "animation de la communauté"
    );
    assert_eq!(snippet("", text, find(&v, "e-réputation")), "e-réputation");
}

#[test]
fn clear_ads_get_their_label_and_rome_codes() {
    let cases = [
        (
            "cm",
            "Community manager (H/F)",
            "Vous animez et fédérez la communauté sur Instagram et TikTok, modérez les commentaires, \
             répondez aux messages privés, rédigez et programmez les publications, organisez des jeux-concours.",
            Label::Cm,
            &["E1101"][..],
        ),
        (
            "smm",
            "Social Media Manager",
            "Vous définissez la stratégie social media, pilotez le budget des campagnes Facebook Ads et \
             LinkedIn Ads, suivez le ROI et la conversion, et encadrez une équipe de community managers.",
            Label::Smm,
            &["E1124"][..],
        ),
        (
            "strategist",
            "Social media strategist – agence",
            "Pour les clients de l’agence : audits de présence, benchmark des concurrents, définition des \
             objectifs et des KPI, charte éditoriale, veille quotidienne et recommandations. Pas d’animation \
             au quotidien, pas de gestion de budget.",
            Label::Strategist,
            &["M1702"][..],
        ),
        (
            "none",
            "Vendeur / vendeuse en boulangerie",
            "Accueil des clients, mise en place de la vitrine, encaissement. Suivez-nous sur Instagram !",
            Label::None,
            &[][..],
        ),
    ];
    let mut failures = Vec::new();
    for (name, title, text, label, rome) in cases {
        let v = classify(title, text);
        if v.label != label || v.rome != rome {
            failures.push(format!("{name}: got {} {:?}", v.label, v.rome));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn scores_are_independent_and_in_range() {
    let v = classify(
        "Chargé(e) de communication digitale et réseaux sociaux",
        "Seul(e) en charge des réseaux sociaux de notre PME, vous définissez la stratégie social media \
         et l’animez au quotidien : rédaction des publications, modération, réponses aux commentaires. \
         Vous gérez aussi le site web, la newsletter, le référencement, les prestataires et l’e-réputation.",
    );
    assert_eq!(v.label, Label::Hybrid);
    assert_eq!(v.scores.len(), 5);
    for s in &v.scores {
        assert!((0.0..=1.0).contains(&s.score), "{s:?}");
    }
    // Not a distribution: the social-media labels together exceed one.
    let social: f64 = v
        .scores
        .iter()
        .filter(|s| s.label != Label::None)
        .map(|s| s.score)
        .sum();
    assert!(social > 1.0, "{:?}", v.scores);
    assert!((0.0..=1.0).contains(&v.confidence));
}

#[test]
fn empty_and_junk_ads_are_none_without_evidence() {
    for (title, text) in [
        ("", ""),
        ("   ", "\n\n\t"),
        ("", "<br><br>&nbsp;"),
        ("", "💯🔥✅ ---- ***"),
    ] {
        let v = classify(title, text);
        assert_eq!(v.label, Label::None, "{text:?}");
        assert!(v.evidence.is_empty(), "{text:?}");
        assert!((0.0..=1.0).contains(&v.confidence));
    }
}

#[test]
fn the_classifier_is_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Classifier>();
    let classifier = std::sync::Arc::new(Classifier::new());
    let ad = Ad::new(
        "Community manager",
        "Animer la communauté, modérer les commentaires.",
    );
    let expected = classifier.classify(&ad);
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let c = classifier.clone();
            std::thread::spawn(move || {
                c.classify(&Ad::new(
                    "Community manager",
                    "Animer la communauté, modérer les commentaires.",
                ))
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), expected);
    }
}

#[test]
fn verdicts_serialize_with_every_field() {
    let v = classify("Community manager", "Animer la communauté.");
    let json = serde_json::to_value(&v).unwrap();
    for field in [
        "label",
        "confidence",
        "rome",
        "scores",
        "social",
        "families",
        "features",
        "evidence",
    ] {
        assert!(json.get(field).is_some(), "{field} missing in {json}");
    }
    assert_eq!(json["label"], "CM");
    let e = &json["evidence"][0];
    for field in [
        "entry", "kind", "family", "weight", "negated", "section", "span",
    ] {
        assert!(e.get(field).is_some(), "evidence.{field} missing in {e}");
    }
    let back: Verdict = serde_json::from_value(json).unwrap();
    assert_eq!(back, v);
}

#[test]
fn megabytes_of_hostile_text_do_not_break_it() {
    let big = 1 << 20;
    let cases: Vec<(&str, String)> = vec![
        ("apostrophes", "’".repeat(big / 3)),
        ("middle dots", "·".repeat(big / 2)),
        (
            "inclusive endings",
            format!("chargé{}", "·e".repeat(big / 3)),
        ),
        ("stacked accents", format!("e{}", "\u{301}".repeat(big / 2))),
        ("one long word", "a".repeat(big)),
        ("open tags", "<".repeat(big)),
        ("open comments", "<!--".repeat(big / 4)),
        ("ampersands", "&".repeat(big)),
        ("gender markers", "h/f/".repeat(big / 4)),
        ("negations", "sans ".repeat(big / 5)),
        ("one entry repeated", "modérer ".repeat(big / 8)),
        ("nul bytes", "\0".repeat(big)),
        ("replacement characters", "\u{FFFD}".repeat(big / 3)),
    ];
    let classifier = Classifier::new();
    for (name, text) in cases {
        let v = classifier.classify(&Ad::from_text(&text));
        assert!((0.0..=1.0).contains(&v.confidence), "{name}");
        for e in &v.evidence {
            assert!(
                text.get(e.span.clone()).is_some(),
                "{name}: span {:?}",
                e.span
            );
        }
    }
}

/// Every evidence item leads back to its lexicon entry by index: the same
/// term, kind, family name and weight.
#[test]
fn evidence_indexes_name_their_lexicon_entries() {
    let classifier = Classifier::new();
    let lexicon = classifier.lexicon();
    let v = classifier.classify(&Ad::new(
        "Community Manager H/F",
        "Vous animez nos réseaux sociaux, modérez les commentaires, pilotez le budget \
         média et appliquez la stratégie définie par l'agence. Pas de management.",
    ));
    let kinds: Vec<EvidenceKind> = v.evidence.iter().map(|e| e.kind).collect();
    for kind in [
        EvidenceKind::Title,
        EvidenceKind::Mission,
        EvidenceKind::Cue,
    ] {
        assert!(kinds.contains(&kind), "no {kind:?} in {:#?}", v.evidence);
    }
    for e in &v.evidence {
        let entry = &lexicon.entries()[e.index];
        assert_eq!(entry.term, e.entry);
        assert_eq!(EvidenceKind::of(&entry.kind), e.kind);
        assert_eq!(lexicon.evidence_family(entry), e.family);
        assert_eq!(entry.weight, e.weight);
    }
}
