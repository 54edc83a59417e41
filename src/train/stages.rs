//! One training stage — the wide part or an LSTM member — from batches to the weights kept:
//! the loop with early stopping and checkpoint averaging, the learning-rate schedule, progress.

use std::io::IsTerminal;
use std::time::Instant;

use tch::nn::{self, OptimizerConfig, VarStore};
use tch::{Kind, Tensor};

use super::TrainConfig;
use crate::data;
use crate::model::artifact::{EpochRecord, StageOutcome};
use crate::model::{Batch, Member, Network, Wide, argmax};
use crate::text::Encoded;

/// An encoded text and its label index.
pub(super) type Labelled = (Encoded, usize);

/// What one batch is trained towards.
struct Targets {
    /// `[batch]` label indices.
    labels: Tensor,
    /// `[batch]` loss weight of each example.
    weights: Tensor,
    /// `[batch, labels]` a teacher's probabilities, when the stage distils.
    soft: Option<Tensor>,
}

/// Training loss from logits and targets (penalties included).
type LossFn<'a> = Box<dyn Fn(&Tensor, &Targets) -> Tensor + 'a>;

/// Mean of per-example losses weighted by `weights`.
fn weighted_mean(losses: Tensor, weights: &Tensor) -> Tensor {
    (losses * weights).sum(Kind::Float) / weights.sum(Kind::Float)
}

/// One training stage: which network learns, with what optimizer and loss.
struct Stage<'a, N: Network> {
    name: String,
    network: &'a N,
    var_store: &'a VarStore,
    optimizer: nn::Optimizer,
    epochs: usize,
    /// Learning rate per step; None keeps the optimizer's.
    schedule: Option<Schedule>,
    clip_norm: Option<f64>,
    seed: u64,
    loss: LossFn<'a>,
}

/// Trains a stage with early stopping on validation accuracy (ties: lower validation loss) and
/// leaves the best weights in its var store: the best epoch's, or the average of the
/// `average_top` best epochs' when that validates at least as well.
fn fit<N: Network>(
    mut stage: Stage<'_, N>,
    config: &TrainConfig,
    sets: Sets<'_>,
    history: &mut Vec<EpochRecord>,
) -> StageOutcome {
    let (patience, average_top, batch_size) = (
        config.patience,
        config.average_checkpoints,
        config.batch_size,
    );
    let (train_set, validation_set) = (sets.train, sets.validation);
    let mut rng = data::SplitMix64::new(stage.seed);
    let steps_per_epoch = train_set.len().div_ceil(batch_size);
    let mut checkpoints: Vec<Checkpoint> = Vec::new();
    let mut step = 0;
    for epoch in 1..=stage.epochs {
        let epoch_started = Instant::now();
        let progress = Progress::new(stage.name.clone(), epoch, stage.epochs, steps_per_epoch);
        let mut loss_sum = 0.0;
        let mut seen = 0usize;
        for batch_indices in epoch_batches(train_set, batch_size, &mut rng) {
            if let Some(schedule) = &stage.schedule {
                stage.optimizer.set_lr(schedule.at(step));
            }
            step += 1;
            let sequences: Vec<&[i64]> = batch_indices
                .iter()
                .map(|&i| train_set[i].0.ids.as_slice())
                .collect();
            let targets: Vec<i64> = batch_indices
                .iter()
                .map(|&i| train_set[i].1 as i64)
                .collect();
            let weights: Vec<f32> = batch_indices.iter().map(|&i| sets.weights[i]).collect();
            let soft = sets.teacher.map(|teacher| {
                let rows: Vec<f32> = batch_indices
                    .iter()
                    .flat_map(|&i| teacher[i].iter().copied())
                    .collect();
                Tensor::from_slice(&rows).view([batch_indices.len() as i64, -1])
            });
            let mut batch = Batch::new(&sequences, stage.network.config());
            if let Some(evidence) = sets.evidence {
                let given: Vec<&Tensor> = batch_indices.iter().map(|&i| &evidence[i]).collect();
                batch = batch.with_position_evidence(&given);
            }
            let logits = stage.network.forward_t(&batch, true);
            let loss = (stage.loss)(
                &logits,
                &Targets {
                    labels: Tensor::from_slice(&targets),
                    weights: Tensor::from_slice(&weights),
                    soft,
                },
            );
            match stage.clip_norm {
                Some(max) => stage.optimizer.backward_step_clip_norm(&loss, max),
                None => stage.optimizer.backward_step(&loss),
            }
            loss_sum += loss.double_value(&[]) * targets.len() as f64;
            seen += targets.len();
            progress.step(loss_sum / seen as f64);
        }
        let (validation_loss, validation_accuracy) =
            loss_and_accuracy(stage.network, validation_set);
        progress.finish(
            loss_sum / seen.max(1) as f64,
            (validation_loss, validation_accuracy),
            epoch_started,
            history,
        );
        checkpoints.push(Checkpoint {
            epoch,
            accuracy: validation_accuracy,
            loss: validation_loss,
            weights: snapshot(stage.var_store),
        });
        checkpoints.sort_by(|a, b| b.better_than(a));
        if epoch - checkpoints[0].epoch >= patience {
            tracing::info!(
                stage = %stage.name,
                "early stop, no validation improvement for {patience} epochs"
            );
            break;
        }
    }
    let best = &checkpoints[0];
    let mut outcome = StageOutcome {
        stage: stage.name.clone(),
        best_epoch: best.epoch,
        averaged_epochs: Vec::new(),
        validation_accuracy: best.accuracy,
    };
    // Averaging the weights of the best epochs often generalises better than any one of them;
    // kept only if the validation split agrees.
    let top: Vec<&Checkpoint> = checkpoints.iter().take(average_top).collect();
    if top.len() > 1 {
        restore(stage.var_store, &average(&top));
        let (_, accuracy) = loss_and_accuracy(stage.network, validation_set);
        tracing::info!(
            stage = %stage.name,
            "average of epochs {:?}: validation accuracy {accuracy:.4} (best single {:.4})",
            top.iter().map(|c| c.epoch).collect::<Vec<_>>(),
            best.accuracy
        );
        if accuracy >= best.accuracy {
            outcome.averaged_epochs = top.iter().map(|c| c.epoch).collect();
            outcome.validation_accuracy = accuracy;
            return outcome;
        }
    }
    restore(stage.var_store, &best.weights);
    outcome
}

