//! The model's own thread and the queue that feeds it.
//!
//! libtorch tensors are `Send` but not `Sync`, and a forward pass blocks for milliseconds, so the
//! model lives on one dedicated OS thread. HTTP handlers reach it through a cloneable
//! [`InferenceHandle`]: they push token ids onto one bounded queue shared by every connection,
//! and the thread drains it in length-sorted batches. While a batch computes the next one forms,
//! so under load batches grow by themselves and the per-item cost falls.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use crate::model::{Model, forward_probabilities, plan_forward_passes};

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
    #[error("the inference thread has stopped")]
    Stopped,
}

struct Job {
    ids: Vec<i64>,
    enqueued: Instant,
    reply: oneshot::Sender<Result<Prediction, InferenceError>>,
}

struct Queue {
    jobs: VecDeque<Job>,
    closed: bool,
}

struct Shared {
    queue: Mutex<Queue>,
    wake: Condvar,
    config: BatcherConfig,
    alive: AtomicBool,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

/// Cloneable access to the inference thread.
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
    /// Starts the inference thread. `load` runs on that thread (the model never crosses
    /// threads); its result, or its error, is sent back through `loaded` before any batch runs.
    pub fn spawn<L, T>(
        config: BatcherConfig,
        load: L,
        loaded: oneshot::Sender<anyhow::Result<T>>,
    ) -> Self
    where
        L: FnOnce() -> anyhow::Result<(Model, T)> + Send + 'static,
        T: Send + 'static,
    {
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue {
                jobs: VecDeque::new(),
                closed: false,
            }),
            wake: Condvar::new(),
            config,
            alive: AtomicBool::new(true),
            thread: Mutex::new(None),
        });
        let thread_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("textserve-inference".into())
            .spawn(move || {
                let _guard = StopGuard(Arc::clone(&thread_shared));
                match load() {
                    Ok((model, info)) => {
                        let _ = loaded.send(Ok(info));
                        run(&thread_shared, &model);
                    }
                    Err(error) => {
                        let _ = loaded.send(Err(error));
                    }
                }
            })
            .expect("spawn inference thread");
        if let Ok(mut slot) = shared.thread.lock() {
            *slot = Some(thread);
        }
        Self { shared }
    }

    pub fn is_alive(&self) -> bool {
        self.shared.alive.load(Ordering::Acquire)
    }

    pub fn queue_depth(&self) -> usize {
        self.shared.queue.lock().map(|q| q.jobs.len()).unwrap_or(0)
    }

    /// Queues every text of one request, or none of them: a request is never half-accepted.
    pub fn submit(
        &self,
        sequences: Vec<Vec<i64>>,
    ) -> Result<Vec<PendingPrediction>, InferenceError> {
        let mut queue = self
            .shared
            .queue
            .lock()
            .map_err(|_| InferenceError::Stopped)?;
        if queue.closed || !self.is_alive() {
            return Err(InferenceError::Stopped);
        }
        if queue.jobs.len() + sequences.len() > self.shared.config.max_queue {
            return Err(InferenceError::QueueFull(queue.jobs.len()));
        }
        let now = Instant::now();
        let receivers = sequences
            .into_iter()
            .map(|ids| {
                let (reply, receiver) = oneshot::channel();
                queue.jobs.push_back(Job {
                    ids,
                    enqueued: now,
                    reply,
                });
                receiver
            })
            .collect();
        metrics::gauge!("textserve_queue_depth").set(queue.jobs.len() as f64);
        drop(queue);
        self.shared.wake.notify_one();
        Ok(receivers)
    }

    /// Lets the thread finish what is queued, then exit.
    pub fn close(&self) {
        if let Ok(mut queue) = self.shared.queue.lock() {
            queue.closed = true;
        }
        self.shared.wake.notify_all();
    }

    /// Closes the queue and waits for the thread to end, so the model and its libtorch state
    /// are freed on that thread before the process exits. Exiting while it still runs lets
    /// libtorch's global destructors race it, which crashed the process at exit (SIGSEGV,
    /// "corrupted double-linked list") after a loaded run.
    pub fn shut_down(&self) {
        self.close();
        let thread = self
            .shared
            .thread
            .lock()
            .ok()
            .and_then(|mut slot| slot.take());
        if let Some(thread) = thread {
            let _ = thread.join();
        }
    }
}

