//! The ensemble (`Classifier`) that mixes the LSTM members (`lstm`) with the wide part (`wide`).

use tch::nn;
use tch::{Kind, Tensor};

use super::batch::{Batch, Network, PassTexts};
use super::config::{LstmPrecision, ModelConfig};
use super::lstm::Member;
use super::recurrence::Kernel;
use super::wide::{ServedWide, Wide};

/// The served model, an ensemble: a wide TF-IDF logistic regression and `members` LSTM
/// networks, each trained on its own. Its output is a mixture of log-probabilities,
/// `wide_weight · log p_wide + (1 − wide_weight) · mean_k log p_member_k`: the two kinds of model
/// make different mistakes (n-gram counts against word order), so together they beat either.
#[derive(Debug)]
pub struct Classifier {
    config: ModelConfig,
    wide: Option<Wide>,
    members: Vec<Member>,
    /// The wide part as plain numbers, for small passes (see [`Classifier::prepare_small_passes`]).
    served_wide: Option<ServedWide>,
}

/// Variable-name prefix of member `k` in the weights file.
pub fn member_path(k: i64) -> String {
    format!("member{k}")
}

impl Classifier {
    pub fn new(p: &nn::Path, config: &ModelConfig) -> Self {
        let wide = (config.ngram_vocab_size > 0).then(|| Wide::new(&(p / "wide"), config));
        let members = (0..config.members)
            .map(|k| Member::new(&(p / member_path(k)), config, wide.as_ref()))
            .collect();
        Self {
            config: config.clone(),
            wide,
            members,
            served_wide: None,
        }
    }

    pub fn wide(&self) -> Option<&Wide> {
        self.wide.as_ref()
    }

    pub fn set_wide_weight(&mut self, weight: f64) {
        self.config.wide_weight = weight;
    }

    /// Converts the members' LSTM weights to `precision` for serving, if this CPU computes it
    /// natively (see [`LstmPrecision::is_native`]); returns the precision that computes.
    /// Only for a loaded model: training's optimiser steps float32 weights.
    pub fn compute_lstm_in(
        &mut self,
        precision: LstmPrecision,
        var_store: &nn::VarStore,
    ) -> LstmPrecision {
        let precision = if precision.is_native() {
            precision
        } else {
            LstmPrecision::Float32
        };
        let kind = precision.kind();
        let variables = var_store.variables();
        for (k, member) in self.members.iter_mut().enumerate() {
            let prefix = format!("{}.lstm", member_path(k as i64));
            for (name, variable) in &variables {
                if name.starts_with(&prefix) {
                    let mut variable = variable.shallow_clone();
                    tch::no_grad(|| variable.set_data(&variable.to_kind(kind)));
                }
            }
            member.set_lstm_kind(kind);
        }
        self.config.lstm_precision = precision;
        precision
    }

    /// Small forward passes outside training are computed without tensors from the weights as
    /// they are now: the members' recurrence in textserve's own kernel (`recurrence`, on CPUs
    /// with AVX-512; see [`Member::compute_recurrence_with`]), the wide part, the output layers
    /// and the mixture in plain sums (`Network::served_probabilities`). For a model whose
    /// weights no longer change.
    pub fn prepare_small_passes(&mut self) {
        self.served_wide = self.wide.as_ref().and_then(Wide::served);
        // The plain-Rust kernel is no faster than libtorch's: on the AVX-512 Xeon it read one
        // text in 1.24 ms and four in 5.08 ms against libtorch's 1.23 and 2.0 (`textserve
        // bench --workers 1`, default model 3.2.1), and a CPU without AVX-512 leaves it less.
        if let kernel @ Kernel::Avx512 { .. } = Kernel::detect() {
            self.compute_recurrence_with(kernel);
        }
    }

    pub(super) fn compute_recurrence_with(&mut self, kernel: Kernel) {
        for member in &mut self.members {
            member.compute_recurrence_with(kernel);
        }
    }

    pub fn has_lstm(&self) -> bool {
        !self.members.is_empty()
    }

    /// Mean log-probabilities of the LSTM members alone.
    pub fn deep_log_probabilities(&self, batch: &Batch, train: bool) -> Tensor {
        let sum = self
            .members
            .iter()
            .map(|m| m.forward_t(batch, train).log_softmax(-1, Kind::Float))
            .reduce(|a, b| a + b)
            .expect("at least one member");
        sum / self.members.len() as f64
    }
}