/// Element-wise mean of the checkpoints' floating-point weights; anything else (the wide part's
/// n-gram keys) is the same in every checkpoint and is taken from the first.
fn average(checkpoints: &[&Checkpoint]) -> Vec<(String, Tensor)> {
    tch::no_grad(|| {
        checkpoints[0]
            .weights
            .iter()
            .enumerate()
            .map(|(i, (name, first))| {
                if !first.is_floating_point() {
                    return (name.clone(), first.copy());
                }
                let sum = checkpoints[1..]
                    .iter()
                    .fold(first.copy(), |acc, c| acc + &c.weights[i].1);
                (name.clone(), sum / checkpoints.len() as f64)
            })
            .collect()
    })
}

struct Checkpoint {
    epoch: usize,
    accuracy: f64,
    loss: f64,
    weights: Vec<(String, Tensor)>,
}

impl Checkpoint {
    /// Higher validation accuracy first; ties go to the lower validation loss.
    fn better_than(&self, other: &Self) -> std::cmp::Ordering {
        self.accuracy
            .total_cmp(&other.accuracy)
            .then_with(|| other.loss.total_cmp(&self.loss))
    }
}

#[derive(Clone, Copy)]
pub(super) struct Sets<'a> {
    pub train: &'a [Labelled],
    /// Loss weight of each training example (augmentation examples get `--extra-weight`).
    pub weights: &'a [f32],
    /// A teacher's probabilities for each training example, for stages that distil.
    pub teacher: Option<&'a [Vec<f32>]>,
    /// Wide evidence per position of each training example (`[length, columns]`), for members
    /// that read it (`--wide-evidence`), from a wide part that never saw the example.
    pub evidence: Option<&'a [Tensor]>,
    pub validation: &'a [Labelled],
}

/// One LSTM member: AdamW, warm-up + cosine schedule, gradient clipping, label smoothing, and
/// with a teacher in `sets`, a `--distill-weight` share of cross-entropy against its
/// probabilities.
pub(super) fn train_member(
    network: &Member,
    var_store: &VarStore,
    member: usize,
    seed: u64,
    config: &TrainConfig,
    sets: Sets<'_>,
    history: &mut Vec<EpochRecord>,
) -> anyhow::Result<StageOutcome> {
    let steps = sets.train.len().div_ceil(config.batch_size) * config.epochs;
    let label_smoothing = config.label_smoothing;
    let distill = config.distill_weight;
    let stage =
        Stage {
            name: format!("member {member}"),
            network,
            var_store,
            optimizer: nn::adamw(0.9, 0.999, config.weight_decay)
                .build(var_store, config.learning_rate)?,
            epochs: config.epochs,
            schedule: Some(Schedule::new(config.learning_rate, steps)),
            clip_norm: Some(config.clip_norm),
            seed,
            loss: Box::new(move |logits, targets| {
                let hard = logits.cross_entropy_loss::<Tensor>(
                    &targets.labels,
                    None,
                    tch::Reduction::None,
                    -100,
                    label_smoothing,
                );
                let losses =
                    match &targets.soft {
                        Some(soft) if distill > 0.0 => {
                            let soft = -(soft * logits.log_softmax(-1, Kind::Float))
                                .sum_dim_intlist(1, false, Kind::Float);
                            hard * (1.0 - distill) + soft * distill
                        }
                        _ => hard,
                    };
                weighted_mean(losses, &targets.weights)
            }),
        };
    Ok(fit(stage, config, sets, history))
}

