//! The deep part: an LSTM member reading the tokens (and hashed bigrams, and the scope marks)
//! in order. The ensemble that mixes members with the wide part is in `network`.

use std::sync::Arc;

use tch::nn::{self, Module, RNN};
use tch::{Kind, Tensor};

use super::batch::{Batch, Network, PassTexts, SCOPE_CODES};
use super::config::ModelConfig;
use super::recurrence::{
    self, FeatureLayout, InputLayers, Kernel, LstmInputs, LstmTensors, PassInputs, Recurrence,
};
use super::wide::{Wide, WideEvidence};

/// libtorch's LSTM gets passes of more than four texts padded to an even number of texts and,
/// below [`EXACT_WIDTH_FROM`] texts, to a multiple of 16 positions. oneDNN compiles a kernel for
/// each (texts, width) shape it sees and keeps a bounded number of them; at 64 clients the exact
/// shapes overflowed that cache, and recompiling (code generation, then TLB shootdowns as the
/// code is made executable) took a tenth of the workers' time. Rounded, with a cache of 128
/// kernels, the server answered 4,670 requests/s against 3,510–3,610 (default model 3.2.1,
/// BENCHMARKS.md) for about 20 MB more memory. The padding is zeros and no pooled state reads it.
const PASS_ROWS_STEP: usize = 2;
const PASS_WIDTH_STEP: usize = 16;
/// Passes of this many texts keep their exact width: a compilation is a small part of such a
/// pass, and the padded positions were not (256-text passes: about 10 % slower rounded).
const EXACT_WIDTH_FROM: usize = 32;

/// The LSTM's dimensions under a configuration.
impl ModelConfig {
    fn input_dim(&self) -> i64 {
        self.network.embedding_dim
            + if self.network.bigram_buckets > 0 {
                self.network.bigram_dim
            } else {
                0
            }
    }

    fn directions(&self) -> i64 {
        if self.network.bidirectional { 2 } else { 1 }
    }

    /// Max- and mean-pooled LSTM states plus the mean input embedding.
    fn feature_layout(&self) -> FeatureLayout {
        FeatureLayout {
            directions: self.directions() as usize,
            hidden: self.network.hidden_size as usize,
            input_dim: self.input_dim() as usize,
        }
    }
}

#[derive(Debug)]
struct Layer {
    forward: nn::LSTM,
    backward: Option<nn::LSTM>,
}

/// One LSTM network: embedding (+ hashed bigrams) → (bi)LSTM → masked max/mean pooling →
/// dropout → linear.
///
/// Directions are separate one-layer LSTMs so the backward one can read each text reversed
/// within its own length: with plain right padding it would start on padding tokens and a
/// text's prediction would depend on what it was batched with.
#[derive(Debug)]
pub struct Member {
    config: ModelConfig,
    embedding: nn::Embedding,
    bigram_embedding: Option<nn::Embedding>,
    scope_embedding: Option<nn::Embedding>,
    /// The wide part's evidence per position and its projection onto the input.
    evidence: Option<(WideEvidence, nn::Linear)>,
    layers: Vec<Layer>,
    /// The first layer's weights per direction, sharing storage with the variables.
    first_layer: Vec<LstmTensors>,
    /// Set on a loaded model (see [`Member::compute_recurrence_with`]).
    recurrence: Option<Arc<Recurrence>>,
    output: nn::Linear,
    /// The output layer's weight (`[labels, features]`) and bias as plain numbers, set with
    /// `recurrence`.
    output_values: Option<(Vec<f32>, Vec<f32>)>,
    /// The number format of the LSTM weights, which its inputs are cast to.
    lstm_kind: Kind,
}

