//! The model's threads and the queue that feeds them.
//!
//! libtorch tensors are `Send` but not `Sync`, and a forward pass blocks for milliseconds, so
//! each model copy lives on its own dedicated OS thread (`--workers` of them). HTTP handlers
//! reach them through a cloneable [`InferenceHandle`]: they push token ids onto one bounded
//! queue shared by every connection, and each worker takes length-planned forward passes from
//! it. While a pass computes the next one forms, so under load passes grow by themselves and the
//! per-item cost falls.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use super::fairness::{PassGate, Slot};
use crate::model::{Model, plan_forward_passes};

#[derive(Debug, Clone, Copy)]
pub struct BatcherConfig {
    pub max_batch_size: usize,
    pub max_batch_delay: Duration,
    pub max_queue: usize,
}

/// One text's answer, with where its time went.
#[derive(Debug, Clone)]
pub struct Prediction {
    pub probabilities: Vec<f32>,
    pub queue_time: Duration,
    pub inference_time: Duration,
    pub batch_size: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InferenceError {
    #[error("the inference queue is full ({0} texts waiting)")]
    QueueFull(usize),
    #[error("an inference worker has stopped")]
    Stopped,
    /// Shadow work found no idle core and was dropped, so it never delays answered traffic.
    #[error("no idle core for shadow work")]
    NoIdleCore,
    #[error("the model failed on this batch: {0}")]
    ModelFailed(String),
}

struct Job {
    ids: Vec<i64>,
    /// Bulk texts (a stream) run only when no interactive text waits.
    bulk: bool,
    /// Shadow texts (bulk too) run only on a core no other pass wants (`PassGate::enter_idle`).
    shadow: bool,
    enqueued: Instant,
    reply: oneshot::Sender<Result<Prediction, InferenceError>>,
}

struct Queue {
    /// Interactive texts: bounded by `max_queue`, 429 beyond it.
    jobs: VecDeque<Job>,
    /// Bulk texts from streams, bounded by each stream's window instead.
    bulk: VecDeque<Job>,
    /// When the last interactive text arrived: bulk rounds wait for a quiet spell.
    last_interactive: Instant,
    closed: bool,
    /// Which workers are computing. A worker takes work only while every lower-numbered one
    /// is busy, and new work wakes only the worker whose turn it is, so light traffic stays on
    /// worker 0 and wakes no other thread (with one shared condition variable and workers
    /// taking turns, a lone client lost ~15 % of its requests/s).
    busy: Vec<bool>,
}

impl Queue {
    fn first_idle(&self) -> Option<usize> {
        self.busy.iter().position(|&busy| !busy)
    }

    fn is_empty(&self) -> bool {
        self.jobs.is_empty() && self.bulk.is_empty()
    }

    /// Drops the texts whose client has gone away; returns how many.
    fn drop_abandoned(&mut self) -> usize {
        let before = self.jobs.len() + self.bulk.len();
        self.jobs.retain(|job| !job.reply.is_closed());
        self.bulk.retain(|job| !job.reply.is_closed());
        before - self.jobs.len() - self.bulk.len()
    }
}

/// Most bulk texts one round takes. Bulk rounds run only while no interactive text waits, but
/// an interactive text that arrives meanwhile waits for the pass in progress: small bulk passes
/// keep that wait short (see `BULK_AFTER_QUIET` for the measurements).
const BULK_ROUND: usize = 32;

/// How long no interactive text must have arrived before a bulk round runs. Running bulk rounds
/// of 64 whenever the interactive queue was momentarily empty raised p99 at 16 interactive
/// clients from 3.9 to 18.7 ms (BENCHMARKS.md): the stream's parsing, tokenizing and answers,
/// and its passes, took the cores between requests; a 2 ms pause still let it add 20–90 %. With
/// 10 ms and rounds of 32 the p99 moved by −4 to +12 %, and a stream alone still runs at the
/// batch endpoint's rate. Under steady interactive load a stream waits; in the gaps of light
/// load (a dashboard's few requests a second) it has the machine.
const BULK_AFTER_QUIET: Duration = Duration::from_millis(10);

/// How long a shadow pass waits for a core that no answering pass wants before it is dropped.
/// Long enough to outlast the answering model's own pass that has just replied (its slot is
/// freed after the reply), short enough that under steady load shadow work is dropped, not
/// piled up.
const SHADOW_PATIENCE: Duration = Duration::from_millis(100);

struct Shared {
    queue: Mutex<Queue>,
    /// One per worker, so new work wakes exactly the worker whose turn it is.
    wake: Vec<Condvar>,
    config: BatcherConfig,
    alive: AtomicBool,
    /// Workers not yet ended.
    running: AtomicUsize,
    threads: Mutex<Vec<std::thread::JoinHandle<()>>>,
    /// `model` and `version` of the loaded model, for every metric its workers record.
    labels: std::sync::OnceLock<Vec<metrics::Label>>,
    /// Shares the cores with the other models' workers; passes are charged to `model`.
    gate: Arc<PassGate>,
    model: Arc<str>,
}

impl Shared {
    fn labels(&self) -> std::slice::Iter<'_, metrics::Label> {
        self.labels.get().map_or([].iter(), |labels| labels.iter())
    }

