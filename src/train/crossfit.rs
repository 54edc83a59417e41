//! Cross-fitting the wide part: each fold of the training side is read by a wide part trained
//! on the other folds, so what is measured on a text (its label's plausibility, the evidence
//! an LSTM member reads) comes from a model that never saw it — as at serving time.

use tch::Device;
use tch::nn::VarStore;

use super::{Labelled, Sets, TrainConfig, train_wide};
use crate::data::SplitMix64;
use crate::model::{ModelConfig, NetworkSettings, NgramVocabulary, Wide};

/// Folds of the cross-fit: each model sees 80 % of the training side.
pub(super) const FOLDS: usize = 5;

/// Trains one wide part per fold on the other folds (same n-gram vocabulary and settings as the
/// real one, early-stopped on the validation split) and hands it, with the indices of the texts
/// it never saw, to `read_held_out`.
pub(super) fn cross_fit(
    stage: &str,
    train: &[Labelled],
    validation: &[Labelled],
    vocabulary: &NgramVocabulary,
    model_config: &ModelConfig,
    config: &TrainConfig,
    mut read_held_out: impl FnMut(&Wide, &[usize]),
) -> anyhow::Result<()> {
    if model_config.ngram_vocab_size == 0 {
        anyhow::bail!("{stage} needs the wide part, which found no n-grams");
    }
    let mut order: Vec<usize> = (0..train.len()).collect();
    SplitMix64::new(config.seed).shuffle(&mut order);
    let mut fold_of = vec![0; train.len()];
    for (position, &i) in order.iter().enumerate() {
        fold_of[i] = position % FOLDS;
    }
    for fold in 0..FOLDS {
        let (held_out, rest): (Vec<usize>, Vec<usize>) =
            (0..train.len()).partition(|&i| fold_of[i] == fold);
        let rest: Vec<Labelled> = rest.into_iter().map(|i| train[i].clone()).collect();
        tch::manual_seed(config.seed as i64 + fold as i64);
        let var_store = VarStore::new(Device::Cpu);
        let wide = Wide::new(&var_store.root(), model_config);
        wide.set_vocabulary(vocabulary);
        train_wide(
            &format!("{stage} fold {}/{FOLDS}", fold + 1),
            &wide,
            &var_store,
            config,
            Sets {
                train: &rest,
                weights: &vec![1.0; rest.len()],
                teacher: None,
                evidence: None,
                validation,
            },
            &mut Vec::new(),
        )?;
        read_held_out(&wide, &held_out);
    }
    Ok(())
}

/// Each training text's wide evidence per position (`[length, columns]`, see
/// `ModelConfig::wide_evidence`) from the fold's wide part that never saw it. Evidence from the
/// real wide part, which has fitted these very texts, is far surer than on new text, and an
/// LSTM trained on it learns to trust it more than it deserves (measured: validation loss rose
/// from its first epoch while training loss fell to 0.10).
///
/// Texts that no wide part trained on (`also`, composed ones) are read by the folds in turn.
pub(super) fn out_of_fold_evidence(
    train: &[Labelled],
    also: &[Labelled],
    validation: &[Labelled],
    vocabulary: &NgramVocabulary,
    model_config: &ModelConfig,
    config: &TrainConfig,
) -> anyhow::Result<Vec<tch::Tensor>> {
    let evidence_config = ModelConfig {
        network: NetworkSettings {
            wide_evidence: true,
            ..model_config.network.clone()
        },
        ..model_config.clone()
    };
    let texts: Vec<&[i64]> = train
        .iter()
        .chain(also)
        .map(|(e, _)| e.ids.as_slice())
        .collect();
    let mut evidence: Vec<Option<tch::Tensor>> = (0..texts.len()).map(|_| None).collect();
    let mut fold = 0;
    cross_fit(
        "evidence",
        train,
        validation,
        vocabulary,
        model_config,
        config,
        |wide, held_out| {
            let reader = wide.evidence();
            let read: Vec<usize> = held_out
                .iter()
                .copied()
                .chain((train.len() + fold..texts.len()).step_by(FOLDS))
                .collect();
            fold += 1;
            for chunk in read.chunks(256) {
                let sequences: Vec<&[i64]> = chunk.iter().map(|&i| texts[i]).collect();
                let batch = crate::model::Batch::new(&sequences, &evidence_config);
                let rows = reader.at_positions(&batch);
                for (row, &i) in chunk.iter().enumerate() {
                    let length = sequences[row].len() as i64;
                    evidence[i] = Some(rows.get(row as i64).narrow(0, 0, length).copy());
                }
            }
        },
    )?;
    Ok(evidence
        .into_iter()
        .map(|e| e.expect("every text is in one fold"))
        .collect())
}