impl Member {
    /// `wide`, the trained wide part, is read when the config asks for its evidence.
    pub fn new(p: &nn::Path, config: &ModelConfig, wide: Option<&Wide>) -> Self {
        let embedding = nn::embedding(
            p / "embedding",
            config.vocab_size,
            config.network.embedding_dim,
            Default::default(),
        );
        let bigram_embedding = (config.network.bigram_buckets > 0).then(|| {
            nn::embedding(
                p / "bigram_embedding",
                config.network.bigram_buckets,
                config.network.bigram_dim,
                Default::default(),
            )
        });
        // Zero-initialised: a member starts out reading marked tokens as plain ones.
        let scope_embedding = config.scope_embedding.then(|| {
            nn::embedding(
                p / "scope_embedding",
                SCOPE_CODES,
                config.input_dim(),
                nn::EmbeddingConfig {
                    ws_init: nn::Init::Const(0.0),
                    ..Default::default()
                },
            )
        });
        let evidence = wide.filter(|_| config.network.wide_evidence).map(|wide| {
            let projection = nn::linear(
                p / "evidence",
                config.evidence_columns(),
                config.input_dim(),
                Default::default(),
            );
            (wide.evidence(), projection)
        });
        let rnn_config = nn::RNNConfig {
            batch_first: true,
            ..Default::default()
        };
        let mut in_dim = config.input_dim();
        let layers = (0..config.network.num_layers)
            .map(|i| {
                let layer = Layer {
                    forward: nn::lstm(
                        p / format!("lstm{i}_fwd"),
                        in_dim,
                        config.network.hidden_size,
                        rnn_config,
                    ),
                    backward: config.network.bidirectional.then(|| {
                        nn::lstm(
                            p / format!("lstm{i}_bwd"),
                            in_dim,
                            config.network.hidden_size,
                            rnn_config,
                        )
                    }),
                };
                in_dim = config.network.hidden_size * config.directions();
                layer
            })
            .collect();
        let first_layer = ["fwd", "bwd"]
            .iter()
            .filter_map(|direction| {
                let path = p / format!("lstm0_{direction}");
                let get = |name: &str| path.get(&format!("{name}_l0"));
                Some([
                    get("weight_ih")?,
                    get("weight_hh")?,
                    get("bias_ih")?,
                    get("bias_hh")?,
                ])
            })
            .collect();
        let output = nn::linear(
            p / "output",
            config.feature_layout().dim() as i64,
            config.num_labels,
            Default::default(),
        );
        Self {
            config: config.clone(),
            embedding,
            bigram_embedding,
            scope_embedding,
            evidence,
            layers,
            first_layer,
            recurrence: None,
            output,
            output_values: None,
            lstm_kind: Kind::Float,
        }
    }

    /// Reads the LSTM's inputs in `kind`, the format its weights were converted to.
    pub(super) fn set_lstm_kind(&mut self, kind: Kind) {
        self.lstm_kind = kind;
        if let Some(kernel) = self.recurrence.as_ref().map(|r| r.kernel()) {
            self.compute_recurrence_with(kernel);
        }
    }

    /// From now on forward passes of up to [`recurrence::MOST_TEXTS`] texts outside training
    /// compute the recurrence in [`Recurrence`], with `kernel`, from the weights as they are now
    /// (a one-layer LSTM only; deeper ones stay with libtorch). For a model whose weights no
    /// longer change: a loaded one.
    pub(super) fn compute_recurrence_with(&mut self, kernel: Kernel) {
        if self.layers.len() != 1 {
            return;
        }
        let inputs = InputLayers {
            embedding: &self.embedding.ws,
            bigram_embedding: self.bigram_embedding.as_ref().map(|e| &e.ws),
            scope_embedding: self.scope_embedding.as_ref().map(|e| &e.ws),
            evidence_projection: self
                .evidence
                .as_ref()
                .map(|(_, projection)| (&projection.ws, projection.bs.as_ref())),
        };
        let directions: Vec<&LstmTensors> = self.first_layer.iter().collect();
        self.recurrence = Some(Arc::new(Recurrence::with_kernel(
            &inputs,
            &directions,
            kernel,
        )));
        let weight = recurrence::floats(&self.output.ws);
        let bias = match &self.output.bs {
            Some(bias) => recurrence::floats(bias),
            None => vec![0.0; self.config.num_labels as usize],
        };
        self.output_values = Some((weight, bias));
    }

    /// Whether the member reads the wide part's evidence at each position.
    pub(super) fn reads_evidence(&self) -> bool {
        self.evidence.is_some()
    }