    fn record_depths(&self, queue: &Queue) {
        // Workers whose model never loaded have nothing to name, and nothing was queued.
        if self.labels.get().is_none() {
            return;
        }
        metrics::gauge!("textserve_queue_depth", self.labels()).set(queue.jobs.len() as f64);
        metrics::gauge!("textserve_bulk_queue_depth", self.labels()).set(queue.bulk.len() as f64);
    }

    fn wake_worker(&self, worker: Option<usize>) {
        if let Some(worker) = worker {
            self.wake[worker].notify_one();
        }
    }

    fn wake_all(&self) {
        for wake in &self.wake {
            wake.notify_all();
        }
    }
}

/// Cloneable access to the inference workers.
#[derive(Clone)]
pub struct InferenceHandle {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for InferenceHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InferenceHandle")
            .field("alive", &self.is_alive())
            .finish()
    }
}

pub type PendingPrediction = oneshot::Receiver<Result<Prediction, InferenceError>>;

impl InferenceHandle {
    /// Starts `workers` inference threads, each with its own copy of the model, all taking
    /// forward passes from the one queue. `load` runs on each of them (a model never crosses
    /// threads); once every worker has loaded, the first one's `T` is sent through `loaded` —
    /// or the first error, if any worker failed. Each pass first takes a slot of `gate`, in
    /// `model`'s name.
    pub fn spawn<L, T>(
        config: BatcherConfig,
        workers: std::num::NonZeroUsize,
        (gate, model): (Arc<PassGate>, Arc<str>),
        load: L,
        loaded: oneshot::Sender<anyhow::Result<T>>,
    ) -> Self
    where
        L: Fn() -> anyhow::Result<(Model, T)> + Send + Sync + 'static,
        T: Send + 'static,
    {
        let workers = workers.get();
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue {
                jobs: VecDeque::new(),
                bulk: VecDeque::new(),
                last_interactive: Instant::now(),
                closed: false,
                busy: vec![false; workers],
            }),
            wake: (0..workers).map(|_| Condvar::new()).collect(),
            config,
            alive: AtomicBool::new(true),
            running: AtomicUsize::new(workers),
            threads: Mutex::new(Vec::new()),
            labels: std::sync::OnceLock::new(),
            gate,
            model,
        });
        let load = Arc::new(load);
        let (report, reports) = std::sync::mpsc::channel::<anyhow::Result<T>>();
        let threads: Vec<_> = (0..workers)
            .map(|worker| {
                let (shared, load, report) =
                    (Arc::clone(&shared), Arc::clone(&load), report.clone());
                std::thread::Builder::new()
                    .name(format!("textserve-inference-{worker}"))
                    .spawn(move || {
                        let mut guard = StopGuard {
                            shared: Arc::clone(&shared),
                            failed: false,
                        };
                        match load() {
                            Ok((model, info)) => {
                                shared.labels.get_or_init(|| {
                                    vec![
                                        metrics::Label::new("model", model.name().to_string()),
                                        metrics::Label::new("version", model.version().to_string()),
                                    ]
                                });
                                let _ = report.send(Ok(info));
                                drop(report);
                                run(&shared, worker, &model);
                                // A replaced version's weights go back to the kernel now,
                                // not whenever some later pass happens to trim: without
                                // this, resident memory after a dozen reloads stood 40 %
                                // above its start with no traffic.
                                drop(model);
                                crate::allocator::release_free_memory();
                            }
                            Err(error) => {
                                guard.failed = true;
                                let _ = report.send(Err(error));
                            }
                        }
                    })
                    .expect("spawn inference thread")
            })
            .collect();
        drop(report);
        if let Ok(mut slot) = shared.threads.lock() {
            *slot = threads;
        }
        std::thread::Builder::new()
            .name("textserve-loading".into())
            .spawn(move || {
                let mut first = None;
                let mut ready = 0;
                for result in reports.iter() {
                    match result {
                        Ok(info) => {
                            first.get_or_insert(info);
                            ready += 1;
                        }
                        Err(error) => {
                            let _ = loaded.send(Err(error));
                            return;
                        }
                    }
                }
                let _ = loaded.send(match first {
                    Some(info) if ready == workers => Ok(info),
                    _ => Err(anyhow::anyhow!(
                        "{} of {workers} inference workers stopped while loading the model",
                        workers - ready
                    )),
                });
            })
            .expect("spawn loading thread");
        Self { shared }
    }

    pub fn is_alive(&self) -> bool {
        self.shared.alive.load(Ordering::Acquire)
    }

    /// Every worker has ended (its model freed).
    pub fn has_ended(&self) -> bool {
        self.shared.running.load(Ordering::Acquire) == 0
    }

    pub fn queue_depth(&self) -> usize {
        self.shared.queue.lock().map(|q| q.jobs.len()).unwrap_or(0)
    }

    /// Bulk texts waiting (from streams).
    pub fn bulk_depth(&self) -> usize {
        self.shared.queue.lock().map(|q| q.bulk.len()).unwrap_or(0)
    }

    /// The queue, if it still takes work.
    fn open_queue(&self) -> Result<std::sync::MutexGuard<'_, Queue>, InferenceError> {
        let queue = self
            .shared
            .queue
            .lock()
            .map_err(|_| InferenceError::Stopped)?;
        if queue.closed || !self.is_alive() {
            return Err(InferenceError::Stopped);
        }
        Ok(queue)
    }

    /// Releases the queue after adding work and wakes the worker whose turn it is.
    fn hand_over(&self, queue: std::sync::MutexGuard<'_, Queue>) {
        self.shared.record_depths(&queue);
        let idle = queue.first_idle();
        drop(queue);
        self.shared.wake_worker(idle);
    }

    /// Queues every text of one request, or none of them: a request is never half-accepted.
    pub fn submit(
        &self,
        sequences: Vec<Vec<i64>>,
    ) -> Result<Vec<PendingPrediction>, InferenceError> {
        let mut queue = self.open_queue()?;
        if queue.jobs.len() + sequences.len() > self.shared.config.max_queue {
            return Err(InferenceError::QueueFull(queue.jobs.len()));
        }
        let now = Instant::now();
        queue.last_interactive = now;
        let receivers = sequences
            .into_iter()
            .map(|ids| {
                let (reply, receiver) = oneshot::channel();
                queue.jobs.push_back(Job {
                    ids,
                    bulk: false,
                    shadow: false,
                    enqueued: now,
                    reply,
                });
                receiver
            })
            .collect();
        self.hand_over(queue);
        Ok(receivers)
    }

    /// Queues one bulk text. Bulk texts do not count toward `max_queue` (each stream bounds
    /// its own texts in flight) and run only when no interactive text waits.
    pub fn submit_bulk(&self, ids: Vec<i64>) -> Result<PendingPrediction, InferenceError> {
        self.submit_behind(vec![ids], false)
            .map(|mut pending| pending.remove(0))
    }

    /// Queues shadow texts: bulk texts whose pass runs only if a core is idle when its turn
    /// comes, and otherwise fails with [`InferenceError::NoIdleCore`].
    pub fn submit_shadow(
        &self,
        sequences: Vec<Vec<i64>>,
    ) -> Result<Vec<PendingPrediction>, InferenceError> {
        self.submit_behind(sequences, true)
    }

    fn submit_behind(
        &self,
        sequences: Vec<Vec<i64>>,
        shadow: bool,
    ) -> Result<Vec<PendingPrediction>, InferenceError> {
        let mut queue = self.open_queue()?;
        let now = Instant::now();
        let receivers = sequences
            .into_iter()
            .map(|ids| {
                let (reply, receiver) = oneshot::channel();
                queue.bulk.push_back(Job {
                    ids,
                    bulk: true,
                    shadow,
                    enqueued: now,
                    reply,
                });
                receiver
            })
            .collect();
        self.hand_over(queue);
        Ok(receivers)
    }

    /// Lets the thread finish what is queued, then exit.
    pub fn close(&self) {
        if let Ok(mut queue) = self.shared.queue.lock() {
            queue.closed = true;
        }
        self.shared.wake_all();
    }

    /// Closes the queue and waits for the threads to end, so the models and their libtorch
    /// state are freed on those threads before the process exits. Exiting while one still runs
    /// lets libtorch's global destructors race it, which crashed the process at exit (SIGSEGV,
    /// "corrupted double-linked list") after a loaded run.
    pub fn shut_down(&self) {
        self.close();
        let threads = self
            .shared
            .threads
            .lock()
            .map(|mut slot| std::mem::take(&mut *slot))
            .unwrap_or_default();
        for thread in threads {
            let _ = thread.join();
        }
    }
}

