//! A served LSTM member's small passes, computed here instead of by libtorch.
//!
//! libtorch runs an LSTM through oneDNN, which builds a kernel per (texts, width) shape and
//! computes every text of a pass up to the pass's longest: one text alone took 0.87–1.24 ms
//! (`textserve bench`, batch 1, default model 3.2.1), here about 0.5 ms on one core and 0.25 ms
//! with the backward direction on the other. The member's input layers are folded into
//! per-token tables when the model loads (see [`Recurrence`]), and the recurrence reads each
//! text to its own length, up to four texts at a time so that each row of the recurrent weights
//! is loaded once for all four. Training keeps libtorch's LSTM (it needs gradients), and so do
//! passes of more texts than [`MOST_TEXTS`], from inputs built here
//! ([`Recurrence::lstm_inputs`]).

use std::sync::{Arc, OnceLock, mpsc};
use std::time::{Duration, Instant};

use tch::{Kind, Tensor};

use super::PassInFlight;

/// Gate outputs per block: four 16-float vectors.
const LANES: usize = 64;
/// Texts that share one pass over the recurrent weights.
const GROUP: usize = 4;

/// Passes of at most this many texts are computed here, larger ones by libtorch. One worker,
/// default model 3.2.1 (`textserve bench --workers 1`, 2-core Xeon with AVX-512 BF16 and AMX):
/// here 1,509 / 1,842 / 2,093 / 2,113 / 2,029 items/s at 1 / 2 / 3 / 4 / 6 texts a pass,
/// through libtorch 763 / 1,173 / 1,618 / 1,959 / 2,451. Here the products run on AVX-512 at
/// about 32 multiply-adds a cycle whatever the pass; oneDNN's AMX tiles go further once a pass
/// has enough texts to fill them.
pub(super) const MOST_TEXTS: usize = GROUP;

/// Where the parts of one text's features sit, as the member's training network concatenates
/// them (`Member::forward_t`) and its output layer reads them: the max-pooled states of every
/// direction (forward, then backward), then the mean-pooled ones, then the mean input.
#[derive(Debug, Clone, Copy)]
pub(super) struct FeatureLayout {
    pub directions: usize,
    pub hidden: usize,
    pub input_dim: usize,
}

impl FeatureLayout {
    /// Features per text: `2 · directions · hidden + input dim`.
    pub fn dim(&self) -> usize {
        2 * self.directions * self.hidden + self.input_dim
    }

    /// One text's features as (max-pooled, mean-pooled) slices, one pair per direction, and
    /// the mean input.
    pub fn split<'a>(
        &self,
        text: &'a mut [f32],
    ) -> (
        impl Iterator<Item = (&'a mut [f32], &'a mut [f32])>,
        &'a mut [f32],
    ) {
        let pooled = self.directions * self.hidden;
        let (max, rest) = text.split_at_mut(pooled);
        let (mean, mean_input) = rest.split_at_mut(pooled);
        let directions = max
            .chunks_exact_mut(self.hidden)
            .zip(mean.chunks_exact_mut(self.hidden));
        (directions, mean_input)
    }
}

/// One direction's folded input tables, recurrent weights and bias. Each direction owns its
/// tables so that the two directions of a text can be computed on two cores at once.
#[derive(Debug)]
struct Direction {
    /// `[vocabulary, row]` the token embedding times the input weights.
    token_gates: Vec<f32>,
    /// The input weights' bigram columns.
    bigram_weights: Option<Product>,
    /// `[scope codes, row]` each scope vector times the input weights.
    scope_gates: Option<Vec<f32>>,
    /// `[evidence columns, row]` the evidence projection times the input weights.
    evidence_gates: Option<Vec<f32>>,
    recurrent: Product,
    /// `b_ih + b_hh`, plus the input weights times the evidence projection's bias.
    bias: Vec<f32>,
}

/// Which code computes the products: AVX-512 (with its bfloat16 dot product where the CPU has
/// that too), or plain Rust, the reference the tests hold the AVX-512 code to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kernel {
    Avx512 { bfloat16: bool },
    Portable,
}

impl Kernel {
    pub(super) fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx512f") {
            return Self::Avx512 {
                bfloat16: std::arch::is_x86_feature_detected!("avx512bf16"),
            };
        }
        Self::Portable
    }
}

/// A weight matrix `W` (`[rows, k]`) laid out for `out[n] += x[n] · Wᵀ`, in blocks of `LANES`
/// rows so that a block's inner loop reads one contiguous run per input.
#[derive(Debug)]
struct Product {
    matrix: Matrix,
    k: usize,
    blocks: usize,
}

#[derive(Debug)]
enum Matrix {
    /// `[blocks][k][LANES]`.
    Float(Vec<f32>),
    /// `[blocks][k / 2][LANES][2]`: bfloat16 pairs of consecutive inputs (k rounded up to
    /// even), as AVX-512 BF16's dot product of pairs reads them.
    Bfloat16(Vec<u16>),
}

/// Expands `$kernel!(N)` with `N` the constant row count `$n` (1 to `GROUP`), so each kernel
/// is compiled for a fixed number of accumulator rows.
macro_rules! with_rows {
    ($n:expr, $kernel:ident) => {
        match $n {
            1 => $kernel!(1),
            2 => $kernel!(2),
            3 => $kernel!(3),
            _ => $kernel!(4),
        }
    };
}

/// The bfloat16 nearest to `x` (ties to even), as bits.
#[inline(always)]
pub(super) fn bfloat16_bits(x: f32) -> u16 {
    let bits = x.to_bits();
    (bits.wrapping_add(0x7fff + ((bits >> 16) & 1)) >> 16) as u16
}

pub(super) fn bfloat16_value(bits: u16) -> f32 {
    f32::from_bits(u32::from(bits) << 16)
}

impl Product {
    fn new(matrix: &[f32], rows: usize, k: usize, bfloat16: bool) -> Self {
        let blocks = rows.div_ceil(LANES);
        let matrix = if bfloat16 {
            let pairs = k.div_ceil(2);
            let mut out = vec![0u16; blocks * pairs * LANES * 2];
            for r in 0..rows {
                let (block, lane) = (r / LANES, r % LANES);
                for j in 0..k {
                    out[((block * pairs + j / 2) * LANES + lane) * 2 + j % 2] =
                        bfloat16_bits(matrix[r * k + j]);
                }
            }
            Matrix::Bfloat16(out)
        } else {
            let mut out = vec![0f32; blocks * k * LANES];
            for r in 0..rows {
                let (block, lane) = (r / LANES, r % LANES);
                for j in 0..k {
                    out[(block * k + j) * LANES + lane] = matrix[r * k + j];
                }
            }
            Matrix::Float(out)
        };
        Self { matrix, k, blocks }
    }

