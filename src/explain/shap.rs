//! Kernel SHAP (Lundberg & Lee 2017) over the tokens of one text: Shapley values estimated by a
//! weighted linear regression over coalitions of tokens, with efficiency imposed exactly (the
//! values add up to f(text) − f(empty)) by eliminating the last token's value.

use crate::data::SplitMix64;

/// The coalitions to evaluate and their regression weights. With few enough tokens every
/// coalition fits the budget and the result is the exact Shapley value; otherwise `samples`
/// coalitions are drawn with sizes distributed as the Shapley kernel weights them, each with its
/// complement (paired sampling halves the variance, as the shap library does).
pub(super) fn coalitions(
    tokens: usize,
    samples: usize,
    rng: &mut SplitMix64,
) -> (Vec<Vec<bool>>, Vec<f64>) {
    if tokens <= 1 {
        return (Vec::new(), Vec::new());
    }
    let m = tokens;
    if m < 31 && (1usize << m) - 2 <= samples {
        let masks = 1..(1usize << m) - 1;
        let coalitions: Vec<Vec<bool>> = masks
            .map(|mask| (0..m).map(|i| mask >> i & 1 == 1).collect())
            .collect();
        let weights = coalitions
            .iter()
            .map(|c| kernel_weight(m, c.iter().filter(|&&kept| kept).count()))
            .collect();
        return (coalitions, weights);
    }
    // Size s is drawn with probability ∝ (m − 1) / (s (m − s)); within a size every coalition
    // is equally likely, so each coalition is drawn in proportion to its kernel weight and the
    // regression weights are all 1.
    let size_weights: Vec<f64> = (1..m).map(|s| 1.0 / (s * (m - s)) as f64).collect();
    let total: f64 = size_weights.iter().sum();
    let mut coalitions = Vec::with_capacity(samples);
    let mut order: Vec<usize> = (0..m).collect();
    while coalitions.len() < samples {
        let mut draw = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * total;
        let mut size = m - 1;
        for (s, w) in size_weights.iter().enumerate() {
            if draw < *w {
                size = s + 1;
                break;
            }
            draw -= w;
        }
        // A partial Fisher–Yates shuffle picks `size` distinct tokens.
        for i in 0..size {
            let j = i + rng.below(m - i);
            order.swap(i, j);
        }
        let mut coalition = vec![false; m];
        for &i in &order[..size] {
            coalition[i] = true;
        }
        let complement: Vec<bool> = coalition.iter().map(|&kept| !kept).collect();
        coalitions.push(coalition);
        if coalitions.len() < samples {
            coalitions.push(complement);
        }
    }
    let weights = vec![1.0; coalitions.len()];
    (coalitions, weights)
}

/// The Shapley kernel's weight of one coalition of `size` out of `m` tokens.
fn kernel_weight(m: usize, size: usize) -> f64 {
    (m - 1) as f64 / (binomial(m, size) * (size * (m - size)) as f64)
}