/// Marks the handle dead and fails everything still queued when a worker fails (its model did
/// not load, or it panicked) or the last worker ends, so no request waits forever. A worker
/// that leaves normally has seen the queue closed and empty, but others may still be finishing
/// passes and putting back what they planned: those texts are theirs to answer.
struct StopGuard {
    shared: Arc<Shared>,
    failed: bool,
}

impl Drop for StopGuard {
    fn drop(&mut self) {
        let last = self.shared.running.fetch_sub(1, Ordering::AcqRel) == 1;
        if !(last || self.failed || std::thread::panicking()) {
            return;
        }
        self.shared.alive.store(false, Ordering::Release);
        let mut queue = match self.shared.queue.lock() {
            Ok(queue) => queue,
            Err(poisoned) => poisoned.into_inner(),
        };
        queue.closed = true;
        let waiting = &mut *queue;
        let queued: Vec<Job> = waiting
            .jobs
            .drain(..)
            .chain(waiting.bulk.drain(..))
            .collect();
        for job in queued {
            let _ = job.reply.send(Err(InferenceError::Stopped));
        }
        self.shared.record_depths(&queue);
        drop(queue);
        // The other workers are told to stop too.
        self.shared.wake_all();
    }
}

/// One forward pass per round, planned over everything queued: the pass that holds the oldest
/// text runs, the rest go back to the head of the queue and are planned again next round
/// together with whatever arrived meanwhile. Each client is answered as soon as its own pass
/// is done, comes back sooner, and the pool the next pass is chosen from stays large, so
/// passes hold texts of similar length — the case the in-process ceiling measures — instead
/// of splitting whatever happened to arrive together into small, padded passes.
fn run(shared: &Shared, worker: usize, model: &Model) {
    let mut computed_since_trim = false;
    while let Some(mut jobs) = next_batch(shared, worker, &mut computed_since_trim) {
        let pass = take_oldest_pass(&mut jobs);
        if !jobs.is_empty() {
            requeue(shared, jobs);
        }
        let slot = if pass.iter().all(|job| job.shadow) {
            let own_requests_wait = || shared.queue.lock().is_ok_and(|q| !q.jobs.is_empty());
            let Some(slot) = shared.gate.enter_idle(SHADOW_PATIENCE, own_requests_wait) else {
                for job in pass {
                    let _ = job.reply.send(Err(InferenceError::NoIdleCore));
                }
                continue;
            };
            slot
        } else {
            shared.gate.enter(&shared.model)
        };
        compute(shared, model, worker, pass, slot);
        computed_since_trim = true;
    }
}