    /// `out[i][..] += x[i] · Wᵀ` for the first `n` rows (at most `GROUP`): `x` holds rows of `k`
    /// floats, `out` rows `stride` apart. In bfloat16, `x` is rounded to it first; `pairs` is
    /// where its pairs go.
    #[inline(always)]
    fn add<const AVX512: bool>(
        &self,
        n: usize,
        x: &[f32],
        stride: usize,
        out: &mut [f32],
        pairs: &mut Vec<u32>,
    ) {
        let (k, blocks) = (self.k, self.blocks);
        assert!(n <= GROUP && x.len() >= n * k && blocks * LANES <= stride);
        if n == 0 {
            return;
        }
        assert!(out.len() >= (n - 1) * stride + blocks * LANES);
        match &self.matrix {
            Matrix::Float(weights) => {
                macro_rules! rows {
                    ($n:literal) => {{
                        #[cfg(target_arch = "x86_64")]
                        if AVX512 {
                            // SAFETY: `AVX512` is only true inside the `*_avx512` functions,
                            // whose callers checked the CPU; the lengths were checked above.
                            unsafe { add_float_avx512::<$n>(weights, blocks, k, stride, x, out) };
                            return;
                        }
                        add_float_portable::<$n>(weights, k, stride, x, out)
                    }};
                }
                with_rows!(n, rows);
            }
            Matrix::Bfloat16(weights) => {
                let half = k.div_ceil(2);
                pairs.clear();
                for row in x.chunks_exact(k).take(n) {
                    pairs.extend(row.chunks(2).map(|pair| {
                        let high = pair.get(1).map_or(0, |&v| bfloat16_bits(v));
                        u32::from(bfloat16_bits(pair[0])) | u32::from(high) << 16
                    }));
                }
                macro_rules! rows {
                    ($n:literal) => {{
                        #[cfg(target_arch = "x86_64")]
                        if AVX512 {
                            // SAFETY: a bfloat16 matrix is only made for `Kernel::Avx512 {
                            // bfloat16: true }`, chosen where the CPU reports AVX-512 BF16; the
                            // lengths were checked above.
                            unsafe {
                                add_bfloat16_avx512::<$n>(weights, blocks, half, stride, pairs, out)
                            };
                            return;
                        }
                        add_bfloat16_portable::<$n>(weights, half, stride, pairs, out)
                    }};
                }
                with_rows!(n, rows);
            }
        }
    }
}

/// A one-layer (bi)LSTM member's inputs and recurrence, folded for serving.
///
/// A member's input at a position is linear in what it reads there: `x = [token embedding;
/// bigram embedding] + scope vector + P·evidence + p`, so the input weights times `x` are a
/// token's row of a precomputed table, plus a scope row, plus one row per label scaled by the
/// evidence, plus the bigram embedding times the bigram columns (computed per pass: as a table
/// that part would be 134 MB). libtorch's matrix product over the same inputs built a oneDNN
/// kernel per pass shape: 3.7 ms for a pass of 23 texts × 34 tokens (782 positions); folded,
/// a pass of 434 tokens took 0.82 ms (timers in a build not kept, default model 3.2.1).
#[derive(Debug)]
pub(super) struct Recurrence {
    hidden: usize,
    /// Floats per position in a direction's input gates: `4·hidden`, rounded up to whole
    /// blocks.
    row: usize,
    /// Forward first.
    directions: Vec<Direction>,
    /// `[buckets, dim]` the bigram embedding, and `dim`.
    bigram_embedding: Option<(Vec<f32>, usize)>,
    /// What the LSTM's input at a position is built from (and the mean input embedding, a
    /// feature of its own, summed from).
    input_tables: InputTables,
    kernel: Kernel,
}

#[derive(Debug)]
struct InputTables {
    /// `[vocabulary, embedding dim]`.
    embedding: Vec<f32>,
    embedding_dim: usize,
    /// `[scope codes, input dim]`.
    scope: Option<Vec<f32>>,
    /// The evidence projection's weight transposed, `[evidence columns, input dim]`, so that
    /// each column's value scales one contiguous row, and its bias `[input dim]`.
    evidence: Option<(Vec<f32>, Vec<f32>)>,
    input_dim: usize,
}

/// See [`Recurrence::lstm_inputs`].
pub(super) struct LstmInputs<T> {
    pub forward: Vec<T>,
    /// Empty for a unidirectional member.
    pub backward: Vec<T>,
    pub mean: Vec<f32>,
}

/// One direction's tensors as libtorch's LSTM names them: `weight_ih`, `weight_hh`, `bias_ih`,
/// `bias_hh`.
pub(super) type LstmTensors = [Tensor; 4];

/// A member's input layers, as stored.
pub(super) struct InputLayers<'a> {
    /// `[vocabulary, embedding dim]`.
    pub embedding: &'a Tensor,
    /// `[buckets, bigram dim]`.
    pub bigram_embedding: Option<&'a Tensor>,
    /// `[scope codes, input dim]`.
    pub scope_embedding: Option<&'a Tensor>,
    /// The evidence projection's weight `[input dim, evidence columns]` and bias `[input dim]`.
    pub evidence_projection: Option<(&'a Tensor, Option<&'a Tensor>)>,
}

/// What a pass reads per position (`[texts, width]`, right-padded) and per text.
pub(super) struct PassInputs<'a> {
    pub ids: &'a [i64],
    pub bigrams: &'a [i64],
    pub scopes: &'a [i64],
    /// `[texts, width, evidence columns]` the wide part's evidence.
    pub evidence: Option<&'a [f32]>,
    pub lengths: &'a [i64],
    pub width: usize,
}

/// A tensor's values as float32, in row-major order.
pub(super) fn floats(tensor: &Tensor) -> Vec<f32> {
    Vec::<f32>::try_from(tensor.to_kind(Kind::Float).contiguous().view([-1]))
        .expect("a float tensor converts to floats")
}

