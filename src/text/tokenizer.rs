//! Normalisation, segmentation (one token per ideograph, Latin words whole), optional folding
//! of traditional characters and degree adverbs, scope marks, and the spans that map tokens back
//! to the characters a client sent.

use std::ops::Range;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

use super::vocab::{UNK_ID, Vocabulary};

/// How text becomes tokens: `train` flags (`--max-length`, `--scope-marks`, …) and the record
/// `model.json` keeps next to the vocabulary, from this one declaration. The flags' defaults are
/// what new models use; the serde defaults are how models trained before an option existed
/// read text (the option off).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, clap::Args, utoipa::ToSchema)]
pub struct TokenizerConfig {
    /// Tokens beyond this many are dropped; bounds compute per text.
    #[arg(long, default_value_t = 256)]
    pub max_length: usize,
    /// Tokens rarer than this in the training split map to `<unk>`.
    #[arg(long, default_value_t = 2)]
    pub min_frequency: usize,
    /// Vocabulary size cap, including `<pad>` and `<unk>`.
    #[arg(long, default_value_t = 20_000)]
    pub max_vocab_size: usize,
    /// Mark the tokens inside a negation's scope (未发现**异常**) and the conceded clause of a
    /// contrast (**虽然包装简单**，但是…), as the NOT_ tagging of Das & Chen (2001) and Pang et
    /// al. (2002) does, so the model can tell "异常" from "未发现异常".
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    #[serde(default)]
    pub scope_marks: bool,
    /// Read traditional characters as simplified ones (發現異常 = 发现异常), so a model trained
    /// on one script serves both.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    #[serde(default)]
    pub fold_traditional: bool,
    /// Read every degree adverb (很, 非常, 十分, 相当, 极其, …) as one token, `<deg>`: a review
    /// corpus ties each adverb to the polarity it happened to intensify most ("相当不错",
    /// "极其失望"), yet an adverb only intensifies.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    #[serde(default)]
    pub degree_adverbs: bool,
    /// With `degree_adverbs`, read the downtoners (有点, 有些, 稍微, 略微) as a token of their own,
    /// `<low>`, instead of `<deg>`: they soften what they qualify ("有点吵" is a mild
    /// complaint) where the intensifiers strengthen it, and one token for both cannot learn
    /// either. After 没 or 未 an 有 is the verb of 没有 / 未有, and starts no downtoner
    /// ("没有点蚀", no pitting).
    #[arg(long, default_value_t = false, action = clap::ArgAction::Set)]
    #[serde(default)]
    pub downtoners: bool,
    /// Under scope marks, mark the cue that closes a negation (the 不 of "没有一件不合格") as
    /// negated too, so a double negation's n-grams ("不合格") are not a plain complaint's.
    #[arg(long, default_value_t = false, action = clap::ArgAction::Set)]
    #[serde(default)]
    pub double_negation_marks: bool,
}

/// The token every degree adverb becomes under `degree_adverbs`.
pub const DEGREE_TOKEN: &str = "<deg>";

/// The token the downtoners become under `downtoners`.
pub const DOWNTONER_TOKEN: &str = "<low>";

/// The degree adverbs that soften rather than intensify.
const DOWNTONERS: [&[&str]; 4] = [&["有", "点"], &["有", "些"], &["稍", "微"], &["略", "微"]];

/// Chinese degree adverbs, a closed class. Left out: single characters that also start
/// ordinary words (超差, 更换, 最近, 真空, 电极), and 异常, which in factory notes is "abnormal"
/// far more often than "extremely".
const DEGREE_ADVERBS: [&[&str]; 25] = [
    &["非", "常"],
    &["特", "别"],
    &["十", "分"],
    &["相", "当"],
    &["极", "其"],
    &["极", "为"],
    &["极", "度"],
    &["格", "外"],
    &["尤", "其"],
    &["尤", "为"],
    &["更", "加"],
    &["越", "发"],
    &["比", "较"],
    &["较", "为"],
    &["有", "点"],
    &["有", "些"],
    &["稍", "微"],
    &["略", "微"],
    &["颇", "为"],
    &["超", "级"],
    &["实", "在"],
    &["很"],
    &["挺"],
    &["太"],
    &["蛮"],
];

