//! Negation and concession scopes. Factory notes are mostly negated defects ("未发现异常",
//! "试运行无报警") and reviews often concede before they judge ("虽然包装简单，但是质量过硬"):
//! a bag of n-grams sees "异常" and "简单" either way. Marking the tokens inside a negation's
//! scope (the NOT_ tagging of Das & Chen 2001 and Pang et al. 2002) and the clause a contrast
//! concedes lets the model learn what negation and contrast do to the words they govern.
//!
//! Rules, over the tokens the segmenter yields (one per ideograph):
//! - a negation cue (不 没 无 未 非; "not", "no", "never", "without") opens a scope that runs to
//!   the next punctuation or contrast connective; a second cue inside it closes it, so double
//!   negation ("不是不能用", "没有不合格的") reads as plain. Optionally (`closing_cues_marked`) that
//!   second cue is marked negated too: otherwise "没有一件不合格" holds the n-gram "不合格" of
//!   every plain complaint. Cues that do not negate (非常, 不过, 不仅, 无论, 未来, …) are left
//!   alone.
//! - a contrast connective (但, 但是, 可是, 不过, 然而, 可惜, 只是, 却; "but", "however") concedes
//!   what came before it in the same sentence; 虽/尽管 without a connective concede their clause.
//!
//! A marked token's id is shifted by whole vocabularies (see [`marked_id`]), so the plain token is
//! always `id % vocabulary size` and models that do not use marks see the ids they always saw.

/// Which scopes a token lies in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scope {
    pub negated: bool,
    pub conceded: bool,
    /// The token is a negation cue itself.
    pub cue: bool,
}

impl Scope {
    fn code(self) -> i64 {
        i64::from(self.negated) | (i64::from(self.conceded) << 1) | (i64::from(self.cue) << 2)
    }
}

/// The id the network sees for vocabulary id `id` inside `scope`.
pub(super) fn marked_id(id: i64, scope: Scope, vocab_size: i64) -> i64 {
    id + scope.code() * vocab_size
}

/// The vocabulary id under the marks.
pub fn base_id(id: i64, vocab_size: i64) -> i64 {
    id.rem_euclid(vocab_size.max(1))
}

/// The marks carried by a (possibly marked) id.
pub fn scope_of(id: i64, vocab_size: i64) -> Scope {
    let code = id.div_euclid(vocab_size.max(1));
    Scope {
        negated: code & 1 == 1,
        conceded: code & 2 == 2,
        cue: code & 4 == 4,
    }
}

const NEGATION_CUES: [&str; 9] = [
    "不", "没", "无", "未", "非", "not", "no", "never", "without",
];

/// Cue + next token pairs where the cue does not negate what follows.
const NOT_NEGATING: [(&str, &str); 19] = [
    ("不", "仅"),
    ("不", "但"),
    ("不", "管"),
    ("不", "论"),
    ("不", "断"),
    ("不", "久"),
    ("不", "愧"),
    ("不", "禁"),
    ("没", "想"),
    ("无", "论"),
    ("无", "比"),
    ("无", "线"),
    ("无", "疑"),
    ("未", "来"),
    ("非", "常"),
    ("非", "凡"),
    ("非", "要"),
    ("no", "matter"),
    ("not", "only"),
];

/// Contrast connectives, as token sequences.
const CONNECTIVES: [&[&str]; 11] = [
    &["好", "在"],
    &["但", "是"],
    &["但"],
    &["可", "是"],
    &["不", "过"],
    &["然", "而"],
    &["可", "惜"],
    &["只", "是"],
    &["却"],
    &["but"],
    &["however"],
];

/// A token with no letter, digit or ideograph: punctuation (or an emoji) ends a clause.
fn is_boundary(token: &str) -> bool {
    !token.chars().any(char::is_alphanumeric)
}

fn ends_sentence(token: &str) -> bool {
    token
        .chars()
        .all(|c| matches!(c, '。' | '！' | '？' | '；' | '!' | '?' | ';' | '.'))
}

/// Length of the contrast connective starting at `i`, or 0.
fn connective_at(tokens: &[&str], i: usize) -> usize {
    // "不但" (not only) is no contrast, nor is the 却 of 冷却 (cooling), 忘却, 退却, 了却.
    let previous = i.checked_sub(1).map(|p| tokens[p]);
    if tokens[i] == "但" && previous == Some("不")
        || tokens[i] == "却" && matches!(previous, Some("冷" | "忘" | "退" | "了" | "推"))
    {
        return 0;
    }
    if let Some(c) = CONNECTIVES.iter().find(|c| tokens[i..].starts_with(c)) {
        return c.len();
    }
    // At the head of a clause, "就是" (…，就是有点贵) and a lone "可" (虽然…，可…) turn too.
    let clause_head = i > 0 && is_boundary(tokens[i - 1]);
    let next = tokens.get(i + 1).copied().unwrap_or("");
    match tokens[i] {
        "就" if clause_head && next == "是" => 2,
        "可" if clause_head && !matches!(next, "以" | "能" | "靠" | "爱" | "") => 1,
        _ => 0,
    }
}