/// How long a worker must find nothing to do before it hands freed memory back. Trimming
/// after every pass that emptied the queue cost 15–20 % of requests/s at 32 clients once the
/// word segmenter's dictionary (~30 MB of small allocations) joined the heap: glibc's
/// `malloc_trim`, the allocator then, walks the whole heap, and under load the queue empties
/// between most passes.
const IDLE_BEFORE_TRIM: Duration = Duration::from_millis(50);

/// Removes from `jobs` (oldest first) the forward pass, planned over all of them by length,
/// that holds the oldest job; `jobs` keeps the rest in their original order.
fn take_oldest_pass(jobs: &mut Vec<Job>) -> Vec<Job> {
    // Stable sort: equal lengths stay oldest first.
    let mut by_length: Vec<usize> = (0..jobs.len()).collect();
    by_length.sort_by_key(|&i| jobs[i].ids.len());
    let lengths: Vec<usize> = by_length.iter().map(|&i| jobs[i].ids.len()).collect();
    let oldest = by_length.iter().position(|&i| i == 0).unwrap_or(0);
    let pass = plan_forward_passes(&lengths)
        .into_iter()
        .find(|pass| pass.contains(&oldest))
        .unwrap_or(0..jobs.len());
    let mut chosen = by_length[pass].to_vec();
    chosen.sort_unstable();
    let mut taken: Vec<Job> = chosen.iter().rev().map(|&i| jobs.remove(i)).collect();
    taken.reverse();
    taken
}