/// The wide logistic regression, with an L2 penalty equivalent to scikit-learn's `C`.
pub(super) fn train_wide(
    name: &str,
    wide: &Wide,
    var_store: &VarStore,
    config: &TrainConfig,
    sets: Sets<'_>,
    history: &mut Vec<EpochRecord>,
) -> anyhow::Result<StageOutcome> {
    let l2 = 1.0 / (2.0 * config.wide_c * sets.train.len() as f64);
    // Only the wide part's variables take part in this loss, so only they get gradients.
    let stage = Stage {
        name: name.into(),
        network: wide,
        var_store,
        optimizer: nn::adam(0.9, 0.999, 0.0).build(var_store, config.wide_learning_rate)?,
        epochs: config.wide_epochs,
        schedule: None,
        clip_norm: None,
        seed: config.seed,
        loss: Box::new(move |logits, targets| {
            let losses = -logits
                .log_softmax(-1, Kind::Float)
                .gather(1, &targets.labels.unsqueeze(1), false)
                .squeeze_dim(1);
            weighted_mean(losses, &targets.weights) + wide.l2() * l2
        }),
    };
    Ok(fit(stage, config, sets, history))
}

/// Copies every variable of `from` into the same-named variable of `into`.
pub(super) fn copy_variables(from: &VarStore, into: &VarStore) {
    let source = snapshot(from);
    restore(into, &source);
}

/// Linear warm-up over the first steps, then cosine decay to 5 % of the peak.
pub(super) struct Schedule {
    peak: f64,
    warmup: usize,
    total: usize,
}

impl Schedule {
    pub(super) fn new(peak: f64, total: usize) -> Self {
        Self {
            peak,
            warmup: (total / 20).clamp(1, 300),
            total: total.max(1),
        }
    }

    pub(super) fn at(&self, step: usize) -> f64 {
        if step < self.warmup {
            return self.peak * (step + 1) as f64 / self.warmup as f64;
        }
        let progress =
            ((step - self.warmup) as f64 / (self.total - self.warmup).max(1) as f64).min(1.0);
        let floor = 0.05;
        self.peak * (floor + (1.0 - floor) * 0.5 * (1.0 + (std::f64::consts::PI * progress).cos()))
    }
}

/// Shuffled batches of similar length: texts are shuffled, sorted by length within pools of 32
/// batches, cut into batches, and the batches shuffled. Padding stays small without feeding the
/// model a length-ordered curriculum.
pub(super) fn epoch_batches(
    set: &[Labelled],
    batch_size: usize,
    rng: &mut data::SplitMix64,
) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..set.len()).collect();
    rng.shuffle(&mut order);
    let mut batches: Vec<Vec<usize>> = Vec::new();
    for pool in order.chunks_mut(batch_size * 32) {
        pool.sort_by_key(|&i| set[i].0.ids.len());
        batches.extend(pool.chunks(batch_size).map(<[usize]>::to_vec));
    }
    rng.shuffle(&mut batches);
    batches
}

pub(super) fn loss_and_accuracy(classifier: &impl Network, set: &[Labelled]) -> (f64, f64) {
    let encoded: Vec<&[i64]> = set.iter().map(|(e, _)| e.ids.as_slice()).collect();
    let probabilities = crate::model::predict_sequences(classifier, &encoded, 256);
    let mut loss = 0.0;
    let mut correct = 0usize;
    for (probs, (_, truth)) in probabilities.iter().zip(set) {
        loss -= f64::from(probs[*truth].max(1e-12)).ln();
        correct += usize::from(argmax(probs).0 == *truth);
    }
    let n = set.len().max(1) as f64;
    (loss / n, correct as f64 / n)
}