/// Tokens that, after a negation cue, only say that something exists or happens ("没有出现",
/// "一处都没有"): the negation then governs what came before the cue in its clause.
const EXISTENTIAL: [&str; 15] = [
    "有", "了", "出", "现", "再", "过", "见", "发", "生", "存", "在", "到", "啦", "的", "呢",
];

fn is_negation_cue(tokens: &[&str], i: usize) -> bool {
    let token = tokens[i];
    if !NEGATION_CUES.contains(&token) {
        return false;
    }
    let next = tokens.get(i + 1).copied().unwrap_or("");
    if NOT_NEGATING.contains(&(token, next)) {
        return false;
    }
    // 除非 is "unless"; 不少 before a noun is "many" ("不少问题"), at the end of a clause
    // it is "none missing" ("零件一个不少").
    let after_next = tokens.get(i + 2).copied();
    !(token == "非" && i > 0 && tokens[i - 1] == "除"
        || token == "不" && next == "少" && after_next.is_some_and(|t| !is_boundary(t)))
}

/// Whether the cue at `i` ends its clause with nothing but existential words after it.
fn governs_backwards(tokens: &[&str], i: usize) -> bool {
    let rest = tokens[i + 1..]
        .iter()
        .take_while(|t| !is_boundary(t))
        .collect::<Vec<_>>();
    rest.iter().all(|t| EXISTENTIAL.contains(t))
        && (!rest.is_empty() || i > 0 && matches!(tokens[i - 1], "都" | "也" | ":"))
}

fn opens_concession(tokens: &[&str], i: usize) -> bool {
    tokens[i] == "虽" || tokens[i..].starts_with(&["尽", "管"]) || tokens[i] == "although"
}