/// Puts jobs back at the head of the queue, ahead of newer arrivals, in their original order.
fn requeue(shared: &Shared, jobs: Vec<Job>) {
    let Ok(mut queue) = shared.queue.lock() else {
        return;
    };
    for job in jobs.into_iter().rev() {
        if job.bulk {
            queue.bulk.push_front(job);
        } else {
            queue.jobs.push_front(job);
        }
    }
    shared.record_depths(&queue);
    // An idle worker can take the rest while this one computes.
    let idle = queue.first_idle();
    drop(queue);
    shared.wake_worker(idle);
}

/// How long the worker whose turn it is keeps looking at an empty queue (yielding its core to
/// anything else that would run) before it sleeps: waking a sleeping thread took about 40 µs
/// here (a virtual machine's idle core), a tenth of a lone text's pass with the default model.
const POLL_BEFORE_SLEEP: Duration = Duration::from_micros(500);

/// Returns once something is queued, or after [`POLL_BEFORE_SLEEP`].
fn poll_for_work(shared: &Shared) {
    let start = Instant::now();
    while start.elapsed() < POLL_BEFORE_SLEEP {
        std::thread::yield_now();
        if shared.queue.try_lock().is_ok_and(|queue| !queue.is_empty()) {
            return;
        }
    }
}

/// Blocks until work arrives, then waits until the batch is full or the oldest item has waited
/// `max_batch_delay`. Items whose client has gone away are dropped here, not computed. A worker
/// that has computed since its last trim and then stays idle for `IDLE_BEFORE_TRIM` trims.
fn next_batch(shared: &Shared, worker: usize, computed_since_trim: &mut bool) -> Option<Vec<Job>> {
    let config = shared.config;
    let mut queue = shared.queue.lock().ok()?;
    queue.busy[worker] = false;
    let mut polled = false;
    loop {
        let abandoned = queue.drop_abandoned();
        if abandoned > 0 {
            metrics::counter!("textserve_abandoned_total", shared.labels())
                .increment(abandoned as u64);
            shared.record_depths(&queue);
        }
        let my_turn = queue.closed || queue.busy[..worker].iter().all(|&busy| busy);
        if !queue.jobs.is_empty() && my_turn {
            let deadline = queue.jobs[0].enqueued + config.max_batch_delay;
            let now = Instant::now();
            if queue.jobs.len() >= config.max_batch_size || now >= deadline || queue.closed {
                break;
            }
            queue = shared.wake[worker]
                .wait_timeout(queue, deadline - now)
                .ok()?
                .0;
        } else if queue.jobs.is_empty() && !queue.bulk.is_empty() && my_turn {
            // Nothing interactive waits: a bulk round once interactive traffic has paused.
            let quiet = queue.last_interactive.elapsed();
            if quiet >= BULK_AFTER_QUIET || queue.closed {
                break;
            }
            queue = shared.wake[worker]
                .wait_timeout(queue, BULK_AFTER_QUIET - quiet)
                .ok()?
                .0;
        } else if queue.is_empty() && queue.closed {
            // Whoever waits for their turn must see the end too.
            shared.wake_all();
            return None;
        } else if queue.is_empty() && my_turn && !polled {
            polled = true;
            drop(queue);
            poll_for_work(shared);
            queue = shared.queue.lock().ok()?;
        } else if queue.is_empty() && *computed_since_trim {
            let (guard, waited) = shared.wake[worker]
                .wait_timeout(queue, IDLE_BEFORE_TRIM)
                .ok()?;
            queue = guard;
            if waited.timed_out() && queue.is_empty() {
                drop(queue);
                crate::allocator::release_free_memory();
                *computed_since_trim = false;
                queue = shared.queue.lock().ok()?;
            }
        } else {
            queue = shared.wake[worker].wait(queue).ok()?;
        }
    }
    queue.busy[worker] = true;
    let jobs: Vec<Job> = if queue.jobs.is_empty() {
        let take = queue.bulk.len().min(BULK_ROUND.min(config.max_batch_size));
        queue.bulk.drain(..take).collect()
    } else {
        let take = queue.jobs.len().min(config.max_batch_size);
        queue.jobs.drain(..take).collect()
    };
    shared.record_depths(&queue);
    Some(jobs)
}