/// Detached copies of every variable, sorted by name so snapshots line up with each other.
pub(super) fn snapshot(var_store: &VarStore) -> Vec<(String, Tensor)> {
    let mut weights: Vec<(String, Tensor)> = tch::no_grad(|| {
        var_store
            .variables()
            .into_iter()
            .map(|(name, t)| (name, t.detach().copy()))
            .collect()
    });
    weights.sort_by(|a, b| a.0.cmp(&b.0));
    weights
}

pub(super) fn restore(var_store: &VarStore, weights: &[(String, Tensor)]) {
    let mut variables = var_store.variables();
    tch::no_grad(|| {
        for (name, value) in weights {
            if let Some(target) = variables.get_mut(name) {
                target.copy_(value);
            }
        }
    });
}

/// A bar on terminals; one plain line per epoch for logs and CI.
pub(super) struct Progress {
    bar: Option<indicatif::ProgressBar>,
    stage: String,
    epoch: usize,
    epochs: usize,
}

impl Progress {
    pub(super) fn new(stage: String, epoch: usize, epochs: usize, steps: usize) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(steps as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "epoch {prefix} [{bar:30}] {pos}/{len} loss {msg} ETA {eta}",
                )
                .expect("valid template")
                .progress_chars("=> "),
            );
            bar.set_prefix(format!("{epoch}/{epochs} ({stage})"));
            bar
        });
        Self {
            bar,
            stage,
            epoch,
            epochs,
        }
    }

    pub(super) fn step(&self, mean_loss: f64) {
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{mean_loss:.4}"));
            bar.inc(1);
        }
    }

    /// Ends the epoch: logs it and appends its record to `history`.
    pub(super) fn finish(
        self,
        train_loss: f64,
        (validation_loss, validation_accuracy): (f64, f64),
        started: Instant,
        history: &mut Vec<EpochRecord>,
    ) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        let record = EpochRecord {
            stage: self.stage,
            epoch: self.epoch,
            train_loss,
            validation_loss,
            validation_accuracy,
            seconds: started.elapsed().as_secs_f64(),
        };
        tracing::info!(
            stage = %record.stage,
            epoch = record.epoch,
            epochs = self.epochs,
            train_loss = record.train_loss,
            validation_loss = record.validation_loss,
            validation_accuracy = record.validation_accuracy,
            seconds = record.seconds,
            "{} epoch {}/{}: train loss {:.4}, validation loss {:.4}, validation accuracy {:.4} ({:.1}s)",
            record.stage,
            record.epoch,
            self.epochs,
            record.train_loss,
            record.validation_loss,
            record.validation_accuracy,
            record.seconds
        );
        history.push(record);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checkpoint(epoch: usize, accuracy: f64, value: f32) -> Checkpoint {
        Checkpoint {
            epoch,
            accuracy,
            loss: 1.0,
            weights: vec![
                (
                    "keys".into(),
                    Tensor::from_slice(&[i64::MAX - 1, 4_611_686_018_427_387_903]),
                ),
                ("w".into(), Tensor::from_slice(&[value, 2.0 * value])),
            ],
        }
    }

    #[test]
    fn averaging_means_floats_and_keeps_integer_tensors_exact() {
        let (a, b, c) = (
            checkpoint(1, 0.8, 1.0),
            checkpoint(2, 0.9, 2.0),
            checkpoint(3, 0.7, 6.0),
        );
        let averaged = average(&[&a, &b, &c]);
        assert_eq!(
            Vec::<i64>::try_from(&averaged[0].1).unwrap(),
            vec![i64::MAX - 1, 4_611_686_018_427_387_903]
        );
        assert_eq!(
            Vec::<f32>::try_from(&averaged[1].1).unwrap(),
            vec![3.0, 6.0]
        );
    }

    #[test]
    fn checkpoints_rank_by_accuracy_then_loss() {
        let mut list = [
            checkpoint(1, 0.8, 1.0),
            checkpoint(2, 0.9, 1.0),
            checkpoint(3, 0.9, 1.0),
        ];
        list[2].loss = 0.5;
        list.sort_by(|a, b| b.better_than(a));
        assert_eq!(
            list.iter().map(|c| c.epoch).collect::<Vec<_>>(),
            vec![3, 2, 1]
        );
    }

    #[test]
    fn schedule_warms_up_then_decays_to_the_floor() {
        let schedule = Schedule::new(1.0, 1000);
        assert!(schedule.at(0) < 0.1);
        assert!((schedule.at(schedule.warmup) - 1.0).abs() < 1e-9);
        assert!((schedule.at(1000) - 0.05).abs() < 1e-9);
        assert!(schedule.at(500) < schedule.at(200));
    }
}