/// `[rows, row]`: `a` (`[rows, k]`) times `b`ᵀ (`b`: `[cols, k]`), each row zero-padded to `row`.
fn padded_product(a: &Tensor, b: &Tensor, row: usize) -> Vec<f32> {
    let product = a.to_kind(Kind::Float).matmul(&b.to_kind(Kind::Float).tr());
    let cols = product.size()[1];
    floats(&product.constant_pad_nd([0, row as i64 - cols]))
}

impl Recurrence {
    /// `directions`: the first layer's, forward first.
    pub(super) fn with_kernel(
        inputs: &InputLayers,
        directions: &[&LstmTensors],
        kernel: Kernel,
    ) -> Self {
        tch::no_grad(|| Self::fold(inputs, directions, kernel))
    }

    fn fold(inputs: &InputLayers, directions: &[&LstmTensors], kernel: Kernel) -> Self {
        // bfloat16 weights compute as such only where the CPU has the dot product for them;
        // elsewhere a model loads in float32 anyway (`LstmPrecision::is_native`).
        let bfloat16 = directions[0][1].kind() == Kind::BFloat16
            && matches!(kernel, Kernel::Avx512 { bfloat16: true });
        let hidden = directions[0][1].size()[1] as usize;
        let row = (4 * hidden).div_ceil(LANES) * LANES;
        let embedding_dim = inputs.embedding.size()[1];
        let input_dim = directions[0][0].size()[1] as usize;
        let bigram_dim = inputs.bigram_embedding.map(|table| table.size()[1]);
        let directions = directions
            .iter()
            .map(|[weight_ih, weight_hh, bias_ih, bias_hh]| {
                let input_weights = weight_ih.to_kind(Kind::Float);
                let token_gates = padded_product(
                    inputs.embedding,
                    &input_weights.narrow(1, 0, embedding_dim),
                    row,
                );
                let bigram_weights = bigram_dim.map(|dim| {
                    let columns = input_weights.narrow(1, embedding_dim, dim).contiguous();
                    Product::new(&floats(&columns), 4 * hidden, dim as usize, bfloat16)
                });
                let scope_gates = inputs
                    .scope_embedding
                    .map(|scope| padded_product(scope, &input_weights, row));
                let mut bias = floats(&(bias_ih.to_kind(Kind::Float) + bias_hh));
                let evidence_gates = inputs.evidence_projection.map(|(weight, evidence_bias)| {
                    if let Some(evidence_bias) = evidence_bias {
                        let projected =
                            floats(&input_weights.matmul(&evidence_bias.to_kind(Kind::Float)));
                        for (b, p) in bias.iter_mut().zip(projected) {
                            *b += p;
                        }
                    }
                    padded_product(&weight.tr(), &input_weights, row)
                });
                Direction {
                    token_gates,
                    bigram_weights,
                    scope_gates,
                    evidence_gates,
                    recurrent: Product::new(&floats(weight_hh), 4 * hidden, hidden, bfloat16),
                    bias,
                }
            })
            .collect();
        let input_tables = InputTables {
            embedding: floats(inputs.embedding),
            embedding_dim: embedding_dim as usize,
            scope: inputs.scope_embedding.map(floats),
            evidence: inputs.evidence_projection.map(|(weight, bias)| {
                let bias = bias.map(floats).unwrap_or_else(|| vec![0.0; input_dim]);
                (floats(&weight.tr()), bias)
            }),
            input_dim,
        };
        Self {
            hidden,
            row,
            directions,
            bigram_embedding: inputs
                .bigram_embedding
                .map(|table| (floats(table), table.size()[1] as usize)),
            input_tables,
            kernel,
        }
    }

    pub(super) fn kernel(&self) -> Kernel {
        self.kernel
    }

    pub(super) fn feature_layout(&self) -> FeatureLayout {
        FeatureLayout {
            directions: self.directions.len(),
            hidden: self.hidden,
            input_dim: self.input_tables.input_dim,
        }
    }

    /// Per text, the features the member's output layer reads:
    /// `[texts, feature_dim]`, the max- then the mean-pooled states of
    /// every direction (forward then backward within each), then the mean input. Positions past
    /// a text's length are never read; the backward direction reads each text from its last
    /// token.
    ///
    /// When no other forward pass is being computed in the process and there is a second
    /// core, the backward direction runs on it: a pass alone otherwise leaves that core idle.
    pub(super) fn features(self: &Arc<Self>, pass: &PassInputs) -> Option<Vec<f32>> {
        let split = PassInFlight::count() <= 1 && self.directions.len() == 2 && has_spare_core();
        self.features_with(pass, split)
    }