impl Default for TokenizerConfig {
    fn default() -> Self {
        Self {
            max_length: 256,
            min_frequency: 2,
            max_vocab_size: 20_000,
            scope_marks: false,
            fold_traditional: false,
            degree_adverbs: false,
            downtoners: false,
            double_negation_marks: false,
        }
    }
}

/// A text as the network sees it: at least one id, at most `max_length`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    pub ids: Vec<i64>,
}

#[derive(Debug, Clone)]
pub struct Tokenizer {
    config: TokenizerConfig,
    vocab: Vocabulary,
}

/// NFKC folds full-width Latin and digits (common in Chinese input methods) onto ASCII, so
/// "ＣＮＣ" and "cnc" are one token. Control characters become spaces: they carry no meaning
/// and must not glue words together.
pub fn normalize(text: &str) -> String {
    text.nfkc()
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Chinese has no spaces, and UAX #29 alone would keep some runs of ideographs together, so each
/// ideograph (and kana) is a token of its own; Latin words and numbers stay whole, punctuation and
/// emoji are kept because they carry sentiment ("！！", "👍").
pub fn segment(normalized: &str) -> impl Iterator<Item = &str> {
    normalized
        .split_word_bounds()
        .filter(|segment| !segment.chars().all(char::is_whitespace))
        .flat_map(|segment| {
            let split_per_char = segment.chars().any(is_ideographic);
            let pieces: Box<dyn Iterator<Item = &str>> = if split_per_char {
                Box::new(
                    segment
                        .char_indices()
                        .map(move |(i, c)| &segment[i..i + c.len_utf8()])
                        .filter(|piece| !piece.chars().all(char::is_whitespace)),
                )
            } else {
                Box::new(std::iter::once(segment))
            };
            pieces
        })
}

fn is_ideographic(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // hiragana, katakana
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0x20000..=0x3134F) // CJK extensions B–G
}

impl TokenizerConfig {
    fn normalize(&self, text: &str) -> String {
        let normalized = normalize(text);
        if self.fold_traditional {
            fast2s::convert(&normalized)
        } else {
            normalized
        }
    }

    /// Segments, then folds degree adverbs when configured.
    fn segment<'a>(&self, normalized: &'a str) -> Vec<&'a str> {
        let pieces: Vec<&str> = segment(normalized).collect();
        self.fold(&pieces)
            .into_iter()
            .map(|(token, _)| token)
            .collect()
    }

    /// Each token with the range of segmenter pieces it stands for: one piece, or the several
    /// of a folded degree adverb.
    fn fold<'a>(&self, pieces: &[&'a str]) -> Vec<(&'a str, Range<usize>)> {
        if !self.degree_adverbs {
            return pieces
                .iter()
                .enumerate()
                .map(|(i, &p)| (p, i..i + 1))
                .collect();
        }
        let mut out = Vec::with_capacity(pieces.len());
        let mut i = 0;
        while i < pieces.len() {
            let downtoner = || {
                self.downtoners
                    .then(|| DOWNTONERS.iter().find(|a| pieces[i..].starts_with(a)))
                    .flatten()
                    .map(|a| (DOWNTONER_TOKEN, a))
            };
            let degree = || {
                DEGREE_ADVERBS
                    .iter()
                    .find(|a| pieces[i..].starts_with(a))
                    .map(|a| (DEGREE_TOKEN, a))
            };
            let verb_of_negation = self.downtoners
                && i > 0
                && matches!(pieces[i - 1], "没" | "未")
                && pieces[i] == "有";
            let folded = if verb_of_negation {
                None
            } else {
                downtoner().or_else(degree)
            };
            match folded {
                Some((token, adverb)) => {
                    out.push((token, i..i + adverb.len()));
                    i += adverb.len();
                }
                None => {
                    out.push((pieces[i], i..i + 1));
                    i += 1;
                }
            }
        }
        out
    }
}

