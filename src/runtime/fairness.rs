//! Fair shares of the cores between models.
//!
//! Every model version has workers of its own, but the forward passes they run at once are
//! counted across all models by one [`PassGate`], with as many slots as one model has workers.
//! While more than one model has had work lately, no model may hold every slot, so a model
//! with a text waiting finds a slot free instead of waiting behind a flooded model's passes;
//! among waiting workers the next slot goes to the model that has used the least compute time.
//!
//! Measured with two copies of a model that computes its LSTM member (one text's p99 7.6 ms),
//! model b at 50 requests/s beside model a kept saturated by 32 connections (RELIABILITY.md §7):
//! b's p99 was 19.9 ms with no gate (four inference threads on two cores, shared by the OS per
//! thread) and is 13.2 ms with it; a answered 22 % fewer requests/s meanwhile, the price of the
//! kept slot. A gate that only chose fairly among waiting workers, keeping no slot, was worse
//! than none (95 ms against 55 ms beside a 256-connection flood): b then waited for one of a's
//! 30-ms passes to end, and passes cannot be interrupted.

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// One worker waiting for a slot, as the planner sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Waiting {
    /// Compute time its model has used (the fair-share clock).
    pub used: Duration,
    /// Arrival order at the gate.
    pub ticket: u64,
    /// Slots its model holds now.
    pub running: usize,
    /// Whether another model has had work within [`ACTIVE_WINDOW`].
    pub others_active: bool,
}

/// Which waiting worker gets the next free slot, if any may. While other models are active a
/// model may hold at most `slots - 1` (at least one), so the last slot stays free for them;
/// among those that may, the model that has used the least compute time goes first, the
/// earliest arrival among equals.
pub fn next_grant(waiting: &[Waiting], slots: usize) -> Option<usize> {
    let share = slots.saturating_sub(1).max(1);
    waiting
        .iter()
        .enumerate()
        .filter(|(_, w)| !w.others_active || w.running < share)
        .min_by_key(|(_, w)| (w.used, w.ticket))
        .map(|(index, _)| index)
}

/// A model that has entered the gate this recently counts as active. Longer than the gap
/// between a lightly used model's requests (20 ms at 50 requests/s), so its slot stays kept.
pub const ACTIVE_WINDOW: Duration = Duration::from_millis(200);

/// A model's clock may not lag the busiest waiting model's by more than this, so a model
/// cannot bank credit while idle and then take the slots for a long burst.
const MAX_CREDIT: Duration = Duration::from_millis(20);

#[derive(Default)]
struct ModelShare {
    used: Duration,
    running: usize,
    last_seen: Option<Instant>,
}

struct GateState {
    slots: usize,
    free: usize,
    next_ticket: u64,
    /// Tickets waiting, with their model, oldest first.
    waiting: Vec<(u64, Arc<str>)>,
    /// Tickets granted a slot whose thread has not yet woken to take it.
    granted: Vec<u64>,
    models: HashMap<Arc<str>, ModelShare>,
    /// Spare-capacity passes waiting for a slot nobody else wants (`enter_idle`).
    idle_waiters: usize,
}

impl GateState {
    fn share(&self, model: &str) -> Option<&ModelShare> {
        self.models.get(model)
    }

    fn others_active(&self, model: &str, now: Instant) -> bool {
        self.models.iter().any(|(other, share)| {
            &**other != model
                && (share.running > 0
                    || share
                        .last_seen
                        .is_some_and(|seen| now.duration_since(seen) < ACTIVE_WINDOW))
        })
    }

    /// Hands free slots to waiting workers, as `next_grant` plans.
    fn grant(&mut self) {
        let now = Instant::now();
        while self.free > 0 {
            let candidates: Vec<Waiting> = self
                .waiting
                .iter()
                .map(|(ticket, model)| {
                    let share = self.share(model);
                    Waiting {
                        used: share.map(|s| s.used).unwrap_or_default(),
                        ticket: *ticket,
                        running: share.map_or(0, |s| s.running),
                        others_active: self.others_active(model, now),
                    }
                })
                .collect();
            let Some(index) = next_grant(&candidates, self.slots) else {
                return;
            };
            let (ticket, model) = self.waiting.remove(index);
            self.models.entry(model).or_default().running += 1;
            self.granted.push(ticket);
            self.free -= 1;
        }
    }
}