    fn features_with(
        self: &Arc<Self>,
        pass: &PassInputs,
        split_directions: bool,
    ) -> Option<Vec<f32>> {
        if !self.reads(pass) {
            return None;
        }
        let texts = pass.lengths.len();
        let lengths: Vec<usize> = pass.lengths.iter().map(|&l| l.max(0) as usize).collect();
        let mut order: Vec<usize> = (0..texts).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(lengths[i]));
        let backward_elsewhere = split_directions
            .then(|| self.pooled_states_on_helper(1, pass, &lengths, &order))
            .flatten();
        let mut states: Vec<Vec<f32>> = Vec::with_capacity(self.directions.len());
        for d in 0..self.directions.len() {
            let done = match (d, &backward_elsewhere) {
                (1, Some(result)) => match receive(result) {
                    Ok(Ok(backward)) => Some(backward),
                    Ok(Err(panic)) => std::panic::resume_unwind(panic),
                    Err(_) => None,
                },
                _ => None,
            };
            states.push(done.unwrap_or_else(|| self.pooled_states(d, pass, &lengths, &order)));
        }
        let (h, layout) = (self.hidden, self.feature_layout());
        let mut out = vec![0f32; texts * layout.dim()];
        for (text, out) in out.chunks_exact_mut(layout.dim()).enumerate() {
            let (directions, mean_input) = layout.split(out);
            for ((max, mean), states) in directions.zip(&states) {
                let states = &states[text * 2 * h..(text + 1) * 2 * h];
                max.copy_from_slice(&states[..h]);
                mean.copy_from_slice(&states[h..]);
            }
            self.mean_input(pass, text, lengths[text], mean_input);
        }
        Some(out)
    }

    /// Starts [`Self::pooled_states`] on the helper thread; `None` where there is none.
    fn pooled_states_on_helper(
        self: &Arc<Self>,
        d: usize,
        pass: &PassInputs,
        lengths: &[usize],
        order: &[usize],
    ) -> Option<mpsc::Receiver<std::thread::Result<Vec<f32>>>> {
        let helper = helper()?;
        let (this, pass, lengths, order) = (
            Arc::clone(self),
            OwnedPass::from(pass),
            lengths.to_vec(),
            order.to_vec(),
        );
        let (result, receiver) = mpsc::sync_channel(1);
        let job = Box::new(move || {
            let states = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                this.pooled_states(d, &pass.inputs(), &lengths, &order)
            }));
            // The caller has gone only if it panicked itself; nothing is waiting then.
            let _ = result.send(states);
        });
        helper.send(job).ok()?;
        Some(receiver)
    }

    /// Direction `d`'s max- and mean-pooled states of every text, `[texts, 2, hidden]`;
    /// `order` holds the texts longest first.
    fn pooled_states(
        &self,
        d: usize,
        pass: &PassInputs,
        lengths: &[usize],
        order: &[usize],
    ) -> Vec<f32> {
        let (h, row) = (self.hidden, self.row);
        let direction = &self.directions[d];
        let input_gates = self.input_gates(direction, pass, lengths);
        let mut starts = Vec::with_capacity(lengths.len());
        let mut at = 0;
        for &length in lengths {
            starts.push(at);
            at += length * row;
        }
        let step = Step {
            hidden: h,
            row,
            backward: d == 1,
            weights: direction,
        };
        let mut scratch = Scratch::new(h, row);
        let mut out = vec![0f32; lengths.len() * 2 * h];
        for group in order.chunks(GROUP) {
            let reads: Vec<TextRead> = group
                .iter()
                .map(|&text| TextRead {
                    rows: &input_gates[starts[text]..starts[text] + lengths[text] * row],
                    length: lengths[text],
                })
                .collect();
            self.run(&step, &reads, &mut scratch);
            for (i, &text) in group.iter().enumerate() {
                let (max, mean) = out[text * 2 * h..(text + 1) * 2 * h].split_at_mut(h);
                max.copy_from_slice(&scratch.max[i * h..(i + 1) * h]);
                let length = lengths[text].max(1) as f32;
                for (mean, sum) in mean.iter_mut().zip(&scratch.sum[i * h..(i + 1) * h]) {
                    *mean = sum / length;
                }
            }
        }
        out
    }

    /// Whether every id, bigram bucket and scope code has a row in the tables, and the inputs
    /// are as long as the pass says.
    fn reads(&self, pass: &PassInputs) -> bool {
        let within =
            |values: &[i64], rows: usize| values.iter().all(|&v| (0..rows as i64).contains(&v));
        let positions = pass.lengths.len() * pass.width;
        let first = &self.directions[0];
        let labels = first
            .evidence_gates
            .as_ref()
            .map_or(0, |e| e.len() / self.row);
        pass.lengths
            .iter()
            .all(|&l| (0..=pass.width as i64).contains(&l))
            && [pass.ids, pass.bigrams, pass.scopes]
                .iter()
                .all(|v| v.len() == positions)
            && within(pass.ids, first.token_gates.len() / self.row)
            && self
                .bigram_embedding
                .as_ref()
                .is_none_or(|(table, dim)| within(pass.bigrams, table.len() / dim))
            && first
                .scope_gates
                .as_ref()
                .is_none_or(|g| within(pass.scopes, g.len() / self.row))
            && pass.evidence.is_none_or(|e| e.len() == positions * labels)
            && (labels == 0 || pass.evidence.is_some())
    }

    /// `[tokens of every text, row]`: each position's input times one direction's input
    /// weights, texts one after another without padding.
    fn input_gates(&self, direction: &Direction, pass: &PassInputs, lengths: &[usize]) -> Vec<f32> {
        let row = self.row;
        let tokens: usize = lengths.iter().sum();
        let mut gates = vec![0f32; tokens * row];
        let mut positions = Vec::with_capacity(tokens);
        for (text, &length) in lengths.iter().enumerate() {
            positions.extend((0..length).map(|t| text * pass.width + t));
        }
        let labels = direction
            .evidence_gates
            .as_ref()
            .map_or(0, |e| e.len() / row.max(1));
        for (out, &at) in gates.chunks_exact_mut(row).zip(&positions) {
            let id = pass.ids[at] as usize;
            out.copy_from_slice(&direction.token_gates[id * row..(id + 1) * row]);
            if let Some(scope_gates) = &direction.scope_gates {
                let code = pass.scopes[at] as usize;
                add(out, &scope_gates[code * row..(code + 1) * row], 1.0);
            }
            if let (Some(evidence_gates), Some(evidence)) =
                (&direction.evidence_gates, pass.evidence)
            {
                for (l, gates) in evidence_gates.chunks_exact(row).enumerate() {
                    add(out, gates, evidence[at * labels + l]);
                }
            }
        }
        if let (Some((table, dim)), Some(weights)) =
            (&self.bigram_embedding, &direction.bigram_weights)
        {
            let dim = *dim;
            let mut read = vec![0f32; GROUP * dim];
            let mut pairs = Vec::new();
            for (chunk, at) in gates.chunks_mut(GROUP * row).zip(positions.chunks(GROUP)) {
                for (slot, &at) in read.chunks_exact_mut(dim).zip(at) {
                    let bucket = pass.bigrams[at] as usize;
                    slot.copy_from_slice(&table[bucket * dim..(bucket + 1) * dim]);
                }
                self.add_product(weights, at.len(), &read, chunk, &mut pairs);
            }
        }
        gates
    }

    /// The mean over a text's positions of its LSTM input `x`, into `out` (`[input dim]`).
    fn mean_input(&self, pass: &PassInputs, text: usize, length: usize, out: &mut [f32]) {
        out.fill(0.0);
        let mut x = vec![0f32; out.len()];
        for at in text * pass.width..text * pass.width + length {
            self.input_at(pass, at, &mut x);
            add(out, &x, 1.0);
        }
        let length = length.max(1) as f32;
        for value in out.iter_mut() {
            *value /= length;
        }
    }

    /// The LSTM's input `x` at flat position `at` of the pass, into `out` (`[input dim]`):
    /// token and bigram embeddings side by side, plus the scope vector and the projected
    /// evidence.
    fn input_at(&self, pass: &PassInputs, at: usize, out: &mut [f32]) {
        let tables = &self.input_tables;
        let e = tables.embedding_dim;
        let id = pass.ids[at] as usize;
        out[..e].copy_from_slice(&tables.embedding[id * e..(id + 1) * e]);
        if let Some((table, dim)) = &self.bigram_embedding {
            let bucket = pass.bigrams[at] as usize;
            out[e..e + dim].copy_from_slice(&table[bucket * dim..(bucket + 1) * dim]);
        }
        if let Some(scope) = &tables.scope {
            let (code, d) = (pass.scopes[at] as usize, tables.input_dim);
            add(out, &scope[code * d..(code + 1) * d], 1.0);
        }
        if let Some((columns, bias)) = &tables.evidence {
            add(out, bias, 1.0);
            if let Some(evidence) = pass.evidence {
                let labels = columns.len() / tables.input_dim;
                for (column, &value) in columns
                    .chunks_exact(tables.input_dim)
                    .zip(&evidence[at * labels..(at + 1) * labels])
                {
                    add(out, column, value);
                }
            }
        }
    }

    /// The LSTM's inputs for a pass whose recurrence libtorch computes: `x` of every position
    /// in each direction's reading order, `[texts, width, input dim]` stored by `store` (as
    /// floats, or as the bfloat16 the LSTM computes in), the backward direction reading each
    /// text reversed within its length and padding left zero, which no pooled state reads; and
    /// each text's mean input, `[texts, input dim]`. `None` for a pass [`Recurrence::reads`]
    /// refuses.
    pub(super) fn lstm_inputs<T: Copy + Default>(
        &self,
        pass: &PassInputs,
        shape: (usize, usize),
        store: impl Fn(f32) -> T,
    ) -> Option<LstmInputs<T>> {
        if !self.reads(pass) {
            return None;
        }
        let d = self.input_tables.input_dim;
        let texts = pass.lengths.len();
        let (rows, width) = shape;
        let per_text = width * d;
        let bidirectional = self.directions.len() == 2;
        let mut forward = vec![T::default(); rows.max(texts) * per_text];
        let mut backward = vec![T::default(); if bidirectional { forward.len() } else { 0 }];
        let mut mean = vec![0f32; texts * d];
        let mut x = vec![0f32; d];
        for (text, &length) in pass.lengths.iter().enumerate() {
            let length = length as usize;
            let text_mean = &mut mean[text * d..(text + 1) * d];
            for t in 0..length {
                self.input_at(pass, text * pass.width + t, &mut x);
                add(text_mean, &x, 1.0);
                let at = text * per_text + t * d;
                for (to, &v) in forward[at..at + d].iter_mut().zip(&x) {
                    *to = store(v);
                }
                if bidirectional {
                    let at = text * per_text + (length - 1 - t) * d;
                    backward[at..at + d].copy_from_slice(&forward[text * per_text + t * d..][..d]);
                }
            }
            let length = length.max(1) as f32;
            text_mean.iter_mut().for_each(|sum| *sum /= length);
        }
        Some(LstmInputs {
            forward,
            backward,
            mean,
        })
    }

    fn run(&self, step: &Step, reads: &[TextRead], scratch: &mut Scratch) {
        match self.kernel {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `Kernel::Avx512` is only chosen where the CPU reports AVX-512F.
            Kernel::Avx512 { .. } => unsafe { run_group_avx512(step, reads, scratch) },
            _ => run_group::<false>(step, reads, scratch),
        }
    }

    fn add_product(
        &self,
        product: &Product,
        n: usize,
        x: &[f32],
        out: &mut [f32],
        pairs: &mut Vec<u32>,
    ) {
        match self.kernel {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as in `run`.
            Kernel::Avx512 { .. } => unsafe { add_avx512(product, n, x, self.row, out, pairs) },
            _ => product.add::<false>(n, x, self.row, out, pairs),
        }
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// The thread that computes the backward direction of a recurrence computed alone. It is kept
/// (and polls for a while after each job, see [`POLL`]): a thread started per pass took 41 µs
/// here to start and join.
fn helper() -> Option<&'static mpsc::Sender<Job>> {
    static HELPER: OnceLock<Option<mpsc::Sender<Job>>> = OnceLock::new();
    HELPER
        .get_or_init(|| {
            let (sender, jobs) = mpsc::channel::<Job>();
            std::thread::Builder::new()
                .name("recurrence".into())
                .spawn(move || {
                    while let Ok(job) = receive(&jobs) {
                        job();
                    }
                })
                .ok()
                .map(|_| sender)
        })
        .as_ref()
}