    /// Each text's logits, `[texts · labels]`, from `texts` and, if the member reads it, the
    /// wide part's evidence at their positions (`[texts, width, labels]`). Passes of up to
    /// [`recurrence::MOST_TEXTS`] texts are computed without a tensor; in larger ones libtorch
    /// computes the recurrence alone (its kernels outrun the one here once a pass has enough
    /// texts), from inputs built here, and the pooling and the output layer are plain sums. As
    /// tensor operations, the input layers, the reversal, the conversions and the pooling took
    /// about a quarter of a 16-text pass (`textserve bench`, default model 3.2.1). `None` where no
    /// recurrence is prepared here, or for ids it has no row for.
    pub(super) fn served_logits(
        &self,
        texts: &PassTexts,
        evidence: Option<&[f32]>,
    ) -> Option<Vec<f32>> {
        let recurrence = self.recurrence.as_ref()?;
        let pass = PassInputs {
            width: texts.width,
            ids: &texts.ids,
            bigrams: &texts.bigrams,
            scopes: &texts.scopes,
            evidence,
            lengths: &texts.lengths,
        };
        if texts.len() <= recurrence::MOST_TEXTS {
            let features = recurrence.features(&pass)?;
            return self.output_logits(&features, recurrence.feature_layout().dim());
        }
        let padded = (
            texts.len().next_multiple_of(PASS_ROWS_STEP),
            if texts.len() < EXACT_WIDTH_FROM {
                texts.width.next_multiple_of(PASS_WIDTH_STEP)
            } else {
                texts.width
            },
        );
        let shape = [padded.0 as i64, padded.1 as i64, self.config.input_dim()];
        let (states, mean_inputs) = if self.lstm_kind == Kind::BFloat16 {
            let inputs =
                recurrence.lstm_inputs(&pass, padded, |v| recurrence::bfloat16_bits(v) as i16)?;
            let as_tensor = |bits: &[i16]| Tensor::from_slice(bits).view_dtype(Kind::BFloat16);
            (
                self.first_layer_states(&inputs, shape, as_tensor)?,
                inputs.mean,
            )
        } else {
            let inputs = recurrence.lstm_inputs(&pass, padded, |v| v)?;
            (
                self.first_layer_states(&inputs, shape, Tensor::from_slice)?,
                inputs.mean,
            )
        };
        let layout = recurrence.feature_layout();
        let input = layout.input_dim;
        let mut features = vec![0f32; texts.len() * layout.dim()];
        for (text, (out, &length)) in features
            .chunks_exact_mut(layout.dim())
            .zip(&texts.lengths)
            .enumerate()
        {
            let length = length.max(1) as usize;
            let (directions, mean_input) = layout.split(out);
            for ((max, mean), direction) in directions.zip(&states) {
                max.fill(f32::NEG_INFINITY);
                for t in 0..length {
                    direction.pool(text, t, max, mean);
                }
                mean.iter_mut().for_each(|sum| *sum /= length as f32);
            }
            mean_input.copy_from_slice(&mean_inputs[text * input..(text + 1) * input]);
        }
        self.output_logits(&features, layout.dim())
    }

    /// Each direction's states of a one-layer member, computed by libtorch from `inputs` made
    /// into `shape` tensors by `as_tensor`.
    fn first_layer_states<T>(
        &self,
        inputs: &LstmInputs<T>,
        shape: [i64; 3],
        as_tensor: impl Fn(&[T]) -> Tensor,
    ) -> Option<Vec<States>> {
        let layer = &self.layers[0];
        let run = |lstm: &nn::LSTM, x: &[T]| {
            States::of(&tch::no_grad(|| lstm.seq(&as_tensor(x).view(shape)).0))
        };
        let mut states = vec![run(&layer.forward, &inputs.forward)?];
        if let Some(backward) = &layer.backward {
            states.push(run(backward, &inputs.backward)?);
        }
        Some(states)
    }

    /// The output layer over `[texts, dim]` features, in plain sums.
    fn output_logits(&self, features: &[f32], dim: usize) -> Option<Vec<f32>> {
        let (weight, bias) = self.output_values.as_ref()?;
        Some(
            features
                .chunks_exact(dim)
                .flat_map(|x| {
                    bias.iter()
                        .zip(weight.chunks_exact(dim))
                        .map(move |(b, w)| b + w.iter().zip(x).map(|(w, x)| w * x).sum::<f32>())
                })
                .collect(),
        )
    }