/// A token the model sees and the characters of the original text it came from, as Unicode
/// code point offsets (`end` exclusive), so a client can highlight exactly what was typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSpan {
    pub token: String,
    pub start: usize,
    pub end: usize,
}

/// Normalizes like [`normalize`], and gives each character of the result the range of original
/// characters it came from. NFKC composes a character with the combining marks (and Hangul
/// jamo) that follow it, so the text is normalized in such clusters; should the clusters ever
/// normalize differently from the whole text, every character is given the whole text as its
/// origin — coarse, but the tokens stay exactly the model's.
fn normalize_with_origins(text: &str) -> (String, Vec<Range<usize>>) {
    let whole = normalize(text);
    let chars: Vec<char> = text.chars().collect();
    let mut joined = String::with_capacity(whole.len());
    let mut origins = Vec::with_capacity(chars.len());
    let mut start = 0;
    while start < chars.len() {
        let mut end = start + 1;
        while end < chars.len() && joins_previous(chars[end - 1], chars[end]) {
            end += 1;
        }
        let cluster: String = chars[start..end].iter().collect();
        for c in normalize(&cluster).chars() {
            joined.push(c);
            origins.push(start..end);
        }
        start = end;
    }
    if joined == whole {
        (joined, origins)
    } else {
        let count = whole.chars().count();
        (whole, vec![0..chars.len(); count])
    }
}

fn joins_previous(previous: char, c: char) -> bool {
    unicode_normalization::char::canonical_combining_class(c) != 0
        // Hangul medial vowels and final consonants compose with the jamo or syllable before.
        || matches!(c as u32, 0x1160..=0x11FF | 0xD7B0..=0xD7FF)
        // Some starters compose with the starter before them (Bengali ে + া = ো).
        || unicode_normalization::char::compose(previous, c).is_some()
}

impl Tokenizer {
    pub fn new(config: TokenizerConfig, vocab: Vocabulary) -> Self {
        Self { config, vocab }
    }