impl Network for Classifier {
    fn config(&self) -> &ModelConfig {
        &self.config
    }

    /// Log-probabilities (valid logits: their softmax is the mixture's prediction).
    fn forward_t(&self, batch: &Batch, train: bool) -> Tensor {
        let w = self.config.wide_weight;
        match &self.wide {
            // A part with no weight in the mixture is not computed: the LSTM members cost
            // nearly all of a forward pass, and a weight of exactly 1 makes their share zero.
            Some(wide) if w == 1.0 || self.members.is_empty() => {
                wide.forward_t(batch, train).log_softmax(-1, Kind::Float)
            }
            Some(wide) if w > 0.0 => {
                wide.forward_t(batch, train).log_softmax(-1, Kind::Float) * w
                    + self.deep_log_probabilities(batch, train) * (1.0 - w)
            }
            _ => self.deep_log_probabilities(batch, train),
        }
    }

    /// [`Network::forward_t`]'s mixture in plain sums, but for the recurrence of passes of
    /// more than four texts, which libtorch computes (see [`Member::served_logits`]). As tensor
    /// operations the wide part, the evidence, the output layers and the mixture took about
    /// 130 µs of a lone text's 370.
    fn served_probabilities(&self, texts: &PassTexts) -> Option<Vec<Vec<f32>>> {
        let w = self.config.wide_weight;
        let labels = self.config.num_labels as usize;
        let wide_alone = self.wide.is_some() && (w == 1.0 || self.members.is_empty());
        let wide_weight = match &self.wide {
            Some(_) if wide_alone => 1.0,
            Some(_) if w > 0.0 => w as f32,
            _ => 0.0,
        };
        let wide = match (&self.wide, &self.served_wide) {
            (Some(_), Some(served)) => Some(served),
            (Some(_), None) => return None,
            (None, _) => None,
        };
        let readings: Vec<_> = wide
            .map(|wide| {
                texts
                    .ngrams
                    .iter()
                    .map(|ngrams| wide.read(ngrams))
                    .collect()
            })
            .unwrap_or_default();
        let mut mixture = vec![0f32; texts.len() * labels];
        if let (Some(wide), true) = (wide, wide_weight > 0.0) {
            for (out, reading) in mixture.chunks_exact_mut(labels).zip(&readings) {
                for (out, p) in out.iter_mut().zip(log_softmax(&wide.logits(reading))) {
                    *out += wide_weight * p;
                }
            }
        }
        if !wide_alone {
            let evidence = match wide {
                Some(wide) if self.members.iter().any(Member::reads_evidence) => {
                    let per_text = texts.width * self.config.evidence_columns() as usize;
                    let mut evidence = vec![0f32; texts.len() * per_text];
                    let hashes = texts.width * 3;
                    for (text, reading) in readings.iter().enumerate() {
                        wide.add_evidence(
                            reading,
                            &texts.position_slots[text * hashes..(text + 1) * hashes],
                            if texts.asserted_hashes.is_empty() {
                                &[]
                            } else {
                                &texts.asserted_hashes[text * hashes..(text + 1) * hashes]
                            },
                            &mut evidence[text * per_text..(text + 1) * per_text],
                        );
                    }
                    Some(evidence)
                }
                _ => None,
            };
            let share = (1.0 - wide_weight) / self.members.len() as f32;
            for member in &self.members {
                let evidence = evidence.as_deref().filter(|_| member.reads_evidence());
                let logits = member.served_logits(texts, evidence)?;
                for (out, logits) in mixture
                    .chunks_exact_mut(labels)
                    .zip(logits.chunks_exact(labels))
                {
                    for (out, p) in out.iter_mut().zip(log_softmax(logits)) {
                        *out += share * p;
                    }
                }
            }
        }
        Some(mixture.chunks_exact(labels).map(softmax).collect())
    }
}

fn log_softmax(logits: &[f32]) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let log_sum = logits.iter().map(|x| (x - max).exp()).sum::<f32>().ln();
    logits.iter().map(|x| x - max - log_sum).collect()
}