/// Counts forward passes in flight across every model and grants slots fairly.
pub struct PassGate {
    state: Mutex<GateState>,
    wake: Condvar,
}

impl std::fmt::Debug for PassGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PassGate").finish_non_exhaustive()
    }
}

impl PassGate {
    pub fn new(slots: NonZeroUsize) -> Arc<Self> {
        let slots = slots.get();
        Arc::new(Self {
            state: Mutex::new(GateState {
                slots,
                free: slots,
                next_ticket: 0,
                waiting: Vec::new(),
                granted: Vec::new(),
                models: HashMap::new(),
                idle_waiters: 0,
            }),
            wake: Condvar::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, GateState> {
        // Every change to the state is complete before anything can panic.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Blocks until `model` may run a forward pass; the slot is held until the [`Slot`] drops.
    /// The name is shared, not copied: this runs before every pass.
    pub fn enter(self: &Arc<Self>, model: &Arc<str>) -> Slot {
        let mut state = self.lock();
        let ticket = state.next_ticket;
        state.next_ticket += 1;
        let busiest_waiting = state
            .waiting
            .iter()
            .filter_map(|(_, waiting)| state.share(waiting).map(|s| s.used))
            .max();
        let share = state.models.entry(Arc::clone(model)).or_default();
        if let Some(busiest) = busiest_waiting {
            share.used = share.used.max(busiest.saturating_sub(MAX_CREDIT));
        }
        share.last_seen = Some(Instant::now());
        state.waiting.push((ticket, Arc::clone(model)));
        loop {
            state.grant();
            if state.granted.iter().any(|&granted| granted != ticket) {
                // Whoever else was just granted a slot must wake to take it.
                self.wake.notify_all();
            }
            if let Some(mine) = state.granted.iter().position(|&granted| granted == ticket) {
                state.granted.swap_remove(mine);
                break;
            }
            // Another model's pass may end, or the window that kept a slot from this model
            // may close with no pass ending.
            state = self
                .wake
                .wait_timeout(state, ACTIVE_WINDOW)
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
        }
        drop(state);
        Slot {
            gate: Arc::clone(self),
            model: Some(Arc::clone(model)),
            entered: Instant::now(),
        }
    }

    /// Whether a slot is free that no waiting pass wants now: spare capacity.
    pub fn has_spare(&self) -> bool {
        let state = self.lock();
        state.free > 0 && state.waiting.is_empty() && state.granted.is_empty()
    }

    /// A slot for work that may only use spare capacity (a shadow model's passes): taken as
    /// soon as a slot is free that no waiting pass wants, within `patience`, or refused; also
    /// refused as soon as `give_up()` says the waiting worker has better work (its own model's
    /// requests). Such a pass is charged to no model and does not make its model active, so
    /// the models that answer traffic keep every slot they would have had without it.
    pub fn enter_idle(
        self: &Arc<Self>,
        patience: Duration,
        give_up: impl Fn() -> bool,
    ) -> Option<Slot> {
        /// How often a waiting shadow pass asks `give_up`: new requests for its own model do
        /// not wake the gate, so they are looked for at this pace.
        const LOOK_EVERY: Duration = Duration::from_millis(2);
        let deadline = Instant::now() + patience;
        let mut state = self.lock();
        loop {
            if state.free > 0 && state.waiting.is_empty() && state.granted.is_empty() {
                state.free -= 1;
                break;
            }
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            drop(state);
            if give_up() {
                return None;
            }
            state = self.lock();
            state.idle_waiters += 1;
            state = self
                .wake
                .wait_timeout(state, (deadline - now).min(LOOK_EVERY))
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
            state.idle_waiters -= 1;
        }
        drop(state);
        Some(Slot {
            gate: Arc::clone(self),
            model: None,
            entered: Instant::now(),
        })
    }
}

/// A forward pass's slot. Dropping it (also while a panic unwinds) frees the slot and charges
/// the pass's time to its model.
pub struct Slot {
    gate: Arc<PassGate>,
    /// `None` for a pass on spare capacity, charged to nobody.
    model: Option<Arc<str>>,
    entered: Instant,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut state = self.gate.lock();
        // `enter` made the model's share before granting this slot.
        if let Some(share) = self
            .model
            .as_deref()
            .and_then(|model| state.models.get_mut(model))
        {
            share.used += self.entered.elapsed();
            share.running = share.running.saturating_sub(1);
        }
        state.free += 1;
        state.grant();
        let wake = !state.granted.is_empty() || state.idle_waiters > 0;
        drop(state);
        if wake {
            self.gate.wake.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waiting(used_ms: u64, ticket: u64, running: usize, others_active: bool) -> Waiting {
        Waiting {
            used: Duration::from_millis(used_ms),
            ticket,
            running,
            others_active,
        }
    }

    #[test]
    fn the_model_that_used_least_goes_first_then_the_earliest() {
        assert_eq!(next_grant(&[], 2), None);
        // A flooded model's workers queued first; the light model's came last.
        let queue = [
            waiting(900, 1, 0, true),
            waiting(900, 2, 0, true),
            waiting(3, 7, 0, true),
        ];
        assert_eq!(next_grant(&queue, 2), Some(2));
        let equal = [
            waiting(5, 4, 0, false),
            waiting(5, 2, 0, false),
            waiting(6, 1, 0, false),
        ];
        assert_eq!(next_grant(&equal, 2), Some(1));
    }

    #[test]
    fn a_model_keeps_the_last_slot_free_only_while_others_are_active() {
        // Holding one of two slots: alone it may take the second, beside another model not.
        assert_eq!(next_grant(&[waiting(9, 1, 1, false)], 2), Some(0));
        assert_eq!(next_grant(&[waiting(9, 1, 1, true)], 2), None);
        // The other model's worker behind it still gets the free slot.
        let both = [waiting(9, 1, 1, true), waiting(50, 2, 0, true)];
        assert_eq!(next_grant(&both, 2), Some(1));
        // With one slot there is nothing to keep back.
        assert_eq!(next_grant(&[waiting(9, 1, 0, true)], 1), Some(0));
        assert_eq!(next_grant(&[waiting(9, 1, 2, true)], 4), Some(0));
        assert_eq!(next_grant(&[waiting(9, 1, 3, true)], 4), None);
    }

    /// Runs `model`'s pass of `millis` through the gate on a thread, noting when it started.
    fn pass(
        gate: &Arc<PassGate>,
        model: &'static str,
        millis: u64,
        order: &Arc<Mutex<Vec<&'static str>>>,
    ) -> std::thread::JoinHandle<()> {
        let (gate, order) = (Arc::clone(gate), Arc::clone(order));
        std::thread::spawn(move || {
            let _slot = gate.enter(&model.into());
            order.lock().unwrap().push(model);
            std::thread::sleep(Duration::from_millis(millis));
        })
    }

    #[test]
    fn a_light_model_overtakes_a_flooded_one_at_the_gate() {
        let gate = PassGate::new(NonZeroUsize::MIN);
        let order = Arc::new(Mutex::new(Vec::new()));
        let first = pass(&gate, "flooded", 200, &order);
        std::thread::sleep(Duration::from_millis(10));
        let mut rest = vec![pass(&gate, "flooded", 2, &order)];
        std::thread::sleep(Duration::from_millis(5));
        rest.push(pass(&gate, "flooded", 2, &order));
        std::thread::sleep(Duration::from_millis(5));
        rest.push(pass(&gate, "light", 2, &order));
        first.join().unwrap();
        for thread in rest {
            thread.join().unwrap();
        }
        assert_eq!(
            *order.lock().unwrap(),
            ["flooded", "light", "flooded", "flooded"]
        );
    }

    #[test]
    fn a_flooded_model_leaves_a_slot_free_for_another_active_model() {
        let gate = PassGate::new(NonZeroUsize::new(2).unwrap());
        let order = Arc::new(Mutex::new(Vec::new()));
        // The light model was just seen, so the flooded one may hold only one slot.
        drop(gate.enter(&"light".into()));
        let long = pass(&gate, "flooded", 200, &order);
        std::thread::sleep(Duration::from_millis(10));
        let second = pass(&gate, "flooded", 1, &order);
        std::thread::sleep(Duration::from_millis(10));
        assert_eq!(*order.lock().unwrap(), ["flooded"], "the second pass waits");
        // The light model's pass starts in the kept slot, before the long pass ends.
        pass(&gate, "light", 1, &order).join().unwrap();
        long.join().unwrap();
        second.join().unwrap();
        assert_eq!(*order.lock().unwrap(), ["flooded", "light", "flooded"]);
    }

    #[test]
    fn spare_capacity_is_granted_only_when_no_pass_waits_and_counts_for_no_model() {
        let gate = PassGate::new(NonZeroUsize::new(2).unwrap());
        let answering = gate.enter(&"answering".into());
        let now = Duration::ZERO;
        let shadow = gate
            .enter_idle(now, || false)
            .expect("one slot is free and nobody waits");
        assert!(
            gate.enter_idle(now, || false).is_none(),
            "both slots are taken"
        );
        {
            let state = gate.lock();
            assert_eq!(
                state.models.len(),
                1,
                "the shadow pass made no model active"
            );
            assert_eq!(state.share("answering").map(|s| s.running), Some(1));
        }
        drop(shadow);
        drop(answering);
        // A slot kept free for another active model is not spare: the flooded model's second
        // pass waits beside it, and the light model may come for it any moment.
        drop(gate.enter(&"light".into()));
        let flooded = gate.enter(&"flooded".into());
        let second = {
            let gate = Arc::clone(&gate);
            std::thread::spawn(move || drop(gate.enter(&"flooded".into())))
        };
        while gate_waiting(&gate) == 0 {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(gate.lock().free, 1);
        assert!(!gate.has_spare());
        assert!(
            gate.enter_idle(now, || false).is_none(),
            "a pass waits for a slot"
        );
        drop(flooded);
        second.join().unwrap();
        assert!(
            gate.enter_idle(now, || false).is_some(),
            "all slots free again"
        );
    }

    #[test]
    fn spare_capacity_work_waits_for_a_slot_to_free_within_its_patience() {
        let gate = PassGate::new(NonZeroUsize::MIN);
        let answering = gate.enter(&"answering".into());
        let shadow = {
            let gate = Arc::clone(&gate);
            std::thread::spawn(move || gate.enter_idle(Duration::from_secs(5), || false).is_some())
        };
        while gate.lock().idle_waiters == 0 {
            std::thread::sleep(Duration::from_millis(1));
        }
        drop(answering);
        assert!(
            shadow.join().unwrap(),
            "the freed slot went to the waiting shadow pass"
        );
        let _busy = gate.enter(&"answering".into());
        assert!(
            gate.enter_idle(Duration::from_millis(20), || false)
                .is_none()
        );
        // Better work for the waiting worker ends the wait long before its patience does.
        let started = Instant::now();
        assert!(gate.enter_idle(Duration::from_secs(5), || true).is_none());
        assert!(started.elapsed() < Duration::from_secs(1));
    }

    fn gate_waiting(gate: &PassGate) -> usize {
        gate.lock().waiting.len()
    }

    #[test]
    fn an_idle_model_cannot_bank_more_than_a_bounded_credit() {
        let gate = PassGate::new(NonZeroUsize::MIN);
        {
            let mut state = gate.lock();
            state.models.entry("busy".into()).or_default().used = Duration::from_secs(10);
            state.waiting.push((99, "busy".into()));
            state.free = 0;
        }
        let returning = {
            let gate = Arc::clone(&gate);
            std::thread::spawn(move || drop(gate.enter(&"returning".into())))
        };
        while gate.lock().waiting.len() < 2 {
            std::thread::sleep(Duration::from_millis(1));
        }
        let clock = gate.lock().share("returning").map(|s| s.used);
        assert_eq!(clock, Some(Duration::from_secs(10) - MAX_CREDIT));
        // Free the slot: the returning model still goes first, its clock being behind.
        let mut state = gate.lock();
        state.free = 1;
        state.grant();
        assert_eq!(state.granted, [0]);
        drop(state);
        gate.wake.notify_all();
        returning.join().unwrap();
    }
}
