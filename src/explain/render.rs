//! Explanations for people at a terminal: the text with its words coloured by attribution.

use super::Attributed;

/// The text with each word marked: on a colour terminal its background shows the sign (blue
/// supports the explained label, orange speaks against it) and strength; otherwise the
/// attribution follows the word in brackets. Text between words is shown as typed.
pub fn highlighted_text(text: &str, words: &[Attributed], colour: bool) -> String {
    let chars: Vec<char> = text.chars().collect();
    let strongest = words
        .iter()
        .map(|w| w.attribution.abs())
        .fold(0.0f32, f32::max)
        .max(1e-9);
    let mut out = String::new();
    let mut position = 0;
    for word in words {
        out.extend(&chars[position.min(word.start)..word.start]);
        let piece: String = chars[word.start..word.end].iter().collect();
        if colour {
            let ((r, g, b), dark) = background(word.attribution / strongest);
            let foreground = if dark { "97" } else { "30" };
            out.push_str(&format!(
                "\x1b[48;2;{r};{g};{b}m\x1b[{foreground}m{piece}\x1b[0m"
            ));
        } else {
            out.push_str(&format!("{piece}[{:+.3}]", word.attribution));
        }
        position = word.end;
    }
    out.extend(&chars[position.min(chars.len())..]);
    out
}

/// A diverging blue–orange scale (distinguishable with the common colour-vision deficiencies)
/// from white at 0 to full colour at ±1; `true` when the background is dark enough to need
/// white text.
fn background(strength: f32) -> ((u8, u8, u8), bool) {
    let full = if strength >= 0.0 {
        (33.0, 102.0, 172.0)
    } else {
        (179.0, 88.0, 6.0)
    };
    let t = strength.abs().clamp(0.0, 1.0);
    let mix = |c: f32| (255.0 + (c - 255.0) * t).round() as u8;
    ((mix(full.0), mix(full.1), mix(full.2)), t > 0.55)
}

/// The words that mattered most, strongest first.
pub fn strongest_words(words: &[Attributed], count: usize) -> String {
    let mut order: Vec<&Attributed> = words.iter().collect();
    order.sort_by(|a, b| b.attribution.abs().total_cmp(&a.attribution.abs()));
    order
        .iter()
        .take(count)
        .map(|w| format!("  {:+.4}  {}\n", w.attribution, w.text))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str, start: usize, attribution: f32) -> Attributed {
        Attributed {
            text: text.into(),
            start,
            end: start + text.chars().count(),
            attribution,
        }
    }

    #[test]
    fn plain_output_keeps_the_text_and_shows_each_number() {
        let words = [word("未见", 0, 0.4), word("异常", 2, -0.1)];
        assert_eq!(
            highlighted_text("未见异常 ok", &words, false),
            "未见[+0.400]异常[-0.100] ok"
        );
    }

    #[test]
    fn colours_diverge_by_sign_and_keep_text_readable() {
        let words = [word("未见", 0, 0.4), word("异常", 2, -0.1)];
        let coloured = highlighted_text("未见异常", &words, true);
        assert!(
            coloured.contains("\x1b[48;2;33;102;172m\x1b[97m未见"),
            "{coloured:?}"
        );
        assert!(
            coloured.contains("\x1b[30m异常"),
            "a light background keeps dark text"
        );
        assert_eq!(background(0.0).0, (255, 255, 255));
    }
}