/// How long a thread waiting for the other polls (yielding its core to anything else that
/// would run) before it sleeps: waking a sleeping thread took about 40 µs here (a virtual
/// machine's idle core), against about 200 µs for one direction of a text alone.
const POLL: Duration = Duration::from_micros(500);

/// The next value from `receiver`, polled for up to [`POLL`] and then waited for.
fn receive<T>(receiver: &mpsc::Receiver<T>) -> Result<T, mpsc::RecvError> {
    let start = Instant::now();
    loop {
        match receiver.try_recv() {
            Ok(value) => return Ok(value),
            Err(mpsc::TryRecvError::Disconnected) => return Err(mpsc::RecvError),
            Err(mpsc::TryRecvError::Empty) if start.elapsed() < POLL => std::thread::yield_now(),
            Err(mpsc::TryRecvError::Empty) => return receiver.recv(),
        }
    }
}

/// A pass's inputs, owned, for the helper thread.
struct OwnedPass {
    ids: Vec<i64>,
    bigrams: Vec<i64>,
    scopes: Vec<i64>,
    evidence: Option<Vec<f32>>,
    lengths: Vec<i64>,
    width: usize,
}

impl From<&PassInputs<'_>> for OwnedPass {
    fn from(pass: &PassInputs) -> Self {
        Self {
            ids: pass.ids.to_vec(),
            bigrams: pass.bigrams.to_vec(),
            scopes: pass.scopes.to_vec(),
            evidence: pass.evidence.map(<[f32]>::to_vec),
            lengths: pass.lengths.to_vec(),
            width: pass.width,
        }
    }
}

impl OwnedPass {
    fn inputs(&self) -> PassInputs<'_> {
        PassInputs {
            ids: &self.ids,
            bigrams: &self.bigrams,
            scopes: &self.scopes,
            evidence: self.evidence.as_deref(),
            lengths: &self.lengths,
            width: self.width,
        }
    }
}