/// The scope of each token. With `closing_cues_marked`, a cue that closes a negation (the
/// second of a double negation) is marked negated as well as a cue.
pub fn scopes(tokens: &[&str], closing_cues_marked: bool) -> Vec<Scope> {
    let mut out = vec![Scope::default(); tokens.len()];
    let mut negated = false;
    // Start of the stretch a connective would concede, and where an unanswered 虽 began.
    let mut stretch = 0;
    let mut although: Option<usize> = None;
    // Where the current clause and the one before it began.
    let mut clause = 0;
    let mut previous_clause = 0;
    let mut i = 0;
    while i < tokens.len() {
        let token = tokens[i];
        let connective = connective_at(tokens, i);
        if connective > 0 {
            out[stretch..i].iter_mut().for_each(|s| s.conceded = true);
            negated = false;
            although = None;
            i += connective;
            stretch = i;
            previous_clause = clause;
            clause = i;
            continue;
        }
        if is_boundary(token) {
            negated = false;
            if let Some(start) = although.take() {
                out[start..i].iter_mut().for_each(|s| s.conceded = true);
            }
            if ends_sentence(token) {
                stretch = i + 1;
            }
            previous_clause = clause;
            clause = i + 1;
        } else if is_negation_cue(tokens, i) {
            out[i].cue = true;
            out[i].negated = negated && closing_cues_marked;
            if !negated && governs_backwards(tokens, i) {
                out[clause..i].iter_mut().for_each(|s| s.negated = !s.cue);
            }
            // A form answered "无" (异响：无) negates the field it answers.
            if clause == i && i > 0 && tokens[i - 1] == ":" && governs_backwards(tokens, i) {
                out[previous_clause..i - 1]
                    .iter_mut()
                    .for_each(|s| s.negated = !s.cue);
            }
            negated = !negated;
        } else {
            if opens_concession(tokens, i) && although.is_none() {
                although = Some(i);
            }
            out[i].negated = negated;
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{normalize, segment};

    /// The text with negated tokens in [brackets] and conceded ones in {braces}.
    fn marked(text: &str) -> String {
        let normalized = normalize(text);
        let tokens: Vec<&str> = segment(&normalized).collect();
        tokens
            .iter()
            .zip(scopes(&tokens, false))
            .map(|(t, s)| match (s.negated, s.conceded) {
                (false, false) => t.to_string(),
                (true, false) => format!("[{t}]"),
                (false, true) => format!("{{{t}}}"),
                (true, true) => format!("{{[{t}]}}"),
            })
            .collect()
    }

    #[test]
    fn negation_runs_to_the_end_of_the_clause() {
        assert_eq!(marked("来料检验未见异常"), "来料检验未[见][异][常]");
        assert_eq!(marked("试运行无报警,一切正常"), "试运行无[报][警],一切正常");
        assert_eq!(marked("没有发现毛刺"), "没[有][发][现][毛][刺]");
        assert_eq!(marked("not bad at all"), "not[bad][at][all]");
    }

    #[test]
    fn a_clause_ending_in_an_existential_negation_is_negated_backwards() {
        assert_eq!(marked("毛刺一处都没有"), "[毛][刺][一][处][都]没[有]");
        assert_eq!(
            marked("巡检时,异响没有再出现"),
            "巡检时,[异][响]没[有][再][出][现]"
        );
        assert_eq!(marked("异响都没"), "[异][响][都]没");
        // An inspection form's field answered with a bare cue.
        assert_eq!(
            marked("外观:合格;电机异响:无"),
            "外观:合格;[电][机][异][响]:无"
        );
        assert_eq!(marked("异响:没有"), "[异][响]:没[有]");
        // A verb after the cue keeps the scope forward.
        assert_eq!(marked("客户没有投诉"), "客户没[有][投][诉]");
    }

    #[test]
    fn double_negation_closes_the_scope() {
        assert_eq!(marked("不是不能用"), "不[是]不能用");
        assert_eq!(marked("没有不合格的"), "没[有]不合格的");
    }

    #[test]
    fn the_closing_cue_is_marked_negated_only_when_asked() {
        let tokens = ["没", "有", "一", "件", "不", "合", "格"];
        for marked in [false, true] {
            let scope = scopes(&tokens, marked);
            assert!(scope[0].cue && !scope[0].negated);
            assert!(scope[4].cue);
            assert_eq!(scope[4].negated, marked);
            assert!(!scope[5].negated && !scope[6].negated);
        }
    }

    #[test]
    fn words_that_only_look_negative_are_left_alone() {
        assert_eq!(marked("非常好用"), "非常好用");
        assert_eq!(marked("无论如何"), "无论如何");
        assert_eq!(marked("不但便宜"), "不但便宜");
        assert_eq!(marked("存在不少问题"), "存在不少问题");
        assert_eq!(marked("零件一个不少"), "零件一个不[少]");
        assert_eq!(marked("除非返工"), "除非返工");
    }

    #[test]
    fn contrast_concedes_what_came_before_it() {
        assert_eq!(
            marked("虽然包装简单,但是零件一个不少"),
            "{虽}{然}{包}{装}{简}{单}{,}但是零件一个不[少]"
        );
        assert_eq!(
            marked("外观很漂亮,可惜不耐用。下次再买"),
            "{外}{观}{很}{漂}{亮}{,}可惜不[耐][用]。下次再买"
        );
        assert_eq!(
            marked("价格不贵,不过精度不够"),
            "{价}{格}{不}{[贵]}{,}不过精度不[够]"
        );
        assert_eq!(
            marked("虽然交期晚了,质量好"),
            "{虽}{然}{交}{期}{晚}{了},质量好"
        );
        assert_eq!(marked("样子旧,好在能用"), "{样}{子}{旧}{,}好在能用");
        assert_eq!(marked("人挺好,就是贵"), "{人}{挺}{好}{,}就是贵");
        assert_eq!(marked("虽然贵,可好用"), "{虽}{然}{贵}{,}可好用");
        // 可以 and 就是 inside a clause are no contrast.
        assert_eq!(marked("价格贵,可以接受"), "价格贵,可以接受");
        assert_eq!(marked("这就是好"), "这就是好");
        // 冷却 is "cooling": its 却 concedes nothing.
        assert_eq!(marked("冷却风扇风力足"), "冷却风扇风力足");
        assert_eq!(marked("外观旧,却很好用"), "{外}{观}{旧}{,}却很好用");
    }

    #[test]
    fn marked_ids_keep_the_plain_token_and_the_scope() {
        for code in 0..8 {
            let scope = Scope {
                negated: code & 1 == 1,
                conceded: code & 2 == 2,
                cue: code & 4 == 4,
            };
            let id = marked_id(7, scope, 50);
            assert_eq!(base_id(id, 50), 7);
            assert_eq!(scope_of(id, 50), scope);
        }
        assert_eq!(marked_id(7, Scope::default(), 50), 7);
    }
}