    /// What the output layer reads, computed by `recurrence` (no training, so no dropout);
    /// `None` for ids outside the vocabulary, which libtorch's embedding then refuses.
    fn served_features(&self, batch: &Batch, recurrence: &Arc<Recurrence>) -> Option<Tensor> {
        let ints = |t: &Tensor| Vec::<i64>::try_from(t.view([-1])).expect("integer ids");
        let evidence = self
            .evidence_at_positions(batch)
            .map(|e| recurrence::floats(&e));
        let (ids, bigrams, scopes) = (ints(&batch.ids), ints(&batch.bigrams), ints(&batch.scopes));
        let features = recurrence.features(&PassInputs {
            width: batch.ids.size()[1] as usize,
            ids: &ids,
            bigrams: &bigrams,
            scopes: &scopes,
            evidence: evidence.as_deref(),
            lengths: &ints(&batch.lengths),
        })?;
        let texts = batch.len();
        Some(Tensor::from_slice(&features).view([texts, recurrence.feature_layout().dim() as i64]))
    }
}

/// One direction's `[batch, width, hidden]` states as libtorch's LSTM left them, read in place
/// of three copies (to float32, to a contiguous layout, out of the tensor) that took a twentieth
/// of a 16-text pass.
struct States {
    values: StateValues,
    /// Elements between consecutive texts and consecutive positions.
    text_stride: usize,
    position_stride: usize,
}

enum StateValues {
    Float(Vec<f32>),
    /// bfloat16 bits.
    Bfloat16(Vec<i16>),
}

impl States {
    /// `None` for a kind or a layout other than libtorch's LSTM gives.
    fn of(states: &Tensor) -> Option<Self> {
        // The LSTM computes time-major and hands back `[batch, width, hidden]` as a view of it.
        let time_major = states.transpose(0, 1);
        let (layout, time_major) = if time_major.is_contiguous() {
            (time_major, true)
        } else {
            (states.contiguous(), false)
        };
        let size = states.size();
        let (texts, width, hidden) = (size[0] as usize, size[1] as usize, size[2] as usize);
        let flat = layout.view([-1]);
        let values = match states.kind() {
            Kind::Float => StateValues::Float(Vec::try_from(flat).ok()?),
            Kind::BFloat16 => {
                StateValues::Bfloat16(Vec::try_from(flat.view_dtype(Kind::Int16)).ok()?)
            }
            _ => return None,
        };
        let (text_stride, position_stride) = if time_major {
            (hidden, texts * hidden)
        } else {
            (width * hidden, hidden)
        };
        Some(Self {
            values,
            text_stride,
            position_stride,
        })
    }

    /// Folds the state of `text` at position `t` into running maxima and sums.
    fn pool(&self, text: usize, t: usize, max: &mut [f32], sum: &mut [f32]) {
        let start = text * self.text_stride + t * self.position_stride;
        let fold = |max: &mut f32, sum: &mut f32, x: f32| {
            *max = max.max(x);
            *sum += x;
        };
        match &self.values {
            StateValues::Float(values) => {
                let state = &values[start..start + max.len()];
                for ((max, sum), &x) in max.iter_mut().zip(sum.iter_mut()).zip(state) {
                    fold(max, sum, x);
                }
            }
            StateValues::Bfloat16(bits) => {
                let state = &bits[start..start + max.len()];
                for ((max, sum), &b) in max.iter_mut().zip(sum.iter_mut()).zip(state) {
                    fold(max, sum, recurrence::bfloat16_value(b as u16));
                }
            }
        }
    }
}

impl Member {
    /// `[batch, width, columns]` the wide part's evidence the LSTM reads, as given with the
    /// batch or read from the model's own wide part; `None` without evidence.
    fn evidence_at_positions(&self, batch: &Batch) -> Option<Tensor> {
        let (evidence, _) = self.evidence.as_ref()?;
        Some(match &batch.position_evidence {
            Some(given) => given.shallow_clone(),
            None => evidence.at_positions(batch),
        })
    }

