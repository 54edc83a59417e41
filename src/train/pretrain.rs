//! Language-model pretraining of an LSTM member: before it sees a label, its embedding and first
//! layer learn to predict each training text's next token (forward direction) and previous token
//! (backward direction). With ~14k labelled reviews the classifier alone overfits within a few
//! epochs; reading the same texts for their own sake first gives it word-order features that
//! labels are too few to teach (Dai & Le, "Semi-supervised Sequence Learning", 2015).
//!
//! Only training texts are read, never the validation or test labels; the validation texts'
//! language-model loss picks the epoch that is kept.

use std::time::Instant;

use tch::nn::{self, Module, OptimizerConfig, VarStore};
use tch::{Device, Kind, Tensor};

use super::{Labelled, Progress, Schedule, Sets, TrainConfig, epoch_batches, restore, snapshot};
use crate::data;
use crate::model::artifact::EpochRecord;
use crate::model::{Batch, Member, Network};

/// Token ids that no position predicts (padding and each text's last token).
const IGNORED: i64 = -100;

/// One output layer per reading direction, mapping an LSTM state to next-token logits. They live
/// in their own var store: they are scaffolding and are not saved with the model.
struct Heads {
    var_store: VarStore,
    layers: Vec<nn::Linear>,
}

impl Heads {
    fn new(member: &Member) -> Self {
        let config = member.config();
        let var_store = VarStore::new(Device::Cpu);
        let directions = if config.network.bidirectional { 2 } else { 1 };
        let layers = (0..directions)
            .map(|d| {
                nn::linear(
                    var_store.root() / format!("direction{d}"),
                    config.network.hidden_size,
                    config.vocab_size,
                    Default::default(),
                )
            })
            .collect();
        Self { var_store, layers }
    }

    /// Mean next-token cross-entropy over every predicting position of every direction, and
    /// the number of those positions predicted correctly.
    fn loss(&self, member: &Member, sequences: &[&[i64]], train: bool) -> (Tensor, i64, i64) {
        let batch = Batch::new(sequences, member.config());
        let states = member.reading_states(&batch, train);
        let mut losses = Vec::with_capacity(states.len());
        let (mut correct, mut positions) = (0, 0);
        for (direction, (state, head)) in states.iter().zip(&self.layers).enumerate() {
            let targets = next_token_targets(sequences, direction == 1, member.config().vocab_size);
            let logits = head.forward(state).view([-1, member.config().vocab_size]);
            let targets = targets.view([-1]);
            let predicting = targets.ne(IGNORED);
            positions += i64::try_from(predicting.sum(Kind::Int64)).unwrap_or(0);
            correct += i64::try_from(
                logits
                    .argmax(-1, false)
                    .eq_tensor(&targets)
                    .logical_and(&predicting)
                    .sum(Kind::Int64),
            )
            .unwrap_or(0);
            losses.push(logits.cross_entropy_loss::<Tensor>(
                &targets,
                None,
                tch::Reduction::Mean,
                IGNORED,
                0.0,
            ));
        }
        let loss = Tensor::stack(&losses, 0).mean(Kind::Float);
        (loss, correct, positions)
    }
}

/// `[batch, width]` targets: at each position the token that follows in the reading order
/// (the text reversed within its length when `reversed`), [`IGNORED`] where none follows.
/// Targets are plain tokens: scope marks are not something to predict.
fn next_token_targets(sequences: &[&[i64]], reversed: bool, vocab_size: i64) -> Tensor {
    let width = sequences.iter().map(|s| s.len()).max().unwrap_or(1).max(1);
    let mut targets = vec![IGNORED; sequences.len() * width];
    for (row, seq) in sequences.iter().enumerate() {
        let read: Vec<i64> = if reversed {
            seq.iter().rev().copied().collect()
        } else {
            seq.to_vec()
        };
        for t in 0..read.len().saturating_sub(1) {
            targets[row * width + t] = crate::text::base_id(read[t + 1], vocab_size);
        }
    }
    Tensor::from_slice(&targets).view([sequences.len() as i64, width as i64])
}