fn has_spare_core() -> bool {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get())) >= 2
}

#[inline(always)]
fn add(out: &mut [f32], row: &[f32], scale: f32) {
    for (o, r) in out.iter_mut().zip(row) {
        *o += scale * r;
    }
}

/// What one direction's pass over a group reads.
struct Step<'a> {
    hidden: usize,
    /// Floats per position in the direction's input gates.
    row: usize,
    backward: bool,
    weights: &'a Direction,
}

/// One text's input gates (`[length, row]`) and its length.
struct TextRead<'a> {
    rows: &'a [f32],
    length: usize,
}

/// Per group of texts: states, gates and pooled sums, reused across groups.
struct Scratch {
    pairs: Vec<u32>,
    h: Vec<f32>,
    c: Vec<f32>,
    gates: Vec<f32>,
    max: Vec<f32>,
    sum: Vec<f32>,
}

impl Scratch {
    fn new(hidden: usize, row: usize) -> Self {
        Self {
            pairs: Vec::with_capacity(GROUP * hidden.div_ceil(2)),
            h: vec![0.0; GROUP * hidden],
            c: vec![0.0; GROUP * hidden],
            gates: vec![0.0; GROUP * row],
            max: vec![0.0; GROUP * hidden],
            sum: vec![0.0; GROUP * hidden],
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn run_group_avx512(step: &Step, reads: &[TextRead], scratch: &mut Scratch) {
    run_group::<true>(step, reads, scratch)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn add_avx512(
    product: &Product,
    n: usize,
    x: &[f32],
    stride: usize,
    out: &mut [f32],
    pairs: &mut Vec<u32>,
) {
    product.add::<true>(n, x, stride, out, pairs)
}

/// Runs a group of texts, longest first, through one direction; leaves each text's max and
/// summed states in `scratch`. Texts that have ended drop out of the step, so a text costs
/// its own length.
#[inline(always)]
fn run_group<const AVX512: bool>(step: &Step, reads: &[TextRead], scratch: &mut Scratch) {
    let (hidden, row) = (step.hidden, step.row);
    let n = reads.len();
    scratch.h[..n * hidden].fill(0.0);
    scratch.c[..n * hidden].fill(0.0);
    scratch.max[..n * hidden].fill(f32::NEG_INFINITY);
    scratch.sum[..n * hidden].fill(0.0);
    let longest = reads.first().map_or(0, |r| r.length);
    for t in 0..longest {
        let active = reads.iter().take_while(|r| r.length > t).count();
        for (i, read) in reads[..active].iter().enumerate() {
            let position = if step.backward {
                read.length - 1 - t
            } else {
                t
            };
            let start = position * row;
            let input = &read.rows[start..start + 4 * hidden];
            let gates = &mut scratch.gates[i * row..i * row + 4 * hidden];
            for ((gate, x), b) in gates.iter_mut().zip(input).zip(&step.weights.bias) {
                *gate = x + b;
            }
        }
        step.weights.recurrent.add::<AVX512>(
            active,
            &scratch.h,
            row,
            &mut scratch.gates,
            &mut scratch.pairs,
        );
        for i in 0..active {
            let range = i * hidden..(i + 1) * hidden;
            cell(
                &scratch.gates[i * row..i * row + 4 * hidden],
                &mut scratch.c[range.clone()],
                &mut scratch.h[range.clone()],
            );
            for ((max, sum), &h) in scratch.max[range.clone()]
                .iter_mut()
                .zip(&mut scratch.sum[range.clone()])
                .zip(&scratch.h[range])
            {
                *max = max.max(h);
                *sum += h;
            }
        }
    }
}

#[inline(always)]
fn add_float_portable<const N: usize>(
    weights: &[f32],
    k: usize,
    stride: usize,
    x: &[f32],
    out: &mut [f32],
) {
    for (block, weights) in weights.chunks_exact(k * LANES).enumerate() {
        let at = block * LANES;
        let mut acc = [[0f32; LANES]; N];
        for (n, acc) in acc.iter_mut().enumerate() {
            acc.copy_from_slice(&out[n * stride + at..n * stride + at + LANES]);
        }
        for (j, w) in weights.chunks_exact(LANES).enumerate() {
            for (n, acc) in acc.iter_mut().enumerate() {
                let xj = x[n * k + j];
                for (a, w) in acc.iter_mut().zip(w) {
                    *a += w * xj;
                }
            }
        }
        for (n, acc) in acc.iter().enumerate() {
            out[n * stride + at..n * stride + at + LANES].copy_from_slice(acc);
        }
    }
}

/// The same sums with a block's 4·N accumulators held in registers.
///
/// # Safety
/// The CPU must have AVX-512F; `weights` must hold `blocks · k · LANES` floats, `x` at least
/// `N · k` and `out` at least `(N − 1) · stride + blocks · LANES`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
#[inline]
unsafe fn add_float_avx512<const N: usize>(
    weights: &[f32],
    blocks: usize,
    k: usize,
    stride: usize,
    x: &[f32],
    out: &mut [f32],
) {
    use std::arch::x86_64::{__m512, _mm512_fmadd_ps, _mm512_loadu_ps, _mm512_set1_ps};
    use std::arch::x86_64::{_mm512_setzero_ps, _mm512_storeu_ps};
    let weights = weights.as_ptr();
    let out = out.as_mut_ptr();
    for block in 0..blocks {
        let at = block * LANES;
        let block_weights = unsafe { weights.add(block * k * LANES) };
        let mut acc: [[__m512; 4]; N] = [[_mm512_setzero_ps(); 4]; N];
        for (n, acc) in acc.iter_mut().enumerate() {
            for (v, acc) in acc.iter_mut().enumerate() {
                *acc = unsafe { _mm512_loadu_ps(out.add(n * stride + at + 16 * v)) };
            }
        }
        for j in 0..k {
            let row = unsafe { block_weights.add(j * LANES) };
            let w: [__m512; 4] =
                std::array::from_fn(|v| unsafe { _mm512_loadu_ps(row.add(16 * v)) });
            for (n, acc) in acc.iter_mut().enumerate() {
                let xj = _mm512_set1_ps(x[n * k + j]);
                for (acc, w) in acc.iter_mut().zip(&w) {
                    *acc = _mm512_fmadd_ps(*w, xj, *acc);
                }
            }
        }
        for (n, acc) in acc.iter().enumerate() {
            for (v, acc) in acc.iter().enumerate() {
                unsafe { _mm512_storeu_ps(out.add(n * stride + at + 16 * v), *acc) };
            }
        }
    }
}

#[inline(always)]
fn add_bfloat16_portable<const N: usize>(
    weights: &[u16],
    half: usize,
    stride: usize,
    pairs: &[u32],
    out: &mut [f32],
) {
    for (block, weights) in weights.chunks_exact(half * LANES * 2).enumerate() {
        let at = block * LANES;
        for n in 0..N {
            let out = &mut out[n * stride + at..n * stride + at + LANES];
            for (p, w) in weights.chunks_exact(LANES * 2).enumerate() {
                let pair = pairs[n * half + p];
                let (low, high) = (
                    bfloat16_value(pair as u16),
                    bfloat16_value((pair >> 16) as u16),
                );
                for (o, w) in out.iter_mut().zip(w.chunks_exact(2)) {
                    *o += bfloat16_value(w[0]) * low + bfloat16_value(w[1]) * high;
                }
            }
        }
    }
}

/// `add_float_avx512` for bfloat16 weights: one instruction multiplies 16 outputs' pairs of
/// weights by a pair of inputs and adds both products, half the instructions and half the
/// weight bytes of float32.
///
/// # Safety
/// The CPU must have AVX-512F and AVX-512 BF16; `weights` must hold `blocks · half · LANES · 2`
/// values, `pairs` at least `N · half` and `out` at least `(N − 1) · stride + blocks · LANES`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bf16")]
unsafe fn add_bfloat16_avx512<const N: usize>(
    weights: &[u16],
    blocks: usize,
    half: usize,
    stride: usize,
    pairs: &[u32],
    out: &mut [f32],
) {
    use std::arch::x86_64::_mm512_storeu_ps;
    use std::arch::x86_64::{__m512, __m512bh, __m512i, _mm512_dpbf16_ps, _mm512_loadu_ps};
    use std::arch::x86_64::{_mm512_loadu_si512, _mm512_set1_epi32, _mm512_setzero_ps};
    let as_pairs = |v: __m512i| -> __m512bh {
        // SAFETY: both are 512 bits of plain data; the dot product reads them as 32 bfloat16.
        unsafe { std::mem::transmute::<__m512i, __m512bh>(v) }
    };
    let weights = weights.as_ptr();
    let out = out.as_mut_ptr();
    for block in 0..blocks {
        let at = block * LANES;
        let block_weights = unsafe { weights.add(block * half * LANES * 2) };
        let mut acc: [[__m512; 4]; N] = [[_mm512_setzero_ps(); 4]; N];
        for (n, acc) in acc.iter_mut().enumerate() {
            for (v, acc) in acc.iter_mut().enumerate() {
                *acc = unsafe { _mm512_loadu_ps(out.add(n * stride + at + 16 * v)) };
            }
        }
        for p in 0..half {
            let run = unsafe { block_weights.add(p * LANES * 2) };
            let w: [__m512bh; 4] = std::array::from_fn(|v| {
                as_pairs(unsafe { _mm512_loadu_si512(run.add(32 * v) as *const __m512i) })
            });
            for (n, acc) in acc.iter_mut().enumerate() {
                let x = as_pairs(_mm512_set1_epi32(pairs[n * half + p] as i32));
                for (acc, w) in acc.iter_mut().zip(&w) {
                    *acc = _mm512_dpbf16_ps(*acc, *w, x);
                }
            }
        }
        for (n, acc) in acc.iter().enumerate() {
            for (v, acc) in acc.iter().enumerate() {
                unsafe { _mm512_storeu_ps(out.add(n * stride + at + 16 * v), *acc) };
            }
        }
    }
}

/// One LSTM cell update from its gate sums (libtorch's order: input, forget, cell, output).
#[inline(always)]
fn cell(gates: &[f32], c: &mut [f32], h: &mut [f32]) {
    let n = c.len();
    let (input, rest) = gates.split_at(n);
    let (forget, rest) = rest.split_at(n);
    let (candidate, output) = rest.split_at(n);
    let (output, h) = (&output[..n], &mut h[..n]);
    for j in 0..n {
        let next = sigmoid(forget[j]) * c[j] + sigmoid(input[j]) * tanh(candidate[j]);
        c[j] = next;
        h[j] = sigmoid(output[j]) * tanh(next);
    }
}

/// `e^x` to within a few float32 ulps (Cephes' `expf` polynomial), written without calls or
/// branches so that the loops above vectorise.
#[inline(always)]
fn exp(x: f32) -> f32 {
    const ROUND: f32 = 12_582_912.0; // 1.5 · 2²³: adding it rounds to an integer
    let x = x.clamp(-87.0, 88.0);
    let shifted = x * std::f32::consts::LOG2_E + ROUND;
    let n = shifted - ROUND;
    let r = x - n * 0.693_359_4 + n * 2.121_944_4e-4;
    let p = ((((1.987_569_1e-4 * r + 1.398_2e-3) * r + 8.333_452e-3) * r + 4.166_579_6e-2) * r
        + 1.666_666_5e-1)
        * r
        + 0.5;
    let p = p * r * r + r + 1.0;
    // `shifted`'s low mantissa bits hold n; move n + 127 into the exponent field.
    let two_to_n = f32::from_bits(
        (shifted.to_bits() as i32 - ROUND.to_bits() as i32 + 127).wrapping_shl(23) as u32,
    );
    p * two_to_n
}

#[inline(always)]
fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + exp(-x))
}

#[inline(always)]
fn tanh(x: f32) -> f32 {
    2.0 * sigmoid(2.0 * x) - 1.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_sigmoid_and_tanh_match_the_library_functions() {
        let mut worst = (0f32, 0f32, 0f32);
        for i in -4000..=4000 {
            let x = i as f32 / 100.0;
            let e = exp(x) / x.exp() - 1.0;
            worst.0 = worst.0.max(e.abs());
            worst.1 = worst.1.max((sigmoid(x) - 1.0 / (1.0 + (-x).exp())).abs());
            worst.2 = worst.2.max((tanh(x) - x.tanh()).abs());
        }
        assert!(worst.0 < 1e-6, "exp relative error {}", worst.0);
        assert!(worst.1 < 1e-6, "sigmoid error {}", worst.1);
        assert!(worst.2 < 1e-6, "tanh error {}", worst.2);
        // Far outside the clamp the functions saturate instead of overflowing.
        assert_eq!(sigmoid(1e4), 1.0);
        assert!(sigmoid(-1e4) < 1e-37);
        assert_eq!(tanh(-1e4), -1.0);
    }

    /// A deterministic stream of values in [-1, 1).
    fn values(seed: u64, n: usize) -> Vec<f32> {
        let mut state = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (0..n)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((state >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
            })
            .collect()
    }

    #[test]
    fn bfloat16_rounding_matches_libtorch() {
        let values: Vec<f32> = values(9, 4000)
            .iter()
            .enumerate()
            .map(|(i, v)| v * 10f32.powi(i as i32 % 9 - 4))
            .collect();
        let theirs = floats(&Tensor::from_slice(&values).to_kind(Kind::BFloat16));
        let ours: Vec<f32> = values
            .iter()
            .map(|&v| bfloat16_value(bfloat16_bits(v)))
            .collect();
        assert_eq!(ours, theirs);
    }

    /// Every kernel computes `out[n] += x[n] · Wᵀ` as the definition does, in float64 over the
    /// same (for bfloat16: rounded) numbers, for 1–4 rows, odd `k` and a partial last block.
    #[test]
    fn every_kernel_computes_the_product_it_is_defined_by() {
        let detected = Kernel::detect();
        for (rows, k) in [(100, 7), (512, 128), (64, 1), (24, 6)] {
            let w = values(rows as u64, rows * k);
            for bfloat16 in [false, true] {
                let product = Product::new(&w, rows, k, bfloat16);
                let stride = rows.div_ceil(LANES) * LANES + 8;
                let rounded = |v: f32| {
                    if bfloat16 {
                        bfloat16_value(bfloat16_bits(v))
                    } else {
                        v
                    }
                };
                for n in 1..=GROUP {
                    let x = values(7 * n as u64 + k as u64, n * k);
                    let start = values(3, n * stride);
                    let expected: Vec<f64> = (0..n * stride)
                        .map(|at| {
                            let (row, j) = (at / stride, at % stride);
                            let sum: f64 = if j < rows {
                                (0..k)
                                    .map(|i| {
                                        f64::from(rounded(w[j * k + i]))
                                            * f64::from(rounded(x[row * k + i]))
                                    })
                                    .sum()
                            } else {
                                0.0
                            };
                            f64::from(start[at]) + sum
                        })
                        .collect();
                    let mut kernels = vec![false];
                    if let Kernel::Avx512 { bfloat16: has_dot } = detected
                        && (has_dot || !bfloat16)
                    {
                        kernels.push(true);
                    }
                    for avx512 in kernels {
                        let mut out = start.clone();
                        let mut pairs = Vec::new();
                        if avx512 {
                            #[cfg(target_arch = "x86_64")]
                            // SAFETY: the CPU reported what this kernel needs.
                            unsafe {
                                add_avx512(&product, n, &x, stride, &mut out, &mut pairs)
                            };
                        } else {
                            product.add::<false>(n, &x, stride, &mut out, &mut pairs);
                        }
                        let worst = out
                            .iter()
                            .zip(&expected)
                            .map(|(o, e)| (f64::from(*o) - e).abs())
                            .fold(0.0, f64::max);
                        assert!(
                            worst < 1e-4,
                            "rows {rows} k {k} n {n} bfloat16 {bfloat16} avx512 {avx512}: {worst}"
                        );
                    }
                }
            }
        }
    }

    /// The plain-Rust kernel computes the same features as the AVX-512 one, where there is one.
    #[test]
    fn the_portable_kernel_agrees_with_the_detected_one() {
        tch::manual_seed(21);
        let (hidden, input, labels) = (40i64, 12i64, 2i64);
        let randn = |shape: &[i64]| Tensor::randn(shape, (Kind::Float, tch::Device::Cpu));
        let directions: Vec<LstmTensors> = (0..2)
            .map(|_| {
                [
                    randn(&[4 * hidden, input]),
                    randn(&[4 * hidden, hidden]) * 0.3,
                    randn(&[4 * hidden]),
                    randn(&[4 * hidden]),
                ]
            })
            .collect();
        let (embedding, bigrams, scope) = (randn(&[50, 8]), randn(&[64, 4]), randn(&[8, input]));
        let (projection, bias) = (randn(&[input, labels]), randn(&[input]));
        let layers = InputLayers {
            embedding: &embedding,
            bigram_embedding: Some(&bigrams),
            scope_embedding: Some(&scope),
            evidence_projection: Some((&projection, Some(&bias))),
        };
        let lengths = [30i64, 1, 17];
        let width = 30;
        let positions = lengths.len() * width;
        let ids: Vec<i64> = (0..positions as i64).map(|i| (i * 7) % 50).collect();
        let bucket_ids: Vec<i64> = (0..positions as i64).map(|i| (i * 13) % 64).collect();
        let scopes: Vec<i64> = (0..positions as i64).map(|i| i % 8).collect();
        let evidence = values(5, positions * labels as usize);
        let pass = PassInputs {
            ids: &ids,
            bigrams: &bucket_ids,
            scopes: &scopes,
            evidence: Some(&evidence),
            lengths: &lengths,
            width,
        };
        let directions: Vec<&LstmTensors> = directions.iter().collect();
        let features = |kernel, split_directions| {
            Arc::new(Recurrence::with_kernel(&layers, &directions, kernel))
                .features_with(&pass, split_directions)
                .expect("every input has a row")
        };
        let portable = features(Kernel::Portable, false);
        assert_eq!(portable.len(), 3 * (4 * hidden + input) as usize);
        for split_directions in [false, true] {
            let detected = features(Kernel::detect(), split_directions);
            let diff = portable
                .iter()
                .zip(&detected)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f32::max);
            assert!(diff < 1e-5, "split {split_directions}: {diff}");
        }
        // An id outside the vocabulary is refused, not read.
        let mut outside = ids.clone();
        outside[3] = 50;
        let refused = Arc::new(Recurrence::with_kernel(
            &layers,
            &directions,
            Kernel::Portable,
        ))
        .features(&PassInputs {
            ids: &outside,
            ..pass
        });
        assert!(refused.is_none());
    }
}