    /// Builds the vocabulary from training texts only (never validation or test).
    pub fn fit<'a>(texts: impl IntoIterator<Item = &'a str>, config: TokenizerConfig) -> Self {
        let normalized: Vec<String> = texts.into_iter().map(|t| config.normalize(t)).collect();
        let vocab = Vocabulary::build(
            normalized
                .iter()
                .flat_map(|t| config.segment(t).into_iter()),
            config.min_frequency,
            config.max_vocab_size,
        );
        Self { config, vocab }
    }

    pub fn config(&self) -> &TokenizerConfig {
        &self.config
    }

    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocab
    }

    /// The tokens the model sees for `text`, after truncation (an empty text yields none).
    pub fn tokens(&self, text: &str) -> Vec<String> {
        let normalized = self.config.normalize(text);
        let mut tokens = self.config.segment(&normalized);
        tokens.truncate(self.config.max_length);
        tokens.into_iter().map(str::to_string).collect()
    }

    pub fn encode(&self, text: &str) -> Encoded {
        let normalized = self.config.normalize(text);
        let mut tokens = self.config.segment(&normalized);
        tokens.truncate(self.config.max_length.max(1));
        Encoded {
            ids: self.encode_tokens(&tokens),
        }
    }

    /// The ids for a sequence of tokens as [`Tokenizer::spans`] yields them (scope marks are
    /// worked out over this sequence, so dropping a negation cue unmarks what it governed).
    /// Never empty: a text with no tokens still needs one step through the LSTM.
    pub fn encode_tokens(&self, tokens: &[&str]) -> Vec<i64> {
        let mut ids: Vec<i64> = tokens.iter().map(|token| self.vocab.id(token)).collect();
        if self.config.scope_marks {
            let vocab_size = self.vocab.len() as i64;
            for (id, scope) in ids.iter_mut().zip(super::scope::scopes(
                tokens,
                self.config.double_negation_marks,
            )) {
                *id = super::scope::marked_id(*id, scope, vocab_size);
            }
        }
        if ids.is_empty() {
            ids.push(UNK_ID);
        }
        ids
    }

    /// The tokens the model sees for `text` (after truncation) with the original characters
    /// each came from; `encode_tokens` of their `token`s is `encode(text)`.
    pub fn spans(&self, text: &str) -> Vec<TokenSpan> {
        let (normalized, origins) = normalize_with_origins(text);
        let (normalized, origins) = if self.config.fold_traditional {
            // fast2s maps character for character, so the origins carry over.
            let folded = fast2s::convert(&normalized);
            debug_assert_eq!(folded.chars().count(), origins.len());
            (folded, origins)
        } else {
            (normalized, origins)
        };
        let char_at_byte = {
            let mut map = vec![0; normalized.len() + 1];
            for (index, (byte, _)) in normalized.char_indices().enumerate() {
                map[byte] = index;
            }
            map
        };
        let base = normalized.as_ptr() as usize;
        let pieces: Vec<&str> = segment(&normalized).collect();
        let mut spans: Vec<TokenSpan> = self
            .config
            .fold(&pieces)
            .into_iter()
            .map(|(token, range)| {
                let first = pieces[range.start];
                let last = pieces[range.end - 1];
                let first_char = char_at_byte[first.as_ptr() as usize - base];
                let last_char =
                    char_at_byte[last.as_ptr() as usize - base] + last.chars().count() - 1;
                TokenSpan {
                    token: token.to_string(),
                    start: origins[first_char].start,
                    end: origins[last_char].end,
                }
            })
            .collect();
        spans.truncate(self.config.max_length.max(1));
        spans
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tokens(text: &str) -> Vec<String> {
        segment(&normalize(text)).map(str::to_string).collect()
    }

    #[test]
    fn splits_ideographs_and_keeps_latin_words_whole() {
        assert_eq!(
            tokens("3号线CNC主轴异响"),
            ["3", "号", "线", "cnc", "主", "轴", "异", "响"]
        );
        assert_eq!(
            tokens("Spindle NOISE, line 3!"),
            ["spindle", "noise", ",", "line", "3", "!"]
        );
    }

    #[test]
    fn folds_full_width_forms_and_drops_control_characters() {
        assert_eq!(tokens("ＣＮＣ１２"), ["cnc12"]);
        assert_eq!(tokens("a\u{0}b\r\nc"), ["a", "b", "c"]);
    }

    #[test]
    fn truncates_to_max_length_and_never_returns_empty() {
        let vocab = Vocabulary::build(["好", "差"], 1, 10);
        let config = TokenizerConfig {
            max_length: 3,
            ..TokenizerConfig::default()
        };
        let tokenizer = Tokenizer::new(config, vocab);
        assert_eq!(tokenizer.encode("好好好好差").ids.len(), 3);
        assert_eq!(tokenizer.encode("").ids, vec![UNK_ID]);
        assert_eq!(tokenizer.encode("  \t ").ids, vec![UNK_ID]);
        let good = tokenizer.vocabulary().id("好");
        assert_eq!(tokenizer.encode("好 未知").ids, vec![good, UNK_ID, UNK_ID]);
    }

    #[test]
    fn downtoners_fold_apart_from_intensifiers_when_configured() {
        let texts = ["声音有点大", "质量非常好", "稍微偏大"];
        let folded = |downtoners| {
            let config = TokenizerConfig {
                degree_adverbs: true,
                downtoners,
                min_frequency: 1,
                ..TokenizerConfig::default()
            };
            Tokenizer::fit(texts, config)
        };
        let apart = folded(true);
        assert_eq!(apart.tokens("有点吵"), [DOWNTONER_TOKEN, "吵"]);
        assert_eq!(apart.tokens("略微偏大"), [DOWNTONER_TOKEN, "偏", "大"]);
        assert_eq!(apart.tokens("很吵"), [DEGREE_TOKEN, "吵"]);
        assert_eq!(apart.encode("有些吵").ids, apart.encode("稍微吵").ids);
        assert_ne!(apart.encode("有点吵").ids, apart.encode("非常吵").ids);
        let spans = apart.spans("有点吵");
        assert_eq!(
            (spans[0].start, spans[0].end),
            (0, 2),
            "the token covers both characters"
        );
        // The 有 of 没有 / 未有 starts no downtoner.
        assert_eq!(apart.tokens("没有点蚀"), ["没", "有", "点", "蚀"]);
        assert_eq!(apart.tokens("未有些许"), ["未", "有", "些", "许"]);
        // Without the option they are degree adverbs like the rest, as models trained before it
        // read them.
        let together = folded(false);
        assert_eq!(together.tokens("有点吵"), [DEGREE_TOKEN, "吵"]);
        for downtoner in DOWNTONERS {
            assert!(
                DEGREE_ADVERBS.contains(&downtoner),
                "{downtoner:?} is a degree adverb"
            );
        }
    }

    #[test]
    fn traditional_characters_and_degree_adverbs_fold_when_configured() {
        let config = TokenizerConfig {
            fold_traditional: true,
            degree_adverbs: true,
            min_frequency: 1,
            ..TokenizerConfig::default()
        };
        let tokenizer = Tokenizer::fit(["发现异常", "质量非常好", "很差"], config.clone());
        assert_eq!(
            tokenizer.encode("發現異常").ids,
            tokenizer.encode("发现异常").ids
        );
        assert_eq!(
            tokenizer.tokens("质量十分好"),
            ["质", "量", DEGREE_TOKEN, "好"]
        );
        assert_eq!(
            tokenizer.encode("相当差").ids,
            tokenizer.encode("很差").ids,
            "every degree adverb is one token"
        );
        // 超差 (out of tolerance) is a defect, not a degree: single characters that start
        // ordinary words are not folded.
        assert_eq!(tokenizer.tokens("尺寸超差"), ["尺", "寸", "超", "差"]);
        assert_eq!(tokenizer.tokens("未见异常"), ["未", "见", "异", "常"]);
        let plain = Tokenizer::fit(
            ["发现异常"],
            TokenizerConfig {
                min_frequency: 1,
                ..TokenizerConfig::default()
            },
        );
        assert_ne!(plain.encode("發現").ids, plain.encode("发现").ids);
    }

    #[test]
    fn double_negation_marks_change_only_the_closing_cue() {
        let fit = |double_negation_marks| {
            Tokenizer::fit(
                ["没有一件不合格"],
                TokenizerConfig {
                    scope_marks: true,
                    double_negation_marks,
                    min_frequency: 1,
                    ..TokenizerConfig::default()
                },
            )
        };
        let (without, with) = (
            fit(false).encode("没有一件不合格").ids,
            fit(true).encode("没有一件不合格").ids,
        );
        let differing: Vec<usize> = (0..without.len())
            .filter(|&i| without[i] != with[i])
            .collect();
        assert_eq!(
            differing,
            [4],
            "only 不, the cue closing the negation, is marked differently"
        );
    }

    #[test]
    fn spans_point_at_the_original_characters_of_each_token() {
        let config = TokenizerConfig {
            fold_traditional: true,
            degree_adverbs: true,
            scope_marks: true,
            min_frequency: 1,
            ..TokenizerConfig::default()
        };
        let tokenizer = Tokenizer::fit(["发现异常", "质量非常好"], config);
        // Full-width letters fold into one token; 非常 folds into <deg>; traditional characters
        // fold; every span still points at what was typed.
        let text = "ＣＮＣ 質量非常好！";
        let spans = tokenizer.spans(text);
        let chars: Vec<char> = text.chars().collect();
        let shown: Vec<(String, String)> = spans
            .iter()
            .map(|s| (s.token.clone(), chars[s.start..s.end].iter().collect()))
            .collect();
        let expected = [
            ("cnc", "ＣＮＣ"),
            ("质", "質"),
            ("量", "量"),
            (DEGREE_TOKEN, "非常"),
            ("好", "好"),
            ("!", "！"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(shown, expected);
        let tokens: Vec<&str> = spans.iter().map(|s| s.token.as_str()).collect();
        assert_eq!(tokenizer.encode_tokens(&tokens), tokenizer.encode(text).ids);
        // A combining accent belongs to the letter it follows.
        let spans = tokenizer.spans("cafe\u{301} ok");
        assert_eq!((spans[0].start, spans[0].end), (0, 5));
        assert_eq!((spans[1].start, spans[1].end), (6, 8));
        // Two starters that compose stay one cluster; the rest keeps its own offsets.
        let spans = tokenizer.spans("\u{09C7}\u{09BE} 好");
        let last = spans.last().unwrap();
        assert_eq!((last.token.as_str(), last.start, last.end), ("好", 3, 4));
    }

    #[test]
    fn fit_is_deterministic() {
        let texts = ["质量很好", "质量太差了", "good quality", "很好很好"];
        let a = Tokenizer::fit(texts, TokenizerConfig::default());
        let b = Tokenizer::fit(texts, TokenizerConfig::default());
        assert_eq!(a.vocabulary().tokens(), b.vocabulary().tokens());
        assert!(a.vocabulary().tokens().contains(&"很".to_string()));
    }

    fn small_tokenizer() -> Tokenizer {
        Tokenizer::fit(
            ["质量很好 good", "太差了 bad 👍", "مرحبا עברית"],
            TokenizerConfig {
                max_length: 64,
                min_frequency: 1,
                max_vocab_size: 100,
                ..TokenizerConfig::default()
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn any_unicode_yields_valid_ids(text in "\\PC*|[\\u{0}-\\u{1f}\\u{200b}-\\u{200f}\\u{202e}\\u{0300}-\\u{036f}\\u{1F600}-\\u{1F64F}\\u{0590}-\\u{06ff}a-z 好差]{0,200}") {
            let tokenizer = small_tokenizer();
            let encoded = tokenizer.encode(&text);
            prop_assert!(!encoded.ids.is_empty());
            prop_assert!(encoded.ids.len() <= 64);
            let size = tokenizer.vocabulary().len() as i64;
            prop_assert!(encoded.ids.iter().all(|&id| (0..size).contains(&id)));
        }

        #[test]
        fn scope_marks_keep_ids_within_eight_vocabularies(text in "[未没无不非但虽，。好差异常a-z ]{0,80}") {
            let plain = small_tokenizer();
            let marked = Tokenizer::new(
                TokenizerConfig { scope_marks: true, ..plain.config().clone() },
                plain.vocabulary().clone(),
            );
            let size = plain.vocabulary().len() as i64;
            let (a, b) = (plain.encode(&text).ids, marked.encode(&text).ids);
            prop_assert_eq!(a.len(), b.len());
            for (p, m) in a.iter().zip(&b) {
                prop_assert!((0..8 * size).contains(m));
                prop_assert_eq!(*p, crate::text::base_id(*m, size));
            }
        }

        #[test]
        fn spans_are_the_encoded_tokens_in_order_within_the_text(text in "\\PC{0,60}|[\u{0300}-\u{036f}\u{1100}-\u{11ff}\u{ac00}-\u{ac10}ａ-ｚ很非常好差。 ]{0,60}") {
            let tokenizer = small_tokenizer();
            let spans = tokenizer.spans(&text);
            let tokens: Vec<&str> = spans.iter().map(|s| s.token.as_str()).collect();
            prop_assert_eq!(tokenizer.encode_tokens(&tokens), tokenizer.encode(&text).ids);
            let length = text.chars().count();
            let mut previous_start = 0;
            for span in &spans {
                prop_assert!(span.start < span.end && span.end <= length);
                prop_assert!(span.start >= previous_start);
                previous_start = span.start;
            }
        }

        #[test]
        fn arbitrary_chars_never_panic(chars in proptest::collection::vec(any::<char>(), 0..500)) {
            let text: String = chars.into_iter().collect();
            let encoded = small_tokenizer().encode(&text);
            prop_assert!(!encoded.ids.is_empty());
        }
    }

    #[test]
    fn megabyte_inputs_are_truncated() {
        let tokenizer = small_tokenizer();
        for text in [
            "好".repeat(400_000),
            "a".repeat(1 << 20),
            "👍🏽".repeat(150_000),
        ] {
            let encoded = tokenizer.encode(&text);
            assert!(!encoded.ids.is_empty() && encoded.ids.len() <= 64);
        }
    }
}