fn softmax(logits: &[f32]) -> Vec<f32> {
    log_softmax(logits).into_iter().map(f32::exp).collect()
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::ngrams::{NgramVocabulary, ngram_bucket, ngram_hash};
    use super::*;
    use crate::model::{LstmPrecision, NetworkSettings};
    use tch::{Device, nn::VarStore};

    pub(crate) fn tiny_config(bidirectional: bool) -> ModelConfig {
        ModelConfig {
            vocab_size: 50,
            num_labels: 3,
            ngram_vocab_size: 40,
            members: 1,
            wide_weight: 0.5,
            scope_embedding: true,
            lstm_precision: Default::default(),
            network: NetworkSettings {
                embedding_dim: 8,
                bigram_buckets: 64,
                bigram_dim: 4,
                hidden_size: 6,
                num_layers: 2,
                bidirectional,
                dropout: 0.3,
                token_dropout: 0.1,
                ..NetworkSettings::default()
            },
        }
    }

    /// Gives the wide part the n-gram vocabulary of a small fixed corpus.
    fn fit_wide_vocabulary(model: &Classifier) {
        let corpus: Vec<i64> = (2..48).collect();
        let vocabulary = NgramVocabulary::fit([&corpus[..], &corpus[3..20]], 50, 1, 40);
        model.wide().unwrap().set_vocabulary(&vocabulary);
    }

    /// Log-probabilities of the wide part alone.
    fn wide_alone(model: &Classifier, batch: &Batch) -> Tensor {
        tch::no_grad(|| {
            model
                .wide()
                .unwrap()
                .forward_t(batch, false)
                .log_softmax(-1, Kind::Float)
        })
    }

    fn probabilities(model: &Classifier, sequences: &[&[i64]]) -> Tensor {
        tch::no_grad(|| {
            model
                .forward_t(&Batch::new(sequences, model.config()), false)
                .softmax(-1, Kind::Float)
        })
    }

    #[test]
    fn what_a_model_computes_follows_its_members_and_weight() {
        let mixed = tiny_config(true);
        assert_eq!(
            mixed.computes(),
            "LSTM and n-gram mixture: the LSTM's log-probabilities weigh 0.50, the n-gram part's 0.50"
        );
        let stored_only = ModelConfig {
            wide_weight: 1.0,
            ..tiny_config(true)
        };
        assert!(!stored_only.computes_lstm());
        assert!(stored_only.computes().contains("not computed"));
        let ngram_only = ModelConfig {
            members: 0,
            wide_weight: 1.0,
            ..tiny_config(true)
        };
        assert_eq!(ngram_only.computes(), "n-gram model, no LSTM");
        assert!(ngram_only.validate().is_ok());
        let lstm_only = ModelConfig {
            ngram_vocab_size: 0,
            ..tiny_config(true)
        };
        assert_eq!(lstm_only.computes(), "LSTM model, no n-gram part");
        let weighed_without_lstm = ModelConfig {
            members: 0,
            ..tiny_config(true)
        };
        assert_eq!(
            weighed_without_lstm.validate().unwrap_err().field,
            "wide_weight"
        );
        let nothing = ModelConfig {
            members: 0,
            ngram_vocab_size: 0,
            wide_weight: 1.0,
            ..tiny_config(true)
        };
        assert_eq!(nothing.validate().unwrap_err().field, "members");
    }

    #[test]
    fn an_ngram_model_has_no_lstm_variables_and_answers_as_its_wide_part() {
        let config = ModelConfig {
            members: 0,
            wide_weight: 1.0,
            ..tiny_config(true)
        };
        let vs = VarStore::new(Device::Cpu);
        let model = Classifier::new(&vs.root(), &config);
        assert!(!model.has_lstm());
        assert!(vs.variables().keys().all(|name| name.starts_with("wide.")));
        fit_wide_vocabulary(&model);
        let batch = Batch::new(&[&[4, 5, 6]], &config);
        let wide = wide_alone(&model, &batch);
        assert!(tch::no_grad(|| model.forward_t(&batch, false)).allclose(&wide, 1e-6, 1e-6, false));
    }

    #[test]
    fn padding_does_not_change_predictions() {
        for (bidirectional, members, wide_evidence) in [
            (false, 1, false),
            (true, 1, false),
            (true, 2, false),
            (true, 1, true),
        ] {
            tch::manual_seed(3);
            let vs = VarStore::new(Device::Cpu);
            let config = ModelConfig {
                members,
                network: NetworkSettings {
                    wide_evidence,
                    ..tiny_config(bidirectional).network
                },
                ..tiny_config(bidirectional)
            };
            let model = Classifier::new(&vs.root(), &config);
            // The wide part starts at zero; give it a vocabulary and weights so its padding is
            // exercised too.
            fit_wide_vocabulary(&model);
            for (name, mut variable) in vs.variables() {
                if name.starts_with("wide.weights") || name.starts_with("wide.bias") {
                    tch::no_grad(|| variable.copy_(&(variable.rand_like() + 0.5)));
                }
            }
            let short: &[i64] = &[5, 9, 2];
            let long: Vec<i64> = (0..200).map(|i| 2 + i % 47).collect();
            let medium: Vec<i64> = (0..37).map(|i| 3 + i % 40).collect();
            let alone = probabilities(&model, &[short]);
            let batched = probabilities(&model, &[&long, short, &medium]);
            let diff = (alone.get(0) - batched.get(1))
                .abs()
                .max()
                .double_value(&[]);
            assert!(diff < 1e-5, "bidirectional={bidirectional}: diff {diff}");
            let medium_alone = probabilities(&model, &[&medium]);
            let diff = (medium_alone.get(0) - batched.get(2))
                .abs()
                .max()
                .double_value(&[]);
            assert!(diff < 1e-5, "bidirectional={bidirectional}: diff {diff}");
        }
    }

    #[test]
    fn a_bfloat16_lstm_answers_as_float32_does_within_its_precision() {
        tch::manual_seed(8);
        let config = ModelConfig {
            wide_weight: 0.0,
            ..tiny_config(true)
        };
        let vs = VarStore::new(Device::Cpu);
        let mut model = Classifier::new(&vs.root(), &config);
        fit_wide_vocabulary(&model);
        let short: &[i64] = &[5, 9, 2];
        let long: Vec<i64> = (0..60).map(|i| 2 + i % 47).collect();
        let before = probabilities(&model, &[&long, short]);
        let computed = model.compute_lstm_in(LstmPrecision::Bfloat16, &vs);
        let after = probabilities(&model, &[&long, short]);
        let diff = (&before - &after).abs().max().double_value(&[]);
        if !LstmPrecision::Bfloat16.is_native() {
            // Without native kernels the model stays in float32 and says so.
            assert_eq!(computed, LstmPrecision::Float32);
            assert_eq!(model.config().lstm_precision, LstmPrecision::Float32);
            assert_eq!(diff, 0.0);
            return;
        }
        assert_eq!(computed, LstmPrecision::Bfloat16);
        assert!(model.config().computes().contains("bfloat16"));
        assert!(diff > 0.0, "the LSTM still computed in float32");
        assert!(diff < 2e-2, "bfloat16 moved a probability by {diff}");
        let alone = probabilities(&model, &[short]);
        let padded = (alone.get(0) - after.get(1)).abs().max().double_value(&[]);
        assert!(padded < 1e-3, "padding moved a bfloat16 answer by {padded}");
    }

    /// What an LSTM member reads of the wide part.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Evidence {
        None,
        Own,
        WithAsserted,
    }

    /// One layer (what `prepare_small_passes` computes) with hidden 40, so the gates end in
    /// a partial block.
    fn served_config(bidirectional: bool, evidence: Evidence, members: i64) -> ModelConfig {
        let config = tiny_config(bidirectional);
        ModelConfig {
            members,
            network: NetworkSettings {
                num_layers: 1,
                hidden_size: 40,
                wide_evidence: evidence != Evidence::None,
                asserted_evidence: evidence == Evidence::WithAsserted,
                ..config.network
            },
            ..config
        }
    }

    /// A model whose zero-initialised parts (the wide part, the scope vectors) hold values too,
    /// so that every input the kernel folds changes the answer.
    fn randomised(config: &ModelConfig, seed: i64) -> (VarStore, Classifier) {
        tch::manual_seed(seed);
        let vs = VarStore::new(Device::Cpu);
        let model = Classifier::new(&vs.root(), config);
        fit_wide_vocabulary(&model);
        for (name, mut variable) in vs.variables() {
            let zero_initialised = name.starts_with("wide.") || name.contains("scope_embedding");
            if zero_initialised && variable.kind() == Kind::Float {
                tch::no_grad(|| variable.copy_(&(variable.rand_like() - 0.5)));
            }
        }
        (vs, model)
    }

    /// Passes of one to four texts: long, short, with scope marks (cue, negated, conceded).
    fn small_passes() -> Vec<Vec<Vec<i64>>> {
        let vocab = 50;
        let long: Vec<i64> = (0..200).map(|i| 2 + i % 47).collect();
        let marked = vec![4 + 4 * vocab, 5 + vocab, 6 + 3 * vocab, 7, 8 + 2 * vocab];
        let medium: Vec<i64> = (0..37).map(|i| 3 + (i * 7) % 40).collect();
        let short = vec![5, 9, 2];
        vec![
            vec![short.clone()],
            vec![marked.clone()],
            vec![long.clone(), short.clone()],
            vec![medium.clone(), marked.clone(), vec![11]],
            vec![short, long, marked, medium],
        ]
    }

    /// Passes of more texts than the recurrence here computes, of mixed lengths: padded to
    /// rounder shapes for libtorch (5 and 9 texts), and kept at their width (33).
    fn larger_passes() -> Vec<Vec<Vec<i64>>> {
        let mut nine = small_passes().concat();
        nine.truncate(9);
        let mut five = small_passes().pop().unwrap();
        five.push(vec![12, 30, 7, 7]);
        let mut thirty_three: Vec<Vec<i64>> = (0..3)
            .flat_map(|_| small_passes().concat())
            .take(33)
            .collect();
        thirty_three[32].push(6);
        vec![five, nine, thirty_three]
    }

    /// The plain-Rust kernel, and the AVX-512 one where the CPU has it.
    fn kernels() -> Vec<Kernel> {
        let mut kernels = vec![Kernel::Portable];
        kernels.extend(Some(Kernel::detect()).filter(|k| *k != Kernel::Portable));
        kernels
    }

    fn as_slices(pass: &[Vec<i64>]) -> Vec<&[i64]> {
        pass.iter().map(|t| t.as_slice()).collect()
    }

    fn largest_difference(a: &Tensor, b: &Tensor) -> f64 {
        (a - b).abs().max().double_value(&[])
    }

    #[test]
    fn small_passes_computed_here_answer_as_libtorch_does() {
        for (bidirectional, evidence, members) in [
            (true, Evidence::Own, 1),
            (true, Evidence::None, 2),
            (false, Evidence::Own, 1),
            (true, Evidence::WithAsserted, 1),
        ] {
            let config = served_config(bidirectional, evidence, members);
            let (_vs, mut model) = randomised(&config, 11);
            let by_libtorch: Vec<Tensor> = small_passes()
                .iter()
                .map(|pass| probabilities(&model, &as_slices(pass)))
                .collect();
            for kernel in kernels() {
                model.compute_recurrence_with(kernel);
                for (pass, expected) in small_passes().iter().zip(&by_libtorch) {
                    let here = probabilities(&model, &as_slices(pass));
                    let diff = largest_difference(&here, expected);
                    assert!(
                        diff < 1e-5,
                        "{kernel:?}, bidirectional {bidirectional}, evidence {evidence:?}, \
                         {members} member(s), {} text(s): {diff}",
                        pass.len()
                    );
                }
            }
        }
    }

    /// The largest difference between a pass's probabilities in plain sums and through the
    /// tensors.
    fn sums_against_tensors(model: &Classifier, pass: &[Vec<i64>]) -> f64 {
        let expected = probabilities(model, &as_slices(pass));
        let texts = PassTexts::new(&as_slices(pass), model.config());
        let here = model
            .served_probabilities(&texts)
            .expect("computed in plain sums");
        let here = Tensor::from_slice(&here.concat()).view(expected.size().as_slice());
        largest_difference(&here, &expected)
    }

    /// A pass in plain sums (with libtorch's LSTM for more than four texts) answers as its
    /// tensors do: at every mixture weight, with and without the evidence, with one or two
    /// members or none, for each kernel.
    #[test]
    fn passes_in_plain_sums_answer_as_the_tensors_do() {
        for (bidirectional, evidence, members) in [
            (true, Evidence::Own, 1),
            (true, Evidence::None, 2),
            (false, Evidence::Own, 1),
            (true, Evidence::Own, 0),
            (false, Evidence::WithAsserted, 1),
        ] {
            let config = served_config(bidirectional, evidence, members);
            let (_vs, mut model) = randomised(&config, 14);
            model.served_wide = model.wide.as_ref().and_then(Wide::served);
            for kernel in kernels() {
                model.compute_recurrence_with(kernel);
                for weight in [0.0, 0.3, 1.0] {
                    model.set_wide_weight(weight);
                    for pass in small_passes().into_iter().chain(larger_passes()) {
                        let diff = sums_against_tensors(&model, &pass);
                        assert!(
                            diff < 1e-5,
                            "{kernel:?}, bidirectional {bidirectional}, evidence {evidence:?}, \
                             {members} member(s), weight {weight}, {} text(s): {diff}",
                            pass.len()
                        );
                    }
                }
            }
        }
        // The way the shipped default runs: its LSTM in bfloat16, where the CPU has the kernel.
        let config = served_config(true, Evidence::Own, 1);
        let (vs, mut model) = randomised(&config, 16);
        if model.compute_lstm_in(LstmPrecision::Bfloat16, &vs) == LstmPrecision::Bfloat16 {
            model.prepare_small_passes();
            model.set_wide_weight(0.3);
            for pass in small_passes().into_iter().chain(larger_passes()) {
                let diff = sums_against_tensors(&model, &pass);
                assert!(diff < 1e-5, "bfloat16, {} text(s): {diff}", pass.len());
            }
        }
        // Negation transfer's turned-around n-grams are computed by the tensors alone.
        let config = ModelConfig {
            network: NetworkSettings {
                negation_transfer: 2,
                ..served_config(true, Evidence::None, 1).network
            },
            ..served_config(true, Evidence::None, 1)
        };
        let (_vs, mut model) = randomised(&config, 15);
        model.prepare_small_passes();
        let texts = PassTexts::new(&[&[5, 9, 2]], model.config());
        assert!(model.served_probabilities(&texts).is_none());
    }

    #[test]
    fn passes_of_more_than_four_texts_stay_with_libtorch() {
        let (vs, mut model) = randomised(&served_config(true, Evidence::Own, 1), 12);
        model.compute_recurrence_with(Kernel::Portable);
        // The kernel copied the weights when it was set up: NaN put into libtorch's own LSTM
        // variables afterwards shows which of the two computed a pass.
        for (name, mut variable) in vs.variables() {
            if name.contains(".lstm0_") {
                tch::no_grad(|| {
                    let _ = variable.fill_(f64::NAN);
                });
            }
        }
        let texts: Vec<Vec<i64>> = (0..5).map(|i| vec![3 + i, 9, 4 + 2 * i]).collect();
        let slices: Vec<&[i64]> = texts.iter().map(|t| t.as_slice()).collect();
        let four = probabilities(&model, &slices[..4]);
        assert!(bool::try_from(four.isfinite().all()).unwrap());
        let five = probabilities(&model, &slices);
        assert!(!bool::try_from(five.isfinite().any()).unwrap());
        // And so do they when the rest of the pass is computed in plain sums.
        model.served_wide = model.wide.as_ref().and_then(Wide::served);
        let served = |texts: &[&[i64]]| {
            model
                .served_probabilities(&PassTexts::new(texts, model.config()))
                .expect("computed in plain sums")
                .concat()
        };
        assert!(served(&slices[..4]).iter().all(|p| p.is_finite()));
        assert!(served(&slices).iter().all(|p| p.is_nan()));
    }

    #[test]
    fn a_bfloat16_lstm_computed_here_answers_within_its_precision() {
        let config = served_config(true, Evidence::Own, 1);
        let (vs, mut model) = randomised(&config, 13);
        let pass = small_passes().pop().unwrap();
        let slices: Vec<&[i64]> = pass.iter().map(|t| t.as_slice()).collect();
        let float32 = probabilities(&model, &slices);
        if model.compute_lstm_in(LstmPrecision::Bfloat16, &vs) != LstmPrecision::Bfloat16 {
            return; // no native bfloat16 here: the model stays in float32
        }
        let by_onednn = probabilities(&model, &slices);
        model.compute_recurrence_with(Kernel::detect());
        let here = probabilities(&model, &slices);
        assert!(
            largest_difference(&here, &float32) > 0.0,
            "weights were not rounded"
        );
        assert!(largest_difference(&here, &float32) < 2e-2);
        assert!(largest_difference(&here, &by_onednn) < 2e-2);
    }

    #[test]
    fn a_part_without_weight_is_skipped_without_changing_the_mixture() {
        tch::manual_seed(5);
        let vs = VarStore::new(Device::Cpu);
        let mut model = Classifier::new(&vs.root(), &tiny_config(true));
        fit_wide_vocabulary(&model);
        for (name, mut variable) in vs.variables() {
            if name.starts_with("wide.weights") {
                tch::no_grad(|| variable.copy_(&(variable.rand_like() - 0.5)));
            }
        }
        let batch = Batch::new(&[&[4, 5, 6, 7], &[9, 3]], &tiny_config(true));
        let mixed = |model: &mut Classifier, w: f64| {
            model.set_wide_weight(w);
            tch::no_grad(|| model.forward_t(&batch, false))
        };
        let wide = wide_alone(&model, &batch);
        let deep = tch::no_grad(|| model.deep_log_probabilities(&batch, false));
        assert!(mixed(&mut model, 1.0).allclose(&wide, 1e-6, 1e-6, false));
        assert!(mixed(&mut model, 0.0).allclose(&deep, 1e-6, 1e-6, false));
        let half = &wide * 0.5 + &deep * 0.5;
        assert!(mixed(&mut model, 0.5).allclose(&half, 1e-6, 1e-6, false));
    }

    #[test]
    fn a_part_without_weight_is_not_run_at_all() {
        // NaN weights make anything computed from them NaN, even times 0: a finite answer
        // shows the poisoned part never ran.
        let poisoned = |prefix: &str, weight: f64| {
            tch::manual_seed(6);
            let vs = VarStore::new(Device::Cpu);
            let mut model = Classifier::new(&vs.root(), &tiny_config(true));
            fit_wide_vocabulary(&model);
            for (name, mut variable) in vs.variables() {
                if name.starts_with(prefix) {
                    tch::no_grad(|| {
                        let _ = variable.fill_(f64::NAN);
                    });
                }
            }
            model.set_wide_weight(weight);
            let batch = Batch::new(&[&[4, 5, 6, 7], &[9, 3]], &tiny_config(true));
            let out = tch::no_grad(|| model.forward_t(&batch, false));
            (out, weight)
        };
        for (prefix, skipped_at) in [("member", 1.0), ("wide.weights", 0.0)] {
            let (out, weight) = poisoned(prefix, skipped_at);
            assert!(
                bool::try_from(out.isfinite().all()).unwrap(),
                "{prefix} at wide weight {weight} was run"
            );
            // The same poison at a weight that needs the part does reach the answer.
            let (out, weight) = poisoned(prefix, 0.5);
            assert!(
                !bool::try_from(out.isfinite().all()).unwrap(),
                "{prefix} at wide weight {weight} was not run"
            );
        }
    }

    #[test]
    fn eval_mode_is_deterministic_and_train_mode_is_not() {
        tch::manual_seed(4);
        let vs = VarStore::new(Device::Cpu);
        let model = Classifier::new(&vs.root(), &tiny_config(true));
        let batch = Batch::new(&[&[4, 5, 6, 7, 8, 9]], &tiny_config(true));
        let a = model.forward_t(&batch, false);
        let b = model.forward_t(&batch, false);
        assert_eq!(a.size(), vec![1, 3]);
        assert!(a.equal(&b));
        let c = model.forward_t(&batch, true);
        assert!(!a.allclose(&c, 1e-6, 1e-6, false));
    }

    #[test]
    fn the_embeddings_read_plain_ids_and_the_scope_codes_go_along() {
        let vocab = 50;
        let config = tiny_config(false);
        // 4 a cue (code 4), 5 negated (code 1), 6 negated and conceded (code 3).
        let batch = Batch::new(&[&[4 + 4 * vocab, 5 + vocab, 6 + 3 * vocab]], &config);
        assert_eq!(
            Vec::<i64>::try_from(batch.ids.view([-1])).unwrap(),
            vec![4, 5, 6]
        );
        assert_eq!(
            Vec::<i64>::try_from(batch.scopes.view([-1])).unwrap(),
            vec![4, 1, 3]
        );
    }

    #[test]
    fn ngram_hashes_respect_order_and_buckets_stay_in_range() {
        for ids in [&[0, 0][..], &[1, -1], &[i64::MAX, 7], &[49], &[1, 2, 3]] {
            assert!(ngram_hash(ids) > 0);
            assert!((1..64).contains(&ngram_bucket(ids, 64)));
        }
        assert_ne!(ngram_hash(&[3, 4]), ngram_hash(&[4, 3]));
        assert_ne!(ngram_hash(&[3]), ngram_hash(&[3, 0]));
    }
}