/// Marks the handle dead and fails everything still queued when the thread ends for any reason,
/// panics included, so no request waits forever.
struct StopGuard(Arc<Shared>);

impl Drop for StopGuard {
    fn drop(&mut self) {
        self.0.alive.store(false, Ordering::Release);
        let mut queue = match self.0.queue.lock() {
            Ok(queue) => queue,
            Err(poisoned) => poisoned.into_inner(),
        };
        queue.closed = true;
        for job in queue.jobs.drain(..) {
            let _ = job.reply.send(Err(InferenceError::Stopped));
        }
        metrics::gauge!("textserve_queue_depth").set(0.0);
    }
}

/// One forward pass per round, planned over everything queued: the pass that holds the oldest
/// text runs, the rest go back to the head of the queue and are planned again next round
/// together with whatever arrived meanwhile. Each client is answered as soon as its own pass
/// is done, comes back sooner, and the pool the next pass is chosen from stays large, so
/// passes hold texts of similar length — the case the in-process ceiling measures — instead
/// of splitting whatever happened to arrive together into small, padded passes.
fn run(shared: &Shared, model: &Model) {
    while let Some(mut jobs) = next_batch(shared) {
        let pass = take_oldest_pass(&mut jobs);
        if !jobs.is_empty() {
            requeue(shared, jobs);
        }
        compute(model, pass);
        let idle = shared
            .queue
            .lock()
            .map(|q| q.jobs.is_empty())
            .unwrap_or(false);
        if idle {
            release_free_memory();
        }
    }
}

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
        queue.jobs.push_front(job);
    }
    metrics::gauge!("textserve_queue_depth").set(queue.jobs.len() as f64);
}

/// Hands freed activation memory back to the kernel when the model goes idle, so resident
/// memory falls back after a burst instead of staying at its peak. Costs nothing under load,
/// when the queue never empties.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn release_free_memory() {
    // SAFETY: malloc_trim only returns unused pages of the allocator's heaps to the kernel.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn release_free_memory() {}

/// Blocks until work arrives, then waits until the batch is full or the oldest item has waited
/// `max_batch_delay`. Items whose client has gone away are dropped here, not computed.
fn next_batch(shared: &Shared) -> Option<Vec<Job>> {
    let config = shared.config;
    let mut queue = shared.queue.lock().ok()?;
    loop {
        let before = queue.jobs.len();
        queue.jobs.retain(|job| !job.reply.is_closed());
        let abandoned = before - queue.jobs.len();
        if abandoned > 0 {
            metrics::counter!("textserve_abandoned_total").increment(abandoned as u64);
            metrics::gauge!("textserve_queue_depth").set(queue.jobs.len() as f64);
        }
        if !queue.jobs.is_empty() {
            let deadline = queue.jobs[0].enqueued + config.max_batch_delay;
            let now = Instant::now();
            if queue.jobs.len() >= config.max_batch_size || now >= deadline || queue.closed {
                break;
            }
            queue = shared.wake.wait_timeout(queue, deadline - now).ok()?.0;
        } else if queue.closed {
            return None;
        } else {
            queue = shared.wake.wait(queue).ok()?;
        }
    }
    let take = queue.jobs.len().min(config.max_batch_size);
    let jobs: Vec<Job> = queue.jobs.drain(..take).collect();
    metrics::gauge!("textserve_queue_depth").set(queue.jobs.len() as f64);
    Some(jobs)
}

/// Runs one forward pass (as planned by `take_oldest_pass`) and answers its jobs.
fn compute(model: &Model, jobs: Vec<Job>) {
    let started = Instant::now();
    for job in &jobs {
        metrics::histogram!("textserve_queue_wait_seconds")
            .record((started - job.enqueued).as_secs_f64());
    }
    let batch_size = jobs.len();
    let sequences: Vec<&[i64]> = jobs.iter().map(|job| job.ids.as_slice()).collect();
    let results = forward_probabilities(model.classifier(), &sequences);
    let inference_time = started.elapsed();
    metrics::histogram!("textserve_batch_size").record(batch_size as f64);
    metrics::histogram!("textserve_inference_duration_seconds")
        .record(inference_time.as_secs_f64());
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