    /// Token (+ bigram, scope, evidence) inputs with token dropout in training. Without
    /// `neighbours` the inputs that carry a neighbouring token are left out: the bigram slots
    /// are zero and the evidence is not added.
    fn inputs(&self, batch: &Batch, train: bool, neighbours: bool) -> Tensor {
        let mut x = self.embedding.forward(&batch.ids);
        if let Some(bigram_embedding) = &self.bigram_embedding {
            let bigram_part = if neighbours {
                bigram_embedding.forward(&batch.bigrams)
            } else {
                let size = x.size();
                Tensor::zeros(
                    [size[0], size[1], self.config.network.bigram_dim],
                    (Kind::Float, x.device()),
                )
            };
            x = Tensor::cat(&[x, bigram_part], -1);
        }
        if let Some(scope_embedding) = &self.scope_embedding {
            x += scope_embedding.forward(&batch.scopes);
        }
        if neighbours
            && let (Some((_, projection)), Some(at_positions)) =
                (&self.evidence, self.evidence_at_positions(batch))
        {
            x += projection.forward(&at_positions);
        }
        if train && self.config.network.token_dropout > 0.0 {
            let size = x.size();
            let keep = Tensor::ones([size[0], size[1], 1], (Kind::Float, x.device()))
                .dropout(self.config.network.token_dropout, true);
            x *= keep;
        }
        x
    }

    /// First-layer outputs of each direction, `[batch, width, hidden]`, each in its own reading
    /// order, for language-model pretraining: the forward state at `t` has read tokens `0..=t`;
    /// the backward one reads the text reversed within its length, so at `t` it has read the
    /// last `t + 1` tokens. Bigram inputs are left out because the bigram at `t` pairs token `t`
    /// with `t + 1`, the very token the forward direction must predict; the wide part's evidence
    /// too, because the n-grams ending at `t` reach back to `t - 1`, the token the backward
    /// direction must predict there.
    pub fn reading_states(&self, batch: &Batch, train: bool) -> Vec<Tensor> {
        let h = self
            .inputs(batch, train, false)
            .dropout(self.config.network.dropout, train);
        let layer = &self.layers[0];
        let mut states = vec![layer.forward.seq(&h).0];
        if let Some(backward) = &layer.backward {
            states.push(backward.seq(&batch.reverse_within_lengths(&h)).0);
        }
        states
    }
}

impl Network for Member {
    fn config(&self) -> &ModelConfig {
        &self.config
    }

    fn forward_t(&self, batch: &Batch, train: bool) -> Tensor {
        if let (false, Some(recurrence)) = (train, &self.recurrence)
            && batch.len() as usize <= recurrence::MOST_TEXTS
            && let Some(features) = self.served_features(batch, recurrence)
        {
            return self.output.forward(&features);
        }
        let x = self.inputs(batch, train, true);
        let mask = batch.mask.unsqueeze(-1).to_kind(Kind::Float);
        let lengths = batch.lengths.unsqueeze(-1).to_kind(Kind::Float);
        let mean_input = (&x * &mask).sum_dim_intlist(1, false, Kind::Float) / &lengths;
        let mut h = x.dropout(self.config.network.dropout, train);
        let last = self.layers.len() - 1;
        // The last layer's states per direction, each in its own reading order: pooling over a
        // text's positions does not depend on their order, so the backward states are pooled
        // as they come, without being turned back.
        let mut last_states = Vec::new();
        for (i, layer) in self.layers.iter().enumerate() {
            if i > 0 {
                h = h.dropout(self.config.network.dropout, train);
            }
            let run = |lstm: &nn::LSTM, x: &Tensor| {
                lstm.seq(&x.to_kind(self.lstm_kind)).0.to_kind(Kind::Float)
            };
            let forward = run(&layer.forward, &h);
            let backward = layer
                .backward
                .as_ref()
                .map(|backward| run(backward, &batch.reverse_within_lengths(&h)));
            if i == last {
                last_states.push(forward);
                last_states.extend(backward);
            } else {
                h = match backward {
                    Some(reversed) => {
                        Tensor::cat(&[forward, batch.reverse_within_lengths(&reversed)], -1)
                    }
                    None => forward,
                };
            }
        }
        let padding = batch.mask.unsqueeze(-1).logical_not();
        let max: Vec<Tensor> = last_states
            .iter()
            .map(|states| {
                states
                    .masked_fill(&padding, f64::NEG_INFINITY)
                    .amax(1, false)
            })
            .collect();
        let mean: Vec<Tensor> = last_states
            .iter()
            .map(|states| (states * &mask).sum_dim_intlist(1, false, Kind::Float) / &lengths)
            .collect();
        let max = Tensor::cat(&max, -1);
        let mean = Tensor::cat(&mean, -1);
        let features =
            Tensor::cat(&[max, mean, mean_input], -1).dropout(self.config.network.dropout, train);
        self.output.forward(&features)
    }
}