/// Pretrains `member` (whose variables are in `var_store`) and leaves the epoch with the lowest
/// validation language-model loss in place. History records carry that loss and the
/// next-token accuracy.
pub(super) fn pretrain_member(
    member: &Member,
    var_store: &VarStore,
    index: usize,
    seed: u64,
    config: &TrainConfig,
    sets: Sets<'_>,
    history: &mut Vec<EpochRecord>,
) -> anyhow::Result<()> {
    let epochs = config.pretrain_epochs;
    let heads = Heads::new(member);
    let steps_per_epoch = sets.train.len().div_ceil(config.batch_size);
    let schedule = Schedule::new(config.learning_rate, steps_per_epoch * epochs);
    let mut optimizers = [
        nn::adamw(0.9, 0.999, config.weight_decay).build(var_store, config.learning_rate)?,
        nn::adamw(0.9, 0.999, config.weight_decay).build(&heads.var_store, config.learning_rate)?,
    ];
    let name = format!("pretrain {index}");
    let mut rng = data::SplitMix64::new(seed);
    let mut best: Option<(f64, Vec<(String, Tensor)>)> = None;
    let mut step = 0;
    for epoch in 1..=epochs {
        let started = Instant::now();
        let progress = Progress::new(name.clone(), epoch, epochs, steps_per_epoch);
        let (mut loss_sum, mut seen) = (0.0, 0usize);
        for indices in epoch_batches(sets.train, config.batch_size, &mut rng) {
            for optimizer in &mut optimizers {
                optimizer.set_lr(schedule.at(step));
                optimizer.zero_grad();
            }
            step += 1;
            let sequences = texts(sets.train, &indices);
            let (loss, _, _) = heads.loss(member, &sequences, true);
            loss.backward();
            for optimizer in &mut optimizers {
                optimizer.clip_grad_norm(config.clip_norm);
                optimizer.step();
            }
            loss_sum += loss.double_value(&[]) * sequences.len() as f64;
            seen += sequences.len();
            progress.step(loss_sum / seen as f64);
        }
        let (validation_loss, validation_accuracy) = validate(&heads, member, sets.validation);
        progress.finish(
            loss_sum / seen.max(1) as f64,
            (validation_loss, validation_accuracy),
            started,
            history,
        );
        if best
            .as_ref()
            .is_none_or(|(loss, _)| validation_loss < *loss)
        {
            best = Some((validation_loss, snapshot(var_store)));
        }
    }
    if let Some((_, weights)) = best {
        restore(var_store, &weights);
    }
    Ok(())
}

fn texts<'a>(set: &'a [Labelled], indices: &[usize]) -> Vec<&'a [i64]> {
    indices.iter().map(|&i| set[i].0.ids.as_slice()).collect()
}

/// Validation language-model loss (weighted by positions) and next-token accuracy.
fn validate(heads: &Heads, member: &Member, set: &[Labelled]) -> (f64, f64) {
    tch::no_grad(|| {
        let (mut loss_sum, mut correct, mut positions) = (0.0, 0i64, 0i64);
        let indices: Vec<usize> = (0..set.len()).collect();
        for chunk in indices.chunks(256) {
            let (loss, right, counted) = heads.loss(member, &texts(set, chunk), false);
            loss_sum += loss.double_value(&[]) * counted as f64;
            correct += right;
            positions += counted;
        }
        let n = positions.max(1) as f64;
        (loss_sum / n, correct as f64 / n)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_the_next_token_in_reading_order_and_ignore_the_rest() {
        let sequences: Vec<&[i64]> = vec![&[5, 6, 7], &[8]];
        let forward: Vec<i64> =
            Vec::try_from(next_token_targets(&sequences, false, 1000).view([-1]))
                .expect("int64 tensor");
        assert_eq!(forward, vec![6, 7, IGNORED, IGNORED, IGNORED, IGNORED]);
        let backward: Vec<i64> =
            Vec::try_from(next_token_targets(&sequences, true, 1000).view([-1]))
                .expect("int64 tensor");
        assert_eq!(backward, vec![6, 5, IGNORED, IGNORED, IGNORED, IGNORED]);
    }
}