/// Runs one forward pass (as planned by `take_oldest_pass`) and answers its jobs.
/// The gate's `slot` is given back as soon as the pass has computed, before the replies go
/// out: a request that has its answer sees the core it used as free again (its shadow, if it
/// has one, looks for exactly that).
fn compute(shared: &Shared, model: &Model, worker: usize, jobs: Vec<Job>, slot: Slot) {
    let started = Instant::now();
    for job in &jobs {
        metrics::histogram!("textserve_queue_wait_seconds", shared.labels())
            .record((started - job.enqueued).as_secs_f64());
    }
    let batch_size = jobs.len();
    let sequences: Vec<&[i64]> = jobs.iter().map(|job| job.ids.as_slice()).collect();
    let results = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        model.try_forward_probabilities(&sequences)
    }))
    .unwrap_or_else(|panic| {
        // Readiness turns before the pass's clients hear of the failure (their replies drop
        // while the panic unwinds), so no client sees a 503 while /health/ready still says 200.
        shared.alive.store(false, Ordering::Release);
        std::panic::resume_unwind(panic)
    });
    drop(slot);
    let inference_time = started.elapsed();
    metrics::histogram!("textserve_batch_size", shared.labels()).record(batch_size as f64);
    let mut labels: Vec<metrics::Label> = shared.labels().cloned().collect();
    labels.push(metrics::Label::new("worker", worker.to_string()));
    metrics::histogram!("textserve_inference_duration_seconds", labels)
        .record(inference_time.as_secs_f64());
    let results = match results {
        Ok(results) => results,
        Err(failed) => {
            // A TorchScript module's own graph failed on this pass: its texts get the error,
            // the worker goes on with the next pass.
            tracing::error!(error = %failed, batch_size, "a forward pass failed");
            for job in jobs {
                let _ = job
                    .reply
                    .send(Err(InferenceError::ModelFailed(failed.0.clone())));
            }
            return;
        }
    };
    for (job, probabilities) in jobs.into_iter().zip(results) {
        let _ = job.reply.send(Ok(Prediction {
            probabilities,
            queue_time: started - job.enqueued,
            inference_time,
            batch_size,
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(length: usize) -> Job {
        Job {
            ids: vec![2; length],
            bulk: false,
            shadow: false,
            enqueued: Instant::now(),
            reply: oneshot::channel().0,
        }
    }

    #[test]
    fn the_pass_holding_the_oldest_text_runs_and_the_rest_keep_their_order() {
        // Oldest first: a long text, then short ones and more long ones.
        let lengths = [200, 10, 12, 190, 11, 9, 150];
        let mut jobs: Vec<Job> = lengths.iter().map(|&l| job(l)).collect();
        let pass = take_oldest_pass(&mut jobs);
        let taken: Vec<usize> = pass.iter().map(|j| j.ids.len()).collect();
        assert_eq!(taken, [200, 190, 150], "the long texts, in arrival order");
        let rest: Vec<usize> = jobs.iter().map(|j| j.ids.len()).collect();
        assert_eq!(
            rest,
            [10, 12, 11, 9],
            "the short texts wait, in arrival order"
        );
        let next = take_oldest_pass(&mut jobs);
        assert_eq!(next.len(), 4);
        assert!(jobs.is_empty());
    }
}