fn binomial(n: usize, k: usize) -> f64 {
    (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
}

/// Solves the constrained weighted least squares: `values[k]` is f of `coalitions[k]`, `full`
/// and `empty` are f of every and of no token.
pub(super) fn solve(
    tokens: usize,
    coalitions: &[Vec<bool>],
    weights: &[f64],
    values: &[f64],
    full: f64,
    empty: f64,
) -> Vec<f64> {
    let delta = full - empty;
    match tokens {
        0 => return Vec::new(),
        1 => return vec![delta],
        _ => {}
    }
    // φ_last = Δ − Σ_{j<last} φ_j, so each coalition z gives the row x_j = z_j − z_last with
    // target f(z) − f(∅) − z_last Δ.
    let d = tokens - 1;
    let mut a = vec![0.0; d * d];
    let mut b = vec![0.0; d];
    let mut x = vec![0.0; d];
    for ((z, &w), &v) in coalitions.iter().zip(weights).zip(values) {
        let last = f64::from(u8::from(z[d]));
        for j in 0..d {
            x[j] = f64::from(u8::from(z[j])) - last;
        }
        let y = v - empty - last * delta;
        for i in 0..d {
            if x[i] == 0.0 {
                continue;
            }
            b[i] += w * x[i] * y;
            for j in 0..d {
                a[i * d + j] += w * x[i] * x[j];
            }
        }
    }
    // A ridge far below any real weight keeps the system solvable when there are fewer
    // coalitions than tokens. It penalises every token's value, the eliminated last one too
    // (λ(Δ − Σφ_j)² adds λ to every entry of A and λΔ to b): penalising only the others would
    // leave whatever the coalitions do not determine to the last token, which is most often
    // the closing punctuation.
    let trace: f64 = (0..d).map(|i| a[i * d + i]).sum();
    let ridge = 1e-9 * (trace / d as f64).max(1e-12);
    for i in 0..d {
        a[i * d + i] += ridge;
        b[i] += ridge * delta;
        for j in 0..d {
            a[i * d + j] += ridge;
        }
    }
    let mut phi = cholesky_solve(&mut a, &b, d);
    let rest: f64 = phi.iter().sum();
    phi.push(delta - rest);
    phi
}

/// Solves A x = b for a symmetric positive definite A (overwritten by its factor).
fn cholesky_solve(a: &mut [f64], b: &[f64], d: usize) -> Vec<f64> {
    for j in 0..d {
        let mut diagonal = a[j * d + j];
        for k in 0..j {
            diagonal -= a[j * d + k] * a[j * d + k];
        }
        let diagonal = diagonal.max(1e-300).sqrt();
        a[j * d + j] = diagonal;
        for i in j + 1..d {
            let mut value = a[i * d + j];
            for k in 0..j {
                value -= a[i * d + k] * a[j * d + k];
            }
            a[i * d + j] = value / diagonal;
        }
    }
    let mut y = vec![0.0; d];
    for i in 0..d {
        let mut value = b[i];
        for k in 0..i {
            value -= a[i * d + k] * y[k];
        }
        y[i] = value / a[i * d + i];
    }
    let mut x = vec![0.0; d];
    for i in (0..d).rev() {
        let mut value = y[i];
        for k in i + 1..d {
            value -= a[k * d + i] * x[k];
        }
        x[i] = value / a[i * d + i];
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Shapley values by their definition, over every ordering's marginal contributions.
    fn exact_shapley(m: usize, f: &dyn Fn(&[bool]) -> f64) -> Vec<f64> {
        let factorial = |n: usize| (1..=n).product::<usize>() as f64;
        (0..m)
            .map(|i| {
                let mut value = 0.0;
                for mask in 0..(1usize << m) {
                    if mask >> i & 1 == 1 {
                        continue;
                    }
                    let without: Vec<bool> = (0..m).map(|j| mask >> j & 1 == 1).collect();
                    let mut with = without.clone();
                    with[i] = true;
                    let s = without.iter().filter(|&&k| k).count();
                    let weight = factorial(s) * factorial(m - s - 1) / factorial(m);
                    value += weight * (f(&with) - f(&without));
                }
                value
            })
            .collect()
    }

    fn game(z: &[bool]) -> f64 {
        // Interactions and a non-linearity, so only a correct Shapley computation matches.
        let on = |i: usize| f64::from(u8::from(z[i]));
        (0.2 * on(0) + 0.5 * on(1) * on(2) - 0.3 * on(3) + 0.1 * on(4) * on(0)).tanh()
    }

    fn kernel_shap(m: usize, samples: usize, seed: u64) -> Vec<f64> {
        let (coalitions, weights) = coalitions(m, samples, &mut SplitMix64::new(seed));
        let values: Vec<f64> = coalitions.iter().map(|c| game(c)).collect();
        solve(
            m,
            &coalitions,
            &weights,
            &values,
            game(&vec![true; m]),
            game(&vec![false; m]),
        )
    }

    #[test]
    fn a_budget_covering_every_coalition_gives_the_exact_shapley_values() {
        let m = 5;
        let (coalitions, _) = coalitions(m, 30, &mut SplitMix64::new(0));
        assert_eq!(coalitions.len(), 30, "all 2^5 − 2 proper coalitions");
        let exact = exact_shapley(m, &game);
        for (a, b) in kernel_shap(m, 30, 0).iter().zip(&exact) {
            assert!((a - b).abs() < 1e-9, "{a} vs {b}");
        }
    }

    #[test]
    fn sampled_estimates_keep_efficiency_and_approach_the_exact_values() {
        let m = 5;
        let exact = exact_shapley(m, &game);
        let estimate = kernel_shap(m, 24, 7);
        let total: f64 = estimate.iter().sum();
        let delta = game(&[true; 5]) - game(&[false; 5]);
        assert!((total - delta).abs() < 1e-12);
        let error: f64 = estimate
            .iter()
            .zip(&exact)
            .map(|(a, b)| (a - b).abs())
            .sum();
        assert!(error < 0.1, "{estimate:?} vs {exact:?}");
    }

    #[test]
    fn fewer_coalitions_than_tokens_still_solve_with_efficiency() {
        let m = 40;
        let (coalitions, weights) = coalitions(m, 8, &mut SplitMix64::new(1));
        assert_eq!(coalitions.len(), 8);
        let values: Vec<f64> = coalitions
            .iter()
            .map(|c| c.iter().filter(|&&k| k).count() as f64 / m as f64)
            .collect();
        let phi = solve(m, &coalitions, &weights, &values, 1.0, 0.0);
        assert!(phi.iter().all(|v| v.is_finite()));
        assert!((phi.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    }

    #[test]
    fn what_few_coalitions_leave_open_is_not_pushed_onto_the_last_token() {
        // Every token adds 1/m: the equal split is consistent with any coalitions, and it is
        // the smallest one, so it is what an even-handed solution returns.
        let m = 40;
        let (coalitions, weights) = coalitions(m, 8, &mut SplitMix64::new(4));
        let values: Vec<f64> = coalitions
            .iter()
            .map(|c| c.iter().filter(|&&k| k).count() as f64 / m as f64)
            .collect();
        let phi = solve(m, &coalitions, &weights, &values, 1.0, 0.0);
        for (i, v) in phi.iter().enumerate() {
            assert!((v - 1.0 / m as f64).abs() < 1e-4, "token {i}: {v}");
        }
    }

    #[test]
    fn sampled_coalitions_come_in_complementary_pairs_and_are_never_empty_or_full() {
        let (coalitions, _) = coalitions(12, 100, &mut SplitMix64::new(2));
        assert_eq!(coalitions.len(), 100);
        for pair in coalitions.chunks(2) {
            assert!(pair[0].iter().zip(&pair[1]).all(|(a, b)| a != b));
        }
        for c in &coalitions {
            let kept = c.iter().filter(|&&k| k).count();
            assert!((1..12).contains(&kept));
        }
    }
}
